//! Sample NTM results 2021–2025 for the xã of edition 2024, deterministic and
//! calibrated to the national figures.
//!
//! Steps:
//!   1. score every xã: a regional term (the Red River delta and the Southeast ahead,
//!      the northern mountains behind), a district term (so whole districts complete
//!      together) and a small commune term, all from hashes of the codes;
//!   2. rank by score; in year Y the top `share(Y) · N` xã are NTM, and likewise for
//!      nâng cao and kiểu mẫu. The sets only grow with Y, so no commune falls back;
//!   3. a district is đạt chuẩn from the year all its xã are NTM; a province completes
//!      the year all its districts with xã have.

use super::hash;
use super::reference::RefCommune;
use std::collections::BTreeMap;

pub const YEARS: [u16; 5] = [2021, 2022, 2023, 2024, 2025];
/// Shares of eligible xã at the end of each year (6/2022: 70.2%; 1/2025: 78%, 2,275
/// nâng cao and 550 kiểu mẫu of 8,014; 6/2025: 79.3%, 2,567 and 743 of 7,669).
pub const NTM_SHARE: [f64; 5] = [0.640, 0.702, 0.745, 0.780, 0.793];
pub const NANG_CAO_SHARE: [f64; 5] = [0.120, 0.170, 0.225, 0.284, 0.335];
pub const KIEU_MAU_SHARE: [f64; 5] = [0.020, 0.035, 0.050, 0.069, 0.097];

/// The years a xã reached each level (None: not by 2025).
#[derive(Debug, Clone, Copy, Default)]
pub struct Progress {
    pub ntm: Option<u16>,
    pub nang_cao: Option<u16>,
    pub kieu_mau: Option<u16>,
}

fn region(province_code: &str) -> f64 {
    match province_code.parse::<u32>().unwrap_or(0) {
        1 | 22 | 26 | 27 | 30 | 31 | 33 | 34 | 35 | 36 | 37 => 1.0, // Red River delta
        70..=79 => 0.8,                                         // Southeast
        80..=96 => 0.6,                                         // Mekong delta
        38..=56 | 58 | 60 => 0.55,                              // Central coast
        62..=68 => 0.35,                                        // Central highlands
        _ => 0.2,                                               // Northern mountains
    }
}

/// A xã's rank key: the higher, the earlier it reaches each level.
pub(super) fn score(c: &RefCommune) -> f64 {
    district_score(&c.province_code, &c.district_code) + 0.15 * hash::unit(&c.code, 12)
}

/// The regional and district terms of [`score`]: what a district's xã share.
pub(super) fn district_score(province_code: &str, district_code: &str) -> f64 {
    0.45 * region(province_code) + 0.4 * hash::unit(district_code, 11)
}

/// Progress of every xã, by code.
pub fn progress(communes: &[RefCommune]) -> BTreeMap<String, Progress> {
    let mut xa: Vec<&RefCommune> = communes.iter().filter(|c| c.is_xa()).collect();
    xa.sort_by(|a, b| score(b).total_cmp(&score(a)).then(a.code.cmp(&b.code)));
    let n = xa.len() as f64;
    let first_year = |rank: usize, shares: &[f64; 5]| {
        YEARS.iter().zip(shares).find(|(_, s)| (rank as f64) < (*s * n).round()).map(|(y, _)| *y)
    };
    let ntm_2021 = (NTM_SHARE[0] * n).round();
    xa.iter()
        .enumerate()
        .map(|(rank, c)| {
            let mut p = Progress {
                ntm: first_year(rank, &NTM_SHARE),
                nang_cao: first_year(rank, &NANG_CAO_SHARE),
                kieu_mau: first_year(rank, &KIEU_MAU_SHARE),
            };
            // Those already there by 2021 were recognised earlier: NTM from 2011 (the
            // best-ranked first), nâng cao in 2018–2020, kiểu mẫu in 2021.
            if p.ntm == Some(2021) {
                p.ntm = Some(2011 + ((rank as f64 / ntm_2021) * 11.0).floor().min(10.0) as u16);
            }
            if p.nang_cao == Some(2021) {
                p.nang_cao = Some(2018 + (hash::hash(&c.code, 13) % 3) as u16);
            }
            (c.code.clone(), p)
        })
        .collect()
}

fn date(code: &str, year: u16, salt: u64) -> String {
    let h = hash::hash(code, salt);
    format!("{year}-{:02}-{:02}", 1 + h % 12, 1 + (h >> 8) % 28)
}

fn decision(code: &str, salt: u64) -> String {
    format!("{}/QĐ-UBND", 100 + hash::hash(code, salt) % 9000)
}

/// `results-communes.csv` rows: one per recognition event, by code then year.
pub fn commune_rows(progress: &BTreeMap<String, Progress>) -> Vec<[String; 6]> {
    let mut rows = Vec::new();
    for (code, p) in progress {
        let h = hash::hash(code, 14);
        match p.ntm {
            None => {
                let c0 = 10 + (h % 8) as u16;
                rows.push([code.clone(), "2021".into(), "chua_dat".into(), c0.to_string(), String::new(), String::new()]);
                rows.push([code.clone(), "2023".into(), "chua_dat".into(), (c0 + 1 + (h >> 5) as u16 % 2).to_string(), String::new(), String::new()]);
            }
            Some(year) => {
                if year > 2021 {
                    let c0 = 15 + (h % 4);
                    rows.push([code.clone(), "2021".into(), "chua_dat".into(), c0.to_string(), String::new(), String::new()]);
                }
                rows.push([code.clone(), year.to_string(), "dat_chuan".into(), "19".into(), date(code, year, 15), decision(code, 16)]);
            }
        }
        for (year, level, salt) in [(p.nang_cao, "nang_cao", 17), (p.kieu_mau, "kieu_mau", 19)] {
            if let Some(y) = year {
                rows.push([code.clone(), y.to_string(), level.into(), "19".into(), date(code, y, salt), decision(code, salt + 1)]);
            }
        }
    }
    rows
}

/// District rows (`code,year,level,recognized_on,decision`) and province rows.
pub fn unit_rows(communes: &[RefCommune], progress: &BTreeMap<String, Progress>) -> (Vec<[String; 5]>, Vec<[String; 5]>) {
    let mut by_district: BTreeMap<&str, Vec<&Progress>> = BTreeMap::new();
    let mut district_province: BTreeMap<&str, &str> = BTreeMap::new();
    for c in communes.iter().filter(|c| c.is_xa()) {
        by_district.entry(&c.district_code).or_default().push(&progress[&c.code]);
        district_province.insert(&c.district_code, &c.province_code);
    }
    let all_by = |ps: &[&Progress], f: fn(&Progress) -> Option<u16>| -> Option<u16> {
        ps.iter().map(|p| f(p)).collect::<Option<Vec<u16>>>().and_then(|ys| ys.into_iter().max())
    };
    let mut districts = Vec::new();
    let mut province_done: BTreeMap<&str, Option<u16>> = BTreeMap::new();
    for (district, ps) in &by_district {
        let done = all_by(ps, |p| p.ntm);
        let province = district_province[district];
        let entry = province_done.entry(province).or_insert(Some(0));
        *entry = match (*entry, done) {
            (Some(a), Some(b)) => Some(a.max(b)),
            _ => None,
        };
        if let Some(y) = done {
            districts.push([district.to_string(), y.to_string(), "dat_chuan".into(), date(district, y, 21), decision(district, 22).replace("UBND", "TTg")]);
            if let Some(nc) = all_by(ps, |p| p.nang_cao).filter(|&nc| nc > y) {
                districts.push([district.to_string(), nc.to_string(), "nang_cao".into(), date(district, nc, 23), decision(district, 24).replace("UBND", "TTg")]);
            }
        }
    }
    let provinces = province_done
        .into_iter()
        .filter_map(|(p, y)| y.map(|y| [p.to_string(), y.to_string(), "hoan_thanh".into(), date(p, y, 25), decision(p, 26).replace("UBND", "TTg")]))
        .collect();
    (districts, provinces)
}
