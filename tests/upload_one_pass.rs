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
