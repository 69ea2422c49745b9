//! The submission workflow over real HTTP with a real database file: the province's
//! template uploaded unchanged changes nothing; an upload outside the
//! editor's province is refused naming the commune; another province's editor can neither
//! see nor approve a submission; two submissions changing one record: the later approval
//! answers 409 listing the conflict and publishes only once an admin chooses; an upload
//! over the limit is refused (413) and the server keeps answering. Expected records come
//! from geodata/results-communes.csv and the reference table.

mod common;

use common::manage::{Browser, DataDir};
use common::sources::{csv_rows, geodata, Row};
use common::{reference, Server};
use serde_json::{json, Value};

const ADMIN: (&str, &str) = ("tw.admin", "quan-tri-trung-uong-2026");
const HA_TINH: (&str, &str) = ("ha.tinh", "bien-tap-ha-tinh-2026");
const NGHE_AN: (&str, &str) = ("nghe.an", "bien-tap-nghe-an-2026");

/// The latest published result of each commune of `province` (edition 2024 codes).
fn latest_results(province: &str) -> Vec<Row> {
    let codes: std::collections::HashSet<String> =
        csv_rows(reference("communes-2024.csv")).into_iter().filter(|r| r["province_code"] == province).map(|r| r["code"].clone()).collect();
    let mut latest: std::collections::BTreeMap<String, Row> = std::collections::BTreeMap::new();
    for r in csv_rows(geodata("results-communes.csv")).into_iter().filter(|r| codes.contains(&r["code"])) {
        if latest.get(&r["code"]).is_none_or(|l| l["year"] < r["year"]) {
            latest.insert(r["code"].clone(), r);
        }
    }
    latest.into_values().filter(|r| r["level"] != "chua_dat").collect()
}

/// A results CSV of `row` with its decision number replaced.
fn csv_with_decision(row: &Row, decision: &str) -> String {
    let fields: Vec<&str> = ["code", "year", "level", "criteria_met", "recognized_on"].iter().map(|f| row[*f].as_str()).collect();
    format!("code,year,level,criteria_met,recognized_on,decision\n{},{decision}\n", fields.join(","))
}

struct Office {
    _dir: DataDir,
    server: Server,
}

fn office(tag: &str) -> Office {
    let dir = DataDir::new(tag);
    dir.add_user(ADMIN.0, "admin", &[], "Văn phòng Điều phối NTM Trung ương", ADMIN.1);
    dir.add_user(HA_TINH.0, "province", &["42"], "VP Điều phối NTM Hà Tĩnh", HA_TINH.1);
    dir.add_user(NGHE_AN.0, "province", &["40"], "VP Điều phối NTM Nghệ An", NGHE_AN.1);
    let server = dir.serve(&[]);
    Office { _dir: dir, server }
}

/// A signed-in client and its CSRF token.
fn signed_in(server: &Server, (user, password): (&str, &str), address: &str) -> (Browser, String) {
    let mut b = Browser::new(server, address);
    assert_eq!(b.login(user, password).status, 303);
    let csrf = b.csrf();
    (b, csrf)
}

fn upload(b: &mut Browser, csrf: &str, file_name: &str, body: &str) -> (u16, Value) {
    let a = b.send("POST", &format!("/api/v1/manage/uploads?file_name={file_name}"), &[("X-CSRF-Token", csrf)], Some(("text/csv", body)));
    (a.status, if a.body.starts_with('{') { a.json() } else { json!(a.body) })
}

#[test]
fn the_template_uploaded_unchanged_changes_nothing() {
    // What an office does first: download its workbook and upload it as it is. The files
    // write some measured values as `N.0`, which a workbook cell gives back as `N`.
    let units: std::collections::HashSet<String> = csv_rows(reference("communes-2024.csv"))
        .into_iter()
        .filter(|r| r["province_code"] == "42")
        .flat_map(|r| [r["code"].clone(), r["district_code"].clone()])
        .collect();
    assert!(
        csv_rows(geodata("criteria.csv")).iter().any(|r| units.contains(&r["unit_code"]) && r["value"].ends_with(".0")),
        "no value of Hà Tĩnh written as N.0: the check below would prove nothing"
    );
    let o = office("workflow-template");
    let (mut ed, csrf) = signed_in(&o.server, HA_TINH, "192.0.2.11");
    let template = ed.get("/manage/template/42.xlsx");
    assert_eq!(template.status, 200, "{}", template.body);
    let xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    let a = ed.send_bytes("POST", "/api/v1/manage/uploads?file_name=42.xlsx", &[("X-CSRF-Token", &csrf)], Some((xlsx, &template.bytes)));
    assert_eq!(a.status, 201, "{}", a.body);
    let body = a.json();
    assert!(body["submission"]["records"].as_u64().unwrap() > 1_000, "{}", body["submission"]);
    assert_eq!(body["diff"], json!([]), "the unchanged template changes records");
}

#[test]
fn a_commune_outside_the_editors_province_is_an_error_naming_it() {
    let o = office("workflow-scope");
    let (mut ed, csrf) = signed_in(&o.server, HA_TINH, "192.0.2.10");
    let nghe_an = &latest_results("40")[0];
    let (status, body) = upload(&mut ed, &csrf, "results-communes.csv", &csv_with_decision(nghe_an, "1/QĐ-UBND"));
    assert_eq!(status, 422, "{body}");
    let problems = body["report"]["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1, "{body}");
    assert_eq!(problems[0]["value"], nghe_an["code"].as_str());
    assert_eq!(problems[0]["row"], 2);
    assert!(problems[0]["message_en"].as_str().unwrap().contains("42"), "{body}");
    // Nothing was stored.
    let list = ed.get("/api/v1/manage/submissions").json();
    assert_eq!(list["submissions"].as_array().unwrap().len(), 0, "{list}");
}

#[test]
fn another_provinces_editor_neither_sees_nor_approves_and_later_approvals_show_conflicts() {
    let o = office("workflow-conflict");
    let (mut ed, ed_csrf) = signed_in(&o.server, HA_TINH, "192.0.2.11");
    let (mut other, other_csrf) = signed_in(&o.server, NGHE_AN, "192.0.2.12");
    let (mut admin, admin_csrf) = signed_in(&o.server, ADMIN, "192.0.2.13");
    let row = &latest_results("42")[0];

    // Two drafts of the same record, made before either is approved.
    let (s1, first) = upload(&mut ed, &ed_csrf, "results-communes.csv", &csv_with_decision(row, "111/QĐ-UBND"));
    let (s2, second) = upload(&mut admin, &admin_csrf, "results-communes.csv", &csv_with_decision(row, "222/QĐ-UBND"));
    assert_eq!((s1, s2), (201, 201), "{first} {second}");
    let (id1, id2) = (first["submission"]["id"].as_i64().unwrap(), second["submission"]["id"].as_i64().unwrap());
    let change = &first["diff"][0]["changed"][0];
    assert_eq!((change["column"].as_str(), change["old"].as_str(), change["new"].as_str()), (Some("decision"), Some(row["decision"].as_str()), Some("111/QĐ-UBND")));

    // Nghệ An's editor: not found, and may not approve.
    assert_eq!(other.get(&format!("/api/v1/manage/submissions/{id1}")).status, 404);
    assert_eq!(other.json("POST", &format!("/api/v1/manage/submissions/{id1}/approve"), Some(&other_csrf), &json!({})).status, 403);
    assert_eq!(other.get(&format!("/manage/submissions/{id1}")).status, 404);

    // The first approval publishes; the second finds its base changed.
    let path = |id: i64| format!("/api/v1/manage/submissions/{id}/approve");
    let a1 = admin.json("POST", &path(id1), Some(&admin_csrf), &json!({"decision": "9/QĐ-TTg"}));
    assert_eq!(a1.status, 200, "{}", a1.body);
    let a2 = admin.json("POST", &path(id2), Some(&admin_csrf), &json!({}));
    assert_eq!(a2.status, 409, "{}", a2.body);
    let conflicts = a2.json()["conflicts"].clone();
    assert_eq!(conflicts.as_array().unwrap().len(), 1, "{conflicts}");
    assert_eq!(conflicts[0]["key"], format!("{}|{}", row["code"], row["year"]));
    // Still the first approval's value in the public history.
    let history = |b: &mut Browser| b.get(&format!("/api/v1/communes/{}/history", row["code"])).json()["changes"].clone();
    let h = history(&mut admin);
    assert_eq!(h.as_array().unwrap().len(), 1, "{h}");
    // The public record names the offices, never the usernames that sign in.
    assert_eq!(
        (h[0]["new"].as_str(), h[0]["submitted_by"].as_str(), h[0]["approved_by"].as_str()),
        (Some("111/QĐ-UBND"), Some("VP Điều phối NTM Hà Tĩnh"), Some("Văn phòng Điều phối NTM Trung ương"))
    );
    // The admin chooses to overwrite: published, logged after the first.
    let a3 = admin.json("POST", &path(id2), Some(&admin_csrf), &json!({"conflicts": "overwrite", "decision": "10/QĐ-TTg"}));
    assert_eq!(a3.status, 200, "{}", a3.body);
    let h = history(&mut admin);
    assert_eq!(h.as_array().unwrap().iter().map(|c| c["new"].as_str().unwrap()).collect::<Vec<_>>(), ["111/QĐ-UBND", "222/QĐ-UBND"]);
    let publications = admin.get("/api/v1/publications").json()["publications"].clone();
    assert_eq!(publications.as_array().unwrap().len(), 3, "seed and two approvals: {publications}");
    assert_eq!(publications[2]["by"], "Văn phòng Điều phối NTM Trung ương", "{publications}");
    let public = format!("{h}{publications}");
    assert!(!public.contains(HA_TINH.0) && !public.contains(ADMIN.0), "a username in a public answer: {public}");

    // The change log page: both changes, newest first, and the same period as CSV.
    let key = format!("{}|{}", row["code"], row["year"]);
    let page = admin.get("/manage/changes?from=2000-01-01&to=2100-12-31&province=42");
    assert_eq!(page.status, 200, "{}", page.body);
    let (first, second) = (page.body.find("→ 111/QĐ-UBND").expect("the first change"), page.body.find("→ 222/QĐ-UBND").expect("the second change"));
    assert!(second < first, "newest first");
    assert!(page.body.contains(&key) && page.body.contains(&format!("/manage/submissions/{id1}")), "{}", page.body);
    assert!(page.body.contains("href=\"/manage/changes.csv?from=2000-01-01&amp;to=2100-12-31&amp;province=42\""), "{}", page.body);
    assert!(page.body.contains("value=\"2000-01-01\""), "the form keeps the filter: {}", page.body);
    let csv = admin.get("/manage/changes.csv?from=2000-01-01&to=2100-12-31&province=42");
    assert_eq!(csv.body.lines().count(), 3, "header and the two changes: {}", csv.body);
    // A period before the changes is empty; a bad date is named.
    assert!(admin.get("/manage/changes?to=2001-01-01").body.contains("id=\"changes\">Không có thay đổi"));
    let bad = admin.get("/manage/changes?from=2025-13-01");
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("2025-13-01"), "{}", bad.body);
    // Editors see their provinces only.
    assert!(ed.get("/manage/changes").body.contains(&key));
    assert!(!other.get("/manage/changes").body.contains(&key), "Nghệ An's editor sees none of Hà Tĩnh's changes");
    assert_eq!(other.get("/manage/changes?province=42").status, 403);
}

#[test]
fn an_upload_over_the_limit_is_refused_and_the_server_keeps_answering() {
    use std::io::{Read, Write};
    let o = office("workflow-limit");
    let (mut ed, csrf) = signed_in(&o.server, HA_TINH, "192.0.2.14");
    // Raw HTTP: the server may answer 413 and close before the body is all sent, which an
    // ordinary client reports as a broken pipe. The body goes from another thread, and the
    // answer is read whatever happens to the sending.
    let size = 25 * 1024 * 1024;
    let cookies: Vec<String> = ed.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let head = format!(
        "POST /api/v1/manage/uploads?file_name=big.xlsx HTTP/1.1\r\nHost: {}\r\nCookie: {}\r\nX-CSRF-Token: {csrf}\r\nX-Forwarded-For: 192.0.2.14\r\nContent-Type: application/octet-stream\r\nContent-Length: {size}\r\nConnection: close\r\n\r\n",
        o.server.addr(),
        cookies.join("; ")
    );
    let mut stream = std::net::TcpStream::connect(o.server.addr()).expect("connect");
    stream.write_all(head.as_bytes()).expect("request head");
    let mut writer = stream.try_clone().expect("clone");
    let sender = std::thread::spawn(move || {
        let chunk = vec![b'x'; 1 << 20];
        for _ in 0..size / chunk.len() {
            if writer.write_all(&chunk).is_err() {
                break;
            }
        }
    });
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    while let Ok(n) = stream.read(&mut buf) {
        if n == 0 {
            break;
        }
        answer.extend_from_slice(&buf[..n]);
    }
    let _ = sender.join();
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 413"), "{}", &text[..text.len().min(300)]);
    assert_eq!(ed.get("/readyz").status, 200);
    assert_eq!(ed.get("/api/v1/manage/submissions").status, 200);
}
