//! Statistics over real HTTP against the embedded national data. Every expected
//! number is counted here from the CSV files (geodata/results-*.csv, pilots.csv,
//! tourism.csv, crosswalk, and the reference tables in geodata/reference), independently
//! of the service's loaders and counting.

mod common;
use common::sources::{geodata, results, row_in_force, Row};
use common::{csv_rows as read, reference, Server};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

/// The 2024 communes of the reference table.
struct Data {
    communes: Vec<Row>,
}

impl Data {
    fn load() -> Data {
        Data { communes: read(reference("communes-2024.csv")) }
    }

    /// The contract's commune counts for the 2024 communes passing `keep`.
    fn counts(&self, year: u16, keep: &dyn Fn(&Row) -> bool) -> BTreeMap<&'static str, f64> {
        let results = results();
        let mut n: BTreeMap<&'static str, f64> = BTreeMap::new();
        for k in ["total", "eligible", "not_applicable", "no_data", "chua_dat", "dat_chuan", "nang_cao", "kieu_mau"] {
            n.insert(k, 0.0);
        }
        for c in self.communes.iter().filter(|c| keep(c)) {
            *n.get_mut("total").unwrap() += 1.0;
            let class = results.class(&c["code"], year);
            if class != "not_applicable" {
                *n.get_mut("eligible").unwrap() += 1.0;
            }
            let key = n.keys().copied().find(|k| *k == class).unwrap_or_else(|| panic!("unknown class {class}"));
            *n.get_mut(key).unwrap() += 1.0;
        }
        let ntm = n["dat_chuan"] + n["nang_cao"] + n["kieu_mau"];
        n.insert("ntm", ntm);
        n.insert("ntm_share", ntm / n["eligible"]);
        n.insert("nang_cao_share_of_ntm", (n["nang_cao"] + n["kieu_mau"]) / ntm);
        n.insert("kieu_mau_share_of_ntm", n["kieu_mau"] / ntm);
        n
    }
}

fn assert_counts(got: &Value, want: &BTreeMap<&'static str, f64>, what: &str) {
    for (k, v) in want {
        let g = got[*k].as_f64().unwrap_or_else(|| panic!("{what}: {k} missing in {got}"));
        assert!((g - v).abs() < 1e-12, "{what}: {k} = {g}, counted {v}");
    }
}

fn get(server: &Server, query: &str) -> Value {
    let (status, body) = server.get_json(&format!("/api/v1/stats{query}"));
    assert_eq!(status, 200, "{query}: {body}");
    body
}

fn check_targets(body: &Value) {
    let targets = body["targets"].as_array().expect("targets");
    assert!(!targets.is_empty());
    for t in targets {
        // met is actual ≥ target, and null (with on_track) when there is no actual.
        let met = t["actual"].as_f64().map(|a| a >= t["target"].as_f64().unwrap());
        assert_eq!(t["met"].as_bool(), met, "{t}");
        assert_eq!(t["on_track"].is_null(), met.is_none(), "{t}");
        if met.is_none() {
            assert!(t["met"].is_null() && t["reason"].is_string(), "{t}");
        }
    }
    let by_id = |id: &str| targets.iter().find(|t| t["id"] == id).unwrap_or_else(|| panic!("target {id}"));
    assert_eq!(by_id("ntm_share")["actual"], body["communes"]["ntm_share"]);
    assert_eq!(by_id("ntm_share")["target"].as_f64(), Some(0.8));
    assert_eq!(by_id("nang_cao_share_of_ntm")["actual"], body["communes"]["nang_cao_share_of_ntm"]);
    assert_eq!(by_id("nang_cao_share_of_ntm")["target"].as_f64(), Some(0.4));
    assert_eq!(by_id("kieu_mau_share_of_ntm")["actual"], body["communes"]["kieu_mau_share_of_ntm"]);
    assert_eq!(by_id("kieu_mau_share_of_ntm")["target"].as_f64(), Some(0.1));
}

#[test]
fn national_figures_and_series_equal_counts_from_the_csv_files() {
    let server = Server::shared();
    let data = Data::load();
    let body = get(server, "");
    assert_eq!(body["scope"]["level"], "nation");
    assert_eq!(body["meta"]["sample"], true);
    assert_counts(&body["communes"], &data.counts(2025, &|_| true), "nation 2025");
    // Series: five years, each equal to the counts of that year, and the sample data is
    // calibrated to the national shares 64.0 / 70.2 / 74.5 / 78.0 / 79.3 %.
    let series = body["series"].as_array().unwrap();
    assert_eq!(series.iter().map(|s| s["year"].as_u64().unwrap()).collect::<Vec<_>>(), [2021, 2022, 2023, 2024, 2025]);
    for (s, published) in series.iter().zip([0.640, 0.702, 0.745, 0.780, 0.793]) {
        let year = s["year"].as_u64().unwrap() as u16;
        let want = data.counts(year, &|_| true);
        for k in ["eligible", "ntm", "ntm_share", "nang_cao", "kieu_mau"] {
            assert!((s[k].as_f64().unwrap() - want[k]).abs() < 1e-12, "{year} {k}");
        }
        assert!((s["ntm_share"].as_f64().unwrap() - published).abs() < 0.0005, "{year}: {s}");
    }
    // Districts: completed = level in force ≥ đạt chuẩn, among districts with a xã.
    let district_results = read(geodata("results-districts.csv"));
    let mut with_xa: Vec<&String> = data.communes.iter().filter(|c| c["kind"] == "Xã").map(|c| &c["district_code"]).collect();
    with_xa.sort();
    with_xa.dedup();
    let completed = with_xa.iter().filter(|d| row_in_force(&district_results, d, 2025).is_some_and(|r| r["level"] != "chua_dat")).count();
    let mut all_districts: Vec<&String> = data.communes.iter().map(|c| &c["district_code"]).collect();
    all_districts.sort();
    all_districts.dedup();
    assert_eq!(body["districts"]["total"].as_u64(), Some(all_districts.len() as u64));
    assert_eq!(body["districts"]["eligible"].as_u64(), Some(with_xa.len() as u64));
    assert_eq!(body["districts"]["completed"].as_u64(), Some(completed as u64));
    // Provinces completed by 2025 and 2022.
    let provinces = read(geodata("results-provinces.csv"));
    for year in [2022u16, 2025] {
        let done = provinces.iter().filter(|p| p["year"].parse::<u16>().unwrap() <= year).count();
        assert_eq!(get(server, &format!("?year={year}"))["provinces"]["completed"].as_u64(), Some(done as u64));
    }
    assert_eq!(body["provinces"]["total"].as_u64(), Some(63));
    // Pilots by kind, tourism by category, nationally.
    let pilots = read(geodata("pilots.csv"));
    assert_eq!(body["pilots"]["total"].as_u64(), Some(pilots.len() as u64));
    for kind in ["smart_commune", "ecommerce_commune", "smart_village"] {
        assert_eq!(body["pilots"]["by_kind"][kind].as_u64(), Some(pilots.iter().filter(|p| p["kind"] == kind).count() as u64));
    }
    let tourism = read(geodata("tourism.csv"));
    for cat in ["rural_tourism_site", "homestay", "craft_village", "ocop_product"] {
        assert_eq!(body["tourism"]["by_category"][cat].as_u64(), Some(tourism.iter().filter(|t| t["category"] == cat).count() as u64));
    }
    check_targets(&body);
    // Nationally every region has its target, and the smart-commune target compares
    // provinces holding a smart-commune pilot with all 63.
    let targets = body["targets"].as_array().unwrap();
    assert_eq!(targets.iter().filter(|t| t["id"].as_str().unwrap().starts_with("region_ntm_share.")).count(), 7);
    let code_province: HashMap<&String, &String> = data.communes.iter().map(|c| (&c["code"], &c["province_code"])).collect();
    let mut with_pilot: Vec<&String> = pilots.iter().filter(|p| p["kind"] == "smart_commune").map(|p| code_province[&p["commune_code"]]).collect();
    with_pilot.sort();
    with_pilot.dedup();
    let t = targets.iter().find(|t| t["id"] == "smart_commune_per_province").unwrap();
    assert!((t["actual"].as_f64().unwrap() - with_pilot.len() as f64 / 63.0).abs() < 1e-12, "{t}");
}

#[test]
fn a_province_and_a_district_equal_counts_from_the_csv_files() {
    let server = Server::shared();
    let data = Data::load();
    let hn = get(server, "?province=01&year=2023");
    assert_eq!(hn["scope"]["province"]["code"], "01");
    assert_eq!(hn["scope"]["region"]["id"], "red_river_delta");
    assert_counts(&hn["communes"], &data.counts(2023, &|c| c["province_code"] == "01"), "Hà Nội 2023");
    let pilots = read(geodata("pilots.csv"));
    let province_of: HashMap<&String, &String> = data.communes.iter().map(|c| (&c["code"], &c["province_code"])).collect();
    let hn_pilots: Vec<_> = pilots
        .iter()
        .filter(|p| province_of[&p["commune_code"]] == "01" && p["approved_year"].parse::<u16>().map_or(true, |y| y <= 2023))
        .collect();
    assert_eq!(hn["pilots"]["total"].as_u64(), Some(hn_pilots.len() as u64));
    let mut by_field: BTreeMap<String, u64> = BTreeMap::new();
    for p in &hn_pilots {
        *by_field.entry(p["field"].clone()).or_default() += 1;
    }
    let got: BTreeMap<String, u64> = hn["pilots"]["by_field"].as_object().unwrap().iter().map(|(k, v)| (k.clone(), v.as_u64().unwrap())).collect();
    assert_eq!(got, by_field);
    check_targets(&hn);
    // The national pilot target applied to the province: 1 when it has a smart-commune pilot.
    let smart = hn["targets"].as_array().unwrap().iter().find(|t| t["id"] == "smart_commune_per_province").expect("pilot target");
    assert_eq!((smart["applied"].as_bool(), smart["computed_for"].as_str()), (Some(true), Some("province:01")));
    let has_smart = hn_pilots.iter().any(|p| p["kind"] == "smart_commune");
    assert_eq!(smart["actual"].as_f64(), Some(if has_smart { 1.0 } else { 0.0 }));

    // Huyện Gia Lâm (018), each year of the series.
    let gl = get(server, "?district=018");
    assert_eq!(gl["scope"]["district"]["name"], "Huyện Gia Lâm");
    assert_eq!(gl["scope"]["province"]["code"], "01");
    assert_counts(&gl["communes"], &data.counts(2025, &|c| c["district_code"] == "018"), "Gia Lâm 2025");
    for s in gl["series"].as_array().unwrap() {
        let year = s["year"].as_u64().unwrap() as u16;
        let want = data.counts(year, &|c| c["district_code"] == "018");
        assert_eq!(s["ntm"].as_f64(), Some(want["ntm"]), "{year}");
    }
    assert_eq!(gl["districts"]["total"], 1);
    check_targets(&gl);
    // The same district asked with its province agrees.
    assert_eq!(get(server, "?district=018&province=01")["communes"], gl["communes"]);
}

#[test]
fn edition_2025_counts_the_former_communes_through_the_crosswalk() {
    let server = Server::shared();
    let data = Data::load();
    let new_province: HashMap<String, String> =
        read(reference("communes-2025.csv")).into_iter().map(|c| (c["code"].clone(), c["province_code"].clone())).collect();
    // Each former commune counts in the 2025 commune that took it whole or for the most part.
    let mut goes_to: HashMap<String, String> = HashMap::new();
    for r in read(geodata("crosswalk-2024-2025.csv")) {
        if r["relation"] != "part" {
            goes_to.insert(r["code_2024"].clone(), new_province[&r["code_2025"]].clone());
        }
    }
    // Province 01 of 2025, and one that merged several former provinces (the 2025
    // province taking the former communes of Hà Giang, 02).
    let merged = goes_to[&data.communes.iter().find(|c| c["province_code"] == "02").unwrap()["code"]].clone();
    for code in ["01".to_string(), merged] {
        let body = get(server, &format!("?edition=2025&province={code}"));
        assert_eq!(body["scope"]["counted"], "former_communes_2024");
        let want = data.counts(2025, &|c| goes_to.get(&c["code"]) == Some(&code));
        assert_counts(&body["communes"], &want, &format!("2025 province {code}"));
        let n2025 = new_province.values().filter(|p| **p == code).count() as u64;
        assert_eq!(body["communes_2025"]["total"].as_u64(), Some(n2025));
        let by_level: u64 = body["communes_2025"]["by_level"].as_object().unwrap().values().map(|v| v.as_u64().unwrap()).sum();
        assert_eq!(by_level, n2025);
        check_targets(&body);
    }
    // Nationally both editions count the same former communes.
    assert_eq!(get(server, "?edition=2025")["communes"], get(server, "")["communes"]);
}

/// Flattens the JSON answer as the CSV format documents it, written independently.
fn flatten(v: &Value, path: &str, out: &mut BTreeMap<String, String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if path.is_empty() && (k == "scope" || k == "meta") {
                    continue;
                }
                flatten(x, &if path.is_empty() { k.clone() } else { format!("{path}.{k}") }, out);
            }
        }
        Value::Array(items) => {
            for (i, x) in items.iter().enumerate() {
                let key = if path == "series" { x["year"].to_string() } else if let Some(id) = x["id"].as_str() { id.to_string() } else { i.to_string() };
                flatten(x, &format!("{path}.{key}"), out);
            }
        }
        Value::String(_) => {}
        Value::Null => {
            out.insert(path.to_string(), String::new());
        }
        other => {
            out.insert(path.to_string(), other.to_string());
        }
    }
}

#[test]
fn csv_parses_and_agrees_with_json() {
    let server = Server::shared();
    for (query, scope) in [("?province=01&year=2024", "province:01"), ("?district=018", "district:018"), ("?edition=2025", "nation")] {
        let json = get(server, query);
        let mut want = BTreeMap::new();
        flatten(&json, "", &mut want);
        for raw in [
            server.get_raw(&format!("/api/v1/stats{query}&format=csv"), &[]),
            server.get_raw(&format!("/api/v1/stats{query}"), &[("Accept", "text/csv")]),
        ] {
            assert_eq!(raw.status, 200);
            assert!(raw.header("content-type").unwrap().starts_with("text/csv"), "{:?}", raw.headers);
            let mut r = csv::Reader::from_reader(raw.body.as_slice());
            assert_eq!(r.headers().unwrap().iter().collect::<Vec<_>>(), ["scope", "edition", "year", "measure", "value"]);
            let mut got = BTreeMap::new();
            for row in r.records() {
                let row = row.unwrap();
                assert_eq!(&row[0], scope);
                assert_eq!(&row[1], json["scope"]["edition"].to_string());
                assert_eq!(&row[2], json["scope"]["year"].to_string());
                assert!(got.insert(row[3].to_string(), row[4].to_string()).is_none(), "measure {} twice", &row[3]);
            }
            // Numbers compared as numbers: the client's JSON parser may round the last bit.
            let same = |a: &String, b: &String| match (a.parse::<f64>(), b.parse::<f64>()) {
                (Ok(x), Ok(y)) => (x - y).abs() <= 1e-15 * x.abs().max(1.0),
                _ => a == b,
            };
            let differing: Vec<_> = want
                .iter()
                .filter(|(k, v)| !got.get(*k).is_some_and(|g| same(g, v)))
                .chain(got.iter().filter(|(k, _)| !want.contains_key(*k)))
                .collect();
            assert!(differing.is_empty(), "{query}: CSV and JSON differ at {differing:?}");
            assert!(got.contains_key("communes.ntm_share") && got.contains_key("series.2021.ntm") && got.contains_key("targets.ntm_share.met"));
        }
    }
}

#[test]
fn bad_parameters_answer_400_and_unknown_units_404_naming_them() {
    let server = Server::shared();
    for (query, status, parameter) in [
        ("?year=2020", 400, "year"),
        ("?year=abc", 400, "year"),
        ("?edition=2023", 400, "edition"),
        ("?format=xml", 400, "format"),
        ("?province=abc", 400, "province"),
        ("?district=12345", 400, "district"),
        ("?district=018&edition=2025", 400, "district"),
        ("?district=018&province=02", 400, "district"),
        ("?province=99", 404, "province"),
        ("?province=02&edition=2025", 404, "province"),
        ("?district=999", 404, "district"),
    ] {
        let (got, body) = server.get_json(&format!("/api/v1/stats{query}"));
        assert_eq!(got, status, "{query}: {body}");
        assert_eq!(body["error"]["parameter"], parameter, "{query}: {body}");
    }
}
