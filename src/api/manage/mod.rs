//! The management area: accounts and authentication for the offices that keep the data.
//! Present only when the server has a store (`--data-dir`); without one every path below
//! answers 404.
//!
//! Routes:
//! - `GET /manage/login`, `POST /manage/login`: the sign-in form ([`login`]);
//! - `POST /manage/logout`;
//! - `GET /manage`: the home page of the signed-in editor ([`page`]);
//! - `GET|POST /api/v1/manage/tokens`, `DELETE /api/v1/manage/tokens/{id}`: API tokens
//!   for scripts ([`tokens`]);
//! - `GET|POST /api/v1/manage/accounts`, `PATCH /api/v1/manage/accounts/{username}`:
//!   accounts, for admins ([`accounts`]); `GET|POST /manage/accounts`,
//!   `POST /manage/accounts/{username}`: the same as a page with forms ([`accounts_page`]);
//! - the submission workflow ([`submissions`]) and its draft previews ([`preview`]);
//! - `GET /manage/changes` (a page, [`changes_page`]) and `/manage/changes.csv`
//!   ([`changes`]): the change log.
//!
//! Every path under `/manage` and `/api/v1/manage` goes through [`auth::authenticate`]
//! (sign-in and CSRF); handlers take the [`Editor`] extractor and call
//! [`Editor::require_admin`] or [`Editor::require_province`]. Failed logins are
//! rate-limited in memory ([`rate_limit`]).

pub mod accounts;
pub mod accounts_page;
pub mod auth;
pub mod changes;
pub mod changes_page;
pub mod error;
pub mod login;
pub mod page;
pub mod preview;
pub mod rate_limit;
pub mod submissions;
pub mod tokens;

pub use auth::{require_admin, require_province, Client, Editor, Via};
pub use error::ManageError;

use super::openapi::{error_answer, path_param, query_param, ApiRouter};
use axum::handler::Handler;
use serde_json::{json, Value};
use std::net::IpAddr;

/// Settings of the management area (flags of `bando serve`) and the login failure counts.
#[derive(Debug)]
pub struct ManageSettings {
    /// Addresses of reverse proxies whose `X-Forwarded-For` and `X-Forwarded-Proto` are
    /// believed.
    pub trusted_proxies: Vec<IpAddr>,
    /// The public URL is https: every cookie is `Secure`.
    pub https: bool,
    pub limiter: rate_limit::LoginLimiter,
}

impl Default for ManageSettings {
    /// As `bando serve` with no flag: a proxy on the same machine is trusted, plain HTTP,
    /// the default login limits.
    fn default() -> Self {
        ManageSettings {
            trusted_proxies: vec![IpAddr::from([127, 0, 0, 1]), IpAddr::from(std::net::Ipv6Addr::LOCALHOST)],
            https: false,
            limiter: rate_limit::LoginLimiter::default(),
        }
    }
}

/// Registers the management routes with their documentation.
pub fn routes(api: ApiRouter) -> ApiRouter {
    api.get("/manage", page::home, home_doc())
        .get("/manage/login", login::form, login_form_doc())
        .post("/manage/login", login::login, login_doc())
        .post("/manage/logout", login::logout, logout_doc())
        .get("/api/v1/manage/tokens", tokens::list, list_tokens_doc())
        .post("/api/v1/manage/tokens", tokens::create, create_token_doc())
        .delete("/api/v1/manage/tokens/{id}", tokens::revoke, revoke_token_doc())
        .get("/api/v1/manage/accounts", accounts::list, list_accounts_doc())
        .post("/api/v1/manage/accounts", accounts::add, add_account_doc())
        .patch("/api/v1/manage/accounts/{username}", accounts::change, change_account_doc())
        .get_as("/manage/template/{file}", "/manage/template/{province}.xlsx", submissions::template, template_doc())
        .post("/manage/uploads", submissions::upload_form.layer(upload_limit()), upload_form_doc())
        .post("/api/v1/manage/uploads", submissions::upload_api.layer(upload_limit()), upload_api_doc())
        .get("/manage/submissions", submissions::list_page, page_doc("The submissions the account may see", None))
        .get("/manage/submissions/{id}", submissions::show_page, page_doc("A submission: status, diff old → new, and the forms the account may use", Some("1")))
        .post("/manage/submissions/{id}/submit", submissions::submit_form, action_form_doc("Submit a draft for review", false, "6"))
        .post("/manage/submissions/{id}/approve", submissions::approve_form, action_form_doc("Approve and publish (admins)", true, "4"))
        .post("/manage/submissions/{id}/reject", submissions::reject_form, action_form_doc("Reject with a comment (admins)", true, "5"))
        .get("/api/v1/manage/submissions", submissions::list_api, list_submissions_doc())
        .get("/api/v1/manage/submissions/{id}", submissions::show_api, show_submission_doc())
        .post("/api/v1/manage/submissions/{id}/submit", submissions::submit_api, action_api_doc("Submit a draft for review", false, "3"))
        .post("/api/v1/manage/submissions/{id}/approve", submissions::approve_api, action_api_doc("Approve and publish (admins); body {comment, decision, conflicts: overwrite|keep_published}", true, "1"))
        .post("/api/v1/manage/submissions/{id}/reject", submissions::reject_api, action_api_doc("Reject (admins); body {comment}", true, "2"))
        .get("/manage/submissions/{id}/preview", preview::page, preview_page_doc())
        .get("/manage/submissions/{id}/preview.png", preview::png, preview_png_doc())
        .get("/manage/changes.csv", changes::changes_csv, changes_doc())
        .get("/manage/changes", changes_page::page, changes_page_doc())
        .get("/manage/accounts", accounts_page::page, accounts_page_doc())
        .post("/manage/accounts", accounts_page::add, add_account_form_doc())
        .post("/manage/accounts/{username}", accounts_page::change, change_account_form_doc())
}

/// The answers of a signed-in HTML page; `admin`: refused to other roles (403).
fn html_page_responses(admin: bool) -> Value {
    let mut r = json!({"200": html("The page (Vietnamese first, English alongside)"), "303": {"description": "Not signed in: the login page"}, "404": html("The server runs without --data-dir")});
    if admin {
        r["403"] = html("Not an admin account");
    }
    r
}

fn period_params() -> Vec<Value> {
    vec![
        query_param("from", "First day (YYYY-MM-DD)", json!({"type": "string", "format": "date"}), json!("2025-01-01")),
        query_param("to", "Last day", json!({"type": "string", "format": "date"}), json!("2030-12-31")),
        query_param("province", "Province code", json!({"type": "string"}), json!("42")),
    ]
}

fn changes_page_doc() -> Value {
    let mut responses = html_page_responses(false);
    responses["400"] = html("A bad date");
    responses["403"] = html("A province editor asking for a province outside their own");
    json!({"summary": "The change log as a page: a filter form (from, to, province), the published changes of the period, newest first, and a link to the same as CSV. Province editors see their provinces only.",
        "security": signed_in(), "parameters": period_params(), "responses": responses})
}

fn accounts_page_doc() -> Value {
    json!({"summary": "The accounts page (admins only): every account with forms to change its role and provinces, disable or enable it, or reset its password, and a form to add one",
        "security": signed_in(),
        "parameters": [query_param("saved", "The account just saved (the page says so)", json!({"type": "string"}), json!("example.editor"))],
        "responses": html_page_responses(true)})
}

/// The answers of an account form post.
fn account_form_responses() -> Value {
    json!({"303": {"description": "Saved: to /manage/accounts?saved={username}"},
        "400": html("A wrong field: the page again with the message"),
        "401": html("Not signed in"),
        "403": html("Not an admin account, or a missing or wrong CSRF token"),
        "404": html("No such account, or the server runs without --data-dir"),
        "409": html("The username is taken, or an admin disabling or demoting their own account")})
}

fn add_account_form_doc() -> Value {
    json!({"summary": "Adds an account from the accounts page's form (admins only); as POST /api/v1/manage/accounts, provinces as one text (`42, 44`)",
        "security": signed_in(),
        "requestBody": {"required": true, "content": {"application/x-www-form-urlencoded": {
            "schema": {"type": "object", "required": ["username", "role", "password", "csrf"], "properties": {
                "csrf": {"type": "string"}, "username": {"type": "string"}, "name": {"type": "string"},
                "role": {"type": "string", "enum": ["admin", "province", "reviewer"]}, "provinces": {"type": "string", "description": "Province codes of edition 2025, separated by commas or spaces"},
                "password": {"type": "string", "format": "password", "minLength": 10}}},
            "example": "username=example.form&name=VP+NTM+Quang+Tri&role=province&provinces=44&password=example-form-password"}}},
        "responses": account_form_responses()})
}

fn change_account_form_doc() -> Value {
    json!({"summary": "Changes an account from the accounts page's forms (admins only): role and provinces, disabled (true/false), or a new password; each form sends only its fields",
        "security": signed_in(),
        "parameters": [path_param("username", "The account", "example.form")],
        "requestBody": {"required": true, "content": {"application/x-www-form-urlencoded": {
            "schema": {"type": "object", "required": ["csrf"], "properties": {
                "csrf": {"type": "string"}, "role": {"type": "string", "enum": ["admin", "province", "reviewer"]},
                "provinces": {"type": "string"}, "disabled": {"type": "string", "enum": ["true", "false"]},
                "password": {"type": "string", "format": "password", "minLength": 10}}},
            "example": "role=province&provinces=44%2C+42"}}},
        "responses": account_form_responses()})
}

fn preview_page_doc() -> Value {
    let mut responses = html_page_responses(false);
    responses["403"] = html("Another editor's draft: a preview is for its author, admins and reviewers");
    responses["404"] = html("No such submission (or one of another province), or the server runs without --data-dir");
    responses["409"] = html("The submission is approved or rejected: only a draft or a submitted one has a preview");
    json!({"summary": "A draft's map preview: the units it changes (level before → with the draft) and the map of their provinces with the draft applied beside the published one",
        "description": "Visible to the draft's author, admins and reviewers. The preview is built as an approval would build it, published nowhere, and kept for the last two drafts previewed.",
        "security": signed_in(), "parameters": [id_param("3")], "responses": responses})
}

fn preview_png_doc() -> Value {
    let q = |name: &str, description: &str, schema: Value, example: Value| query_param(name, description, schema, example);
    let mut responses = html_page_responses(false);
    responses["200"] = json!({"description": "The picture; Cache-Control: private, no-store; Server-Timing says whether the preview was built (preview;dur=) or cached (preview;desc=hit)", "content": {"image/png": {"schema": {"type": "string", "format": "binary"}}}});
    responses["400"] = html("A wrong parameter, named");
    responses["401"] = html("Not signed in");
    responses["403"] = html("Another editor's draft");
    responses["404"] = html("No such submission (or one of another province)");
    responses["409"] = html("The submission is approved or rejected");
    // A picture is refused with 401, never redirected to the sign-in form.
    if let Some(r) = responses.as_object_mut() {
        r.remove("303");
    }
    json!({"summary": "A static map drawn with the draft applied: the parameters of /static/{map}.png, and map (default ntm); without bbox or center, the provinces the draft touches",
        "security": signed_in(),
        "parameters": [id_param("3"),
            q("map", "ntm, tourism or …, as /static/{map}.png", json!({"type": "string", "default": "ntm"}), json!("ntm")),
            q("bbox", "minlon,minlat,maxlon,maxlat (or center and zoom; neither: the touched provinces)", json!({"type": "string"}), json!("105.1,17.8,106.6,18.8")),
            q("width", "Pixels, 1–4096", json!({"type": "integer", "default": 1024}), json!(320)),
            q("height", "Pixels, 1–4096", json!({"type": "integer", "default": 768}), json!(240)),
            q("edition", "2024 or 2025", json!({"type": "integer"}), json!(2024)),
            q("year", "The year shown", json!({"type": "integer"}), json!(2024)),
            q("lang", "vi or en", json!({"type": "string"}), json!("vi")),
            q("theme", "level, level:districts, level:provinces or criterion:N …", json!({"type": "string"}), json!("level"))],
        "responses": responses})
}

fn upload_limit() -> axum::extract::DefaultBodyLimit {
    axum::extract::DefaultBodyLimit::max(submissions::UPLOAD_BODY_LIMIT)
}

/// The submission number, with the example a test server's setup makes exist (each
/// action has its own draft, so one example's approval does not close another's).
fn id_param(example: &str) -> Value {
    path_param("id", "The submission number", example)
}

/// A one-row commune results CSV, as the examples of the upload routes: a Hà Tĩnh
/// commune's published record of the embedded data with its decision number corrected.
fn csv_example(row: &str) -> String {
    format!("code,year,level,criteria_met,recognized_on,decision\n{row},99/QĐ-UBND\n")
}

fn template_doc() -> Value {
    json!({"summary": "The province's Excel template, prefilled with its published values",
        "security": signed_in(),
        "parameters": [path_param("province", "Province code (edition 2025)", "42")],
        "responses": refusals(responses(&[("200", json!({"description": "The workbook", "content": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"schema": {"type": "string", "format": "binary"}}}}))]), false)})
}

fn upload_form_doc() -> Value {
    json!({"summary": "Upload a workbook or CSV file from the management page (multipart field `file`)",
        "description": "A clean file becomes a draft (303 to its page); a file with problems answers 422 with the report listing every problem by sheet, row, column and value, in Vietnamese and English. The CSRF token goes in the query (`?csrf=`), as the body is streamed.",
        "security": signed_in(),
        "parameters": [{"name": "csrf", "in": "query", "required": false, "description": "The session's CSRF token (or the X-CSRF-Token header)", "schema": {"type": "string"}}],
        "requestBody": {"content": {"multipart/form-data; boundary=bando": {"schema": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}},
            "example": format!("--bando\r\nContent-Disposition: form-data; name=\"file\"; filename=\"results-communes.csv\"\r\nContent-Type: text/csv\r\n\r\n{}\r\n--bando--\r\n", csv_example("18130,2019,dat_chuan,19,2019-11-25"))}}},
        "responses": refusals(responses(&[("303", json!({"description": "Stored as a draft: its page"})), ("413", error_answer("Larger than the upload limit")), ("422", html("The validation report"))]), false)})
}

fn upload_api_doc() -> Value {
    json!({"summary": "Upload a workbook or CSV file (the request body)",
        "description": "The file's name (`file_name`) tells its format. 201 with the draft and its diff, or 422 with the report: every problem by sheet, row, column and value, in Vietnamese and English.",
        "security": signed_in(),
        "parameters": [query_param("file_name", "The file's name, e.g. KetQua.xlsx or results-communes.csv", json!({"type": "string"}), json!("results-communes.csv")), csrf_header()],
        "requestBody": {"content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}, "example": csv_example("18142,2019,dat_chuan,19,2019-05-13")}}},
        "responses": refusals(responses(&[("201", json_ok("The draft and its diff", json!({"type": "object"}))), ("400", error_answer("No file_name")), ("413", error_answer("Larger than the upload limit")), ("422", json_ok("The validation report", json!({"type": "object"})))]), false)})
}

fn page_doc(summary: &str, id: Option<&str>) -> Value {
    let parameters: Vec<Value> = id.map(id_param).into_iter().collect();
    json!({"summary": summary, "security": signed_in(), "parameters": parameters, "responses": {"200": html("The page"), "303": {"description": "Not signed in: the login page"}, "404": html("No such submission, or the server runs without --data-dir")}})
}

fn action_form_doc(summary: &str, admin: bool, id: &str) -> Value {
    json!({"summary": summary, "security": signed_in(), "parameters": [id_param(id)],
        "requestBody": {"content": {"application/x-www-form-urlencoded": {"schema": {"type": "object", "properties": {
            "csrf": {"type": "string"}, "comment": {"type": "string"}, "decision": {"type": "string"}, "conflicts": {"type": "string", "enum": ["overwrite", "keep_published"]}}},
            "example": "comment=checked&decision=99%2FQD-UBND"}}},
        "responses": refusals(responses(&[("303", json!({"description": "Done: the submission's page"})), ("409", html("Conflicts to decide, or the submission is not in a state that allows it"))]), admin)})
}

fn list_submissions_doc() -> Value {
    json!({"summary": "The submissions the account may see, newest first", "security": signed_in(),
        "parameters": [query_param("status", "draft, submitted, approved or rejected", json!({"type": "string", "enum": ["draft", "submitted", "approved", "rejected"]}), json!("submitted"))],
        "responses": refusals(responses(&[("200", json_ok("The submissions", json!({"type": "object"})))]), false)})
}

fn show_submission_doc() -> Value {
    json!({"summary": "A submission and its diff against what is published", "security": signed_in(), "parameters": [id_param("1")],
        "responses": refusals(responses(&[("200", json_ok("The submission and its diff", json!({"type": "object"})))]), false)})
}

fn action_api_doc(summary: &str, admin: bool, id: &str) -> Value {
    json!({"summary": summary, "security": signed_in(), "parameters": [id_param(id), csrf_header()],
        "requestBody": {"required": false, "content": {"application/json": {"schema": {"type": "object", "properties": {
            "comment": {"type": "string"}, "decision": {"type": "string"}, "conflicts": {"type": "string", "enum": ["overwrite", "keep_published"]}}},
            "example": {"comment": "checked", "decision": "99/QĐ-UBND"}}}},
        "responses": refusals(responses(&[("200", json_ok("The submission after the action", json!({"type": "object"}))), ("409", error_answer("Conflicts to decide (listed), or not allowed in its state"))]), admin)})
}

fn changes_doc() -> Value {
    json!({"summary": "The published changes of a period, as CSV", "security": signed_in(),
        "parameters": period_params(),
        "responses": refusals(responses(&[("200", {let mut v = json!({"description": "The changes"}); v["content"] = json!({"text/csv": {"schema": {"type": "string"}}}); v}), ("400", error_answer("A bad date"))]), false)})
}

/// The `security` of a signed-in route: a session cookie or an API token.
fn signed_in() -> Value {
    json!([{"sessionCookie": []}, {"apiToken": []}])
}

/// The CSRF header of state-changing requests made with the session cookie.
fn csrf_header() -> Value {
    json!({"name": "X-CSRF-Token", "in": "header", "required": false,
        "description": "With the session cookie: the session's CSRF token (forms send the field `csrf` instead). Not needed with an API token.",
        "schema": {"type": "string"}})
}

fn html(description: &str) -> Value {
    json!({"description": description, "content": {"text/html": {"schema": {"type": "string"}}}})
}

fn json_ok(description: &str, schema: Value) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": schema}}})
}

/// The refusals every signed-in JSON route may answer.
fn refusals(mut responses: serde_json::Map<String, Value>, admin: bool) -> Value {
    responses.insert("401".into(), error_answer("No session or API token, or an expired or revoked one"));
    let forbidden = if admin { "Not an admin account, or (with the session cookie) a missing or wrong CSRF token" } else { "A missing or wrong CSRF token (with the session cookie)" };
    responses.insert("403".into(), error_answer(forbidden));
    responses.insert("404".into(), error_answer("The server runs without --data-dir (no management), or no such item"));
    Value::Object(responses)
}

fn responses(list: &[(&str, Value)]) -> serde_json::Map<String, Value> {
    list.iter().map(|(code, v)| (code.to_string(), v.clone())).collect()
}

/// The schema of an account as answered (no password, no hash).
pub fn account_schema() -> Value {
    json!({"type": "object", "required": ["id", "username", "display_name", "role", "provinces", "disabled"], "properties": {
        "id": {"type": "integer"},
        "username": {"type": "string"},
        "display_name": {"type": "string"},
        "role": {"type": "string", "enum": ["admin", "province", "reviewer"]},
        "provinces": {"type": "array", "items": {"type": "string", "pattern": "^[0-9]{2}$"}, "description": "Province codes of edition 2025 a province editor may change"},
        "disabled": {"type": "boolean"},
        "created_at": {"type": "integer", "description": "Unix seconds"},
        "updated_at": {"type": "integer", "description": "Unix seconds"}}})
}

fn token_schema(with_secret: bool) -> Value {
    let mut schema = json!({"type": "object", "required": ["id", "name", "created_at"], "properties": {
        "id": {"type": "integer"}, "account_id": {"type": "integer"}, "username": {"type": "string"}, "name": {"type": "string"},
        "created_at": {"type": "integer"}, "last_used_at": {"type": "integer", "nullable": true}, "revoked_at": {"type": "integer", "nullable": true}}});
    if with_secret {
        schema["properties"]["token"] = json!({"type": "string", "description": "The token, shown this once: send it as `Authorization: Bearer <token>`"});
        schema["required"] = json!(["id", "name", "created_at", "token"]);
    }
    schema
}

fn home_doc() -> Value {
    json!({
        "summary": "The management home page: who is signed in, their role and provinces, and the sections they may use",
        "tags": ["manage"],
        "security": signed_in(),
        "responses": {
            "200": html("The page (Vietnamese first, English alongside)"),
            "303": {"description": "Not signed in: to /manage/login"},
            "401": error_answer("A revoked or unknown API token"),
            "404": error_answer("The server runs without --data-dir"),
        },
    })
}

fn login_form_doc() -> Value {
    json!({
        "summary": "The sign-in form; sets the short-lived bando_login_csrf cookie its hidden field must match",
        "tags": ["manage"],
        "responses": {"200": html("The form"), "404": error_answer("The server runs without --data-dir")},
    })
}

fn login_doc() -> Value {
    json!({
        "summary": "Signs in: on success sets the bando_session cookie (HttpOnly, SameSite=Strict, Path=/, Secure over HTTPS) and redirects to /manage. Failed sign-ins are limited per account and per client address (429 with Retry-After).",
        "tags": ["manage"],
        "requestBody": {"required": true, "content": {"application/x-www-form-urlencoded": {
            "schema": {"type": "object", "required": ["username", "password", "csrf"], "properties": {
                "username": {"type": "string"}, "password": {"type": "string", "format": "password"},
                "csrf": {"type": "string", "description": "The hidden field of GET /manage/login, equal to its bando_login_csrf cookie"}}},
            "example": "username=ha.tinh&password=example-password&csrf=from-the-form"}}},
        "responses": {
            "303": {"description": "Signed in: to /manage, with the session cookie"},
            "401": html("Wrong username or password (the form again)"),
            "403": html("The form's CSRF field does not match its cookie (the form again)"),
            "404": error_answer("The server runs without --data-dir"),
            "429": html("Too many failed sign-ins for this account or address; Retry-After says when to try again"),
        },
    })
}

fn logout_doc() -> Value {
    json!({
        "summary": "Signs out: ends the session, clears the cookie and redirects to the sign-in form",
        "tags": ["manage"],
        "security": signed_in(),
        "parameters": [csrf_header()],
        "responses": {
            "303": {"description": "Signed out: to /manage/login"},
            "401": html("Not signed in"),
            "403": html("A missing or wrong CSRF token"),
            "404": error_answer("The server runs without --data-dir"),
        },
    })
}

fn list_tokens_doc() -> Value {
    json!({
        "summary": "The signed-in account's API tokens (never their secrets); all accounts' with all=true, for admins",
        "tags": ["manage"],
        "security": signed_in(),
        "parameters": [query_param("all", "Every account's tokens (admins only)", json!({"type": "boolean", "default": false}), json!(false))],
        "responses": refusals(responses(&[("200", json_ok("The tokens, newest first", json!({"type": "object", "properties": {"tokens": {"type": "array", "items": token_schema(false)}}})))]), false),
    })
}

fn create_token_doc() -> Value {
    json!({
        "summary": "Creates an API token for the signed-in account and answers it once; only its SHA-256 is kept",
        "tags": ["manage"],
        "security": signed_in(),
        "parameters": [csrf_header()],
        "requestBody": {"required": true, "content": {"application/json": {
            "schema": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string", "maxLength": 100, "description": "What the script does"}}},
            "example": {"name": "nightly upload"}}}},
        "responses": refusals(responses(&[("201", json_ok("The token, with its secret this once", token_schema(true))), ("400", error_answer("No name, or a name over 100 characters"))]), false),
    })
}

fn revoke_token_doc() -> Value {
    json!({
        "summary": "Revokes an API token (one's own; any, for an admin). It answers 401 from then on.",
        "tags": ["manage"],
        "security": signed_in(),
        "parameters": [path_param("id", "The token's id", "1"), csrf_header()],
        "responses": refusals(responses(&[("204", json!({"description": "Revoked (or already revoked)"})), ("400", error_answer("Not a token id"))]), false),
    })
}

fn list_accounts_doc() -> Value {
    json!({
        "summary": "Every account (admins only); never a password or its hash",
        "tags": ["manage"],
        "security": signed_in(),
        "responses": refusals(responses(&[("200", json_ok("The accounts by username", json!({"type": "object", "properties": {"accounts": {"type": "array", "items": account_schema()}}})))]), true),
    })
}

fn add_account_doc() -> Value {
    json!({
        "summary": "Adds an account (admins only): role admin, province (with province codes of edition 2025) or reviewer; a password of at least 10 characters",
        "tags": ["manage"],
        "security": signed_in(),
        "parameters": [csrf_header()],
        "requestBody": {"required": true, "content": {"application/json": {
            "schema": {"type": "object", "required": ["username", "role", "password"], "properties": {
                "username": {"type": "string", "pattern": "^[A-Za-z0-9._@-]{2,64}$"},
                "name": {"type": "string", "description": "Display name (the username when empty)"},
                "role": {"type": "string", "enum": ["admin", "province", "reviewer"]},
                "provinces": {"type": "array", "items": {"type": "string", "pattern": "^[0-9]{2}$"}},
                "password": {"type": "string", "format": "password", "minLength": 10}}},
            "example": {"username": "example.editor", "name": "VP Điều phối NTM tỉnh Hà Tĩnh", "role": "province", "provinces": ["42"], "password": "example-password-1"}}}},
        "responses": refusals(responses(&[
            ("201", json_ok("The account", account_schema())),
            ("400", error_answer("A wrong field (named in `parameter`): username, role, provinces or password")),
            ("409", error_answer("The username is taken")),
        ]), true),
    })
}

fn change_account_doc() -> Value {
    json!({
        "summary": "Changes an account (admins only): role and provinces, disabled, or a new password. Each change ends the account's sessions and is logged.",
        "tags": ["manage"],
        "security": signed_in(),
        "parameters": [path_param("username", "The account", "example.editor"), csrf_header()],
        "requestBody": {"required": true, "content": {"application/json": {
            "schema": {"type": "object", "properties": {
                "role": {"type": "string", "enum": ["admin", "province", "reviewer"]},
                "provinces": {"type": "array", "items": {"type": "string", "pattern": "^[0-9]{2}$"}},
                "disabled": {"type": "boolean"},
                "password": {"type": "string", "format": "password", "minLength": 10}}},
            "example": {"provinces": ["42", "44"]}}}},
        "responses": refusals(responses(&[
            ("200", json_ok("The account after the change", account_schema())),
            ("400", error_answer("A wrong field (named in `parameter`)")),
            ("409", error_answer("An admin disabling or demoting their own account")),
        ]), true),
    })
}
