//! The change log page: `GET /manage/changes?from=&to=&province=`: a filter form (a GET
//! form, so a filtered view is a link), the published changes of the period as a table,
//! newest first, and a link to the same period as CSV (`/manage/changes.csv`). Who sees
//! what is the CSV's rule ([`super::changes::read`]): province editors their provinces,
//! admins and reviewers all or the province asked.

use super::changes::{read, Period};
use super::page::{escape, layout};
use super::Editor;
use crate::api::AppState;
use crate::store::{format_utc, Role};
use axum::extract::{Query, State};
use axum::response::Response;

/// Rows shown on the page; the CSV has them all.
const MAX_ROWS: usize = 1000;

/// `GET /manage/changes`.
pub async fn page(State(state): State<AppState>, editor: Editor, Query(period): Query<Period>) -> Response {
    match read(&state, &editor, &period).await {
        Ok(changes) => {
            let shown: Vec<String> = changes
                .iter()
                .rev()
                .take(MAX_ROWS)
                .map(|c| {
                    format!(
                        "<tr><td class=\"at\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>→ {}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                        format_utc(c.at),
                        c.submission.map(|s| format!("<a href=\"/manage/submissions/{s}\">#{s}</a>")).unwrap_or_default(),
                        escape(&c.kind),
                        escape(&c.key),
                        escape(&c.field),
                        escape(c.old.as_deref().unwrap_or("")),
                        escape(&c.new),
                        escape(c.submitted_by.as_deref().unwrap_or("")),
                        escape(&c.approved_by),
                        escape(c.decision.as_deref().unwrap_or("")),
                    )
                })
                .collect();
            let table = if shown.is_empty() {
                "<p id=\"changes\">Không có thay đổi nào trong khoảng này. <span class=\"en\">No change in this period.</span></p>".to_string()
            } else {
                format!(
                    "<div class=\"scroll\"><table id=\"changes\"><thead><tr><th>Lúc <span class=\"en\">At</span> (UTC)</th><th>Hồ sơ <span class=\"en\">Submission</span></th><th>Loại <span class=\"en\">Kind</span></th><th>Bản ghi <span class=\"en\">Record</span></th><th>Trường <span class=\"en\">Field</span></th><th>Cũ <span class=\"en\">Old</span></th><th>Mới <span class=\"en\">New</span></th><th>Người gửi <span class=\"en\">Submitted by</span></th><th>Người duyệt <span class=\"en\">Approved by</span></th><th>Quyết định <span class=\"en\">Decision</span></th></tr></thead><tbody>{}</tbody></table></div>",
                    shown.join("\n")
                )
            };
            let more = if changes.len() > MAX_ROWS {
                format!("<p>Trang này hiện {MAX_ROWS} thay đổi mới nhất trong {} — tệp CSV có tất cả. <span class=\"en\">This page shows the newest {MAX_ROWS} of {}; the CSV has them all.</span></p>", changes.len(), changes.len())
            } else {
                String::new()
            };
            let value = |v: &Option<String>| escape(v.as_deref().unwrap_or("").trim());
            let query: Vec<String> = [("from", &period.from), ("to", &period.to), ("province", &period.province)]
                .iter()
                .filter_map(|(k, v)| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(|v| format!("{k}={}", form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>())))
                .collect();
            let csv = if query.is_empty() { "/manage/changes.csv".to_string() } else { format!("/manage/changes.csv?{}", query.join("&")) };
            let scope = if editor.role == Role::Province {
                format!("<p>Các tỉnh của bạn <span class=\"en\">Your provinces</span>: {}</p>", escape(&editor.provinces.join(", ")))
            } else {
                String::new()
            };
            let main = format!(
                "<h1>Nhật ký thay đổi <span class=\"en\">Change log</span></h1>\n{scope}<form id=\"filter\" class=\"stack\" method=\"get\" action=\"/manage/changes\"><label>Từ ngày <span class=\"en\">From</span> <input type=\"date\" name=\"from\" value=\"{}\"></label><label>Đến ngày <span class=\"en\">To</span> <input type=\"date\" name=\"to\" value=\"{}\"></label><label>Mã tỉnh <span class=\"en\">Province code</span> <input type=\"text\" name=\"province\" value=\"{}\" placeholder=\"42\" inputmode=\"numeric\"></label><button type=\"submit\">Lọc <span class=\"en\">Filter</span></button></form>\n<p><a id=\"csv\" href=\"{}\">Tải CSV <span class=\"en\">Download CSV</span></a> · {} thay đổi <span class=\"en\">changes</span></p>\n{more}{table}",
                value(&period.from),
                value(&period.to),
                value(&period.province),
                escape(&csv),
                changes.len(),
            );
            layout("Nhật ký thay đổi / Change log", Some(&editor), &main)
        }
        Err(e) => e.html(),
    }
}
