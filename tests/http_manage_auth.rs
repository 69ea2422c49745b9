//! Sign-in and authorization of the management routes, against the real server on
//! 127.0.0.1 with a real data folder whose accounts were created by `bando user add`.
//!
//! The route tables below list every management route; a test checks that they name
//! every management path of the OpenAPI document, so a new route joins the refusal
//! tests by adding one line here (and fails until it does).

mod common;

use common::manage::{Browser, DataDir};
use common::Server;
use serde_json::json;
use std::sync::OnceLock;

/// Every management route: (method, path with examples filled, JSON body or none).
const ROUTES: &[(&str, &str)] = &[
    ("GET", "/manage"),
    ("POST", "/manage/logout"),
    ("GET", "/api/v1/manage/tokens"),
    ("POST", "/api/v1/manage/tokens"),
    ("DELETE", "/api/v1/manage/tokens/1"),
    ("GET", "/api/v1/manage/accounts"),
    ("POST", "/api/v1/manage/accounts"),
    ("PATCH", "/api/v1/manage/accounts/ed"),
    ("GET", "/manage/template/42.xlsx"),
    ("POST", "/manage/uploads"),
    ("POST", "/api/v1/manage/uploads"),
    ("GET", "/manage/submissions"),
    ("GET", "/manage/submissions/1"),
    ("POST", "/manage/submissions/1/submit"),
    ("POST", "/manage/submissions/1/approve"),
    ("POST", "/manage/submissions/1/reject"),
    ("GET", "/api/v1/manage/submissions"),
    ("GET", "/api/v1/manage/submissions/1"),
    ("POST", "/api/v1/manage/submissions/1/submit"),
    ("POST", "/api/v1/manage/submissions/1/approve"),
    ("POST", "/api/v1/manage/submissions/1/reject"),
    ("GET", "/manage/changes.csv"),
    ("GET", "/manage/changes"),
    ("GET", "/manage/submissions/1/preview"),
    ("GET", "/manage/submissions/1/preview.png"),
    ("GET", "/manage/accounts"),
    ("POST", "/manage/accounts"),
    ("POST", "/manage/accounts/ed"),
];

/// The routes only admins may use (a province editor gets 403), with a valid body.
fn admin_routes() -> Vec<(&'static str, &'static str, serde_json::Value)> {
    vec![
        ("GET", "/api/v1/manage/accounts", json!(null)),
        ("GET", "/api/v1/manage/tokens?all=true", json!(null)),
        ("POST", "/api/v1/manage/accounts", json!({"username": "intruder", "role": "admin", "password": "intruder-password"})),
        ("PATCH", "/api/v1/manage/accounts/ed", json!({"role": "admin"})),
        ("POST", "/api/v1/manage/submissions/1/approve", json!({"decision": "1/QĐ"})),
        ("POST", "/api/v1/manage/submissions/1/reject", json!({"comment": "no"})),
    ]
}

/// Routes that need no sign-in.
const PUBLIC: &[(&str, &str)] = &[("GET", "/manage/login"), ("POST", "/manage/login")];

const ADMIN_PASSWORD: &str = "quan-tri-trung-uong-2025";
const EDITOR_PASSWORD: &str = "ha-tinh-bien-tap-42";
const REVIEWER_PASSWORD: &str = "nguoi-xem-xet-0001";

/// A data folder with an admin (`boss`), a Hà Tĩnh editor (`ed`, province 42) and a
/// reviewer (`viewer`), made with the CLI.
fn accounts(tag: &str) -> DataDir {
    let dir = DataDir::new(tag);
    dir.add_user("boss", "admin", &[], "Văn phòng Điều phối NTM Trung ương", ADMIN_PASSWORD);
    dir.add_user("ed", "province", &["42"], "VP Điều phối NTM Hà Tĩnh", EDITOR_PASSWORD);
    dir.add_user("viewer", "reviewer", &[], "Người xem xét", REVIEWER_PASSWORD);
    dir
}

/// One server on one data folder shared by the tests that do not count on a fresh
/// rate limit or the server's whole log. Each test uses its own client address.
fn shared() -> &'static (DataDir, Server) {
    static SHARED: OnceLock<(DataDir, Server)> = OnceLock::new();
    SHARED.get_or_init(|| {
        let dir = accounts("shared");
        let server = dir.serve(&[]);
        (dir, server)
    })
}

fn signed_in(server: &Server, address: &str, username: &str, password: &str) -> Browser {
    let mut browser = Browser::new(server, address);
    let answer = browser.login(username, password);
    assert_eq!(answer.status, 303, "login of {username}: {}", answer.body);
    browser
}

#[test]
fn the_route_tables_name_every_management_route_of_the_openapi_document() {
    let (_, server) = shared();
    let (_, doc) = server.get_json("/api/v1/openapi.json");
    for (template, item) in doc["paths"].as_object().unwrap() {
        if !(template.starts_with("/manage") || template.starts_with("/api/v1/manage")) {
            continue;
        }
        for (method, op) in item.as_object().unwrap() {
            let method = method.to_uppercase();
            let listed = ROUTES.iter().chain(PUBLIC).any(|(m, p)| *m == method && same_route(template, p));
            assert!(listed, "{method} {template} is missing from the route tables of this test");
            let public = PUBLIC.iter().any(|(m, p)| *m == method && p == template);
            assert_eq!(op.get("security").is_some(), !public, "{method} {template}: security is documented for every signed-in route");
        }
    }
    assert_eq!(doc["components"]["securitySchemes"]["sessionCookie"]["in"], "cookie");
    assert_eq!(doc["components"]["securitySchemes"]["apiToken"]["scheme"], "bearer");
}

/// Whether `path` fills `template`'s placeholders segment by segment.
fn same_route(template: &str, path: &str) -> bool {
    let (t, p): (Vec<&str>, Vec<&str>) = (template.split('/').collect(), path.split('?').next().unwrap().split('/').collect());
    t.len() == p.len() && t.iter().zip(&p).all(|(t, p)| t == p || t.starts_with('{'))
}

#[test]
fn login_sets_a_strict_http_only_session_cookie_and_opens_the_manage_page() {
    let (_, server) = shared();
    let mut browser = Browser::new(server, "192.0.2.10");
    let form = browser.get("/manage/login");
    assert_eq!(form.status, 200);
    assert!(form.header("content-type").unwrap().starts_with("text/html"));
    // Vietnamese first, English alongside.
    let vi = form.body.find("Đăng nhập").expect("Vietnamese title");
    assert!(form.body[vi..].contains("Sign in"));
    assert!(form.header("content-security-policy").unwrap().contains("frame-ancestors 'none'"));
    let icon = browser.get(common::icon_href(&form.body));
    assert_eq!((icon.status, icon.header("content-type")), (200, Some("image/svg+xml")));
    let answer = browser.login("ed", EDITOR_PASSWORD);
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert_eq!(answer.header("location"), Some("/manage"));
    let session = answer.set_cookies().into_iter().find(|c| c.starts_with("bando_session=")).expect("session cookie");
    let attributes: Vec<&str> = session.split(';').map(str::trim).collect();
    for wanted in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(attributes.contains(&wanted), "{wanted} in {session}");
    }
    assert!(!attributes.contains(&"Secure"), "plain HTTP from a client: no Secure ({session})");
    let value = attributes[0].trim_start_matches("bando_session=");
    assert!(value.len() >= 43, "a 32-byte token: {value}");
    let page = browser.get("/manage");
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("VP Điều phối NTM Hà Tĩnh") && page.body.contains("(ed)"), "{}", page.body);
    // The province's name comes from the 2025 reference table.
    let ha_tinh = common::csv_rows(common::reference("communes-2025.csv"))
        .into_iter()
        .find(|r| r["province_code"] == "42")
        .map(|r| r["province_name"].clone())
        .expect("province 42 in the reference table");
    assert!(page.body.contains(&format!("42 {ha_tinh}")), "{}", page.body);
    // Its template is named too.
    assert!(page.body.contains(&format!("<a class=\"template\" href=\"/manage/template/42.xlsx\">42 {ha_tinh}</a>")), "{}", page.body);
    assert!(!page.body.contains("/manage/accounts"), "an editor sees no admin section");
    assert_eq!(page.header("cache-control"), Some("no-store"));

    // Behind a trusted proxy that says HTTPS, the cookie is Secure.
    let mut secure = Browser::new(server, "192.0.2.11");
    let form = secure.get("/manage/login");
    let csrf = form.hidden_field("csrf").unwrap();
    let body = format!("username=boss&password={}&csrf={csrf}", common::manage::encode(ADMIN_PASSWORD));
    let answer = secure.send("POST", "/manage/login", &[("X-Forwarded-Proto", "https")], Some(("application/x-www-form-urlencoded", &body)));
    assert_eq!(answer.status, 303, "{}", answer.body);
    let session = answer.set_cookies().into_iter().find(|c| c.starts_with("bando_session=")).unwrap().to_string();
    assert!(session.split(';').any(|a| a.trim() == "Secure"), "{session}");
    let admin_page = secure.get("/manage");
    assert!(admin_page.body.contains("/manage/accounts"), "an admin sees the accounts section");
}

#[test]
fn a_wrong_password_is_refused_with_401_and_logged() {
    let (dir, server) = shared();
    let mut browser = Browser::new(server, "192.0.2.20");
    let answer = browser.login("viewer", "not-the-password");
    assert_eq!(answer.status, 401, "{}", answer.body);
    assert!(answer.body.contains("Sai tên đăng nhập hoặc mật khẩu") && answer.body.contains("Wrong username or password"));
    assert!(answer.set_cookies().iter().all(|c| !c.starts_with("bando_session=")), "no session");
    assert_eq!(browser.get("/manage").status, 303);
    let store = bando::store::Store::open(std::path::Path::new(dir.path())).unwrap();
    let log = store.auth_log(500).unwrap();
    let failure = log.iter().find(|e| e.event == "login_failed" && e.client == "192.0.2.20").expect("the failure is in the authentication log");
    assert_eq!((failure.username.as_str(), failure.detail.as_deref()), ("viewer", Some("wrong password")));
    // An unknown name is refused the same way and logged too.
    let answer = browser.login("nobody-here", "not-the-password");
    assert_eq!(answer.status, 401);
    let log = store.auth_log(500).unwrap();
    assert!(log.iter().any(|e| e.event == "login_failed" && e.username == "nobody-here" && e.detail.as_deref() == Some("unknown username")));
}

#[test]
fn anonymous_requests_are_refused_on_every_management_route() {
    let (_, server) = shared();
    let mut anonymous = Browser::new(server, "192.0.2.30");
    for (method, path) in ROUTES {
        let answer = anonymous.send(method, path, &[], Some(("application/json", "{}")));
        if path.starts_with("/api/v1/manage") {
            assert_eq!(answer.status, 401, "{method} {path}: {}", answer.body);
            assert!(answer.header("www-authenticate").unwrap().starts_with("Bearer"), "{method} {path}");
            assert_eq!(answer.json()["error"]["status"], 401, "{method} {path}");
        } else if *method == "GET" && !path.ends_with(".png") {
            assert_eq!(answer.status, 303, "{method} {path}");
            assert_eq!(answer.header("location"), Some("/manage/login"), "{method} {path}");
        } else {
            assert_eq!(answer.status, 401, "{method} {path}");
        }
    }
    // A made-up session cookie or token is no better.
    anonymous.cookies.insert("bando_session".into(), "forged-session-value".into());
    assert_eq!(anonymous.get("/manage").status, 303);
    assert_eq!(anonymous.get("/api/v1/manage/tokens").status, 401);
    let forged = anonymous.send("GET", "/api/v1/manage/tokens", &[("Authorization", "Bearer bando_forged")], None);
    assert_eq!(forged.status, 401);
    // A path under the prefix that no route serves is refused before the fallback too.
    assert_eq!(Browser::new(server, "192.0.2.31").get("/api/v1/manage/not-yet-built").status, 401);
}

#[test]
fn a_province_editor_and_a_reviewer_are_refused_admin_routes_with_403() {
    let (_, server) = shared();
    for (user, password, address) in [("ed", EDITOR_PASSWORD, "192.0.2.40"), ("viewer", REVIEWER_PASSWORD, "192.0.2.41")] {
        let mut browser = signed_in(server, address, user, password);
        let csrf = browser.csrf();
        for (method, path, body) in admin_routes() {
            let answer = browser.json(method, path, Some(&csrf), &body);
            assert_eq!(answer.status, 403, "{user}: {method} {path}: {}", answer.body);
            let message = answer.json()["error"]["message"].as_str().unwrap().to_string();
            assert!(message.contains("only an admin") && message.contains(user), "{message}");
        }
    }
    // The same requests from the admin succeed.
    let mut admin = signed_in(server, "192.0.2.42", "boss", ADMIN_PASSWORD);
    let csrf = admin.csrf();
    let listed = admin.json("GET", "/api/v1/manage/accounts", None, &json!(null));
    assert_eq!(listed.status, 200);
    let names: Vec<String> = listed.json()["accounts"].as_array().unwrap().iter().map(|a| a["username"].as_str().unwrap().to_string()).collect();
    assert!(names.iter().any(|n| n == "ed") && names.iter().any(|n| n == "boss"), "{names:?}");
    assert!(!listed.body.contains("argon2") && !listed.body.contains("password"), "{}", listed.body);
    let added = admin.json("POST", "/api/v1/manage/accounts", Some(&csrf), &json!({"username": "nghe.an", "role": "province", "provinces": ["40"], "password": "nghe-an-password"}));
    assert_eq!(added.status, 201, "{}", added.body);
    assert_eq!(added.json()["provinces"], json!(["40"]));
    let unknown = admin.json("POST", "/api/v1/manage/accounts", Some(&csrf), &json!({"username": "x9", "role": "province", "provinces": ["99"], "password": "long-enough-1"}));
    assert_eq!((unknown.status, unknown.json()["error"]["parameter"].as_str()), (400, Some("provinces")));
    let changed = admin.json("PATCH", "/api/v1/manage/accounts/nghe.an", Some(&csrf), &json!({"provinces": ["40", "42"]}));
    assert_eq!((changed.status, changed.json()["provinces"].clone()), (200, json!(["40", "42"])), "{}", changed.body);
    let own = admin.json("PATCH", "/api/v1/manage/accounts/boss", Some(&csrf), &json!({"disabled": true}));
    assert_eq!(own.status, 409);
}

/// A form post of `body` (urlencoded).
fn post_form(browser: &mut Browser, path: &str, body: &str) -> common::manage::Answer {
    browser.send("POST", path, &[], Some(("application/x-www-form-urlencoded", body)))
}

#[test]
fn the_accounts_page_is_for_admins_and_its_forms_work_without_script() {
    let (_, server) = shared();
    for (user, password, address) in [("ed", EDITOR_PASSWORD, "192.0.2.44"), ("viewer", REVIEWER_PASSWORD, "192.0.2.45")] {
        let mut browser = signed_in(server, address, user, password);
        let csrf = browser.csrf();
        let page = browser.get("/manage/accounts");
        assert_eq!(page.status, 403, "{user}: {}", page.body);
        assert!(page.body.contains("only an admin") && !page.body.contains("boss"), "{user}: {}", page.body);
        let add = post_form(&mut browser, "/manage/accounts", &format!("csrf={csrf}&username=sneaky&role=admin&password=sneaky-password-1"));
        assert_eq!(add.status, 403, "{user}: {}", add.body);
        let change = post_form(&mut browser, "/manage/accounts/ed", &format!("csrf={csrf}&role=admin"));
        assert_eq!(change.status, 403, "{user}: {}", change.body);
        assert!(!browser.get("/manage").body.contains("href=\"/manage/accounts\""), "{user} is not shown the accounts page");
    }
    let mut admin = signed_in(server, "192.0.2.46", "boss", ADMIN_PASSWORD);
    let csrf = admin.csrf();
    assert!(admin.get("/manage").body.contains("href=\"/manage/accounts\""), "the admin's home links the accounts page");
    let page = admin.get("/manage/accounts");
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("id=\"add-account\"") && page.body.contains("id=\"account-ed\""), "{}", page.body);
    assert_eq!(page.hidden_field("csrf").as_deref(), Some(csrf.as_str()), "the forms carry the session's CSRF token");
    let account = |admin: &mut Browser, name: &str| {
        let list = admin.json("GET", "/api/v1/manage/accounts", None, &json!(null)).json();
        list["accounts"].as_array().unwrap().iter().find(|a| a["username"] == name).cloned().unwrap_or_else(|| panic!("{name} in {list}"))
    };

    // Add, as the form sends it: provinces as one text.
    let added = post_form(&mut admin, "/manage/accounts", &format!("csrf={csrf}&username=form.added&name=VP+NTM+Ngh%E1%BB%87+An&role=province&provinces=42%2C+40&password=form-password-0001"));
    assert_eq!((added.status, added.header("location")), (303, Some("/manage/accounts?saved=form.added")), "{}", added.body);
    let saved = admin.get("/manage/accounts?saved=form.added");
    assert!(saved.body.contains("id=\"saved\"") && saved.body.contains("id=\"account-form.added\""), "{}", saved.body);
    let a = account(&mut admin, "form.added");
    assert_eq!((a["role"].as_str(), a["provinces"].clone(), a["display_name"].as_str()), (Some("province"), json!(["40", "42"]), Some("VP NTM Nghệ An")));

    // Disable and enable, change the role, reset the password: each form its fields.
    let path = "/manage/accounts/form.added";
    assert_eq!(post_form(&mut admin, path, &format!("csrf={csrf}&disabled=true")).status, 303);
    assert_eq!(account(&mut admin, "form.added")["disabled"], true);
    assert_eq!(Browser::new(server, "192.0.2.47").login("form.added", "form-password-0001").status, 401, "a disabled account cannot sign in");
    assert_eq!(post_form(&mut admin, path, &format!("csrf={csrf}&disabled=false")).status, 303);
    assert_eq!(account(&mut admin, "form.added")["disabled"], false);
    assert_eq!(post_form(&mut admin, path, &format!("csrf={csrf}&role=reviewer&provinces=42%2C+40")).status, 303);
    let a = account(&mut admin, "form.added");
    assert_eq!((a["role"].as_str(), a["provinces"].clone()), (Some("reviewer"), json!([])));
    assert_eq!(post_form(&mut admin, path, &format!("csrf={csrf}&password=form-password-0002")).status, 303);
    assert_eq!(Browser::new(server, "192.0.2.47").login("form.added", "form-password-0001").status, 401, "the old password is gone");
    assert_eq!(Browser::new(server, "192.0.2.47").login("form.added", "form-password-0002").status, 303, "the new one works");

    // Refusals show the page again with the message and its status.
    let unknown = post_form(&mut admin, path, &format!("csrf={csrf}&role=province&provinces=99"));
    assert_eq!(unknown.status, 400, "{}", unknown.body);
    assert!(unknown.body.contains("id=\"refused\"") && unknown.body.contains("99"), "{}", unknown.body);
    let short = post_form(&mut admin, path, &format!("csrf={csrf}&password=short"));
    assert_eq!(short.status, 400, "{}", short.body);
    let own = post_form(&mut admin, "/manage/accounts/boss", &format!("csrf={csrf}&disabled=true"));
    assert_eq!(own.status, 409, "{}", own.body);
    let taken = post_form(&mut admin, "/manage/accounts", &format!("csrf={csrf}&username=ed&role=reviewer&password=long-enough-pw-1"));
    assert_eq!(taken.status, 409, "{}", taken.body);
    // Without the CSRF field: refused, nothing changed.
    let forged = post_form(&mut admin, path, "disabled=true");
    assert_eq!(forged.status, 403, "{}", forged.body);
    assert_eq!(account(&mut admin, "form.added")["disabled"], false);
}

#[test]
fn state_changing_requests_with_the_cookie_need_the_csrf_token() {
    let (_, server) = shared();
    let mut browser = signed_in(server, "192.0.2.50", "boss", ADMIN_PASSWORD);
    let csrf = browser.csrf();
    for (method, path) in ROUTES.iter().filter(|(m, _)| *m != "GET") {
        for offered in [None, Some("wrong-token")] {
            let answer = browser.json(method, path, offered, &json!({}));
            assert_eq!(answer.status, 403, "{method} {path} with CSRF {offered:?}: {}", answer.body);
            assert!(answer.body.contains("CSRF"), "{method} {path}: {}", answer.body);
        }
    }
    // The right header passes.
    let created = browser.json("POST", "/api/v1/manage/tokens", Some(&csrf), &json!({"name": "csrf test"}));
    assert_eq!(created.status, 201, "{}", created.body);
    // A login form posted without its cookie (another site's form) is refused.
    let mut other = Browser::new(server, "192.0.2.51");
    let body = format!("username=boss&password={}&csrf=made-up", common::manage::encode(ADMIN_PASSWORD));
    let answer = other.send("POST", "/manage/login", &[], Some(("application/x-www-form-urlencoded", &body)));
    assert_eq!(answer.status, 403, "{}", answer.body);
    assert!(answer.set_cookies().iter().all(|c| !c.starts_with("bando_session=")));
    // The logout form: refused without its field, accepted with it.
    let answer = browser.send("POST", "/manage/logout", &[], Some(("application/x-www-form-urlencoded", "csrf=wrong")));
    assert_eq!(answer.status, 403);
    let answer = browser.send("POST", "/manage/logout", &[], Some(("application/x-www-form-urlencoded", &format!("csrf={csrf}"))));
    assert_eq!((answer.status, answer.header("location")), (303, Some("/manage/login")));
    assert_eq!(browser.get("/manage").status, 303, "signed out");
}

#[test]
fn api_tokens_work_without_csrf_and_a_revoked_token_is_refused_with_401() {
    let (dir, server) = shared();
    let mut browser = signed_in(server, "192.0.2.60", "ed", EDITOR_PASSWORD);
    let csrf = browser.csrf();
    let created = browser.json("POST", "/api/v1/manage/tokens", Some(&csrf), &json!({"name": "nightly upload"}));
    assert_eq!(created.status, 201, "{}", created.body);
    let (id, token) = (created.json()["id"].as_i64().unwrap(), created.json()["token"].as_str().unwrap().to_string());
    let bearer = format!("Bearer {token}");
    let mut script = Browser::new(server, "192.0.2.61");
    let listed = script.send("GET", "/api/v1/manage/tokens", &[("Authorization", &bearer)], None);
    assert_eq!(listed.status, 200, "{}", listed.body);
    assert!(!listed.body.contains(&token), "the list never shows a secret");
    assert!(listed.json()["tokens"].as_array().unwrap().iter().any(|t| t["id"] == id && t["last_used_at"].is_i64()));
    // A state-changing request with the token needs no CSRF token.
    let second = script.send("POST", "/api/v1/manage/tokens", &[("Authorization", &bearer)], Some(("application/json", r#"{"name":"second"}"#)));
    assert_eq!(second.status, 201, "{}", second.body);
    // Another editor cannot see or revoke it.
    let mut reviewer = signed_in(server, "192.0.2.62", "viewer", REVIEWER_PASSWORD);
    let viewer_csrf = reviewer.csrf();
    assert_eq!(reviewer.json("DELETE", &format!("/api/v1/manage/tokens/{id}"), Some(&viewer_csrf), &json!(null)).status, 404);
    // Revoked: 401 from then on.
    let revoked = browser.json("DELETE", &format!("/api/v1/manage/tokens/{id}"), Some(&csrf), &json!(null));
    assert_eq!(revoked.status, 204, "{}", revoked.body);
    let refused = script.send("GET", "/api/v1/manage/tokens", &[("Authorization", &bearer)], None);
    assert_eq!(refused.status, 401, "{}", refused.body);
    let store = bando::store::Store::open(std::path::Path::new(dir.path())).unwrap();
    let log = store.auth_log(500).unwrap();
    assert!(log.iter().any(|e| e.event == "token_revoked" && e.username == "ed" && e.client == "192.0.2.60"));
}

#[test]
fn a_disabled_account_loses_its_session_and_its_tokens() {
    let dir = accounts("disable");
    let server = dir.serve(&[]);
    let mut browser = signed_in(&server, "192.0.2.70", "ed", EDITOR_PASSWORD);
    let csrf = browser.csrf();
    let token = browser.json("POST", "/api/v1/manage/tokens", Some(&csrf), &json!({"name": "t"})).json()["token"].as_str().unwrap().to_string();
    let (ok, out, err) = dir.user(&["disable", "ed"], "");
    assert!(ok, "{out}{err}");
    assert_eq!(browser.get("/manage").status, 303);
    let mut script = Browser::new(&server, "192.0.2.71");
    assert_eq!(script.send("GET", "/api/v1/manage/tokens", &[("Authorization", &format!("Bearer {token}"))], None).status, 401);
    assert_eq!(Browser::new(&server, "192.0.2.72").login("ed", EDITOR_PASSWORD).status, 401);
}

#[test]
fn failed_logins_are_rate_limited_per_account_and_per_address() {
    let dir = accounts("ratelimit");
    // An https public URL: every cookie is Secure, whatever the proxy says.
    let server = dir.serve(&["--public-url", "https://bando.example.vn"]);
    // Per account: 5 failures (from several addresses), then even the right password waits.
    for i in 0..5 {
        let answer = Browser::new(&server, &format!("198.51.100.{i}")).login("ed", "wrong-password-x");
        assert_eq!(answer.status, 401, "failure {i}");
    }
    let answer = Browser::new(&server, "198.51.100.9").login("ed", EDITOR_PASSWORD);
    assert_eq!(answer.status, 429, "{}", answer.body);
    let retry: u64 = answer.header("retry-after").expect("Retry-After").parse().unwrap();
    assert!((1..=900).contains(&retry), "{retry}");
    assert!(answer.body.contains("quá nhiều lần"), "{}", answer.body);
    // Other accounts are not held up by it.
    let answer = Browser::new(&server, "198.51.100.9").login("viewer", REVIEWER_PASSWORD);
    assert_eq!(answer.status, 303);
    let session = answer.set_cookies().into_iter().find(|c| c.starts_with("bando_session=")).unwrap().to_string();
    assert!(session.split(';').any(|a| a.trim() == "Secure"), "--public-url https: {session}");
    // Per address: 20 failures under any names, then that address waits, others do not.
    for i in 0..20 {
        let answer = Browser::new(&server, "203.0.113.5").login(&format!("guess{i}"), "wrong-password-y");
        assert_eq!(answer.status, 401, "failure {i}");
    }
    assert_eq!(Browser::new(&server, "203.0.113.5").login("boss", ADMIN_PASSWORD).status, 429);
    assert_eq!(Browser::new(&server, "203.0.113.6").login("boss", ADMIN_PASSWORD).status, 303);
    let store = bando::store::Store::open(std::path::Path::new(dir.path())).unwrap();
    assert!(store.auth_log(100).unwrap().iter().any(|e| e.event == "login_throttled" && e.username == "boss" && e.client == "203.0.113.5"));
}

#[test]
fn passwords_hashes_and_tokens_never_appear_in_answers_or_logs() {
    let dir = accounts("secrets");
    let mut server = dir.serve(&["--log", "debug,hyper=info,h2=info"]);
    let mut admin = signed_in(&server, "192.0.2.80", "boss", ADMIN_PASSWORD);
    let session = admin.cookies["bando_session"].clone();
    let csrf = admin.csrf();
    let created = admin.json("POST", "/api/v1/manage/tokens", Some(&csrf), &json!({"name": "leak check"}));
    let token = created.json()["token"].as_str().unwrap().to_string();
    let new_password = "a-brand-new-password-7";
    let added = admin.json("POST", "/api/v1/manage/accounts", Some(&csrf), &json!({"username": "quang.tri", "role": "province", "provinces": ["44"], "password": new_password}));
    assert_eq!(added.status, 201, "{}", added.body);
    let reset_password = "reset-password-value-8";
    assert_eq!(admin.json("PATCH", "/api/v1/manage/accounts/quang.tri", Some(&csrf), &json!({"password": reset_password, "role": "reviewer"})).status, 200);
    admin.json("GET", "/api/v1/manage/accounts", None, &json!(null));
    admin.send("GET", "/api/v1/manage/tokens?all=true", &[("Authorization", &format!("Bearer {token}"))], None);
    admin.json("DELETE", "/api/v1/manage/tokens/1", Some(&csrf), &json!(null));
    admin.send("GET", "/api/v1/manage/tokens", &[("Authorization", &format!("Bearer {token}"))], None);
    let mut failing = Browser::new(&server, "192.0.2.81");
    failing.login("ed", "ha-tinh-wrong-password");
    failing.login("ed", EDITOR_PASSWORD);
    let (ok, listing, err) = dir.user(&["list"], "");
    assert!(ok, "{err}");
    assert!(listing.contains("quang.tri") && listing.contains("reviewer"), "{listing}");
    server.signal("TERM");
    server.wait_exit(std::time::Duration::from_secs(30)).expect("the server stops");
    let logs = format!("{}{}", server.stdout(), server.stderr());
    assert!(logs.contains("login failed") && logs.contains("role changed"), "the server logs logins and role changes: {logs}");

    let secrets = [ADMIN_PASSWORD, EDITOR_PASSWORD, "ha-tinh-wrong-password", new_password, reset_password, &token, &session, "$argon2"];
    // The token is in the one answer that creates it, and nowhere else.
    let answers: Vec<String> = admin.log.iter().chain(&failing.log).filter(|a| a.body != created.body).map(|a| format!("{:?}\n{}", a.headers, a.body)).collect();
    for secret in secrets {
        let place = |text: &str| text.contains(secret) && !(secret == session && text.contains(&format!("bando_session={session}")));
        for (i, answer) in answers.iter().enumerate() {
            assert!(!place(answer), "answer {i} shows a secret ({}…): {answer}", &secret[..4]);
        }
        assert!(!logs.contains(secret), "the server log shows a secret ({}…)", &secret[..4]);
        assert!(!listing.contains(secret), "bando user list shows a secret");
    }
    let store = bando::store::Store::open(std::path::Path::new(dir.path())).unwrap();
    let log = format!("{:?}", store.auth_log(1000).unwrap());
    for secret in secrets {
        assert!(!log.contains(secret), "the authentication log holds a secret ({}…)", &secret[..4]);
    }
    assert!(log.contains("role_changed") && log.contains("password_reset") && log.contains("token_created"), "{log}");
}

#[test]
fn the_cli_refuses_short_passwords_and_unknown_provinces() {
    let dir = DataDir::new("cli");
    let (ok, _, err) = dir.user(&["add", "ed", "--role", "province", "--province", "42"], "short\n");
    assert!(!ok && err.contains("at least 10 characters"), "{err}");
    let (ok, _, err) = dir.user(&["add", "ed", "--role", "province", "--province", "42", "--province", "99"], "long-enough-pw\n");
    assert!(!ok && err.contains("99") && err.contains("2025"), "{err}");
    let (ok, _, err) = dir.user(&["add", "ed", "--role", "province"], "long-enough-pw\n");
    assert!(!ok && err.contains("at least one province"), "{err}");
    dir.add_user("ed", "province", &["42"], "Hà Tĩnh", "long-enough-pw");
    let (ok, _, err) = dir.user(&["add", "ED", "--role", "admin"], "long-enough-pw\n");
    assert!(!ok && err.contains("already exists"), "{err}");
    let (ok, out, err) = dir.user(&["set-role", "ed", "--role", "reviewer"], "");
    assert!(ok && out.contains("reviewer"), "{out}{err}");
    let (ok, out, _) = dir.user(&["list"], "");
    assert!(ok && out.contains("ed") && out.contains("reviewer") && !out.contains("$argon2"), "{out}");
    let store = bando::store::Store::open(std::path::Path::new(dir.path())).unwrap();
    let log = store.auth_log(10).unwrap();
    assert_eq!(log[0].event, "role_changed");
    assert_eq!((log[0].client.as_str(), log[0].detail.as_deref()), ("command line", Some("province 42 → reviewer")));
}

#[test]
fn without_a_data_dir_the_management_routes_answer_404() {
    let server = Server::start(&[]);
    let mut browser = Browser::new(&server, "192.0.2.90");
    for (method, path) in ROUTES.iter().chain(PUBLIC) {
        let answer = browser.send(method, path, &[], None);
        assert_eq!(answer.status, 404, "{method} {path}");
        assert!(answer.body.contains("--data-dir"), "{method} {path}: {}", answer.body);
    }
}
