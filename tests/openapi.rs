//! `GET /api/v1/openapi.json`: a valid OpenAPI 3 document that matches the live routes.
//! The document passes the Python `openapi-spec-validator` (installed by `.ci/run`);
//! every documented operation is called on the real server with its documented
//! examples and must answer a documented status and content type; every documented
//! path reaches a handler (not the router's fallback); and every route the README's
//! curl examples call is documented and served.

mod common;

use common::{agent, repo, Server};
use serde_json::Value;
use std::collections::BTreeSet;
use std::io::Read;

fn resolve<'a>(doc: &'a Value, v: &'a Value) -> &'a Value {
    match v.get("$ref").and_then(Value::as_str) {
        Some(r) => doc.pointer(r.trim_start_matches('#')).unwrap_or_else(|| panic!("$ref {r} does not resolve")),
        None => v,
    }
}

fn every_ref(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(o) => {
            if let Some(Value::String(r)) = o.get("$ref") {
                out.push(r.clone());
            }
            o.values().for_each(|x| every_ref(x, out));
        }
        Value::Array(a) => a.iter().for_each(|x| every_ref(x, out)),
        _ => {}
    }
}

fn example_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[test]
fn the_document_is_valid_openapi_3_and_every_ref_resolves() {
    let server = Server::start(&[]);
    let (status, doc) = server.get_json("/api/v1/openapi.json");
    assert_eq!(status, 200);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    assert!(doc["info"]["title"].is_string() && doc["info"]["version"].is_string());
    assert!(doc["components"].is_object());
    let paths = doc["paths"].as_object().unwrap();
    assert!(!paths.is_empty());
    let mut refs = Vec::new();
    every_ref(&doc, &mut refs);
    assert!(!refs.is_empty());
    for r in &refs {
        assert!(r.starts_with("#/components/"), "{r}");
        assert!(doc.pointer(r.trim_start_matches('#')).is_some(), "$ref {r} does not resolve");
    }
    for (path, item) in paths {
        assert!(path.starts_with('/'), "{path}");
        let templated: BTreeSet<String> =
            path.split('{').skip(1).map(|s| s.split('}').next().unwrap().to_string()).collect();
        for (method, op) in item.as_object().unwrap() {
            assert!(["get", "post", "put", "delete", "patch", "head", "options"].contains(&method.as_str()), "{method} {path}");
            assert!(op["summary"].is_string(), "{method} {path} has a summary");
            let responses = op["responses"].as_object().unwrap_or_else(|| panic!("{method} {path} has responses"));
            assert!(!responses.is_empty());
            for (code, r) in responses {
                assert!(code.len() == 3 && code.parse::<u16>().is_ok(), "{method} {path}: status {code}");
                assert!(resolve(&doc, r)["description"].is_string(), "{method} {path} {code}");
            }
            let params: Vec<&Value> = op["parameters"].as_array().map(|a| a.iter().map(|p| resolve(&doc, p)).collect()).unwrap_or_default();
            let declared: BTreeSet<String> =
                params.iter().filter(|p| p["in"] == "path").map(|p| p["name"].as_str().unwrap().to_string()).collect();
            assert_eq!(declared, templated, "{method} {path}: path parameters");
            for p in &params {
                assert!(p["name"].is_string() && p["in"].is_string() && p["schema"].is_object(), "{method} {path}: {p}");
                // Alternatives (static maps take bbox, or center and zoom) may go without
                // an example; the call below leaves them out.
                assert!(p.get("example").is_some() || p["required"] != true, "{method} {path}: parameter {} has an example", p["name"]);
            }
        }
    }
}

#[test]
fn every_documented_operation_answers_as_documented_with_its_examples() {
    // The viewer's /vendor route answers 200 once MapLibre GL JS is installed in web/.
    common::browser::ensure_npm_packages();
    // Operations with `security` (the admin routes) are called with the bearer token.
    let dir = common::TempDir::new("openapi-token");
    let token = dir.write("admin-token", "openapi-test-token\n");
    // The management operations (`security` of a session cookie or API token) run in a
    // session of an admin created with the CLI, signed in through the real login form.
    let data = common::manage::DataDir::new("openapi");
    data.add_user("openapi.admin", "admin", &[], "OpenAPI test", "openapi-admin-password");
    let server = data.serve(&["--admin-token-file", common::path_str(&token)]);
    let (_, doc) = server.get_json("/api/v1/openapi.json");
    let mut browser = common::manage::Browser::new(&server, "192.0.2.1");
    let login = browser.login("openapi.admin", "openapi-admin-password");
    // The login form's examples cannot carry a fresh CSRF pair: it is checked here, once.
    assert_eq!(login.status, 303, "{}", login.body);
    assert!(doc["paths"]["/manage/login"]["post"]["responses"].get("303").is_some(), "the login's 303 is documented");
    let csrf = browser.csrf();
    let cookie = format!("bando_session={}", browser.cookies["bando_session"]);
    let no_redirects = ureq::AgentBuilder::new().redirects(0).build();
    // The submission actions' examples name drafts 1–6 (one per action, so an approval
    // does not close another's example): made here, each correcting the decision number
    // of another Hà Tĩnh commune's latest record (not those of the upload examples).
    let ha_tinh: std::collections::HashSet<String> =
        common::csv_rows(common::reference("communes-2024.csv")).into_iter().filter(|r| r["province_code"] == "42").map(|r| r["code"].clone()).collect();
    let mut latest: std::collections::BTreeMap<String, common::sources::Row> = std::collections::BTreeMap::new();
    for r in common::csv_rows(common::sources::geodata("results-communes.csv")).into_iter().filter(|r| ha_tinh.contains(&r["code"])) {
        if latest.get(&r["code"]).is_none_or(|l| l["year"] < r["year"]) {
            latest.insert(r["code"].clone(), r);
        }
    }
    let fields = ["code", "year", "level", "criteria_met", "recognized_on"];
    for r in latest.values().filter(|r| !["18130", "18142"].contains(&r["code"].as_str()) && r["level"] != "chua_dat").take(6) {
        let row: Vec<&str> = fields.iter().map(|f| r[*f].as_str()).collect();
        let csv = format!("code,year,level,criteria_met,recognized_on,decision\n{},99/QĐ-UBND\n", row.join(","));
        let code = &r["code"];
        let resp = agent()
            .post(&server.url("/api/v1/manage/uploads?file_name=results-communes.csv"))
            .set("Cookie", &cookie)
            .set("X-CSRF-Token", &csrf)
            .send_bytes(csv.as_bytes())
            .unwrap_or_else(|e| panic!("draft for {code}: {e}"));
        assert_eq!(resp.status(), 201);
    }
    // A rejection needs a submitted draft: those of the reject examples (2 and 5).
    for id in [2, 5] {
        let resp = agent()
            .post(&server.url(&format!("/api/v1/manage/submissions/{id}/submit")))
            .set("Cookie", &cookie)
            .set("X-CSRF-Token", &csrf)
            .send_bytes(b"")
            .unwrap_or_else(|e| panic!("submit {id}: {e}"));
        assert_eq!(resp.status(), 200);
    }
    let mut operations: Vec<(&String, &String, &Value)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| item.as_object().unwrap().iter().map(move |(method, op)| (path, method, op)))
        .filter(|(path, method, _)| !(*path == "/manage/login" && *method == "post"))
        .collect();
    // Signing out ends the session the other management operations use: last.
    operations.sort_by_key(|(path, method, _)| *path == "/manage/logout" && *method == "post");
    let mut calls = 0;
    for (path, method, op) in operations {
        {
            let params: Vec<&Value> = op["parameters"].as_array().map(|a| a.iter().map(|p| resolve(&doc, p)).collect()).unwrap_or_default();
            let mut url_path = path.clone();
            let mut query = Vec::new();
            for p in params.iter().filter(|p| p.get("example").is_some()) {
                let (name, value) = (p["name"].as_str().unwrap(), example_text(&p["example"]));
                match p["in"].as_str().unwrap() {
                    "path" => url_path = url_path.replace(&format!("{{{name}}}"), &value),
                    "query" => query.push(format!("{name}={value}")),
                    other => panic!("{other} parameters are not called by this test"),
                }
            }
            let url = if query.is_empty() { server.url(&url_path) } else { server.url(&format!("{url_path}?{}", query.join("&"))) };
            // One call per documented request body type (or one call without a body).
            let bodies: Vec<(Option<String>, Vec<u8>)> = match op["requestBody"]["content"].as_object() {
                None => vec![(None, Vec::new())],
                Some(content) => content
                    .iter()
                    .map(|(media, c)| {
                        let example = c.get("example").unwrap_or_else(|| panic!("{method} {path}: {media} body has an example"));
                        (Some(media.clone()), example_text(example).into_bytes())
                    })
                    .collect(),
            };
            for (media, body) in bodies {
                let schemes: Vec<&str> =
                    op["security"].as_array().into_iter().flatten().filter_map(|s| s.as_object()).flat_map(|s| s.keys().map(String::as_str)).collect();
                let mut request = if schemes.contains(&"sessionCookie") {
                    // Form posts redirect (303) where a browser would follow.
                    no_redirects.request(&method.to_uppercase(), &url).set("Cookie", &cookie).set("X-CSRF-Token", &csrf)
                } else {
                    agent().request(&method.to_uppercase(), &url)
                };
                if schemes.contains(&"adminToken") {
                    request = request.set("Authorization", "Bearer openapi-test-token");
                }
                if let Some(m) = &media {
                    request = request.set("Content-Type", m);
                }
                let resp = match if media.is_some() || method == "post" { request.send_bytes(&body) } else { request.call() } {
                    Ok(r) | Err(ureq::Error::Status(_, r)) => r,
                    Err(e) => panic!("{method} {url}: {e}"),
                };
                let status = resp.status().to_string();
                let content_type = resp.header("content-type").map(|t| t.split(';').next().unwrap().trim().to_string());
                let mut answer = Vec::new();
                resp.into_reader().read_to_end(&mut answer).unwrap();
                let text = String::from_utf8_lossy(&answer[..answer.len().min(300)]).to_string();
                assert!(!text.contains("no route for"), "{method} {url} fell through to the 404 fallback");
                // The examples make a valid request: it must succeed, not merely fail as documented.
                let redirect = status == "303" && schemes.contains(&"sessionCookie");
                assert!(status.starts_with('2') || redirect, "{method} {url} ({media:?}) answered {status} to its documented examples: {text}");
                let documented = op["responses"].get(&status).map(|r| resolve(&doc, r)).unwrap_or_else(|| {
                    panic!("{method} {url} ({media:?}) answered {status}, which is not documented: {text}")
                });
                match documented["content"].as_object() {
                    Some(content) => {
                        let ct = content_type.unwrap_or_else(|| panic!("{method} {url}: no Content-Type"));
                        assert!(content.contains_key(&ct), "{method} {url} answered {status} as {ct}, documented: {:?}", content.keys());
                    }
                    None => assert!(answer.is_empty(), "{method} {url}: {status} is documented without a body"),
                }
                calls += 1;
            }
        }
    }
    assert!(calls >= 12, "{calls} calls");
}

/// The exact validator release the tests and `.ci/run` install.
const VALIDATOR: &str = "openapi-spec-validator==0.9.0";

/// Runs the Python `openapi-spec-validator` on `file`: (valid, output). A missing
/// validator is installed with pip first.
fn validate_with_python(file: &std::path::Path) -> (bool, String) {
    common::ensure_python_package("openapi_spec_validator", VALIDATOR);
    let out = std::process::Command::new("python3")
        .args(["-m", "openapi_spec_validator", "--validation-errors", "all"])
        .arg(file)
        .output()
        .expect("run python3 -m openapi_spec_validator");
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

#[test]
fn the_document_passes_the_openapi_spec_validator() {
    let server = Server::start(&[]);
    let (_, doc) = server.get_json("/api/v1/openapi.json");
    let dir = common::TempDir::new("openapi");
    let file = dir.write("openapi.json", &doc.to_string());
    let (ok, output) = validate_with_python(&file);
    assert!(ok, "the served document is not valid OpenAPI {}: {output}", doc["openapi"]);
    // The validator does reject what this document must not contain: a 3.1 type list
    // in a 3.0 document (so a pass means something).
    let mut broken = doc.clone();
    broken["components"]["schemas"]["Meta"]["properties"]["notice"] = serde_json::json!({"type": ["string", "null"]});
    let (ok, output) = validate_with_python(&dir.write("broken.json", &broken.to_string()));
    assert!(!ok, "the validator accepted a 3.1 type list in a 3.0 document: {output}");
}

/// Whether `path` is an instance of the documented `template` (`{name}` stands for
/// one or more characters of a segment: `/api/v1/export/{layer}.{format}`).
fn instance_of(template: &str, path: &str) -> bool {
    fn segment(t: &str, s: &str) -> bool {
        match t.find('{') {
            None => t == s,
            Some(open) => {
                let (literal, rest) = t.split_at(open);
                let Some(s) = s.strip_prefix(literal) else { return false };
                let after = &rest[rest.find('}').expect("closed placeholder") + 1..];
                (1..=s.len()).filter(|&n| s.is_char_boundary(n)).any(|n| segment(after, &s[n..]))
            }
        }
    }
    let (t, p): (Vec<&str>, Vec<&str>) = (template.split('/').collect(), path.split('/').collect());
    t.len() == p.len() && t.iter().zip(&p).all(|(t, p)| segment(t, p))
}

/// Every `curl` call of the README: (HTTP method, path and query).
fn readme_calls() -> Vec<(String, String)> {
    let readme = std::fs::read_to_string(repo().join("README.md")).expect("README.md");
    // Join the lines a backslash continues, so a command and its URL are one line.
    let joined = readme.replace("\\\n", " ");
    let mut calls = Vec::new();
    for line in joined.lines().map(str::trim_start).filter(|l| l.starts_with("curl ")) {
        let Some(start) = line.find("'http://127.0.0.1:8080") else { continue };
        let url = &line[start + 1..];
        let url = &url[..url.find('\'').expect("closing quote")];
        let target = url.trim_start_matches("http://127.0.0.1:8080").to_string();
        let method = if line.contains("-X POST") {
            "post"
        } else {
            "get" // HEAD (curl -I) is answered by the GET route
        };
        calls.push((method.to_string(), target));
    }
    calls
}

#[test]
fn the_template_matcher_tells_instances_from_other_paths() {
    assert!(instance_of("/api/v1/export/{layer}.{format}", "/api/v1/export/communes.geojson"));
    assert!(instance_of("/tiles/{map}/{z}/{x}/{y}.mvt", "/tiles/ntm/8/203/112.mvt"));
    assert!(instance_of("/api/v1/legend/{map}.png", "/api/v1/legend/ntm.png"));
    assert!(!instance_of("/tiles/{map}/{z}/{x}/{y}.mvt", "/tiles/ntm/8/203/112.png"));
    assert!(!instance_of("/api/v1/communes/{code}", "/api/v1/communes/00571/x"));
    assert!(!instance_of("/api/v1/meta", "/api/v1/metadata"));
    assert!(!instance_of("/api/v1/export/{layer}.{format}", "/api/v1/export/communes"));
}

#[test]
fn every_route_the_readme_calls_is_documented_and_served() {
    // With the admin routes open (to a token): without one they are hidden like unknown routes.
    let server = Server::start_with_admin(&[]);
    let (_, doc) = server.get_json("/api/v1/openapi.json");
    let documented: Vec<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| item.as_object().unwrap().keys().map(move |m| (m.clone(), path.clone())))
        .collect();
    let calls = readme_calls();
    assert!(calls.len() >= 30, "the README's curl examples were found: {calls:?}");
    for (method, target) in &calls {
        let path = target.split('?').next().unwrap();
        assert!(
            documented.iter().any(|(m, t)| m == method && instance_of(t, path)),
            "the README calls {} {target}, which the OpenAPI document does not describe",
            method.to_uppercase()
        );
        // The real server routes it (whatever the answer to an example without its
        // body or headers): not the router's fallback, not a wrong method.
        let request = agent().request(&method.to_uppercase(), &server.url(target));
        let resp = match if method == "post" { request.send_bytes(b"") } else { request.call() } {
            Ok(r) | Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("{method} {target}: {e}"),
        };
        let status = resp.status();
        let body = resp.into_string().unwrap_or_default();
        assert!(!body.contains("no route for"), "{method} {target} fell through to the router's fallback");
        assert_ne!(status, 405, "{method} {target}: method not allowed");
    }
}

#[test]
fn the_fallback_answer_is_recognisable_and_documented_paths_do_not_get_it() {
    let server = Server::start_with_admin(&[]);
    // What an unrouted path answers: the body the checks above look for.
    let resp = match agent().get(&server.url("/api/v1/no-such-route")).call() {
        Err(ureq::Error::Status(404, r)) => r,
        other => panic!("an unrouted path answered {other:?}"),
    };
    assert!(resp.into_string().unwrap().contains("no route for /api/v1/no-such-route"));
    // Every documented template, its placeholders filled with the documented examples
    // (or a value of the right shape), reaches a handler: the document names no path
    // the router does not serve.
    let (_, doc) = server.get_json("/api/v1/openapi.json");
    for (template, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let mut path = template.clone();
            for p in op["parameters"].as_array().into_iter().flatten().map(|p| resolve(&doc, p)) {
                if p["in"] == "path" {
                    let name = p["name"].as_str().unwrap();
                    path = path.replace(&format!("{{{name}}}"), &example_text(&p["example"]));
                }
            }
            assert!(!path.contains('{'), "{method} {template}: every path parameter has an example ({path})");
            let request = agent().request(&method.to_uppercase(), &server.url(&path));
            let resp = match if method == "post" { request.send_bytes(b"") } else { request.call() } {
                Ok(r) | Err(ureq::Error::Status(_, r)) => r,
                Err(e) => panic!("{method} {path}: {e}"),
            };
            let status = resp.status();
            let mut body = Vec::new();
            resp.into_reader().take(4096).read_to_end(&mut body).unwrap();
            assert!(!String::from_utf8_lossy(&body).contains("no route for"), "{method} {template} ({path}) is documented but not routed");
            assert_ne!(status, 405, "{method} {template} ({path}) is documented for a method the router does not take");
        }
    }
}

#[test]
fn routes_are_added_only_through_the_documenting_builder() {
    // Routes are only added through the documenting builder: no other file of the API
    // registers one unless it also exposes its OpenAPI paths for the builder to merge.
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(repo().join("src/api")).unwrap().map(|e| e.unwrap().path()).collect();
    while let Some(path) = files.pop() {
        if path.is_dir() {
            files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        let source = std::fs::read_to_string(&path).unwrap().replace("ApiRouter::new()", "");
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name == "openapi.rs" {
            continue;
        }
        let registers = source.contains(".route(") || source.contains("Router::new()");
        assert!(!registers || source.contains("pub fn openapi_paths()"), "{name} adds routes outside the documented route table");
    }
}
