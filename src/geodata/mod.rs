//! The generator of the embedded default data (`bando geodata build`).
//!
//! Steps:
//!   1. read the reference tables of both editions (codes, names, parents, points);
//!   2. generate commune boundaries per edition ([`cells`]) and write them as FlatGeobuf;
//!   3. dissolve districts (2024) and provinces (both editions) from them ([`dissolve`]);
//!   4. write sample NTM results ([`sample_results`]), the Hà Nội pilot list with sample
//!      pilots and sample tourism points ([`sample_places`]);
//!   5. copy the 2024→2025 crosswalk.
//! Everything is sorted and hashed deterministically: two runs give identical bytes.

mod cells;
mod dissolve;
mod hash;
mod reference;
mod sample_places;
mod sample_results;

use anyhow::{Context, Result};
use cells::Welder;
use crate::export::fgb as fgb_out;
use fgb_out::Feature;
use reference::RefCommune;
use std::fmt;
use std::path::Path;

/// What a build wrote.
#[derive(Debug, Default)]
pub struct BuildReport {
    pub communes: [usize; 2],
    pub sites_outside_outline: [usize; 2],
    pub districts: usize,
    pub provinces: [usize; 2],
    pub result_rows: usize,
    pub pilots: usize,
    pub tourism: usize,
    pub bytes: u64,
    /// NTM share of xã per year 2021–2025, as computed from the written rows.
    pub ntm_share: Vec<(u16, f64)>,
}

impl fmt::Display for BuildReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "communes: {} (2024), {} (2025); sites the outline misses: {} / {}", self.communes[0], self.communes[1], self.sites_outside_outline[0], self.sites_outside_outline[1])?;
        writeln!(f, "districts: {}; provinces: {} (2024), {} (2025)", self.districts, self.provinces[0], self.provinces[1])?;
        writeln!(f, "result rows: {}; pilots: {}; tourism: {}", self.result_rows, self.pilots, self.tourism)?;
        for (y, s) in &self.ntm_share {
            writeln!(f, "  {y}: {:.1}% of xã NTM", s * 100.0)?;
        }
        write!(f, "{} bytes written", self.bytes)
    }
}

const COMMUNE_COLUMNS_2024: [&str; 9] =
    ["code", "name", "kind", "district_code", "district_name", "province_code", "province_name", "label_lon", "label_lat"];
const COMMUNE_COLUMNS_2025: [&str; 7] = ["code", "name", "kind", "province_code", "province_name", "label_lon", "label_lat"];

pub fn build(reference_dir: &Path, out_dir: &Path) -> Result<BuildReport> {
    std::fs::create_dir_all(out_dir).with_context(|| format!("cannot create {}", out_dir.display()))?;
    let mut report = BuildReport::default();
    let outline = cells::read_outline(&reference_dir.join("vietnam-outline-ne10m.geojson"))?;
    let refs = [reference::read(reference_dir, 2024)?, reference::read(reference_dir, 2025)?];

    for (e, communes) in refs.iter().enumerate() {
        let year = 2024 + e as u16;
        let sites: Vec<[f64; 2]> = communes.iter().map(|c| c.site).collect();
        let (domain, missed) = cells::domain(&outline, &sites);
        let mut welder = Welder::default();
        let shapes = cells::clipped_cells(&sites, &domain, &mut welder)?;
        report.communes[e] = communes.len();
        report.sites_outside_outline[e] = missed;
        let features: Vec<Feature> = communes
            .iter()
            .zip(&shapes)
            .map(|(c, shape)| Feature { geometry: shape.clone(), values: commune_values(c, year) })
            .collect();
        let columns: &[&str] = if year == 2024 { &COMMUNE_COLUMNS_2024 } else { &COMMUNE_COLUMNS_2025 };
        report.bytes += fgb_out::write(&out_dir.join(format!("communes-{year}.fgb")), "communes", columns, &features)?;

        let names = |key: fn(&RefCommune) -> (&str, &str)| -> std::collections::BTreeMap<String, String> {
            communes.iter().map(|c| (key(c).0.to_string(), key(c).1.to_string())).collect()
        };
        let provinces = dissolve::dissolve(communes.iter().zip(&shapes).map(|(c, s)| (c.province_code.clone(), s)), &mut welder);
        let province_names = names(|c| (&c.province_code, &c.province_name));
        let features: Vec<Feature> = provinces
            .into_iter()
            .map(|(code, geometry)| Feature { values: vec![code.clone(), province_names[&code].clone()], geometry })
            .collect();
        report.provinces[e] = features.len();
        report.bytes += fgb_out::write(&out_dir.join(format!("provinces-{year}.fgb")), "provinces", &["code", "name"], &features)?;

        if year == 2024 {
            let districts = dissolve::dissolve(communes.iter().zip(&shapes).map(|(c, s)| (c.district_code.clone(), s)), &mut welder);
            let parents: std::collections::BTreeMap<&str, &RefCommune> = communes.iter().map(|c| (c.district_code.as_str(), c)).collect();
            let features: Vec<Feature> = districts
                .into_iter()
                .map(|(code, geometry)| {
                    let c = parents[code.as_str()];
                    Feature { values: vec![code.clone(), c.district_name.clone(), c.province_code.clone(), c.province_name.clone()], geometry }
                })
                .collect();
            report.districts = features.len();
            report.bytes += fgb_out::write(
                &out_dir.join("districts-2024.fgb"),
                "districts",
                &["code", "name", "province_code", "province_name"],
                &features,
            )?;
        }
    }

    let progress = sample_results::progress(&refs[0]);
    let rows = sample_results::commune_rows(&progress);
    report.result_rows = rows.len();
    report.bytes += write_csv(&out_dir.join("results-communes.csv"), &["code", "year", "level", "criteria_met", "recognized_on", "decision"], &rows)?;
    let (districts, provinces) = sample_results::unit_rows(&refs[0], &progress);
    let unit_header = ["code", "year", "level", "recognized_on", "decision"];
    report.bytes += write_csv(&out_dir.join("results-districts.csv"), &unit_header, &districts)?;
    report.bytes += write_csv(&out_dir.join("results-provinces.csv"), &unit_header, &provinces)?;
    let eligible = progress.len() as f64;
    report.ntm_share = sample_results::YEARS
        .iter()
        .map(|&y| (y, progress.values().filter(|p| p.ntm.is_some_and(|n| n <= y)).count() as f64 / eligible))
        .collect();

    let pilots = sample_places::pilots(&refs[0])?;
    report.pilots = pilots.len();
    report.bytes += write_csv(&out_dir.join("pilots.csv"), &sample_places::PILOT_COLUMNS, &pilots)?;
    let tourism = sample_places::tourism(&refs[0]);
    report.tourism = tourism.len();
    report.bytes += write_csv(&out_dir.join("tourism.csv"), &["id", "name", "category", "ocop_stars", "commune_code", "lon", "lat", "url"], &tourism)?;

    let crosswalk = std::fs::read(reference_dir.join("crosswalk-2024-2025.csv")).context("cannot read the crosswalk")?;
    std::fs::write(out_dir.join("crosswalk-2024-2025.csv"), &crosswalk)?;
    report.bytes += crosswalk.len() as u64;
    Ok(report)
}

fn commune_values(c: &RefCommune, year: u16) -> Vec<String> {
    let mut v = vec![c.code.clone(), c.name.clone(), c.kind.clone()];
    if year == 2024 {
        v.extend([c.district_code.clone(), c.district_name.clone()]);
    }
    v.extend([c.province_code.clone(), c.province_name.clone(), c.lon.clone(), c.lat.clone()]);
    v
}

fn write_csv<const N: usize>(path: &Path, header: &[&str], rows: &[[String; N]]) -> Result<u64> {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_path(path)?;
    w.write_record(header)?;
    for r in rows {
        w.write_record(r)?;
    }
    w.flush()?;
    Ok(std::fs::metadata(path)?.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calibrated_shares_are_within_one_point_of_the_national_figures() {
        let dir = std::path::Path::new(crate::config::REFERENCE_TABLES);
        let refs = reference::read(dir, 2024).unwrap();
        let progress = sample_results::progress(&refs);
        let n = progress.len() as f64;
        for (i, &y) in sample_results::YEARS.iter().enumerate() {
            let share = |f: fn(&sample_results::Progress) -> Option<u16>| {
                progress.values().filter(|p| f(p).is_some_and(|v| v <= y)).count() as f64 / n
            };
            assert!((share(|p| p.ntm) - sample_results::NTM_SHARE[i]).abs() < 0.01, "{y}");
            assert!((share(|p| p.nang_cao) - sample_results::NANG_CAO_SHARE[i]).abs() < 0.01, "{y}");
            assert!((share(|p| p.kieu_mau) - sample_results::KIEU_MAU_SHARE[i]).abs() < 0.01, "{y}");
        }
        // Never falls back: higher levels come after lower ones.
        for p in progress.values() {
            if let (Some(a), Some(b)) = (p.ntm, p.nang_cao) {
                assert!(a < b);
            }
            if let (Some(a), Some(b)) = (p.nang_cao, p.kieu_mau) {
                assert!(a < b);
            }
        }
    }
}
