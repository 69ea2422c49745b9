//! The HTML of the management pages: a shared layout (bilingual, Vietnamese first as in
//! the viewer, plain forms that work without JavaScript) and the `/manage` home page.
//!
//! Every page is sent with `Cache-Control: no-store` (it shows who is signed in), a
//! Content-Security-Policy that allows no script at all and same-origin style sheets and
//! form targets only, and `X-Frame-Options: DENY` (no clickjacking of the forms).

use super::auth::{Editor, Via};
use crate::api::AppState;
use crate::model::Edition;
use crate::store::Role;
use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, X_FRAME_OPTIONS};
use axum::http::HeaderValue;
use axum::response::{Html, IntoResponse, Response};

/// The policy of the module doc.
pub const MANAGE_CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Escapes text for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A whole page: `title`, the signed-in bar when `editor` is given (name and a logout
/// form carrying the CSRF token), then `main`.
pub fn layout(title: &str, editor: Option<&Editor>, main: &str) -> Response {
    let bar = match editor {
        Some(e) => {
            let logout = match e.csrf() {
                Some(csrf) => format!(
                    "<form id=\"logout\" method=\"post\" action=\"/manage/logout\" class=\"inline\"><input type=\"hidden\" name=\"csrf\" value=\"{}\"><button type=\"submit\">Đăng xuất <span class=\"en\">Sign out</span></button></form>",
                    escape(csrf)
                ),
                None => String::new(),
            };
            format!("<span class=\"who\">{} ({})</span> {logout}", escape(&e.display_name), escape(&e.username))
        }
        None => String::new(),
    };
    let html = format!(
        "<!doctype html>\n<html lang=\"vi\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{} — bando</title>\n<link rel=\"icon\" href=\"/web/favicon.svg\" type=\"image/svg+xml\">\n<link rel=\"stylesheet\" href=\"/web/manage/manage.css\">\n</head>\n<body>\n<header class=\"bar\"><a href=\"/manage\" class=\"home\">Quản lý dữ liệu NTM <span class=\"en\">Data management</span></a> <a href=\"/\">Bản đồ <span class=\"en\">Map</span></a> {bar}</header>\n<main>\n{main}\n</main>\n</body>\n</html>\n",
        escape(title)
    );
    let mut response = Html(html).into_response();
    let headers = response.headers_mut();
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(MANAGE_CSP));
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

/// The role's name, Vietnamese first.
pub fn role_label(role: Role) -> &'static str {
    match role {
        Role::Admin => "Quản trị (Văn phòng Điều phối NTM Trung ương) <span class=\"en\">Admin (central office)</span>",
        Role::Province => "Biên tập cấp tỉnh <span class=\"en\">Province editor</span>",
        Role::Reviewer => "Người xem xét (chỉ đọc) <span class=\"en\">Reviewer (read-only)</span>",
    }
}

/// The sections of the management area and who sees them: (path, Vietnamese, English,
/// admins only). Sections are added here as they are built.
const SECTIONS: &[(&str, &str, &str, bool)] = &[
    ("/manage/submissions", "Tất cả hồ sơ", "All submissions", false),
    ("/manage/changes", "Nhật ký thay đổi", "Change log", false),
    ("/manage/changes.csv", "Nhật ký thay đổi (CSV)", "Change log (CSV)", false),
    ("/manage/accounts", "Tài khoản", "Accounts", true),
    ("/api/v1/manage/accounts", "Tài khoản (JSON)", "Accounts (JSON)", true),
];

/// `GET /manage`: who is signed in, their role and provinces, and the sections they may use.
pub async fn home(axum::extract::State(state): axum::extract::State<AppState>, editor: Editor) -> Response {
    let snapshot = state.atlas.current();
    let provinces = &snapshot.edition(Edition::E2025).provinces;
    let scope = match editor.role {
        Role::Province => {
            let items: Vec<String> = editor
                .provinces
                .iter()
                .map(|code| {
                    let name = provinces.iter().find(|(c, _)| c.to_string() == *code).map_or("", |(_, p)| p.name.as_str());
                    format!("<li>{} {}</li>", escape(code), escape(name))
                })
                .collect();
            format!("<h2>Tỉnh, thành phố phụ trách <span class=\"en\">Your provinces</span> (2025)</h2>\n<ul>{}</ul>", items.join(""))
        }
        _ => "<p>Phạm vi: toàn quốc <span class=\"en\">Scope: all provinces</span></p>".to_string(),
    };
    let sections: Vec<String> = SECTIONS
        .iter()
        .filter(|(_, _, _, admin)| !admin || editor.is_admin())
        .map(|(path, vi, en, _)| format!("<li><a href=\"{path}\">{vi} <span class=\"en\">{en}</span></a></li>"))
        .collect();
    let via = match editor.via {
        Via::Session { .. } => "",
        Via::Token { .. } => "<p class=\"en\">(API token)</p>",
    };
    let work = super::submissions::home_sections(&state, &editor).await;
    let main = format!(
        "<h1>Xin chào, {} <span class=\"en\">Welcome</span></h1>\n<p>Tài khoản <span class=\"en\">Account</span>: <strong>{}</strong> · {}</p>\n{via}{scope}\n{work}\n<h2>Khác <span class=\"en\">More</span></h2>\n<ul class=\"sections\">{}</ul>",
        escape(&editor.display_name),
        escape(&editor.username),
        role_label(editor.role),
        sections.join("")
    );
    layout("Quản lý", Some(&editor), &main)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(escape("<a href=\"x\">'&'</a>"), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
        assert_eq!(escape("Hà Tĩnh"), "Hà Tĩnh");
    }
}
