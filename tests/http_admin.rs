//! Admin access on the real server: `POST /api/v1/admin/reload` needs the bearer token
//! of `--admin-token-file`; without one configured the admin routes do not exist.

mod common;
use common::{agent, path_str, Server, TempDir};
use std::time::{Duration, Instant};

const RESULTS_HEADER: &str = "code,year,level,criteria_met,recognized_on,decision\n";
const RELOAD: &str = "/api/v1/admin/reload";
const AT: &str = "/api/v1/communes/at?lon=105.964112&lat=21.002414&year=2025";
/// Statistics and search answers are kept per data version: asked before a reload, they
/// must change with it.
const STATS: &str = "/api/v1/stats?year=2025";
const SEARCH: &str = "/api/v1/search?q=duong%20xa";

/// POST returning (status, WWW-Authenticate, body text).
fn post(server: &Server, path: &str, authorization: Option<&str>) -> (u16, Option<String>, String) {
    let mut request = agent().post(&server.url(path));
    if let Some(value) = authorization {
        request = request.set("Authorization", value);
    }
    let resp = match request.call() {
        Ok(r) | Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("POST {path}: {e}"),
    };
    let (status, challenge) = (resp.status(), resp.header("www-authenticate").map(String::from));
    (status, challenge, resp.into_string().expect("body"))
}

fn results(level: &str) -> String {
    format!("{RESULTS_HEADER}00571,2021,{level},19,2021-06-01,1/QĐ-UBND\n")
}

#[test]
fn without_a_configured_token_admin_routes_do_not_exist() {
    let server = Server::start(&[]);
    for auth in [None, Some("Bearer anything")] {
        let (status, _, body) = post(&server, RELOAD, auth);
        assert_eq!(status, 404, "{body}");
    }
    let (status, _, _) = post(&server, "/api/v1/admin/other", Some("Bearer anything"));
    assert_eq!(status, 404);
}

#[test]
fn an_empty_token_file_stops_the_start() {
    let dir = TempDir::new("empty-token");
    let token = dir.write("token", "\n");
    let failed = Server::try_start(&["--admin-token-file", path_str(&token)]).err().expect("started with an empty token file");
    assert_ne!(failed.code, Some(0));
    assert!(failed.stderr.contains("--admin-token-file") && failed.stderr.contains("empty"), "{}", failed.stderr);
}

#[test]
fn reload_needs_the_right_bearer_token_and_keeps_the_old_data_when_a_file_is_bad() {
    let dir = TempDir::new("admin");
    let results_file = dir.write("results.csv", &results("dat_chuan"));
    let token_file = dir.write("token", "tk-7f3a9c1e5b2d\n");
    let mut server = Server::start(&["--results", path_str(&results_file), "--admin-token-file", path_str(&token_file)]);
    let (_, before) = server.get_json(AT);
    assert_eq!(before["ntm"]["level"], "dat_chuan", "{before}");
    let version = before["meta"]["data_version"].clone();
    let (_, stats) = server.get_json(STATS);
    assert_eq!((&stats["communes"]["dat_chuan"], &stats["communes"]["nang_cao"]), (&1.into(), &0.into()), "{}", stats["communes"]);
    assert_eq!(server.get_json(SEARCH).1["meta"]["data_version"], version);

    // None, wrong, another scheme, the token with its newline kept: 401 with the challenge.
    for auth in [None, Some("Bearer tk-7f3a9c1e5b2"), Some("Bearer tk-7f3a9c1e5b2d0"), Some("Basic tk-7f3a9c1e5b2d"), Some("Bearer")] {
        let (status, challenge, body) = post(&server, RELOAD, auth);
        assert_eq!(status, 401, "{auth:?}: {body}");
        assert!(challenge.as_deref().is_some_and(|c| c.starts_with("Bearer")), "{auth:?}: {challenge:?}");
        assert!(!body.contains("tk-7f3a9c1e5b2d"), "the answer shows the token: {body}");
    }
    // Nothing was reloaded by the refused requests.
    dir.write("results.csv", &results("nang_cao"));
    assert_eq!(server.get_json(AT).1["meta"]["data_version"], version);

    // The right token: reloaded, new data version, new answer.
    let (status, _, body) = post(&server, RELOAD, Some("Bearer tk-7f3a9c1e5b2d"));
    assert_eq!(status, 200, "{body}");
    let answer: serde_json::Value = serde_json::from_str(&body).unwrap();
    let (_, after) = server.get_json(AT);
    assert_eq!(after["ntm"]["level"], "nang_cao", "{after}");
    assert_ne!(after["meta"]["data_version"], version);
    assert_eq!(answer["data_version"], after["meta"]["data_version"]);
    let (_, stats) = server.get_json(STATS);
    assert_eq!((&stats["communes"]["dat_chuan"], &stats["communes"]["nang_cao"]), (&0.into(), &1.into()), "{}", stats["communes"]);
    assert_eq!(stats["meta"]["data_version"], after["meta"]["data_version"]);
    assert_eq!(server.get_json(SEARCH).1["meta"]["data_version"], after["meta"]["data_version"]);
    let good_version = after["meta"]["data_version"].clone();

    // A broken file with two bad lines, swapped into place (rename, as a deploy would):
    // 422 naming both lines, the previous data still served.
    let broken = dir.write(
        "results.csv.new",
        &format!("{RESULTS_HEADER}00571,2021,kieu_mau,19,2021-06-01,1/QĐ-UBND\n00571,2099,kieu_mau,19,,\n00571,2022,xuat_sac,19,,\n"),
    );
    std::fs::rename(&broken, &results_file).unwrap();
    let (status, _, body) = post(&server, RELOAD, Some("Bearer tk-7f3a9c1e5b2d"));
    assert_eq!(status, 422, "{body}");
    let problems: serde_json::Value = serde_json::from_str::<serde_json::Value>(&body).unwrap()["error"]["problems"].clone();
    let text = problems.to_string();
    assert!(text.contains("results.csv:3") && text.contains("2099"), "{body}");
    assert!(text.contains("results.csv:4") && text.contains("xuat_sac"), "{body}");
    let (_, during) = server.get_json(AT);
    assert_eq!(during["ntm"]["level"], "nang_cao", "half-applied reload: {during}");
    assert_eq!(during["meta"]["data_version"], good_version);

    // The token never reached the log.
    server.signal("TERM");
    assert!(server.wait_exit(Duration::from_secs(30)).is_some());
    let log = server.stderr();
    assert!(!log.contains("tk-7f3a9c1e5b2d"), "the log shows the token:\n{log}");
}

#[test]
fn sighup_reloads() {
    let dir = TempDir::new("sighup");
    let results_file = dir.write("results.csv", &results("dat_chuan"));
    let server = Server::start(&["--results", path_str(&results_file)]);
    let version = server.get_json(AT).1["meta"]["data_version"].clone();
    dir.write("results.csv", &results("kieu_mau"));
    server.signal("HUP");
    let start = Instant::now();
    loop {
        let (_, now) = server.get_json(AT);
        if now["meta"]["data_version"] != version {
            assert_eq!(now["ntm"]["level"], "kieu_mau", "{now}");
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(120), "SIGHUP did not reload within 120 s");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn openapi_documents_the_bearer_scheme_on_admin_operations() {
    let server = Server::start(&[]);
    let (_, doc) = server.get_json("/api/v1/openapi.json");
    let scheme = &doc["components"]["securitySchemes"]["adminToken"];
    assert_eq!(scheme["type"], "http", "{scheme}");
    assert_eq!(scheme["scheme"], "bearer", "{scheme}");
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let needs_token = operation["security"].as_array().is_some_and(|s| s.iter().any(|r| r.get("adminToken").is_some()));
            assert_eq!(needs_token, path.starts_with("/api/v1/admin/"), "{method} {path}: security {}", operation["security"]);
            if needs_token {
                assert!(operation["responses"].get("401").is_some(), "{method} {path} does not document 401");
            }
        }
    }
    assert!(doc["paths"][RELOAD]["post"].is_object());
}
