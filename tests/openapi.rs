//! `GET /api/v1/openapi.json`: a valid OpenAPI 3 document that matches the live routes.
//! Every documented operation is called on the real server with its documented
//! examples and must answer a documented status and content type.

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
    let server = Server::start(&["--admin-token-file", common::path_str(&token)]);
    let (_, doc) = server.get_json("/api/v1/openapi.json");
    let mut calls = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
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
                let mut request = agent().request(&method.to_uppercase(), &url);
                if op.get("security").is_some() {
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
                assert!(status.starts_with('2'), "{method} {url} ({media:?}) answered {status} to its documented examples: {text}");
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

#[test]
fn every_route_of_the_router_is_in_the_document() {
    let server = Server::start(&[]);
    let (_, doc) = server.get_json("/api/v1/openapi.json");
    // The route table the router is built from (the same builder `api::router` uses).
    let (_, generated) = bando::api::routes().finish();
    assert_eq!(doc, *generated, "the served document is the one generated from the route table");
    let table = bando::api::routes();
    let mut documented: BTreeSet<(String, String)> = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.insert((method.clone(), path.clone()));
        }
    }
    let mut routed: BTreeSet<(String, String)> =
        table.routes().iter().map(|r| (r.method.to_string(), r.doc_path.clone())).collect();
    routed.insert(("get".into(), "/api/v1/openapi.json".into()));
    assert_eq!(routed, documented);
    for expected in [
        ("get", "/api/v1/communes/at"),
        ("post", "/api/v1/communes/at"),
        ("get", "/api/v1/meta"),
        ("post", "/api/v1/admin/reload"),
        ("get", "/tiles/{map}.json"),
        ("get", "/tiles/{map}/{z}/{x}/{y}.mvt"),
        ("get", "/api/v1/communes/{code}"),
        ("get", "/api/v1/districts/{code}"),
        ("get", "/api/v1/provinces/{code}"),
        ("get", "/api/v1/export/{layer}.{format}"),
    ] {
        assert!(documented.contains(&(expected.0.to_string(), expected.1.to_string())), "{expected:?} is documented");
    }
    // Routes are only added through the documenting builder: no other file of the API
    // registers one unless it also exposes its OpenAPI paths for the builder to merge.
    for entry in std::fs::read_dir(repo().join("src/api")).unwrap() {
        let path = entry.unwrap().path();
        let source = std::fs::read_to_string(&path).unwrap().replace("ApiRouter::new()", "");
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name == "openapi.rs" {
            continue;
        }
        let registers = source.contains(".route(") || source.contains("Router::new()");
        assert!(!registers || source.contains("pub fn openapi_paths()"), "{name} adds routes outside the documented route table");
    }
}
