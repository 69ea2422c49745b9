//! One pass: a results file with a bad level on one line and an unknown commune code on
//! another reports both at once — through `bando validate`, the atlas build that serve and
//! reload use, and an upload.

mod common;
use bando::atlas::{build, Inputs};
use bando::load::upload::{read_upload, UploadScope};
use common::{path_str, TempDir, BIN};

const HEAD: &str = "code,year,level,criteria_met,recognized_on,decision\n";
/// Line 2: a level that does not exist; line 3: a code no commune has; line 4: a phường.
const BODY: &str = "00571,2022,xuat_sac,19,,\n99999,2023,dat_chuan,19,,\n00001,2023,dat_chuan,19,,\n";

#[test]
fn validate_reports_a_bad_level_and_an_unknown_code_together() {
    let dir = TempDir::new("one-pass");
    let file = dir.write("results.csv", &format!("{HEAD}{BODY}"));
    let out = std::process::Command::new(BIN).args(["validate", path_str(&file)]).output().expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success());
    assert!(stdout.contains("results.csv:2: field 'level' = 'xuat_sac'"), "{stdout}");
    assert!(stdout.contains("results.csv:3: field 'code' = '99999': no commune has this code"), "{stdout}");
    assert!(stdout.contains("results.csv:4: field 'code' = '00001'") && stdout.contains("only xã are eligible"), "{stdout}");
    assert_eq!(stdout.matches("results.csv:2").count(), 1, "each problem once: {stdout}");
    assert!(stdout.contains("3 problems found"), "{stdout}");
}

#[test]
fn the_atlas_build_reports_row_and_reference_problems_of_every_file_together() {
    let dir = TempDir::new("one-pass-build");
    let mut inputs = Inputs::embedded(bando::config::EMBEDDED_GEODATA);
    inputs.commune_results = Some(dir.write("results.csv", &format!("{HEAD}{BODY}")));
    inputs.pilots = Some(dir.write(
        "pilots.csv",
        "id,name,kind,field,commune_code,lon,lat,approved_year\nP1,A,smart_city,,00571,,,\nP2,B,smart_commune,,99998,,,\n",
    ));
    let Err(e) = build(&inputs) else { panic!("built") };
    let text = e.to_string();
    for fragment in [
        "results.csv:2: field 'level' = 'xuat_sac'",
        "results.csv:3: field 'code' = '99999'",
        "pilots.csv:2: field 'kind' = 'smart_city'",
        "pilots.csv:3: field 'commune_code' = '99998'",
    ] {
        assert!(text.contains(fragment), "lacks {fragment}:\n{text}");
    }
}

#[test]
fn an_upload_reports_them_together_too() {
    let report = read_upload("results-communes.csv", format!("{HEAD}{BODY}").as_bytes(), &build(&Inputs::embedded(bando::config::EMBEDDED_GEODATA)).expect("embedded").0, &UploadScope::All)
        .expect_err("refused");
    let found: Vec<(Option<u64>, Option<&str>)> = report.problems.iter().map(|p| (p.row, p.column.as_deref())).collect();
    assert_eq!(found, [(Some(2), Some("level")), (Some(3), Some("code")), (Some(4), Some("code"))], "{report}");
}

#[test]
fn a_duplicate_row_also_reports_its_other_problems() {
    // Line 3 repeats line 2's commune and year, and has a level that does not exist;
    // line 4 repeats it again with a good level (only the duplicate is wrong there).
    let body = "00571,2022,dat_chuan,19,,\n00571,2022,xuat_sac,19,,\n00571,2022,nang_cao,19,,\n";
    let atlas = build(&Inputs::embedded(bando::config::EMBEDDED_GEODATA)).expect("embedded").0;
    let report = read_upload("results-communes.csv", format!("{HEAD}{body}").as_bytes(), &atlas, &UploadScope::All).expect_err("refused");
    let on = |row: u64| report.problems.iter().filter(|p| p.row == Some(row)).collect::<Vec<_>>();
    assert!(on(2).is_empty(), "the first row is good: {report}");
    let third = on(3);
    assert_eq!(third.len(), 2, "the duplicate and the bad level: {report}");
    assert!(third.iter().any(|p| p.message_en.contains("row 2") && p.value.as_deref() == Some("00571 2022")), "{report}");
    assert!(third.iter().any(|p| p.column.as_deref() == Some("level") && p.value.as_deref() == Some("xuat_sac")), "{report}");
    let fourth = on(4);
    assert_eq!(fourth.len(), 1, "only the duplicate: {report}");
    assert!(fourth[0].message_en.contains("row 2"), "{report}");
}

/// A row the loader refuses (a bad level, year, date, kind or value) is still checked for
/// the unit its own code cell names, in every kind of file the atlas reads: the same report
/// says that the code names no unit (or a phường), instead of only once the first problem
/// is fixed.
#[test]
fn a_refused_row_is_also_told_that_its_code_names_no_unit() {
    let dir = TempDir::new("one-pass-same-line");
    let mut inputs = Inputs::embedded(bando::config::EMBEDDED_GEODATA);
    let results = dir.write("results.csv", &format!("{HEAD}99999,2023,xuat_sac,19,,\n00001,20x3,dat_chuan,19,,\n"));
    inputs.commune_results = Some(results.clone());
    inputs.district_results = Some(dir.write("districts.csv", "code,year,level,recognized_on,decision\n999,2023,dat_chuan,2023-02-30,\n"));
    inputs.province_results = Some(dir.write("provinces.csv", "code,year,level,recognized_on,decision\n99,2023,xong,,\n"));
    inputs.pilots = Some(dir.write("pilots.csv", "id,name,kind,field,commune_code,lon,lat,approved_year\nP1,A,smart_city,,99998,,,\n"));
    inputs.tourism = Some(dir.write("tourism.csv", "id,name,category,ocop_stars,commune_code,lon,lat,url\nT1,B,beach,,99997,,,\n"));
    inputs.criteria = Some(dir.write(
        "criteria.csv",
        "unit_code,year,set,criterion,indicator,met,value,assessed_on,note\n99996,2023,xa_ntm_2021,8,4,maybe,,,\n998,2023,huyen_ntm_2021,9,5,true,,2023-13-01,\n",
    ));
    let Err(e) = build(&inputs) else { panic!("built") };
    let text = e.to_string();
    for fragment in [
        "results.csv:2: field 'level' = 'xuat_sac'",
        "results.csv:2: field 'code' = '99999': no commune has this code",
        "results.csv:3: field 'year' = '20x3'",
        "results.csv:3: field 'code' = '00001': Phường Phúc Xá is a Phường: only xã are eligible",
        "districts.csv:2: field 'recognized_on' = '2023-02-30'",
        "districts.csv:2: field 'code' = '999': no district has this code",
        "provinces.csv:2: field 'level' = 'xong'",
        "provinces.csv:2: field 'code' = '99': no province has this code",
        "pilots.csv:2: field 'kind' = 'smart_city'",
        "pilots.csv:2: field 'commune_code' = '99998': no commune has this code",
        "tourism.csv:2: field 'category' = 'beach'",
        "tourism.csv:2: field 'commune_code' = '99997': no commune has this code",
        "criteria.csv:2: field 'met' = 'maybe'",
        "criteria.csv:2: field 'unit_code' = '99996': no commune has this code in the edition 2024 boundaries (set xa_ntm_2021",
        "criteria.csv:3: field 'assessed_on' = '2023-13-01'",
        "criteria.csv:3: field 'unit_code' = '998': no district has this code in the edition 2024 boundaries (set huyen_ntm_2021",
    ] {
        assert!(text.contains(fragment), "lacks {fragment}:\n{text}");
    }

    // `bando validate` lists them by line, whichever check found each.
    let out = std::process::Command::new(BIN).args(["validate", path_str(&results)]).output().expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().filter(|l| l.contains("results.csv:") && l.contains(": field")).map(|l| l.split(": field").next().unwrap().trim()).collect();
    assert_eq!(lines.len(), 4, "{stdout}");
    assert!(lines.iter().take(2).all(|l| l.ends_with(":2")) && lines.iter().skip(2).all(|l| l.ends_with(":3")), "{stdout}");
}
