//! The submission workflow over HTTP: template, upload, draft with its diff, submit,
//! approve or reject; as plain HTML forms under `/manage` and as JSON under
//! `/api/v1/manage` for scripts.
//!
//! Steps of an upload: 1. the editor's scope (a province editor's provinces, all for an
//! admin; reviewers upload nothing); 2. [`crate::load::upload::read_upload`] reads the
//! workbook or CSV file and checks every row (values, references, scope, duplicates),
//! listing every problem in one report; 3. a clean upload becomes a draft in the store,
//! holding the published value of each record at that moment; 4. its page shows the
//! diff, old → new per record and field. Approval ([`crate::manage::Publisher::approve`])
//! merges in one transaction, rebuilds the atlas before committing, and swaps it; a record
//! changed by another approval since the draft is a conflict the admin must decide.
//!
//! Who may see a submission: its author, admins and reviewers, and editors of one of its
//! provinces. Store calls run off the async workers at the lowest priority ([`blocking`]).

use super::error::{see_other, ManageError};
use super::page::{escape, layout};
use super::Editor;
use crate::api::AppState;
use crate::load::upload::{read_upload, UploadReport, UploadScope, MAX_UPLOAD_BYTES};
use crate::manage::Publisher;
use crate::model::{AsOf, ProvinceCode};
use crate::store::{Approval, ApproveError, Conflict, ConflictChoice, RecordDiff, Role, Status, Submission, SubmissionFilter, SubmissionId};
use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

/// Body limit of the upload routes: the largest file plus the multipart framing. A
/// larger body is refused (413) before it is read whole.
pub const UPLOAD_BODY_LIMIT: usize = MAX_UPLOAD_BYTES + 64 * 1024;

pub(super) fn publisher(state: &AppState) -> Result<Arc<Publisher>, ManageError> {
    state.publisher.clone().ok_or(ManageError::NoStore)
}

/// Runs a management store call (or any office work) off the async workers at the
/// offices' low priority ([`crate::api::low_priority::run`]): the offices' pages and
/// drafts take little from the public map.
pub(super) async fn blocking<T: Send + 'static>(call: impl FnOnce() -> Result<T, ManageError> + Send + 'static) -> Result<T, ManageError> {
    crate::api::low_priority::run("manage", call).await.map_err(|e| ManageError::Internal(format!("store call failed: {e}")))?
}

fn internal(e: impl std::fmt::Display) -> ManageError {
    ManageError::Internal(e.to_string())
}

/// The scope an editor uploads with.
fn upload_scope(editor: &Editor) -> Result<UploadScope, ManageError> {
    match editor.role {
        Role::Admin => Ok(UploadScope::All),
        Role::Province => {
            let codes = editor.provinces.iter().filter_map(|c| ProvinceCode::parse(c).ok()).collect();
            Ok(UploadScope::Provinces(codes))
        }
        Role::Reviewer => Err(ManageError::Forbidden("a reviewer account reads drafts and uploads nothing".into())),
    }
}

/// 404 unless `editor` may see `submission` (see the module doc); 404 rather than 403 so
/// submission numbers of other provinces cannot be probed.
fn may_see(editor: &Editor, submission: &Submission) -> Result<(), ManageError> {
    let visible = editor.role != Role::Province
        || submission.created_by == editor.username
        || submission.provinces.iter().any(|p| editor.may_edit(p));
    visible.then_some(()).ok_or_else(|| ManageError::NotFound(format!("no submission {}", submission.id)))
}

/// 403 unless `editor` may act on `submission` as its author's side (submit): its author
/// or an editor of all its provinces.
fn may_submit(editor: &Editor, submission: &Submission) -> Result<(), ManageError> {
    if editor.role == Role::Reviewer {
        return Err(ManageError::Forbidden("a reviewer account changes nothing".into()));
    }
    if submission.created_by == editor.username || submission.provinces.iter().all(|p| editor.may_edit(p)) {
        Ok(())
    } else {
        Err(ManageError::Forbidden(format!("submission {} belongs to provinces {}", submission.id, submission.provinces.join(", "))))
    }
}

// ---- template -------------------------------------------------------------------------

/// `GET /manage/template/{province}.xlsx`: the province's workbook, prefilled.
pub async fn template(State(state): State<AppState>, editor: Editor, Path(file): Path<String>) -> Result<Response, ManageError> {
    let code = file.strip_suffix(".xlsx").ok_or_else(|| ManageError::NotFound(format!("no template {file}: ask for {{province}}.xlsx")))?;
    let province = ProvinceCode::parse(code).map_err(|e| ManageError::BadRequest { field: "province", message: e.to_string() })?;
    editor.require_province(code)?;
    let snapshot = state.atlas.current();
    let as_of = AsOf::Year(*snapshot.years().end());
    let bytes = blocking(move || crate::export::template::write_template(&snapshot, province, as_of).map_err(internal)).await?;
    let disposition = format!("attachment; filename=\"bando-{code}.xlsx\"");
    Ok((
        [
            (CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string()),
            (CONTENT_DISPOSITION, disposition),
            (CACHE_CONTROL, "no-store".to_string()),
        ],
        bytes,
    )
        .into_response())
}

// ---- upload ---------------------------------------------------------------------------

/// An upload read and stored as a draft, or its report.
enum Uploaded {
    Draft(SubmissionId),
    Refused(UploadReport),
}

async fn accept_upload(state: &AppState, editor: &Editor, file_name: String, bytes: Bytes) -> Result<Uploaded, ManageError> {
    let scope = upload_scope(editor)?;
    let publisher = publisher(state)?;
    let snapshot = state.atlas.current();
    let username = editor.username.clone();
    let provinces = match editor.role {
        Role::Admin => Vec::new(),
        _ => editor.provinces.clone(),
    };
    // Reading a workbook takes tens of milliseconds of CPU per upload: at a lower
    // priority, like approvals, so offices uploading never slow the public map down.
    let stored = crate::api::low_priority::run("upload", move || {
        let upload = match read_upload(&file_name, &bytes, &snapshot, &scope) {
            Ok(upload) => upload,
            Err(report) => return Ok(Uploaded::Refused(report)),
        };
        let records = upload.records.into_values().flatten().map(|r| r.record).collect();
        let id = publisher.store().create_draft(&username, &provinces, &file_name, records).map_err(internal)?;
        tracing::info!(submission = id, user = %username, file = %file_name, "upload stored as a draft");
        Ok(Uploaded::Draft(id))
    })
    .await;
    stored.map_err(ManageError::Internal)?
}

/// `POST /manage/uploads` (multipart form, field `file`; the CSRF token in the action's
/// query, as the body is streamed).
pub async fn upload_form(State(state): State<AppState>, editor: Editor, mut form: Multipart) -> Response {
    let mut file: Option<(String, Bytes)> = None;
    loop {
        match form.next_field().await {
            Ok(Some(field)) if field.name() == Some("file") => {
                let name = field.file_name().unwrap_or("upload").to_string();
                match field.bytes().await {
                    Ok(bytes) => file = Some((name, bytes)),
                    Err(e) => return too_large_or_bad(e.to_string()).html(),
                }
            }
            Ok(Some(_)) => continue,
            Ok(None) => break,
            Err(e) => return too_large_or_bad(e.to_string()).html(),
        }
    }
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return ManageError::BadRequest { field: "file", message: "choose a workbook (.xlsx) or CSV file to upload".into() }.html();
    };
    match accept_upload(&state, &editor, name, bytes).await {
        Ok(Uploaded::Draft(id)) => see_other(&format!("/manage/submissions/{id}")),
        Ok(Uploaded::Refused(report)) => {
            let mut page = layout("Báo cáo kiểm tra / Validation report", Some(&editor), &report_html(&report));
            *page.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            page
        }
        Err(e) => e.html(),
    }
}

fn too_large_or_bad(message: String) -> ManageError {
    ManageError::BadRequest { field: "file", message: format!("the upload could not be read ({message}); files are limited to {} MB", MAX_UPLOAD_BYTES / (1024 * 1024)) }
}

#[derive(Deserialize)]
pub struct UploadQuery {
    pub file_name: Option<String>,
}

/// `POST /api/v1/manage/uploads?file_name=`: the file as the request body.
pub async fn upload_api(State(state): State<AppState>, editor: Editor, Query(q): Query<UploadQuery>, body: Bytes) -> Result<Response, ManageError> {
    let name = q.file_name.filter(|n| !n.trim().is_empty()).ok_or_else(|| ManageError::BadRequest {
        field: "file_name",
        message: "give the file's name (file_name=KetQua.xlsx or results-communes.csv): its extension tells the format".into(),
    })?;
    match accept_upload(&state, &editor, name, body).await? {
        Uploaded::Draft(id) => {
            let publisher = publisher(&state)?;
            let (submission, diff) = blocking(move || {
                let store = publisher.store();
                Ok((store.submission(id).map_err(internal)?, store.diff(id).map_err(internal)?))
            })
            .await?;
            Ok((StatusCode::CREATED, Json(json!({ "submission": submission_json(&submission), "diff": diff }))).into_response())
        }
        Uploaded::Refused(report) => Ok((StatusCode::UNPROCESSABLE_ENTITY, Json(json!({ "report": report }))).into_response()),
    }
}

fn report_html(report: &UploadReport) -> String {
    let rows: Vec<String> = report
        .problems
        .iter()
        .map(|p| {
            format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}<br><span class=\"en\">{}</span></td></tr>",
                escape(&p.sheet),
                p.row.map_or(String::new(), |r| r.to_string()),
                escape(p.cell.as_deref().or(p.column.as_deref()).unwrap_or("")),
                escape(p.value.as_deref().unwrap_or("")),
                escape(&p.message_vi),
                escape(&p.message_en)
            )
        })
        .collect();
    format!(
        "<h1>Tệp chưa hợp lệ <span class=\"en\">The file has problems</span></h1>\n<p>{} — {} vấn đề <span class=\"en\">problems</span>. Sửa tất cả rồi tải lên lại; chưa có gì được lưu. <span class=\"en\">Fix them all and upload again; nothing was stored.</span></p>\n<table id=\"problems\"><thead><tr><th>Trang tính <span class=\"en\">Sheet</span></th><th>Dòng <span class=\"en\">Row</span></th><th>Ô / cột <span class=\"en\">Cell</span></th><th>Giá trị <span class=\"en\">Value</span></th><th>Vấn đề <span class=\"en\">Problem</span></th></tr></thead>\n<tbody>{}</tbody></table>\n<p><a href=\"/manage\">Quay lại <span class=\"en\">Back</span></a></p>",
        escape(&report.file_name),
        report.problems.len(),
        rows.join("\n")
    )
}

// ---- submissions ----------------------------------------------------------------------

fn submission_json(s: &Submission) -> Value {
    let utc = |t: Option<i64>| t.map(crate::store::format_utc);
    json!({
        "id": s.id, "status": s.status.as_str(), "file_name": s.file_name, "provinces": s.provinces, "records": s.records,
        "created_by": s.created_by, "created_at": crate::store::format_utc(s.created_at),
        "submitted_by": s.submitted_by, "submitted_at": utc(s.submitted_at),
        "reviewed_by": s.reviewed_by, "reviewed_at": utc(s.reviewed_at), "review_comment": s.review_comment,
        "decision": s.decision, "publication": s.publication,
    })
}

/// The submissions `editor` may see, newest first: their own and their provinces' for an
/// editor, all for admins and reviewers.
async fn visible_submissions(state: &AppState, editor: &Editor, status: Option<Status>) -> Result<Vec<Submission>, ManageError> {
    let publisher = publisher(state)?;
    let editor = editor.clone();
    blocking(move || {
        let all = publisher.store().list_submissions(&SubmissionFilter { status, ..Default::default() }).map_err(internal)?;
        let mut list: Vec<Submission> = all.into_iter().filter(|s| may_see(&editor, s).is_ok()).collect();
        list.sort_by_key(|s| std::cmp::Reverse(s.id));
        Ok(list)
    })
    .await
}

pub(super) async fn load(state: &AppState, editor: &Editor, id: SubmissionId) -> Result<(Submission, Vec<RecordDiff>), ManageError> {
    let publisher = publisher(state)?;
    let (submission, diff) = blocking(move || {
        let store = publisher.store();
        let submission = store.submission(id).map_err(|_| ManageError::NotFound(format!("no submission {id}")))?;
        Ok((submission, store.diff(id).map_err(internal)?))
    })
    .await?;
    may_see(editor, &submission)?;
    Ok((submission, diff))
}

/// `GET /api/v1/manage/submissions?status=`
pub async fn list_api(State(state): State<AppState>, editor: Editor, Query(q): Query<StatusQuery>) -> Result<Json<Value>, ManageError> {
    let status = q.status.as_deref().map(|s| Status::parse(s).ok_or_else(|| ManageError::BadRequest { field: "status", message: format!("'{s}' is not draft, submitted, approved or rejected") })).transpose()?;
    let list = visible_submissions(&state, &editor, status).await?;
    Ok(Json(json!({ "submissions": list.iter().map(submission_json).collect::<Vec<_>>() })))
}

#[derive(Deserialize)]
pub struct StatusQuery {
    pub status: Option<String>,
}

/// `GET /api/v1/manage/submissions/{id}`: the submission and its diff.
pub async fn show_api(State(state): State<AppState>, editor: Editor, Path(id): Path<SubmissionId>) -> Result<Json<Value>, ManageError> {
    let (submission, diff) = load(&state, &editor, id).await?;
    Ok(Json(json!({ "submission": submission_json(&submission), "diff": diff })))
}

/// `GET /manage/submissions`: the list page.
pub async fn list_page(State(state): State<AppState>, editor: Editor) -> Response {
    match visible_submissions(&state, &editor, None).await {
        Ok(list) => layout(
            "Hồ sơ / Submissions",
            Some(&editor),
            &format!("<h1>Hồ sơ <span class=\"en\">Submissions</span></h1>\n{}", submissions_table("submissions", &list)),
        ),
        Err(e) => e.html(),
    }
}

/// A table of submissions linking to their pages.
pub fn submissions_table(id: &str, list: &[Submission]) -> String {
    if list.is_empty() {
        return format!("<p id=\"{id}\">Chưa có hồ sơ nào. <span class=\"en\">None yet.</span></p>");
    }
    let rows: Vec<String> = list
        .iter()
        .map(|s| {
            format!(
                "<tr><td><a href=\"/manage/submissions/{}\">#{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                s.id,
                s.id,
                s.status.as_str(),
                escape(&s.file_name),
                escape(&s.provinces.join(", ")),
                escape(&s.created_by),
                crate::store::format_utc(s.created_at)
            )
        })
        .collect();
    format!(
        "<table id=\"{id}\"><thead><tr><th>#</th><th>Trạng thái <span class=\"en\">Status</span></th><th>Tệp <span class=\"en\">File</span></th><th>Tỉnh <span class=\"en\">Provinces</span></th><th>Người tải <span class=\"en\">By</span></th><th>Lúc <span class=\"en\">At</span> (UTC)</th></tr></thead><tbody>{}</tbody></table>",
        rows.join("")
    )
}

/// `GET /manage/submissions/{id}`: status, diff, and the forms the editor may use.
pub async fn show_page(State(state): State<AppState>, editor: Editor, Path(id): Path<SubmissionId>) -> Response {
    match load(&state, &editor, id).await {
        Ok((submission, diff)) => layout(&format!("Hồ sơ #{id}"), Some(&editor), &submission_html(&editor, &submission, &diff, &[], &state.atlas.current())),
        Err(e) => e.html(),
    }
}

fn submission_html(editor: &Editor, s: &Submission, diff: &[RecordDiff], conflicts: &[Conflict], atlas: &crate::atlas::Atlas) -> String {
    let csrf = editor.csrf().map(|c| format!("<input type=\"hidden\" name=\"csrf\" value=\"{}\">", escape(c))).unwrap_or_default();
    let e2024 = atlas.edition(crate::model::Edition::E2024);
    let mut rows = Vec::new();
    for d in diff {
        // The unit's name beside the record's key, so a reviewer need not know the codes.
        let field = |column: &str| d.kind.column_index(column).and_then(|i| d.new.get(i)).map_or("", String::as_str);
        let unit = d.kind.unit(field, &atlas.criteria.catalog).and_then(|u| e2024.unit(u)).map(|(name, _)| format!(" <span class=\"unit\">{}</span>", escape(name))).unwrap_or_default();
        for change in &d.changed {
            rows.push(format!(
                "<tr><td>{}</td><td>{}{unit}</td><td>{}</td><td>{}</td><td>→ {}</td></tr>",
                d.kind,
                escape(&d.key),
                change.column,
                if d.old.is_none() { "<em>(mới / new)</em>".to_string() } else { escape(&change.old) },
                escape(&change.new)
            ));
        }
    }
    let diff_html = if rows.is_empty() {
        "<p id=\"diff\">Không thay đổi gì so với dữ liệu đã công bố. <span class=\"en\">Nothing differs from what is published.</span></p>".to_string()
    } else {
        format!(
            "<table id=\"diff\"><thead><tr><th>Loại <span class=\"en\">Kind</span></th><th>Bản ghi <span class=\"en\">Record</span></th><th>Trường <span class=\"en\">Field</span></th><th>Cũ <span class=\"en\">Old</span></th><th>Mới <span class=\"en\">New</span></th></tr></thead><tbody>{}</tbody></table>",
            rows.join("\n")
        )
    };
    let mut forms = String::new();
    let open = matches!(s.status, Status::Draft | Status::Submitted);
    if s.status == Status::Draft && may_submit(editor, s).is_ok() {
        forms.push_str(&format!(
            "<form id=\"submit\" method=\"post\" action=\"/manage/submissions/{}/submit\">{csrf}<button type=\"submit\">Gửi duyệt <span class=\"en\">Submit for review</span></button></form>\n",
            s.id
        ));
    }
    if open && editor.is_admin() {
        let conflict_html = if conflicts.is_empty() {
            String::new()
        } else {
            let items: Vec<String> = conflicts
                .iter()
                .map(|c| format!("<li>{} {}: công bố hiện tại <span class=\"en\">published now</span> {} · hồ sơ <span class=\"en\">proposed</span> {}</li>", c.kind, escape(&c.key), escape(&c.published.as_ref().map(|f| f.join(",")).unwrap_or_default()), escape(&c.proposed.join(","))))
                .collect();
            format!(
                "<div id=\"conflicts\"><p>Các bản ghi này đã được thay đổi bởi một lần duyệt khác từ khi hồ sơ được tạo. Hãy chọn. <span class=\"en\">These records were changed by another approval since this draft was made. Choose.</span></p><ul>{}</ul>\n<label><input type=\"radio\" name=\"conflicts\" value=\"overwrite\"> Ghi đè bằng hồ sơ này <span class=\"en\">Overwrite with this submission</span></label><br><label><input type=\"radio\" name=\"conflicts\" value=\"keep_published\" checked> Giữ bản đã công bố <span class=\"en\">Keep what is published</span></label></div>",
                items.join("")
            )
        };
        forms.push_str(&format!(
            "<h2>Duyệt <span class=\"en\">Approve</span></h2>\n<form id=\"approve\" class=\"stack\" method=\"post\" action=\"/manage/submissions/{id}/approve\">{csrf}{conflict_html}<label>Số quyết định <span class=\"en\">Decision</span> <input name=\"decision\" placeholder=\"1234/QĐ-UBND\"></label><label>Nhận xét <span class=\"en\">Comment</span> <textarea name=\"comment\" rows=\"2\"></textarea></label><button type=\"submit\">Duyệt và công bố <span class=\"en\">Approve and publish</span></button></form>\n<h2>Trả lại <span class=\"en\">Reject</span></h2>\n<form id=\"reject\" class=\"stack\" method=\"post\" action=\"/manage/submissions/{id}/reject\">{csrf}<label>Lý do <span class=\"en\">Reason</span> <textarea name=\"comment\" rows=\"2\" required></textarea></label><button type=\"submit\" class=\"secondary\">Trả lại <span class=\"en\">Reject</span></button></form>\n",
            id = s.id
        ));
    }
    let preview = if super::preview::may_preview(editor, s).is_ok() {
        format!("<p><a id=\"preview-link\" href=\"/manage/submissions/{}/preview\">Xem trước bản đồ với hồ sơ này <span class=\"en\">Preview the map with this submission</span></a></p>\n", s.id)
    } else {
        String::new()
    };
    let review = match (&s.reviewed_by, &s.review_comment) {
        (Some(by), comment) => format!(
            "<p>Xem xét bởi <span class=\"en\">Reviewed by</span> {} — {} {}</p>",
            escape(by),
            escape(comment.as_deref().unwrap_or("")),
            s.decision.as_deref().map(|d| format!("({})", escape(d))).unwrap_or_default()
        ),
        _ => String::new(),
    };
    format!(
        "<h1>Hồ sơ <span class=\"en\">Submission</span> #{}</h1>\n<p>Trạng thái <span class=\"en\">Status</span>: <strong id=\"status\">{}</strong> · {} · {} bản ghi <span class=\"en\">records</span> · {} ({})</p>\n{review}\n<h2>Thay đổi <span class=\"en\">Changes</span></h2>\n{diff_html}\n{preview}{forms}<p><a href=\"/manage\">Trang quản lý <span class=\"en\">Back</span></a></p>",
        s.id,
        s.status.as_str(),
        escape(&s.file_name),
        s.records,
        escape(&s.created_by),
        escape(&s.provinces.join(", "))
    )
}

/// What a review form or JSON body carries.
#[derive(Deserialize, Default)]
pub struct ReviewForm {
    #[serde(default)]
    pub comment: String,
    #[serde(default)]
    pub decision: String,
    /// `overwrite` or `keep_published` when the approval has conflicts.
    #[serde(default)]
    pub conflicts: String,
}

/// A review action's outcome: done, or refused for conflicts.
enum Reviewed {
    Done,
    Conflicts(Vec<Conflict>),
}

async fn act(state: &AppState, editor: &Editor, id: SubmissionId, action: &str, form: ReviewForm) -> Result<Reviewed, ManageError> {
    // Refused before anything is read: who may review is a property of the account.
    if action != "submit" {
        editor.require_admin()?;
    }
    let (submission, _) = load(state, editor, id).await?;
    let publisher = publisher(state)?;
    let username = editor.username.clone();
    match action {
        "submit" => {
            may_submit(editor, &submission)?;
            blocking(move || publisher.store().submit(id, &username).map_err(|e| ManageError::Conflict(e.to_string()))).await?;
        }
        "reject" => {
            editor.require_admin()?;
            if form.comment.trim().is_empty() {
                return Err(ManageError::BadRequest { field: "comment", message: "say why the submission is rejected".into() });
            }
            blocking(move || publisher.store().reject(id, &username, form.comment.trim()).map_err(|e| ManageError::Conflict(e.to_string()))).await?;
        }
        "approve" => {
            editor.require_admin()?;
            let choice = match form.conflicts.as_str() {
                "" => ConflictChoice::Refuse,
                "overwrite" => ConflictChoice::Overwrite,
                "keep_published" => ConflictChoice::KeepPublished,
                other => return Err(ManageError::BadRequest { field: "conflicts", message: format!("'{other}' is not overwrite or keep_published") }),
            };
            let decision = Some(form.decision.trim()).filter(|d| !d.is_empty());
            let approval = Approval::new(id, &username).comment(form.comment.trim()).decision(decision).conflicts(choice);
            // The atlas build takes seconds of one core: at a lower priority, so the public
            // map keeps answering at full speed while offices publish.
            let approving = publisher.clone();
            let approved = crate::api::low_priority::run("approval", move || approving.approve(&approval)).await.map_err(ManageError::Internal)?;
            // The replaced snapshot is freed at normal priority, off the request path
            // (see Publisher::free_retired); the answer does not wait for it.
            tokio::task::spawn_blocking(move || publisher.free_retired());
            let outcome = match approved {
                Ok(p) => Ok(p),
                Err(crate::manage::ManageError::Approve(ApproveError::Conflicts(c))) => Err(c),
                Err(e) => return Err(ManageError::Conflict(e.to_string())),
            };
            if let Err(conflicts) = outcome {
                return Ok(Reviewed::Conflicts(conflicts));
            }
        }
        other => return Err(ManageError::NotFound(format!("no action {other}: submit, approve or reject"))),
    }
    Ok(Reviewed::Done)
}

/// `POST /manage/submissions/{id}/submit|approve|reject` (forms).
pub async fn submit_form(state: State<AppState>, editor: Editor, Path(id): Path<SubmissionId>, form: Form<ReviewForm>) -> Response {
    act_form(state, editor, id, "submit", form).await
}
pub async fn approve_form(state: State<AppState>, editor: Editor, Path(id): Path<SubmissionId>, form: Form<ReviewForm>) -> Response {
    act_form(state, editor, id, "approve", form).await
}
pub async fn reject_form(state: State<AppState>, editor: Editor, Path(id): Path<SubmissionId>, form: Form<ReviewForm>) -> Response {
    act_form(state, editor, id, "reject", form).await
}

/// `POST /api/v1/manage/submissions/{id}/submit|approve|reject` (JSON body, optional).
pub async fn submit_api(state: State<AppState>, editor: Editor, Path(id): Path<SubmissionId>, body: Bytes) -> Result<Response, ManageError> {
    act_api(state, editor, id, "submit", body).await
}
pub async fn approve_api(state: State<AppState>, editor: Editor, Path(id): Path<SubmissionId>, body: Bytes) -> Result<Response, ManageError> {
    act_api(state, editor, id, "approve", body).await
}
pub async fn reject_api(state: State<AppState>, editor: Editor, Path(id): Path<SubmissionId>, body: Bytes) -> Result<Response, ManageError> {
    act_api(state, editor, id, "reject", body).await
}

async fn act_form(State(state): State<AppState>, editor: Editor, id: SubmissionId, action: &str, Form(form): Form<ReviewForm>) -> Response {
    match act(&state, &editor, id, action, form).await {
        Ok(Reviewed::Done) => see_other(&format!("/manage/submissions/{id}")),
        Ok(Reviewed::Conflicts(conflicts)) => match load(&state, &editor, id).await {
            Ok((submission, diff)) => {
                let mut page = layout(&format!("Hồ sơ #{id}"), Some(&editor), &submission_html(&editor, &submission, &diff, &conflicts, &state.atlas.current()));
                *page.status_mut() = StatusCode::CONFLICT;
                page
            }
            Err(e) => e.html(),
        },
        Err(e) => e.html(),
    }
}

async fn act_api(State(state): State<AppState>, editor: Editor, id: SubmissionId, action: &str, body: Bytes) -> Result<Response, ManageError> {
    let form: ReviewForm = if body.is_empty() {
        ReviewForm::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| ManageError::BadRequest { field: "body", message: format!("not a JSON object of comment, decision, conflicts: {e}") })?
    };
    match act(&state, &editor, id, action, form).await? {
        Reviewed::Done => {
            let (submission, _) = load(&state, &editor, id).await?;
            Ok(Json(json!({ "submission": submission_json(&submission) })).into_response())
        }
        Reviewed::Conflicts(conflicts) => Ok((
            StatusCode::CONFLICT,
            Json(json!({ "error": { "status": 409, "message": "records changed by another approval since the draft; send conflicts=overwrite or keep_published" }, "conflicts": conflicts })),
        )
            .into_response()),
    }
}

/// The home page's part: templates, the upload form, the editor's submissions and, for
/// admins, the review queue.
pub async fn home_sections(state: &AppState, editor: &Editor) -> String {
    let mut out = String::new();
    if editor.role != Role::Reviewer {
        let snapshot = state.atlas.current();
        let e2025 = snapshot.edition(crate::model::Edition::E2025);
        let provinces: Vec<String> = match editor.role {
            Role::Admin => e2025.provinces.keys().map(|c| c.to_string()).collect(),
            _ => editor.provinces.clone(),
        };
        // Named, so that an office finds its own among the 34 without knowing its code.
        let name = |code: &str| crate::model::ProvinceCode::parse(code).ok().and_then(|c| e2025.provinces.get(&c)).map(|p| p.name.as_str()).unwrap_or("");
        let links: Vec<String> = provinces
            .iter()
            .map(|p| format!("<a class=\"template\" href=\"/manage/template/{p}.xlsx\">{p} {}</a>", escape(name(p))))
            .collect();
        let action = match editor.csrf() {
            Some(csrf) => format!("/manage/uploads?csrf={}", form_urlencoded::byte_serialize(csrf.as_bytes()).collect::<String>()),
            None => "/manage/uploads".into(),
        };
        out.push_str(&format!(
            "<h2>Mẫu Excel <span class=\"en\">Templates</span></h2>\n<p>{}</p>\n<h2>Tải lên <span class=\"en\">Upload</span></h2>\n<form id=\"upload\" method=\"post\" enctype=\"multipart/form-data\" action=\"{}\"><input type=\"file\" name=\"file\" accept=\".xlsx,.csv\" required> <button type=\"submit\">Kiểm tra và tạo hồ sơ nháp <span class=\"en\">Check and create a draft</span></button></form>\n",
            links.join(" · "),
            escape(&action)
        ));
    }
    match visible_submissions(state, editor, None).await {
        Ok(list) => {
            if editor.role != Role::Province {
                let queue: Vec<Submission> = list.iter().filter(|s| s.status == Status::Submitted).cloned().collect();
                out.push_str(&format!("<h2>Hàng chờ duyệt <span class=\"en\">Review queue</span></h2>\n{}", submissions_table("review-queue", &queue)));
            }
            let mine: Vec<Submission> = list.into_iter().filter(|s| s.created_by == editor.username || editor.role == Role::Province).take(20).collect();
            out.push_str(&format!("<h2>Hồ sơ gần đây <span class=\"en\">Recent submissions</span></h2>\n{}", submissions_table("my-submissions", &mine)));
        }
        Err(e) => out.push_str(&format!("<p>{}</p>", escape(&e.to_string()))),
    }
    out
}
