//! The accounts page, for admins: `GET /manage/accounts` lists every account with its
//! forms; `POST /manage/accounts` adds one; `POST /manage/accounts/{username}` changes one
//! (role and provinces, disabled, or a new password: each form sends only its fields).
//! Plain HTML forms with the session's CSRF field, no script.
//!
//! Steps of a post: 1. the form's fields become the JSON routes' bodies (provinces as
//! one text, split at commas and spaces); 2. [`super::accounts::add_account`] or
//! [`super::accounts::change_account`] checks and stores it, as for the JSON routes
//! (the same refusals, the same logs); 3. success answers 303 to the page, which says
//! what was saved; a refusal shows the page again with the message and its status.

use super::accounts::{add_account, change_account, AddAccount, ChangeAccount};
use super::auth::{Client, Editor};
use super::error::{see_other, ManageError};
use super::page::{escape, layout};
use super::tokens::{blocking, store};
use crate::api::AppState;
use crate::store::{format_utc, Account, Role};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::Form;
use serde::Deserialize;

/// The add form.
#[derive(Deserialize)]
pub struct AddForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    provinces: String,
    #[serde(default)]
    password: String,
}

/// The forms of one account: each sends some of these.
#[derive(Deserialize)]
pub struct ChangeForm {
    role: Option<String>,
    provinces: Option<String>,
    disabled: Option<String>,
    password: Option<String>,
}

/// `?saved=username` after a post.
#[derive(Deserialize)]
pub struct Saved {
    saved: Option<String>,
}

/// Province codes as typed: separated by commas, semicolons or spaces.
fn province_list(text: &str) -> Vec<String> {
    text.split(|c: char| c == ',' || c == ';' || c.is_whitespace()).filter(|p| !p.is_empty()).map(str::to_string).collect()
}

/// `GET /manage/accounts`.
pub async fn page(State(state): State<AppState>, editor: Editor, Query(saved): Query<Saved>) -> Response {
    let notice = saved.saved.map(|name| format!("<p class=\"notice\" id=\"saved\">Đã lưu tài khoản <span class=\"en\">Saved</span>: <strong>{}</strong></p>", escape(&name)));
    render(&state, &editor, notice).await
}

/// `POST /manage/accounts`.
pub async fn add(State(state): State<AppState>, editor: Editor, client: Client, Form(form): Form<AddForm>) -> Response {
    let role = form.role.trim().to_string();
    let provinces = if role == "province" { province_list(&form.provinces) } else { Vec::new() };
    let body = AddAccount { username: form.username.trim().to_string(), name: form.name.trim().to_string(), role, provinces, password: form.password };
    match add_account(&state, &editor, &client, body).await {
        Ok(account) => see_other(&saved_location(&account.username)),
        Err(e) => refused(&state, &editor, e).await,
    }
}

/// `POST /manage/accounts/{username}`.
pub async fn change(State(state): State<AppState>, editor: Editor, client: Client, Path(username): Path<String>, Form(form): Form<ChangeForm>) -> Response {
    let disabled = match form.disabled.as_deref().map(str::trim) {
        None | Some("") => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(other) => return refused(&state, &editor, ManageError::BadRequest { field: "disabled", message: format!("'{other}' is not true or false") }).await,
    };
    let role = form.role.map(|r| r.trim().to_string()).filter(|r| !r.is_empty());
    // A role other than province has no provinces, whatever the field still holds.
    let provinces = match (&role, form.provinces) {
        (Some(r), _) if r != "province" => Some(Vec::new()),
        (_, Some(text)) => Some(province_list(&text)),
        (_, None) => None,
    };
    let body = ChangeAccount { role, provinces, disabled, password: form.password };
    match change_account(&state, &editor, &client, username, body).await {
        Ok(account) => see_other(&saved_location(&account.username)),
        Err(e) => refused(&state, &editor, e).await,
    }
}

fn saved_location(username: &str) -> String {
    format!("/manage/accounts?saved={}", form_urlencoded::byte_serialize(username.as_bytes()).collect::<String>())
}

/// The page again with the refusal on top, with its status; a non-admin gets the plain
/// refusal page (nothing of the accounts is shown to them).
async fn refused(state: &AppState, editor: &Editor, error: ManageError) -> Response {
    if !editor.is_admin() {
        return error.html();
    }
    let status = error.status();
    let notice = format!("<p class=\"error\" id=\"refused\">Chưa lưu được <span class=\"en\">Not saved</span>: {}</p>", escape(&error.to_string()));
    let mut page = render(state, editor, Some(notice)).await;
    if page.status().is_success() {
        *page.status_mut() = status;
    }
    page
}

async fn render(state: &AppState, editor: &Editor, notice: Option<String>) -> Response {
    if let Err(e) = editor.require_admin() {
        return e.html();
    }
    let accounts = match store(state) {
        Ok(store) => blocking(move || store.accounts()).await,
        Err(e) => Err(e),
    };
    match accounts {
        Ok(accounts) => layout("Tài khoản / Accounts", Some(editor), &accounts_html(editor, &accounts, notice.as_deref().unwrap_or(""))),
        Err(e) => e.html(),
    }
}

fn role_options(selected: Role) -> String {
    [(Role::Province, "Biên tập cấp tỉnh / Province editor"), (Role::Reviewer, "Người xem xét / Reviewer"), (Role::Admin, "Quản trị / Admin")]
        .iter()
        .map(|(role, label)| format!("<option value=\"{}\"{}>{label}</option>", role.as_str(), if *role == selected { " selected" } else { "" }))
        .collect()
}

fn accounts_html(editor: &Editor, accounts: &[Account], notice: &str) -> String {
    let csrf = editor.csrf().map(|c| format!("<input type=\"hidden\" name=\"csrf\" value=\"{}\">", escape(c))).unwrap_or_default();
    let cards: Vec<String> = accounts
        .iter()
        .map(|a| {
            let name = escape(&a.username);
            let action = format!("/manage/accounts/{}", form_urlencoded::byte_serialize(a.username.as_bytes()).collect::<String>());
            let own = a.username.eq_ignore_ascii_case(&editor.username);
            let state = if a.disabled { "<strong class=\"disabled\">Đã khoá <span class=\"en\">Disabled</span></strong>" } else { "Đang hoạt động <span class=\"en\">Active</span>" };
            // An admin cannot disable or demote their own account (refused with 409): no form for it.
            let toggle = if own {
                String::new()
            } else if a.disabled {
                format!("<form class=\"toggle\" method=\"post\" action=\"{action}\">{csrf}<input type=\"hidden\" name=\"disabled\" value=\"false\"><button type=\"submit\">Mở khoá <span class=\"en\">Enable</span></button></form>")
            } else {
                format!("<form class=\"toggle\" method=\"post\" action=\"{action}\">{csrf}<input type=\"hidden\" name=\"disabled\" value=\"true\"><button type=\"submit\">Khoá <span class=\"en\">Disable</span></button></form>")
            };
            let role_form = if own {
                String::new()
            } else {
                format!(
                    "<form class=\"role\" method=\"post\" action=\"{action}\">{csrf}<label>Vai trò <span class=\"en\">Role</span> <select name=\"role\">{}</select></label><label>Tỉnh (2025) <span class=\"en\">Provinces (2025)</span> <input type=\"text\" name=\"provinces\" value=\"{}\" placeholder=\"42, 44\"></label><button type=\"submit\">Lưu vai trò <span class=\"en\">Save role</span></button></form>",
                    role_options(a.role),
                    escape(&a.provinces.join(", "))
                )
            };
            format!(
                "<section class=\"account\" id=\"account-{name}\"><h3>{name} <span class=\"en\">{}</span></h3><p>{} · {} · {state} · <span class=\"en\">{}</span></p>\n{role_form}\n{toggle}\n<form class=\"password\" method=\"post\" action=\"{action}\">{csrf}<label>Mật khẩu mới <span class=\"en\">New password</span> <input type=\"password\" name=\"password\" minlength=\"10\" autocomplete=\"new-password\" required></label><button type=\"submit\">Đặt lại mật khẩu <span class=\"en\">Reset password</span></button></form></section>",
                escape(&a.display_name),
                super::page::role_label(a.role),
                if a.provinces.is_empty() { "—".to_string() } else { escape(&a.provinces.join(", ")) },
                format_utc(a.updated_at),
            )
        })
        .collect();
    format!(
        "<h1>Tài khoản <span class=\"en\">Accounts</span></h1>\n{notice}\n<h2>Thêm tài khoản <span class=\"en\">Add an account</span></h2>\n<form id=\"add-account\" class=\"stack\" method=\"post\" action=\"/manage/accounts\">{csrf}<label>Tên đăng nhập <span class=\"en\">Username</span> <input type=\"text\" name=\"username\" required pattern=\"[A-Za-z0-9._@\\-]{{2,64}}\" autocomplete=\"off\"></label><label>Tên hiển thị <span class=\"en\">Display name</span> <input type=\"text\" name=\"name\"></label><label>Vai trò <span class=\"en\">Role</span> <select name=\"role\">{}</select></label><label>Tỉnh (mã 2025, cho biên tập cấp tỉnh) <span class=\"en\">Provinces (2025 codes, for province editors)</span> <input type=\"text\" name=\"provinces\" placeholder=\"42, 44\"></label><label>Mật khẩu (ít nhất 10 ký tự) <span class=\"en\">Password (10 characters or more)</span> <input type=\"password\" name=\"password\" minlength=\"10\" autocomplete=\"new-password\" required></label><button type=\"submit\">Thêm <span class=\"en\">Add</span></button></form>\n<h2>Tất cả tài khoản <span class=\"en\">All accounts</span> ({})</h2>\n<div id=\"accounts\">{}</div>",
        role_options(Role::Province),
        accounts.len(),
        cards.join("\n")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provinces_are_split_at_commas_semicolons_and_spaces() {
        assert_eq!(province_list(" 42, 44;40  01 "), ["42", "44", "40", "01"]);
        assert!(province_list(" , ").is_empty());
    }
}
