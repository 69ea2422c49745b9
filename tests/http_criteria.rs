//! The criteria catalog and assessments through the real server: `GET /api/v1/criteria`
//! against the catalog files read here with a plain CSV reader, and assessment files that
//! are refused with every problem named, at start and on reload.

mod common;
use common::{csv_rows, path_str, repo, Server, TempDir, BIN};
use std::collections::BTreeMap;

type Rows = Vec<BTreeMap<String, String>>;

fn catalog_dir() -> std::path::PathBuf {
    repo().join("geodata/criteria")
}

#[test]
fn the_catalog_is_served_as_the_files_say() {
    let server = Server::start(&[]);
    let (status, body) = server.get_json("/api/v1/criteria");
    assert_eq!(status, 200, "{body}");
    let sets = csv_rows(catalog_dir().join("sets.csv"));
    let served = body["sets"].as_array().expect("sets");
    assert_eq!(served.len(), sets.len());
    for (set, got) in sets.iter().zip(served) {
        assert_eq!(got["id"], set["set"].as_str());
        assert_eq!(got["decision"], set["decision"].as_str());
        assert_eq!(got["unit"], set["unit"].as_str());
        assert_eq!(got["level"], set["level"].as_str());
        let items: Rows = csv_rows(catalog_dir().join(format!("{}.csv", set["set"])));
        let criteria: Vec<&BTreeMap<String, String>> = items.iter().filter(|i| i["indicator"].is_empty()).collect();
        assert_eq!(criteria.len().to_string(), set["criteria"], "{}", set["set"]);
        let got_criteria = got["criteria"].as_array().expect("criteria");
        assert_eq!(got_criteria.len(), criteria.len());
        for item in &items {
            let number = if item["indicator"].is_empty() { item["criterion"].clone() } else { format!("{}.{}", item["criterion"], item["indicator"]) };
            let parent = got_criteria.iter().find(|c| c["number"] == item["criterion"].as_str()).expect("criterion served");
            let node = if item["indicator"].is_empty() {
                parent
            } else {
                parent["indicators"].as_array().unwrap().iter().find(|i| i["number"] == number.as_str()).unwrap_or_else(|| panic!("{number} not served"))
            };
            let word = if item["indicator"].is_empty() { "Tiêu chí" } else { "Chỉ tiêu" };
            let expected = if item["name_vi"].is_empty() { format!("{word} {number}") } else { item["name_vi"].clone() };
            assert_eq!(node["label_vi"], expected.as_str(), "{} {number}", set["set"]);
            if item["name_vi"].is_empty() {
                assert!(node["name_vi"].is_null(), "an unsourced name is not invented: {node}");
            }
        }
    }
    // The facts the catalog must carry.
    let ntm = &served[0];
    assert_eq!((ntm["id"].as_str(), ntm["criteria"].as_array().unwrap().len()), (Some("xa_ntm_2021"), 19));
    assert_eq!(ntm["criteria"][7]["indicators"][0]["number"], "8.4");
}

/// Commune codes from the embedded results: one đạt chuẩn (recognised before 2023, still
/// đạt chuẩn in 2023, with a 2023 record of 19 criteria or none) and one chưa đạt with a
/// 2023 record of fewer than 19 criteria.
struct Picked {
    ntm: String,
    below: String,
    below_met: usize,
}

fn pick() -> Picked {
    let results = csv_rows(repo().join("geodata/results-communes.csv"));
    let mut by_code: BTreeMap<String, Vec<&BTreeMap<String, String>>> = BTreeMap::new();
    for r in &results {
        by_code.entry(r["code"].clone()).or_default().push(r);
    }
    fn in_force<'a>(rows: &[&'a BTreeMap<String, String>], year: u16) -> Option<&'a BTreeMap<String, String>> {
        rows.iter().filter(|r| r["year"].parse::<u16>().unwrap() <= year).max_by_key(|r| r["year"].parse::<u16>().unwrap()).copied()
    }
    let ntm = by_code
        .iter()
        .find(|(_, rows)| in_force(rows, 2023).is_some_and(|r| r["level"] == "dat_chuan") && !rows.iter().any(|r| r["year"] == "2023"))
        .map(|(c, _)| c.clone())
        .expect("a đạt chuẩn commune");
    let (below, below_met) = by_code
        .iter()
        .find_map(|(c, rows)| {
            let r = rows.iter().find(|r| r["year"] == "2023" && r["level"] == "chua_dat")?;
            let met: usize = r["criteria_met"].parse().ok()?;
            (met < 19).then(|| (c.clone(), met))
        })
        .expect("a chưa đạt commune with a 2023 record");
    Picked { ntm, below, below_met }
}

const HEAD: &str = "unit_code,year,set,criterion,indicator,met,value,assessed_on,note\n";

/// 19 rows of `code` in 2023, the first `met` of them met.
fn rows_2023(code: &str, met: usize) -> String {
    (1..=19).map(|n| format!("{code},2023,xa_ntm_2021,{n},,{},,,\n", n <= met)).collect()
}

#[test]
fn consistent_assessments_load_and_are_named_in_the_sources() {
    let p = pick();
    let dir = TempDir::new("criteria-good");
    let mut text = format!("{HEAD}{}{}", rows_2023(&p.ntm, 19), rows_2023(&p.below, p.below_met));
    text.push_str(&format!("{},2023,xa_ntm_2021,8,4,true,96.5,2023-11-02,\n", p.ntm));
    let file = dir.write("criteria.csv", &text);
    let server = Server::start(&["--criteria", path_str(&file)]);
    let (_, meta) = server.get_json("/api/v1/meta");
    let sources = meta["meta"]["sources"].as_array().unwrap();
    let criteria = sources.iter().find(|s| s["layer"] == "criteria").expect("criteria source listed");
    assert_eq!(criteria["sample"], false);
    assert_eq!(criteria["path"], "criteria.csv");
}

#[test]
fn a_bad_assessment_file_is_refused_with_every_problem_at_start() {
    let p = pick();
    let dir = TempDir::new("criteria-bad");
    let mut text = HEAD.to_string();
    // Line 2–20: the NTM commune misses criterion 5 (line 6).
    text.push_str(&rows_2023(&p.ntm, 19).replacen(&format!("{},2023,xa_ntm_2021,5,,true", p.ntm), &format!("{},2023,xa_ntm_2021,5,,false", p.ntm), 1));
    // Line 21–39: one more criterion met than the results file says.
    text.push_str(&rows_2023(&p.below, p.below_met + 1));
    text.push_str(&format!("{},2023,xa_ntm_2031,1,,true,,,\n", p.ntm)); // line 40: unknown set
    text.push_str(&format!("{},2023,xa_ntm_2021,1,7,true,,,\n", p.ntm)); // line 41: unknown indicator
    text.push_str("00001,2023,xa_ntm_2021,1,,true,,,\n"); // line 42: a phường of Hà Nội
    text.push_str("999,2023,huyen_ntm_2021,1,,true,,,\n"); // line 43: no such district
    let file = dir.write("criteria.csv", &text);
    let failed = match Server::try_start(&["--criteria", path_str(&file)]) {
        Ok(_) => panic!("the server started with a bad criteria file"),
        Err(f) => f,
    };
    assert_ne!(failed.code, Some(0));
    let report = failed.stderr;
    for expected in [
        format!("criteria.csv:6: field 'unit_code' = '{}': commune is dat_chuan in 2023", p.ntm),
        "criterion 5 of xa_ntm_2021 is not met".to_string(),
        format!("criteria.csv:21: field 'unit_code' = '{}': the results file gives criteria_met {} in 2023, but the criteria rows give {} met of 19", p.below, p.below_met, p.below_met + 1),
        "criteria.csv:40: field 'set' = 'xa_ntm_2031': unknown criteria set".to_string(),
        "criteria.csv:41: field 'indicator' = '1.7': set xa_ntm_2021 has no indicator 1.7".to_string(),
        "criteria.csv:42: field 'unit_code' = '00001'".to_string(),
        "only xã are eligible for NTM".to_string(),
        "criteria.csv:43: field 'unit_code' = '999': no district has this code".to_string(),
    ] {
        assert!(report.contains(&expected), "missing {expected:?} in:\n{report}");
    }
}

#[test]
fn a_bad_assessment_file_on_reload_leaves_the_published_data() {
    let p = pick();
    let dir = TempDir::new("criteria-reload");
    let file = dir.write("criteria.csv", &format!("{HEAD}{}", rows_2023(&p.ntm, 19)));
    let server = Server::start(&["--criteria", path_str(&file)]);
    let version = || server.get_json("/api/v1/meta").1["meta"]["data_version"].as_str().unwrap().to_string();
    let before = version();
    let hup = || assert!(std::process::Command::new("kill").args(["-HUP", &server.pid().to_string()]).status().unwrap().success());
    // A bad file: the published data stays, whatever the wait.
    dir.write("criteria.csv", &format!("{HEAD}{}", rows_2023(&p.ntm, 18)));
    hup();
    std::thread::sleep(std::time::Duration::from_secs(3));
    assert_eq!(version(), before, "a refused reload changed the data version");
    // A good change is published.
    dir.write("criteria.csv", &format!("{HEAD}{}{}", rows_2023(&p.ntm, 19), rows_2023(&p.below, p.below_met)));
    hup();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while version() == before {
        assert!(std::time::Instant::now() < deadline, "the good file was not published");
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}

#[test]
fn validate_names_the_catalog_problems() {
    let dir = TempDir::new("criteria-sets");
    dir.write("sets.csv", "set,unit,level,first_year,last_year,criteria,decision,decision_date,name_vi,name_en\nx,commune,dat_chuan,2021,2025,2,D,,X,X\n");
    dir.write("x.csv", "criterion,indicator,name_vi,name_en\n1,,,\n3,,,\n");
    let run = std::process::Command::new(BIN).args(["serve", "--bind", "127.0.0.1:0", "--criteria-sets", path_str(&dir.0)]).output().expect("run");
    assert!(!run.status.success());
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("x.csv:3: field 'criterion' = '3': criterion must be a number from 1 to 2"), "{stderr}");
    assert!(stderr.contains("x.csv: criteria 2 are not listed"), "{stderr}");
}

#[test]
fn bando_validate_checks_an_assessment_file_against_the_results() {
    let p = pick();
    let dir = TempDir::new("criteria-validate");
    let file = dir.write("criteria.csv", &format!("{HEAD}{}", rows_2023(&p.below, 19)));
    let run = std::process::Command::new(BIN).args(["validate", path_str(&file)]).output().expect("run");
    let out = String::from_utf8_lossy(&run.stdout);
    assert!(!run.status.success(), "{out}");
    assert!(out.contains("read as Criteria, 19 record(s)"), "{out}");
    assert!(out.contains(&format!("the results file gives criteria_met {} in 2023, but the criteria rows give 19 met of 19", p.below_met)), "{out}");
}

/// A nâng cao commune in 2023 (recognised nâng cao or kiểu mẫu by then).
fn advanced_commune() -> String {
    let results = csv_rows(repo().join("geodata/results-communes.csv"));
    results
        .iter()
        .find(|r| r["level"] == "nang_cao" && r["year"].parse::<u16>().unwrap() <= 2023 && !results.iter().any(|o| o["code"] == r["code"] && o["year"].parse::<u16>().unwrap() > r["year"].parse::<u16>().unwrap() && o["year"].parse::<u16>().unwrap() <= 2023))
        .map(|r| r["code"].clone())
        .expect("a nâng cao commune")
}

fn statuses(checklist: &serde_json::Value) -> BTreeMap<String, String> {
    checklist["items"].as_array().unwrap().iter().map(|i| (i["number"].as_str().unwrap().to_string(), i["status"].as_str().unwrap().to_string())).collect()
}

#[test]
fn a_commune_checklist_says_what_is_missing_year_by_year_and_on_a_date() {
    let p = pick();
    let advanced = advanced_commune();
    let dir = TempDir::new("criteria-checklist");
    let mut text = format!("{HEAD}{}", rows_2023(&p.below, p.below_met));
    text.push_str(&format!("{},2023,xa_ntm_2021,8,4,true,88,2023-11-02,\n", p.below));
    // The đạt chuẩn commune works toward nâng cao: criterion 8 met, 15 not, indicator 15.2 not.
    text.push_str(&format!("{n},2023,xa_nang_cao_2021,8,,true,,,\n{n},2023,xa_nang_cao_2021,15,,false,,,\n{n},2023,xa_nang_cao_2021,15,2,false,41.5,,\n", n = p.ntm));
    let file = dir.write("criteria.csv", &text);
    let server = Server::start(&["--criteria", path_str(&file)]);

    // The chưa đạt commune: NTM set; criteria 1..=met met, the rest missing.
    let (status, body) = server.get_json(&format!("/api/v1/communes/{}/criteria?from=2022&to=2023", p.below));
    assert_eq!(status, 200, "{body}");
    let years = body["years"].as_array().unwrap();
    assert_eq!(years.iter().map(|y| y["year"].as_u64().unwrap()).collect::<Vec<_>>(), [2022, 2023]);
    let c2023 = &years[1]["checklist"];
    assert_eq!(c2023["set"], "xa_ntm_2021");
    assert_eq!(c2023["criteria_met"].as_u64().unwrap() as usize, p.below_met);
    let missing: Vec<String> = ((p.below_met + 1)..=19).map(|n| n.to_string()).collect();
    assert_eq!(c2023["missing"], serde_json::json!(missing));
    let s = statuses(c2023);
    assert_eq!(s["8.4"], "met");
    assert_eq!(s["1"], if p.below_met >= 1 { "met" } else { "not_met" });
    // 2022 has no rows yet: no data, nothing listed as missing.
    let c2022 = &years[0]["checklist"];
    assert!(statuses(c2022).values().all(|v| v == "no_data"), "{c2022}");
    assert_eq!(c2022["missing"], serde_json::json!([]));

    // On a date: the 8.4 row assessed on 2023-11-02 counts from that day; rows without a
    // date count from the end of their year.
    let on = |date: &str| server.get_json(&format!("/api/v1/communes/{}/criteria?date={date}", p.below)).1;
    assert_eq!(statuses(&on("2023-11-01")["state"]["checklist"])["8.4"], "no_data");
    assert_eq!(statuses(&on("2023-11-02")["state"]["checklist"])["8.4"], "met");
    assert_eq!(statuses(&on("2023-12-30")["state"]["checklist"])["1"], "no_data");
    assert_eq!(on("2023-12-31")["state"]["checklist"]["criteria_met"].as_u64().unwrap() as usize, p.below_met);

    // The đạt chuẩn commune: nâng cao set, 15 missing, the rest without data.
    let body = server.get_json(&format!("/api/v1/communes/{}/criteria?from=2023&to=2023", p.ntm)).1;
    let c = &body["years"][0]["checklist"];
    assert_eq!(c["set"], "xa_nang_cao_2021");
    assert_eq!(c["missing"], serde_json::json!(["15"]));
    let s = statuses(c);
    assert_eq!((s["8"].as_str(), s["15.2"].as_str(), s["3"].as_str()), ("met", "not_met", "no_data"));
    assert_eq!(c["criteria_met"], 1);

    // A nâng cao commune: its recognition certifies every criterion of the nâng cao set.
    let body = server.get_json(&format!("/api/v1/communes/{advanced}/criteria?from=2023&to=2023")).1;
    let c = &body["years"][0]["checklist"];
    assert_eq!(c["set"], "xa_nang_cao_2021");
    assert_eq!((c["criteria_met"].as_u64(), c["criteria_total"].as_u64()), (Some(19), Some(19)));
    assert!(statuses(c).values().all(|v| v == "met_by_level"), "{c}");

    // Bad requests name their parameter; unknown communes are 404.
    for (query, parameter) in [
        ("from=2019", "from"),
        ("to=2026", "to"),
        ("from=2024&to=2022", "from"),
        ("date=2023-02-30", "date"),
        ("date=2030-01-01", "date"),
        ("edition=2025", "edition"),
    ] {
        let (status, body) = server.get_json(&format!("/api/v1/communes/{}/criteria?{query}", p.below));
        assert_eq!((status, body["error"]["parameter"].as_str()), (400, Some(parameter)), "{query}: {body}");
    }
    assert_eq!(server.get_json("/api/v1/communes/99999/criteria").0, 404);
    assert_eq!(server.get_json("/api/v1/communes/12a/criteria").1["error"]["parameter"], "code");
}
