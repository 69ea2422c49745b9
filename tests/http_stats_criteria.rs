//! Statistics by criterion and progress against the targets table, through the real
//! server started with an assessments file this test writes (communes of Hà Tĩnh and Hà
//! Nội, districts of both). Every expected number is computed here from the CSV files —
//! the assessments written, geodata/results-*.csv, pilots.csv, the crosswalk, the
//! reference communes, the criteria catalog and geodata/targets/targets.csv — read with a
//! plain CSV reader, never through the service's loaders.

mod common;
use common::sources::{geodata, results, row_in_force, Row};
use common::{csv_rows, path_str, reference, repo, Server, TempDir};
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};
use std::sync::OnceLock;

/// One assessment row the test writes: `(unit_code, year, set, item, met)`.
type Assessment = (String, u16, &'static str, &'static str, bool);

/// The reference tables, results and the assessments, as the test reads them.
struct World {
    communes: Vec<Row>,
    district_results: Vec<Row>,
    /// Level each set certifies (`dat_chuan`, `nang_cao`), from the catalog's sets.csv.
    set_level: HashMap<String, String>,
    /// Districts with at least one xã.
    with_xa: BTreeSet<String>,
    assessments: Vec<Assessment>,
}

fn rank(level: &str) -> u8 {
    match level {
        "chua_dat" => 0,
        "dat_chuan" => 1,
        "nang_cao" => 2,
        "kieu_mau" => 3,
        other => panic!("unknown level {other}"),
    }
}

/// The xã of a province in code order, with their level in force at the end of `year`.
fn xa_of(communes: &[Row], province: &str) -> Vec<String> {
    communes.iter().filter(|c| c["province_code"] == province && c["kind"] == "Xã").map(|c| c["code"].clone()).collect()
}

fn level_at(code: &str, year: u16) -> Option<String> {
    results().in_force(code, year).map(|r| r.level.clone())
}

fn is_ntm(level: Option<&str>) -> bool {
    level.is_some_and(|l| rank(l) >= 1)
}

/// A deterministic assessments file: picked from the embedded results so that it passes
/// the service's cross-checks (a commune's NTM-set rows in a year when it is NTM list every
/// criterion, met), with rows met and not met on both sets and both unit kinds.
fn assessments(communes: &[Row], districts_with_xa: &BTreeSet<String>) -> Vec<Assessment> {
    let mut rows: Vec<Assessment> = Vec::new();
    let mut push = |code: &str, year: u16, set: &'static str, item: &'static str, met: bool| rows.push((code.to_string(), year, set, item, met));
    // Hà Tĩnh: two xã not NTM at the end of 2025, one NTM in 2025 but not in 2021 (its
    // 2021 row stays in force), one đạt chuẩn and one nâng cao.
    let ht = xa_of(communes, "42");
    let not_ntm: Vec<&String> = ht.iter().filter(|c| !is_ntm(level_at(c, 2025).as_deref())).take(2).collect();
    let late = ht.iter().find(|c| !is_ntm(level_at(c, 2021).as_deref()) && is_ntm(level_at(c, 2025).as_deref())).expect("a Hà Tĩnh xã recognised after 2021");
    let dc = ht.iter().find(|c| level_at(c, 2025).as_deref() == Some("dat_chuan")).expect("a đạt chuẩn Hà Tĩnh xã");
    let nc = ht.iter().find(|c| level_at(c, 2025).as_deref() == Some("nang_cao")).expect("a nâng cao Hà Tĩnh xã");
    assert_eq!(not_ntm.len(), 2, "two Hà Tĩnh xã not NTM in 2025");
    push(not_ntm[0], 2024, "xa_ntm_2021", "8.4", true);
    push(not_ntm[1], 2025, "xa_ntm_2021", "8.4", false);
    push(late, 2021, "xa_ntm_2021", "8.4", false);
    push(not_ntm[0], 2023, "xa_nang_cao_2021", "8.4", true);
    push(dc, 2025, "xa_nang_cao_2021", "8.4", true);
    push(dc, 2025, "xa_nang_cao_2021", "15.2", true);
    push(nc, 2025, "xa_nang_cao_2021", "15.2", false);
    // Hà Nội: one đạt chuẩn xã assessed on the whole NTM set in 2025 (every criterion met,
    // and 8.4), in a year with no result row (so criteria_met is not compared); one đạt
    // chuẩn and one nâng cao on the advanced set.
    let hn = xa_of(communes, "01");
    let whole = hn
        .iter()
        .find(|c| level_at(c, 2025).as_deref() == Some("dat_chuan") && !results().history(c).iter().any(|r| r.year == 2025))
        .expect("a đạt chuẩn Hà Nội xã without a 2025 record");
    for criterion in [
        "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16", "17", "18", "19",
    ] {
        push(whole, 2025, "xa_ntm_2021", criterion, true);
    }
    push(whole, 2025, "xa_ntm_2021", "8.4", true);
    let hn_dc = hn.iter().rev().find(|c| level_at(c, 2025).as_deref() == Some("dat_chuan")).expect("another đạt chuẩn Hà Nội xã");
    let hn_nc = hn.iter().find(|c| level_at(c, 2025).as_deref() == Some("nang_cao")).expect("a nâng cao Hà Nội xã");
    push(hn_dc, 2025, "xa_nang_cao_2021", "8.4", true);
    push(hn_dc, 2025, "xa_nang_cao_2021", "15.2", false);
    push(hn_nc, 2024, "xa_nang_cao_2021", "8.4", false);
    // Districts with a xã: two of each province, on both district sets.
    let districts = |p: &str| -> Vec<String> {
        let mut ds: Vec<String> = communes.iter().filter(|c| c["province_code"] == p).map(|c| c["district_code"].clone()).filter(|d| districts_with_xa.contains(d)).collect();
        ds.dedup();
        ds
    };
    let (ht_d, hn_d) = (districts("42"), districts("01"));
    push(&ht_d[0], 2025, "huyen_ntm_2021", "9.5", true);
    push(&ht_d[1], 2025, "huyen_ntm_2021", "9.5", false);
    push(&ht_d[0], 2025, "huyen_nang_cao_2021", "6.5", true);
    push(&ht_d[1], 2025, "huyen_nang_cao_2021", "9.2", true);
    push(&hn_d[0], 2024, "huyen_ntm_2021", "9.5", false);
    push(&hn_d[0], 2025, "huyen_nang_cao_2021", "6.5", false);
    push(&hn_d[1], 2022, "huyen_nang_cao_2021", "9.2", true);
    rows
}

fn to_csv(rows: &[Assessment]) -> String {
    let mut text = String::from("unit_code,year,set,criterion,indicator,met,value,assessed_on,note\n");
    for (code, year, set, item, met) in rows {
        let (criterion, indicator) = item.split_once('.').unwrap_or((item, ""));
        text.push_str(&format!("{code},{year},{set},{criterion},{indicator},{met},,,\n"));
    }
    text
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let communes = csv_rows(reference("communes-2024.csv"));
        let with_xa: BTreeSet<String> = communes.iter().filter(|c| c["kind"] == "Xã").map(|c| c["district_code"].clone()).collect();
        let set_level = csv_rows(repo().join("geodata/criteria/sets.csv")).into_iter().map(|s| (s["set"].clone(), s["level"].clone())).collect();
        let assessments = assessments(&communes, &with_xa);
        World { district_results: csv_rows(geodata("results-districts.csv")), communes, set_level, with_xa, assessments }
    })
}

/// The server on the embedded data with the test's assessments file, once per binary.
fn server() -> &'static Server {
    static SERVER: OnceLock<(TempDir, Server)> = OnceLock::new();
    &SERVER
        .get_or_init(|| {
            let dir = TempDir::new("stats-criteria");
            let file = dir.write("criteria.csv", &to_csv(&world().assessments));
            let server = Server::start(&["--criteria", path_str(&file)]);
            (dir, server)
        })
        .1
}

fn get(query: &str) -> Value {
    let (status, body) = server().get_json(&format!("/api/v1/stats{query}"));
    assert_eq!(status, 200, "{query}: {body}");
    body
}

/// Counts on one item, computed from the files.
#[derive(Debug, Default, PartialEq)]
struct Counts {
    eligible: u64,
    met: u64,
    not_met: u64,
    no_data: u64,
}

impl Counts {
    fn share(&self) -> Option<f64> {
        (self.eligible > 0).then(|| self.met as f64 / self.eligible as f64)
    }
}

/// The units of a scope: edition-2024 commune codes and district codes.
struct Units {
    communes: Vec<String>,
    districts: Vec<String>,
}

impl World {
    fn units(&self, keep: &dyn Fn(&Row) -> bool) -> Units {
        let communes: Vec<String> = self.communes.iter().filter(|c| keep(c)).map(|c| c["code"].clone()).collect();
        let districts: BTreeSet<String> = self.communes.iter().filter(|c| keep(c)).map(|c| c["district_code"].clone()).collect();
        Units { communes, districts: districts.into_iter().collect() }
    }

    /// The latest assessment row of `year` or before for the unit and item.
    fn row(&self, code: &str, set: &str, item: &str, year: u16) -> Option<bool> {
        self.assessments.iter().filter(|a| a.0 == code && a.2 == set && a.3 == item && a.1 <= year).max_by_key(|a| a.1).map(|a| a.4)
    }

    fn counts(&self, units: &Units, set: &str, item: &str, year: u16) -> Counts {
        let certifies = rank(&self.set_level[set]);
        let kinds: HashMap<&String, &String> = self.communes.iter().map(|c| (&c["code"], &c["kind"])).collect();
        let mut n = Counts::default();
        let mut add = |row: Option<bool>, level: Option<String>| {
            n.eligible += 1;
            match row {
                Some(true) => n.met += 1,
                Some(false) => n.not_met += 1,
                None if level.is_some_and(|l| rank(&l) >= certifies) => n.met += 1,
                None => n.no_data += 1,
            }
        };
        if set.starts_with("xa_") {
            for code in units.communes.iter().filter(|c| kinds[c].as_str() == "Xã") {
                add(self.row(code, set, item, year), level_at(code, year));
            }
        } else {
            for d in units.districts.iter().filter(|d| self.with_xa.contains(*d)) {
                add(self.row(d, set, item, year), row_in_force(&self.district_results, d, year).map(|r| r["level"].clone()));
            }
        }
        n
    }
}

fn close(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => (a - b).abs() < 1e-12,
        (None, None) => true,
        _ => false,
    }
}

const ITEMS: [(&str, &str); 6] = [
    ("xa_ntm_2021", "8.4"),
    ("xa_nang_cao_2021", "8.4"),
    ("xa_nang_cao_2021", "15.2"),
    ("huyen_ntm_2021", "9.5"),
    ("huyen_nang_cao_2021", "6.5"),
    ("huyen_nang_cao_2021", "9.2"),
];

fn check_criteria(body: &Value, units: &Units, year: u16, what: &str) {
    let w = world();
    let served = body["criteria"].as_array().expect("criteria");
    for (set, item) in ITEMS {
        let got = served.iter().find(|c| c["set"] == set && c["item"] == item).unwrap_or_else(|| panic!("{what}: {set} {item} missing"));
        let want = w.counts(units, set, item, year);
        let n = |k: &str| got[k].as_u64().unwrap_or_else(|| panic!("{what}: {k} of {got}"));
        assert_eq!(
            Counts { eligible: n("eligible"), met: n("met"), not_met: n("not_met"), no_data: n("no_data") },
            want,
            "{what} {year}: {set} {item}"
        );
        assert_eq!(n("missing"), want.eligible - want.met, "{what}: {set} {item}");
        assert!(close(got["share"].as_f64(), want.share()), "{what} {year}: {set} {item} share {} ≠ {:?}", got["share"], want.share());
        assert_eq!(got["id"], format!("{set}.{item}").as_str());
    }
}

#[test]
fn shares_by_criterion_equal_counts_from_the_files_nationally_and_by_province() {
    let w = world();
    for year in [2025u16, 2023] {
        check_criteria(&get(&format!("?year={year}")), &w.units(&|_| true), year, "nation");
        for p in ["42", "01"] {
            let body = get(&format!("?province={p}&year={year}"));
            check_criteria(&body, &w.units(&|c| c["province_code"] == p), year, &format!("province {p}"));
        }
    }
    // The rows are counted, not only the levels: the Hà Tĩnh xã recognised after 2021 keeps
    // its 2021 row "8.4 not met", and rows that say met count beside those met by level.
    let nation = get("");
    let ntm84 = nation["criteria"].as_array().unwrap().iter().find(|c| c["id"] == "xa_ntm_2021.8.4").unwrap();
    assert_eq!(ntm84["not_met"].as_u64(), Some(2), "{ntm84}");
    assert!(ntm84["met_by_level"].as_u64().unwrap() < ntm84["met"].as_u64().unwrap(), "rows met too: {ntm84}");
}

/// One row of geodata/targets/targets.csv.
fn table() -> Vec<Row> {
    csv_rows(repo().join("geodata/targets/targets.csv"))
}

/// The units of a target's own scope (`nation`, `province:NN`, `commune:NNNNN[@2025]`).
fn scope_units(scope: &str) -> Units {
    let w = world();
    if scope == "nation" {
        return w.units(&|_| true);
    }
    if let Some(p) = scope.strip_prefix("province:") {
        return w.units(&|c| c["province_code"] == p);
    }
    let code = scope.strip_prefix("commune:").expect("scope");
    let formers: Vec<String> = match code.strip_suffix("@2025") {
        None => vec![code.to_string()],
        Some(new) => csv_rows(geodata("crosswalk-2024-2025.csv")).into_iter().filter(|r| r["code_2025"] == new && r["relation"] != "part").map(|r| r["code_2024"].clone()).collect(),
    };
    assert!(!formers.is_empty(), "{scope} has former communes");
    Units { communes: formers, districts: Vec::new() }
}

/// The pilots of pilots.csv a target row counts, approved by `year` or undated.
fn pilots_counted<'a>(def: &Row, pilots: &'a [Row], year: u16) -> Vec<&'a Row> {
    pilots
        .iter()
        .filter(|p| p["approved_year"].parse::<u16>().map_or(true, |y| y <= year))
        .filter(|p| def["pilot_kind"].is_empty() || p["kind"] == def["pilot_kind"])
        .filter(|p| def["pilot_decision"].is_empty() || p["decision"] == def["pilot_decision"])
        .filter(|p| def["pilot_stage"].is_empty() || p["stage"] == def["pilot_stage"])
        .collect()
}

/// A target row's actual on `units` (`national`: the whole nation, where the share of
/// provinces counts the 63 provinces) at the end of `year`.
fn expected_actual(def: &Row, units: &Units, national: bool, year: u16) -> Option<f64> {
    let w = world();
    let pilots = csv_rows(geodata("pilots.csv"));
    let province_of: HashMap<&String, &String> = w.communes.iter().map(|c| (&c["code"], &c["province_code"])).collect();
    match def["measure"].as_str() {
        "criterion_share" => w.counts(units, &def["set"], &def["item"], year).share(),
        "pilot_count" => Some(pilots_counted(def, &pilots, year).iter().filter(|p| units.communes.contains(&p["commune_code"])).count() as f64),
        "provinces_with_pilot" if national => {
            let all: BTreeSet<&String> = province_of.values().copied().collect();
            let with: BTreeSet<&String> = pilots_counted(def, &pilots, year).iter().map(|p| province_of[&p["commune_code"]]).collect();
            Some(with.len() as f64 / all.len() as f64)
        }
        "provinces_with_pilot" => Some(if pilots_counted(def, &pilots, year).iter().any(|p| units.communes.contains(&p["commune_code"])) { 1.0 } else { 0.0 }),
        "unmeasured" => None,
        other => panic!("unknown measure {other}"),
    }
}

/// Days from 0000-03-01, for day differences between ISO dates.
fn days(date: &str) -> i64 {
    let (y, m, d): (i64, i64, i64) = (date[0..4].parse().unwrap(), date[5..7].parse().unwrap(), date[8..10].parse().unwrap());
    let leap = |y: i64| (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let mut n: i64 = (1..y).map(|y| if leap(y) { 366 } else { 365 }).sum();
    let months = [31, if leap(y) { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    n += months[..(m - 1) as usize].iter().sum::<i64>();
    n + d
}

/// Checks a served target against its table row, computed on `units`.
fn check_target(got: &Value, def: &Row, units: &Units, national: bool, year: u16) {
    let id = &def["id"];
    let target: f64 = def["target"].parse().unwrap();
    assert_eq!(got["target"].as_f64(), Some(target), "{id}");
    assert_eq!(got["deadline"], def["deadline"].as_str(), "{id}");
    assert_eq!(got["source"]["document"], def["document"].as_str(), "{id}");
    assert_eq!(got["source"]["article"], def["article"].as_str(), "{id}");
    assert_eq!(got["unit"], def["unit"].as_str(), "{id}");
    let want = expected_actual(def, units, national, year);
    assert!(close(got["actual"].as_f64(), want), "{id} ({}): actual {} ≠ {want:?}", got["computed_for"], got["actual"]);
    match want {
        None => {
            assert!(got["met"].is_null() && got["on_track"].is_null(), "{id}: {got}");
            assert_eq!(got["reason"], def["reason"].as_str(), "{id}");
        }
        Some(a) => {
            let met = a >= target;
            assert_eq!(got["met"].as_bool(), Some(met), "{id}");
            // The line from the first year with data (2021 here: every measured target
            // has an actual then) to the target on the deadline.
            let start = expected_actual(def, units, national, 2021).expect("an actual in 2021");
            let from_end = days("2021-12-31");
            let fraction = ((days(&format!("{year}-12-31")) - from_end) as f64 / (days(&def["deadline"]) - from_end) as f64).clamp(0.0, 1.0);
            let line = start + (target - start) * fraction;
            let t = &got["trajectory"];
            assert_eq!(t["from_year"].as_u64(), Some(2021), "{id}: {t}");
            assert!(close(t["from_actual"].as_f64(), Some(start)), "{id}: {t} (start {start})");
            assert!((t["expected"].as_f64().unwrap() - line).abs() < 1e-9, "{id}: {t} (line {line})");
            assert_eq!(got["on_track"].as_bool(), Some(met || a >= line), "{id}: {got}");
        }
    }
}

#[test]
fn every_target_of_the_table_is_computed_on_its_own_scope_nationally() {
    for year in [2025u16, 2023] {
        let body = get(&format!("?year={year}"));
        let served = body["targets"].as_array().expect("targets");
        let defs = table();
        assert!(defs.len() >= 30, "the table holds every target of the design");
        for def in &defs {
            let got = served.iter().find(|t| t["id"] == def["id"].as_str()).unwrap_or_else(|| panic!("{} missing nationally", def["id"]));
            assert_eq!((got["scope"].as_str(), got["computed_for"].as_str(), got["applied"].as_bool()), (Some(def["scope"].as_str()), Some(def["scope"].as_str()), Some(false)));
            check_target(got, def, &scope_units(&def["scope"]), def["scope"] == "nation", year);
        }
        // Decision 263's targets carry the same fields.
        let ntm = served.iter().find(|t| t["id"] == "ntm_share").unwrap();
        assert_eq!((ntm["deadline"].as_str(), ntm["scope"].as_str()), (Some("2025-12-31"), Some("nation")));
        assert!(ntm["source"]["document"].as_str().unwrap().contains("263/QĐ-TTg"), "{ntm}");
        assert_eq!(ntm["actual"], body["communes"]["ntm_share"]);
        let ids: BTreeSet<&str> = served.iter().map(|t| t["id"].as_str().unwrap()).collect();
        assert_eq!(ids.len(), served.len(), "ids are unique");
    }
    // The figures the design names, as the table carries them.
    let by_id: HashMap<String, Row> = table().into_iter().map(|r| (r["id"].clone(), r)).collect();
    for (id, scope, target) in [
        ("xa_ntm_8_4", "nation", "0.97"),
        ("huyen_ntm_9_5", "nation", "0.6"),
        ("ha_tinh.smart_commune_pilots", "province:42", "4"),
        ("ha_tinh.smart_village_models", "province:42", "20"),
        ("ha_noi.xa_nang_cao_8_4", "province:01", "0.75"),
        ("ha_noi.plan_236_pilots_listed", "province:01", "14"),
        ("ve_giang.smart_commune_model", "commune:21238@2025", "1"),
    ] {
        assert_eq!((by_id[id]["scope"].as_str(), by_id[id]["target"].as_str()), (scope, target), "{id}");
    }
}

#[test]
fn a_province_shows_its_own_targets_and_the_national_ones_applied_to_it() {
    let defs = table();
    for code in ["42", "01"] {
        let body = get(&format!("?province={code}"));
        let served = body["targets"].as_array().unwrap();
        let units = scope_units(&format!("province:{code}"));
        for def in &defs {
            let got = served.iter().find(|t| t["id"] == def["id"].as_str());
            let scope = def["scope"].as_str();
            if scope == "nation" {
                let got = got.unwrap_or_else(|| panic!("{} not applied to {code}", def["id"]));
                assert_eq!((got["applied"].as_bool(), got["computed_for"].as_str()), (Some(true), Some(format!("province:{code}").as_str())));
                check_target(got, def, &units, false, 2025);
            } else if scope == format!("province:{code}") {
                let got = got.unwrap_or_else(|| panic!("{} missing in its province", def["id"]));
                assert_eq!(got["applied"], false);
                check_target(got, def, &units, false, 2025);
            } else {
                assert!(got.is_none(), "{} of another scope shown in province {code}", def["id"]);
            }
        }
    }
    // Vệ Giang's targets show in its province (Quảng Ngãi, 51), in both editions.
    for query in ["?province=51", "?province=51&edition=2025"] {
        let body = get(query);
        let ve_giang: Vec<&Value> = body["targets"].as_array().unwrap().iter().filter(|t| t["scope"] == "commune:21238@2025").collect();
        assert_eq!(ve_giang.len(), defs.iter().filter(|d| d["scope"] == "commune:21238@2025").count(), "{query}");
        for got in ve_giang {
            let def = defs.iter().find(|d| d["id"] == got["id"].as_str().unwrap()).unwrap();
            check_target(got, def, &scope_units("commune:21238@2025"), false, 2025);
        }
    }
}

#[test]
fn a_bad_targets_table_is_refused_naming_every_bad_line() {
    let dir = TempDir::new("targets-bad");
    let head = "id,scope,deadline,document,article,measure,set,item,pilot_kind,pilot_decision,pilot_stage,unit,target,label_vi,label_en,reason\n";
    let bad = dir.write(
        "targets-bad.csv",
        &format!(
            "{head}\
             ok,nation,2025-12-31,924/QĐ-TTg,II.2,criterion_share,xa_ntm_2021,8.4,,,,share,0.97,vi,en,\n\
             a,province:4,2025-12-31,924/QĐ-TTg,II.2,criterion_share,xa_ntm_2021,8.4,,,,share,0.97,vi,en,\n\
             b,nation,2025-02-30,924/QĐ-TTg,II.2,criterion_share,xa_ntm_2021,8.4,,,,share,0.97,vi,en,\n\
             c,nation,2025-12-31,924/QĐ-TTg,II.2,criterion_share,xa_ntm_2021,8.7,,,,share,0.97,vi,en,\n\
             d,nation,2025-12-31,924/QĐ-TTg,II.2,criterion_share,xa_ntm_2021,8.4,,,,share,97,vi,en,\n\
             e,nation,2025-12-31,924/QĐ-TTg,II.2,unmeasured,,,,,,share,0.9,vi,en,\n\
             f,nation,2025-12-31,924/QĐ-TTg,II.2,pilot_count,,,smart_town,,,count,1,vi,en,\n\
             ok,nation,2025-12-31,924/QĐ-TTg,II.2,unmeasured,,,,,,share,0.9,vi,en,no data\n"
        ),
    );
    let failed = match Server::try_start(&["--targets", path_str(&bad)]) {
        Ok(_) => panic!("the server started with a bad targets table"),
        Err(f) => f,
    };
    assert_ne!(failed.code, Some(0));
    for expected in [
        "targets-bad.csv:3: field 'scope' = 'province:4': 'province:4' is not a target scope",
        "targets-bad.csv:4: field 'deadline' = '2025-02-30': not a date",
        "targets-bad.csv:5: field 'item' = '8.7': set xa_ntm_2021 has no criterion or indicator 8.7",
        "targets-bad.csv:6: field 'target' = '97': a share is written from 0 to 1",
        "targets-bad.csv:7: field 'reason' = '': reason is required",
        "targets-bad.csv:8: field 'pilot_kind' = 'smart_town'",
        "targets-bad.csv:9: field 'id' = 'ok': duplicate target id: also on line 2",
    ] {
        assert!(failed.stderr.contains(expected), "missing «{expected}» in:\n{}", failed.stderr);
    }
    assert!(failed.stderr.contains("7 problems found"), "{}", failed.stderr);

    // A well-formed table whose scopes name no unit: each line named too.
    let unknown = dir.write(
        "targets-unknown.csv",
        &format!(
            "{head}\
             p,province:99,2025-12-31,d,a,pilot_count,,,,,,count,1,vi,en,\n\
             c,commune:99999@2025,2025-12-31,d,a,pilot_count,,,,,,count,1,vi,en,\n\
             n,nation,2025-12-31,d,a,pilot_count,,,,,,count,1,vi,en,\n"
        ),
    );
    let failed = match Server::try_start(&["--targets", path_str(&unknown)]) {
        Ok(_) => panic!("the server started with targets of unknown units"),
        Err(f) => f,
    };
    for expected in [
        "targets-unknown.csv:2: field 'scope' = 'province:99': no province has the code 99",
        "targets-unknown.csv:3: field 'scope' = 'commune:99999@2025': no commune has the code 99999 in the edition 2025 boundaries",
    ] {
        assert!(failed.stderr.contains(expected), "missing «{expected}» in:\n{}", failed.stderr);
    }
    assert!(failed.stderr.contains("2 problems found"), "{}", failed.stderr);
}

#[test]
fn the_openapi_document_describes_criteria_and_the_new_target_fields() {
    let (status, doc) = server().get_json("/api/v1/openapi.json");
    assert_eq!(status, 200);
    let body = &doc["paths"]["/api/v1/stats"]["get"]["responses"]["200"]["content"]["application/json"]["schema"];
    let criterion = &body["properties"]["criteria"]["items"]["properties"];
    for k in ["set", "item", "eligible", "met", "not_met", "no_data", "missing", "share"] {
        assert!(criterion[k].is_object(), "criteria.{k} undocumented");
    }
    let target = &body["properties"]["targets"]["items"]["properties"];
    for k in ["scope", "deadline", "source", "on_track", "reason", "computed_for", "applied"] {
        assert!(target[k].is_object(), "targets.{k} undocumented");
    }
    assert_eq!(target["met"]["nullable"], true);
    // And what the server answers has every documented required field.
    let answer = get("?province=42");
    for t in answer["targets"].as_array().unwrap() {
        for k in body["properties"]["targets"]["items"]["required"].as_array().unwrap() {
            assert!(t.get(k.as_str().unwrap()).is_some(), "{k} missing in {t}");
        }
    }
}
