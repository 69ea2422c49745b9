//! Every bad input gets a clear error naming the file, the line or feature, the field
//! and the value; nothing half-loaded is ever served.

mod common;
use common::{path_str, Server, TempDir, BIN};

const RESULTS_HEADER: &str = "code,year,level,criteria_met,recognized_on,decision\n";
const PILOTS_HEADER: &str = "id,name,kind,field,commune_code,lon,lat,approved_year\n";
const TOURISM_HEADER: &str = "id,name,category,ocop_stars,commune_code,lon,lat,url\n";

/// Starts the server with one bad file and checks that it refuses to serve, naming
/// each expected fragment in its error output.
fn refused(flag: &str, file: &std::path::Path, expected: &[&str]) -> String {
    let failed = match Server::try_start(&[flag, path_str(file)]) {
        Ok(_) => panic!("server started with bad {flag} {}", file.display()),
        Err(f) => f,
    };
    assert_ne!(failed.code, Some(0));
    assert!(!failed.stdout.contains("listening"), "it listened: {}", failed.stdout);
    let name = file.file_name().unwrap().to_str().unwrap();
    assert!(failed.stderr.contains(name), "error does not name the file {name}:\n{}", failed.stderr);
    for fragment in expected {
        assert!(failed.stderr.contains(fragment), "error lacks {fragment:?}:\n{}", failed.stderr);
    }
    assert!(failed.stderr.contains("nothing is served"), "{}", failed.stderr);
    failed.stderr
}

#[test]
fn unknown_commune_code_in_results() {
    let dir = TempDir::new("unknown-code");
    let f = dir.write("results.csv", &format!("{RESULTS_HEADER}00571,2021,dat_chuan,19,2021-05-01,1/QĐ-UBND\n99999,2022,dat_chuan,19,2022-05-01,2/QĐ-UBND\n"));
    refused("--results", &f, &["results.csv:3", "'code' = '99999'"]);
}

#[test]
fn a_level_that_does_not_exist() {
    let dir = TempDir::new("bad-level");
    let f = dir.write("results.csv", &format!("{RESULTS_HEADER}00571,2022,xuat_sac,19,2022-05-01,1/QĐ-UBND\n"));
    refused("--results", &f, &["results.csv:2", "'level' = 'xuat_sac'"]);
}

#[test]
fn a_year_outside_2010_to_2030() {
    let dir = TempDir::new("bad-year");
    let f = dir.write("results.csv", &format!("{RESULTS_HEADER}00571,2031,dat_chuan,19,2031-05-01,1/QĐ-UBND\n"));
    refused("--results", &f, &["results.csv:2", "'year' = '2031'"]);
}

#[test]
fn criteria_met_outside_0_to_19() {
    let dir = TempDir::new("bad-criteria");
    let f = dir.write("results.csv", &format!("{RESULTS_HEADER}00571,2022,chua_dat,20,,\n"));
    refused("--results", &f, &["results.csv:2", "'criteria_met' = '20'"]);
}

#[test]
fn duplicate_commune_year_rows() {
    let dir = TempDir::new("dup-rows");
    let f = dir.write(
        "results.csv",
        &format!("{RESULTS_HEADER}00571,2022,dat_chuan,19,2022-05-01,1/QĐ-UBND\n00571,2022,nang_cao,19,2022-06-01,2/QĐ-UBND\n"),
    );
    refused("--results", &f, &["results.csv:3", "00571"]);
}

#[test]
fn a_ward_cannot_have_an_ntm_level() {
    let dir = TempDir::new("ward");
    // 00001 is Phường Phúc Xá (Ba Đình): not eligible.
    let f = dir.write("results.csv", &format!("{RESULTS_HEADER}00001,2022,dat_chuan,19,2022-05-01,1/QĐ-UBND\n"));
    refused("--results", &f, &["results.csv:2", "'code' = '00001'", "only xã"]);
}

#[test]
fn all_problems_of_a_file_are_reported_together() {
    let dir = TempDir::new("many");
    let f = dir.write(
        "results.csv",
        &format!("{RESULTS_HEADER}00571,2022,xuat_sac,19,2022-05-01,x\n00571,2031,dat_chuan,19,2031-01-01,x\n00571,2023,chua_dat,42,,\n"),
    );
    refused("--results", &f, &["results.csv:2", "results.csv:3", "results.csv:4", "3 problems"]);
}

#[test]
fn pilot_coordinates_outside_vietnam() {
    let dir = TempDir::new("pilot-extent");
    let f = dir.write("pilots.csv", &format!("{PILOTS_HEADER}P1,Thử,smart_commune,kinh tế,00571,10.5,50.2,2023\n"));
    refused("--pilots", &f, &["pilots.csv:2", "10.5"]);
}

#[test]
fn pilot_outside_its_commune() {
    let dir = TempDir::new("pilot-outside");
    // Dương Xá's code with Phú Cát's (Quốc Oai) position.
    let f = dir.write("pilots.csv", &format!("{PILOTS_HEADER}P1,Thử,smart_commune,kinh tế,00571,105.553299,20.971621,2023\n"));
    refused("--pilots", &f, &["pilots.csv:2", "outside its commune", "00571", "Phú Cát"]);
}

#[test]
fn tourism_with_an_unknown_category_and_stars_on_a_homestay() {
    let dir = TempDir::new("tourism");
    let f = dir.write(
        "tourism.csv",
        &format!("{TOURISM_HEADER}T1,Thử,beach_resort,,00571,,,\nT2,Thử 2,homestay,4,00571,,,\n"),
    );
    refused("--tourism", &f, &["tourism.csv:2", "'category' = 'beach_resort'", "tourism.csv:3", "ocop_stars"]);
}

fn feature(code: &str, ring: &str) -> String {
    format!(r#"{{"type":"Feature","properties":{{"code":"{code}"}},"geometry":{{"type":"Polygon","coordinates":[{ring}]}}}}"#)
}

#[test]
fn a_self_intersecting_ring_is_rejected_naming_the_feature() {
    let dir = TempDir::new("bowtie");
    let ok = "[[105.95,20.99],[105.98,20.99],[105.98,21.01],[105.95,21.01],[105.95,20.99]]";
    let bowtie = "[[105.95,20.99],[105.98,21.01],[105.98,20.99],[105.95,21.01],[105.95,20.99]]";
    let f = dir.write(
        "communes.geojson",
        &format!(r#"{{"type":"FeatureCollection","features":[{},{}]}}"#, feature("00565", ok), feature("00571", bowtie)),
    );
    refused("--boundaries", &f, &["feature 1", "00571"]);
}

#[test]
fn duplicate_codes_in_a_boundary_file() {
    let dir = TempDir::new("dup-boundaries");
    let a = "[[105.95,20.99],[105.98,20.99],[105.98,21.01],[105.95,21.01],[105.95,20.99]]";
    let b = "[[106.05,20.99],[106.08,20.99],[106.08,21.01],[106.05,21.01],[106.05,20.99]]";
    let f = dir.write(
        "communes.geojson",
        &format!(r#"{{"type":"FeatureCollection","features":[{},{}]}}"#, feature("00571", a), feature("00571", b)),
    );
    refused("--boundaries", &f, &["00571", "duplicate"]);
}

#[test]
fn a_commune_unknown_to_the_reference_and_without_attributes() {
    let dir = TempDir::new("unknown-feature");
    let a = "[[105.95,20.99],[105.98,20.99],[105.98,21.01],[105.95,21.01],[105.95,20.99]]";
    let b = "[[106.05,20.99],[106.08,20.99],[106.08,21.01],[106.05,21.01],[106.05,20.99]]";
    let f = dir.write(
        "communes.geojson",
        &format!(r#"{{"type":"FeatureCollection","features":[{},{}]}}"#, feature("00571", a), feature("99998", b)),
    );
    refused("--boundaries", &f, &["feature 1", "99998"]);
}

#[test]
fn a_bad_reload_keeps_the_previous_data_published() {
    let dir = TempDir::new("reload");
    let results = dir.write("results.csv", &format!("{RESULTS_HEADER}00571,2021,dat_chuan,19,2021-06-01,1/QĐ-UBND\n"));
    let token = dir.write("admin-token", "reload-token\n");
    let server = Server::start(&["--results", path_str(&results), "--admin-token-file", path_str(&token)]);
    let auth = [("Authorization", "Bearer reload-token")];
    let at = "/api/v1/communes/at?lon=105.964112&lat=21.002414&year=2025";
    let (_, before) = server.get_json(at);
    assert_eq!(before["ntm"]["level"], "dat_chuan", "{before}");
    let version = before["meta"]["data_version"].clone();

    // A broken file: the reload is refused with the problem, the old data stays.
    dir.write("results.csv", &format!("{RESULTS_HEADER}00571,2021,kieu_mau,19,2021-06-01,1/QĐ-UBND\n00571,2099,kieu_mau,19,,\n"));
    let (status, body) = server.post_json_with("/api/v1/admin/reload", &auth);
    assert_eq!(status, 422, "{body}");
    let problems = body["error"]["problems"].to_string();
    assert!(problems.contains("results.csv:3") && problems.contains("2099"), "{body}");
    let (_, during) = server.get_json(at);
    assert_eq!(during["ntm"]["level"], "dat_chuan", "half-applied reload: {during}");
    assert_eq!(during["meta"]["data_version"], version);

    // Fixed: the new data is published whole, with a new version.
    dir.write("results.csv", &format!("{RESULTS_HEADER}00571,2021,kieu_mau,19,2021-06-01,1/QĐ-UBND\n"));
    let (status, body) = server.post_json_with("/api/v1/admin/reload", &auth);
    assert_eq!(status, 200, "{body}");
    let (_, after) = server.get_json(at);
    assert_eq!(after["ntm"]["level"], "kieu_mau");
    assert_ne!(after["meta"]["data_version"], version);
    assert!(after["meta"]["sources"].to_string().contains("\"sample\":false"));
}

#[test]
fn validate_prints_every_problem_and_exits_non_zero() {
    let dir = TempDir::new("validate");
    let f = dir.write("results.csv", &format!("{RESULTS_HEADER}00571,2022,xuat_sac,19,2022-05-01,x\n00571,2023,chua_dat,42,,\n"));
    let out = std::process::Command::new(BIN).args(["validate", path_str(&f)]).output().expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success());
    assert!(stdout.contains("results.csv:2") && stdout.contains("results.csv:3"), "{stdout}");

    let good = dir.write("good.csv", &format!("{RESULTS_HEADER}00571,2022,dat_chuan,19,2022-05-01,x\n"));
    let out = std::process::Command::new(BIN).args(["validate", path_str(&good)]).output().expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
}
