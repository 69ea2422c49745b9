//! The embedded sample criteria assessments (`geodata/criteria.csv`) against the sample
//! results and through the real server. Both files and the catalog are read here with a
//! plain CSV reader; the expected checklists are computed from them by the rule the API
//! documents (a criterion's state is its latest row by the year; with no row, met by level
//! when the commune is recognised at the set's level).

mod common;
use common::sources::{results, Recognition};
use common::{csv_rows, geodata, Server};
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// One row of `criteria.csv`.
struct Row {
    year: u16,
    set: String,
    /// `8` or `8.4`.
    item: String,
    met: bool,
    value: Option<f64>,
}

/// The rows of `criteria.csv` by unit code, in file order.
fn rows() -> &'static BTreeMap<String, Vec<Row>> {
    static ROWS: OnceLock<BTreeMap<String, Vec<Row>>> = OnceLock::new();
    ROWS.get_or_init(|| {
        let path = geodata("criteria.csv");
        let mut reader = csv::Reader::from_path(&path).expect("geodata/criteria.csv is committed");
        let headers = reader.headers().expect("header").clone();
        assert_eq!(headers.iter().collect::<Vec<_>>(), ["unit_code", "year", "set", "criterion", "indicator", "met", "value", "assessed_on", "note"]);
        let mut by_code: BTreeMap<String, Vec<Row>> = BTreeMap::new();
        for (i, r) in reader.records().enumerate() {
            let r = r.unwrap_or_else(|e| panic!("criteria.csv row {}: {e}", i + 2));
            let item = if r[4].is_empty() { r[3].to_string() } else { format!("{}.{}", &r[3], &r[4]) };
            let met = match &r[5] {
                "true" => true,
                "false" => false,
                other => panic!("criteria.csv row {}: met '{other}'", i + 2),
            };
            let row = Row { year: r[1].parse().expect("year"), set: r[2].to_string(), item, met, value: r[6].parse().ok() };
            by_code.entry(r[0].to_string()).or_default().push(row);
        }
        by_code
    })
}

/// The latest row of each item of `set` by the end of `year`.
fn in_force<'a>(rows: &'a [Row], set: &str, year: u16) -> BTreeMap<&'a str, &'a Row> {
    let mut state = BTreeMap::new();
    let mut of_set: Vec<&Row> = rows.iter().filter(|r| r.set == set && r.year <= year).collect();
    of_set.sort_by_key(|r| r.year);
    for r in of_set {
        state.insert(r.item.as_str(), r);
    }
    state
}

fn rank(level: &str) -> u8 {
    ["chua_dat", "dat_chuan", "nang_cao", "kieu_mau"].iter().position(|l| *l == level).unwrap_or_else(|| panic!("level {level}")) as u8
}

/// A commune set of the catalog: id, level and items (`1`, …, `8`, `8.4`, …) in order.
struct Set {
    id: String,
    level: String,
    items: Vec<String>,
}

fn commune_sets() -> Vec<Set> {
    let mut sets: Vec<Set> = csv_rows(geodata("criteria/sets.csv"))
        .into_iter()
        .filter(|s| s["unit"] == "commune")
        .map(|s| {
            let items = csv_rows(geodata(&format!("criteria/{}.csv", s["set"])))
                .iter()
                .map(|i| if i["indicator"].is_empty() { i["criterion"].clone() } else { format!("{}.{}", i["criterion"], i["indicator"]) })
                .collect();
            Set { id: s["set"].clone(), level: s["level"].clone(), items }
        })
        .collect();
    sets.sort_by_key(|s| rank(&s.level));
    sets
}

#[test]
fn every_chua_dat_commune_meets_exactly_its_criteria_met_and_recognised_ones_meet_every_criterion() {
    let (rows, results) = (rows(), results());
    let ntm: Vec<String> = (1..=19).map(|n| n.to_string()).collect();
    let (mut chua_dat, mut recognised_with_rows) = (0, 0);
    for code in results.codes() {
        let own = rows.get(code).map(Vec::as_slice).unwrap_or_default();
        for year in 2021..=2025 {
            let Some(Recognition { level, criteria_met, .. }) = results.in_force(code, year) else { continue };
            let state = in_force(own, "xa_ntm_2021", year);
            let met = ntm.iter().filter(|n| state.get(n.as_str()).is_some_and(|r| r.met)).count();
            if level == "chua_dat" {
                chua_dat += 1;
                assert!(ntm.iter().all(|n| state.contains_key(n.as_str())), "{code} {year}: chưa đạt with a criterion not named");
                assert_eq!(Some(met as u8), *criteria_met, "{code} {year}: criteria met in force vs criteria_met");
            } else {
                // Recognised: every NTM row in force says met (none: met by level).
                assert!(state.values().all(|r| r.met), "{code} {year}: {level} with an NTM item not met");
                recognised_with_rows += usize::from(!state.is_empty());
            }
            // An indicator not met: its criterion is not met.
            for set in ["xa_ntm_2021", "xa_nang_cao_2021"] {
                let state = in_force(own, set, year);
                for (item, r) in &state {
                    if let Some((criterion, _)) = item.split_once('.') {
                        assert!(r.met || state.get(criterion).is_some_and(|c| !c.met), "{code} {year} {set}: {item} not met but criterion {criterion} met");
                    }
                }
            }
        }
    }
    assert!(chua_dat > 5000 && recognised_with_rows > 1000, "{chua_dat} chưa đạt commune-years, {recognised_with_rows} recognised with rows");
}

/// Communes of each kind of history, the first by code: (what, code).
fn picked() -> Vec<(&'static str, String)> {
    let results = results();
    let mut codes: Vec<&str> = results.codes().collect();
    codes.sort_unstable();
    let history = |code: &str| results.history(code);
    let year_of = |code: &str, level: &str| history(code).iter().find(|r| r.level == level).map(|r| r.year);
    type Test<'a> = Box<dyn Fn(&str) -> bool + 'a>;
    let kinds: [(&'static str, Test); 6] = [
        ("chưa đạt to 2025", Box::new(|c| year_of(c, "dat_chuan").is_none() && history(c).len() == 2)),
        ("đạt chuẩn within 2022–2025", Box::new(|c| year_of(c, "dat_chuan").is_some_and(|y| y > 2021) && year_of(c, "chua_dat") == Some(2021))),
        ("đạt chuẩn before 2021, nâng cao within 2022–2025", Box::new(|c| year_of(c, "dat_chuan").is_some_and(|y| y < 2021) && year_of(c, "nang_cao").is_some_and(|y| y > 2021))),
        ("đạt chuẩn before 2021, not nâng cao by 2025", Box::new(|c| year_of(c, "dat_chuan").is_some_and(|y| y < 2021) && year_of(c, "nang_cao").is_none())),
        ("nâng cao before 2021", Box::new(|c| year_of(c, "nang_cao").is_some_and(|y| y < 2021))),
        ("chưa đạt meeting all 19", Box::new(|c| history(c).iter().any(|r| r.level == "chua_dat" && r.criteria_met == Some(19)))),
    ];
    kinds
        .iter()
        .map(|(what, test)| (*what, codes.iter().find(|c| test(c)).unwrap_or_else(|| panic!("no commune: {what}")).to_string()))
        .collect()
}

#[test]
fn the_served_checklists_are_the_files_year_by_year() {
    let server = Server::shared();
    let (_, meta) = server.get_json("/api/v1/meta");
    let source = meta["meta"]["sources"].as_array().unwrap().iter().find(|s| s["layer"] == "criteria").cloned().expect("criteria source listed");
    assert_eq!((source["path"].as_str(), source["sample"].as_bool()), (Some("criteria.csv"), Some(true)), "{source}");

    let sets = commune_sets();
    let results = results();
    let label_points = common::sources::embedded_label_points(2024);
    let mut point_checks = 0;
    for (what, code) in picked() {
        let (status, body) = server.get_json(&format!("/api/v1/communes/{code}/criteria?from=2021&to=2025"));
        assert_eq!(status, 200, "{what} {code}: {body}");
        let own = rows().get(&code).map(Vec::as_slice).unwrap_or_default();
        let years = body["years"].as_array().expect("years");
        assert_eq!(years.len(), 5, "{what} {code}");
        for entry in years {
            let year = entry["year"].as_u64().unwrap() as u16;
            let level = results.in_force(&code, year).map(|r| r.level.as_str()).expect("every xã has a level from 2021");
            let set = sets.iter().find(|s| rank(&s.level) > rank(level)).unwrap_or_else(|| sets.last().unwrap());
            let checklist = &entry["checklist"];
            let context = format!("{what} {code} {year} ({level})");
            // The point answer at the commune's label point carries the same checklist.
            if let Some(p) = label_points.iter().find(|p| p.code == code).filter(|_| point_checks < 15) {
                point_checks += 1;
                let (status, answer) = server.get_json(&format!("/api/v1/communes/at?lon={}&lat={}&year={year}", p.lon, p.lat));
                assert_eq!(status, 200, "{context}");
                assert_eq!(answer["commune"]["code"], code.as_str(), "{context}: the label point is in its commune");
                assert_eq!(&answer["criteria"], checklist, "{context}: the point answer's checklist");
            }
            assert_eq!(checklist["set"], set.id.as_str(), "{context}");
            let state = in_force(own, &set.id, year);
            let certified = rank(level) >= rank(&set.level);
            let expected: Vec<(&str, &str)> = set
                .items
                .iter()
                .map(|item| {
                    let status = match state.get(item.as_str()) {
                        Some(r) if r.met => "met",
                        Some(_) => "not_met",
                        None if certified => "met_by_level",
                        None => "no_data",
                    };
                    (item.as_str(), status)
                })
                .collect();
            let served: Vec<(&str, &str)> = checklist["items"].as_array().unwrap().iter().map(|i| (i["number"].as_str().unwrap(), i["status"].as_str().unwrap())).collect();
            assert_eq!(served, expected, "{context}");
            let criteria = || expected.iter().filter(|(n, _)| !n.contains('.'));
            assert_eq!(checklist["criteria_met"].as_u64().unwrap() as usize, criteria().filter(|(_, s)| s.starts_with("met")).count(), "{context}");
            let missing: Vec<&str> = criteria().filter(|(_, s)| *s == "not_met").map(|(n, _)| *n).collect();
            assert_eq!(checklist["missing"], serde_json::json!(missing), "{context}");
            if level == "chua_dat" {
                let claimed = results.in_force(&code, year).and_then(|r| r.criteria_met).unwrap();
                assert_eq!(checklist["criteria_met"].as_u64(), Some(u64::from(claimed)), "{context}: criteria_met of the results");
            }
            for item in checklist["items"].as_array().unwrap() {
                if let Some(r) = state.get(item["number"].as_str().unwrap()) {
                    assert_eq!(item["assessment"]["year"].as_u64(), Some(u64::from(r.year)), "{context}");
                    assert_eq!(item["assessment"]["value"].as_f64(), r.value, "{context}");
                }
            }
        }
        assert!(point_checks >= 15 || what != "đạt chuẩn before 2021, not nâng cao by 2025", "three communes checked through the point answer ({point_checks})");
        // Nothing in these histories is without data, every year has its rows or its level,
        // except the nâng cao items the sample does not assess (all but 8, 8.4, 15, 15.2).
        let assessed = |set: &str, number: &str| set != "xa_nang_cao_2021" || ["8", "8.4", "15", "15.2"].contains(&number);
        assert!(
            years.iter().all(|y| {
                let set = y["checklist"]["set"].as_str().unwrap_or("");
                y["checklist"]["items"].as_array().unwrap().iter().all(|i| i["status"] != "no_data" || !assessed(set, i["number"].as_str().unwrap()))
            }),
            "{what} {code}: {body}"
        );
    }
}
