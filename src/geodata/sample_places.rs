//! Pilot models and rural tourism points: the real Hà Nội pilot list, plus deterministic
//! sample points (at least one smart-commune pilot per province, all four tourism
//! categories in every province). Points sit on the commune's site: its reference point,
//! or its label point where the reference point lies outside its generated boundary.

use super::hash;
use super::reference::RefCommune;
use anyhow::{anyhow, Result};
use std::collections::BTreeMap;

/// Hà Nội's pilots (commune, district, kind), as Plan 236/KH-UBND of 21/9/2023 lists them
/// in its Phụ lục 02 (whose header prints "238"; the plan's own number is 236). The plan
/// names no leading field, so none is given.
const HA_NOI_PILOTS: [(&str, &str, &str); 14] = [
    ("Xã Dương Xá", "Huyện Gia Lâm", "smart_commune"),
    ("Xã Phú Cát", "Huyện Quốc Oai", "smart_commune"),
    ("Xã Phùng Xá", "Huyện Mỹ Đức", "ecommerce_commune"),
    ("Xã Hương Sơn", "Huyện Mỹ Đức", "smart_commune"),
    ("Xã Hồng Sơn", "Huyện Mỹ Đức", "smart_commune"),
    ("Xã Liên Bạt", "Huyện Ứng Hòa", "smart_commune"),
    ("Xã Đông Lỗ", "Huyện Ứng Hòa", "ecommerce_commune"),
    ("Xã Văn Bình", "Huyện Thường Tín", "smart_commune"),
    ("Xã Tự Lập", "Huyện Mê Linh", "smart_commune"),
    ("Xã Liên Hà", "Huyện Đông Anh", "smart_commune"),
    ("Xã Quang Tiến", "Huyện Sóc Sơn", "smart_commune"),
    ("Xã Phù Linh", "Huyện Sóc Sơn", "ecommerce_commune"),
    ("Xã Hồng Dương", "Huyện Thanh Oai", "smart_commune"),
    ("Xã Song Phượng", "Huyện Đan Phượng", "smart_commune"),
];

/// The plan that selected Hà Nội's pilots, and its date.
const HA_NOI_PLAN: (&str, &str) = ("236/KH-UBND", "2023-09-21");

/// The columns of `pilots.csv`.
pub const PILOT_COLUMNS: [&str; 13] = [
    "id", "name", "kind", "field", "commune_code", "lon", "lat", "approved_year",
    "decision", "approved_on", "directing_level", "stage", "url",
];

const FIELDS: [&str; 8] =
    ["kinh tế", "du lịch nông thôn", "môi trường", "văn hóa", "y tế", "giáo dục", "an ninh trật tự", "chuyển đổi số"];

fn short(name: &str) -> &str {
    name.strip_prefix("Xã ").unwrap_or(name)
}

fn label(kind: &str) -> &'static str {
    match kind {
        "smart_commune" => "Xã NTM thông minh",
        "ecommerce_commune" => "Xã thương mại điện tử",
        _ => "Thôn thông minh",
    }
}

/// `pilots.csv` rows ([`PILOT_COLUMNS`]).
pub fn pilots(communes: &[RefCommune]) -> Result<Vec<[String; 13]>> {
    let mut rows = Vec::new();
    for (i, (name, district, kind)) in HA_NOI_PILOTS.iter().enumerate() {
        let c = communes
            .iter()
            .find(|c| c.name == *name && c.district_name == *district && c.province_code == "01")
            .ok_or_else(|| anyhow!("{name} ({district}, Hà Nội) is not in the reference table"))?;
        rows.push([
            format!("HN-{:02}", i + 1),
            format!("{} {}", label(kind), short(&c.name)),
            kind.to_string(),
            String::new(),
            c.code.clone(),
            c.lon.clone(),
            c.lat.clone(),
            HA_NOI_PLAN.1[..4].to_string(),
            HA_NOI_PLAN.0.to_string(),
            HA_NOI_PLAN.1.to_string(),
            // Dương Xá is directed by the city, the others by their districts.
            if i == 0 { "province" } else { "district" }.to_string(),
            "selected".to_string(),
            String::new(),
        ]);
    }
    let mut by_province: BTreeMap<&str, Vec<&RefCommune>> = BTreeMap::new();
    for c in communes.iter().filter(|c| c.is_xa()) {
        by_province.entry(&c.province_code).or_default().push(c);
    }
    for (k, (province, xa)) in by_province.iter_mut().enumerate() {
        if *province == "01" {
            continue; // Hà Nội has its real list.
        }
        xa.sort_by_key(|c| (hash::hash(&c.code, 31), c.code.clone()));
        let mut add = |c: &RefCommune, kind: &str, n: usize| {
            let field = FIELDS[(hash::hash(&c.code, 32 + n as u64) % FIELDS.len() as u64) as usize];
            let name = match kind {
                "smart_village" => format!("Thôn thông minh (mẫu) – {}", c.name),
                _ => format!("{} {} (mẫu)", label(kind), short(&c.name)),
            };
            rows.push([
                format!("S-{province}-{n}"),
                name,
                kind.to_string(),
                field.to_string(),
                c.code.clone(),
                c.lon.clone(),
                c.lat.clone(),
                (2022 + hash::hash(&c.code, 33) % 4).to_string(),
                String::new(),
                String::new(),
                "province".to_string(),
                ["selected", "building", "recognised"][(hash::hash(&c.code, 34) % 3) as usize].to_string(),
                String::new(),
            ]);
        };
        add(xa[0], "smart_commune", 1);
        if k % 2 == 0 && xa.len() > 1 {
            add(xa[1], "ecommerce_commune", 2);
        }
        if k % 3 == 0 && xa.len() > 2 {
            add(xa[2], "smart_village", 3);
        }
    }
    Ok(rows)
}

/// `tourism.csv` rows: `id,name,category,ocop_stars,commune_code,lon,lat,url`.
pub fn tourism(communes: &[RefCommune]) -> Vec<[String; 8]> {
    let mut rows = Vec::new();
    if let Some(c) = communes.iter().find(|c| c.name == "Xã Bát Tràng" && c.province_code == "01") {
        rows.push(["T-0001".into(), "Làng gốm Bát Tràng".into(), "craft_village".into(), String::new(), c.code.clone(), c.lon.clone(), c.lat.clone(), String::new()]);
    }
    let mut by_province: BTreeMap<&str, Vec<&RefCommune>> = BTreeMap::new();
    for c in communes.iter().filter(|c| c.is_xa()) {
        by_province.entry(&c.province_code).or_default().push(c);
    }
    let categories = [
        ("rural_tourism_site", "Điểm du lịch nông thôn (mẫu)"),
        ("homestay", "Homestay (mẫu)"),
        ("craft_village", "Làng nghề (mẫu)"),
        ("ocop_product", "Sản phẩm OCOP (mẫu)"),
    ];
    for xa in by_province.values() {
        for (k, (category, title)) in categories.iter().enumerate() {
            let per_category = if *category == "ocop_product" { 2 } else { 1 };
            for j in 0..per_category {
                let c = xa[(hash::hash(xa[0].province_code.as_str(), (40 + k * 3 + j) as u64) % xa.len() as u64) as usize];
                let stars = if *category == "ocop_product" { (3 + hash::hash(&c.code, 50 + j as u64) % 3).to_string() } else { String::new() };
                rows.push([
                    format!("T-{:04}", rows.len() + 1),
                    format!("{title} – {}", c.name),
                    category.to_string(),
                    stars,
                    c.code.clone(),
                    c.lon.clone(),
                    c.lat.clone(),
                    String::new(),
                ]);
            }
        }
    }
    rows
}
