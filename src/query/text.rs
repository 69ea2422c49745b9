//! Plain-text rendering of a point answer, for `bando query`.

use super::PointAnswer;
use crate::standing::LevelInForce;
use std::fmt::Write;

pub fn render(answer: &PointAnswer<'_>) -> String {
    let mut out = String::new();
    let a = &answer.head;
    let c = &a.commune;
    let _ = writeln!(out, "{} ({}, code {})", c.name, c.kind_label, c.code);
    if let Some(d) = &a.district {
        let _ = writeln!(out, "  district: {} ({}){}", d.name, d.code, level_text(d.ntm.as_ref()));
    }
    let p = &a.province;
    let completed = p.completed_year.map(|y| format!(" — completed NTM in {y}")).unwrap_or_default();
    let _ = writeln!(out, "  province: {} ({}){completed}", p.name, p.code);
    let _ = writeln!(out, "  edition {}, year {}", a.edition, a.year);
    if let Some(ntm) = &a.ntm {
        let _ = writeln!(out, "  NTM:{}", level_text(Some(ntm)));
    }
    if let Some(f) = &a.former_communes {
        let _ = writeln!(
            out,
            "  former communes: {} (chưa đạt {}, đạt chuẩn {}, nâng cao {}, kiểu mẫu {}, not applicable {}, no data {})",
            f.total, f.chua_dat, f.dat_chuan, f.nang_cao, f.kieu_mau, f.not_applicable, f.no_data
        );
    }
    for n in &answer.pilots {
        let _ = writeln!(out, "  pilot {:>6} m: {} ({}, {})", n.distance_m, n.pilot.name, n.pilot.kind.as_str(), n.pilot.field);
    }
    for n in &answer.tourism {
        let _ = writeln!(out, "  tourism {:>4} m: {} ({})", n.distance_m, n.site.name, n.site.category.as_str());
    }
    out
}

fn level_text(level: Option<&LevelInForce<'_>>) -> String {
    match level {
        None => String::new(),
        Some(LevelInForce::NotApplicable) => " not applicable (not a xã)".into(),
        Some(LevelInForce::NoData) => " no record".into(),
        Some(LevelInForce::Recorded { record }) => {
            let criteria = record.criteria_met.map(|n| format!(", {n}/19 criteria")).unwrap_or_default();
            format!(" {} since {}{criteria}", record.level.label_vi(), record.year)
        }
    }
}
