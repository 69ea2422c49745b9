//! Draft previews: `GET /manage/submissions/{id}/preview` (a page) and
//! `GET /manage/submissions/{id}/preview.png` (a static map drawn with the draft applied).
//!
//! Who may preview: the draft's author, admins and reviewers (reviewers have read-only
//! access to drafts). Another editor of its provinces gets 403; an editor of other
//! provinces 404, as for the submission page. Only open submissions (draft or submitted)
//! have a preview: an approved one is on the public map, a rejected one never will be.
//!
//! Steps of the page: 1. the submission, its diff and the units it touches
//! ([`crate::manage::preview::touched`]); 2. the preview snapshot, built at the lowest
//! priority (office work, [`super::submissions::blocking`]) or taken from the cache of the
//! last few ([`crate::manage::Publisher::preview_cached`]);
//! 3. per changed unit, the level in force before and with the draft at the year the map
//!    shows; 4. two pictures of the touched provinces: `preview.png` and the public
//!    `/static/ntm.png` with the same parameters, side by side.
//!
//! `preview.png` takes the parameters of `/static/{map}.png` (`bbox` or `center`+`zoom`,
//! `width`, `height`, `year`, `date`, `edition`, `lang`, `theme`) and `map` (default
//! `ntm`); without a frame it shows the touched provinces. It is never cached by a
//! browser or a proxy (`Cache-Control: private, no-store`: unpublished data), and its
//! `Server-Timing` says whether the preview snapshot was built (`preview;dur=…`) or taken
//! from the cache (`preview;desc=hit`).

use super::error::ManageError;
use super::page::{escape, layout};
use super::submissions::{blocking, load, publisher};
use super::Editor;
use crate::api::params::Params;
use crate::api::raster::{draw_static, read_static};
use crate::api::{ApiError, AppState};
use crate::atlas::Atlas;
use crate::manage::preview::{touched, Preview, Touched};
use crate::model::{CommuneCode, DistrictCode, RecordKind};
use crate::raster::Frame;
use crate::store::{RecordDiff, Role, Status, Submission, SubmissionId};
use axum::extract::{Path, Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderName, HeaderValue};
use axum::response::{IntoResponse, Response};

/// The pictures of the page: size, and the edition the records' codes belong to.
const WIDTH: u32 = 640;
const HEIGHT: u32 = 480;
const EDITION: u16 = 2024;

/// 403 unless `editor` may preview `submission` (module doc), 409 unless it is open.
pub fn may_preview(editor: &Editor, submission: &Submission) -> Result<(), ManageError> {
    if editor.role == Role::Province && submission.created_by != editor.username {
        return Err(ManageError::Forbidden(format!(
            "the preview of submission {} is for its author ({}), admins and reviewers",
            submission.id, submission.created_by
        )));
    }
    if !matches!(submission.status, Status::Draft | Status::Submitted) {
        return Err(ManageError::Conflict(format!("submission {} is {}: only a draft or a submitted one has a preview", submission.id, submission.status.as_str())));
    }
    Ok(())
}

/// The submission and its diff, when `editor` may preview it.
async fn previewable(state: &AppState, editor: &Editor, id: SubmissionId) -> Result<(Submission, Vec<RecordDiff>), ManageError> {
    let (submission, diff) = load(state, editor, id).await?;
    may_preview(editor, &submission)?;
    Ok((submission, diff))
}

/// The preview snapshot of `submission`, built off the async threads.
async fn snapshot(state: &AppState, submission: Submission) -> Result<(Preview, std::time::Duration), ManageError> {
    let publisher = publisher(state)?;
    blocking(move || {
        let started = std::time::Instant::now();
        let preview = publisher.preview_cached(&submission).map_err(|e| ManageError::Conflict(format!("the draft does not build: {e}")))?;
        Ok((preview, started.elapsed()))
    })
    .await
}

fn from_api(e: ApiError) -> ManageError {
    match e {
        ApiError::BadParameter { parameter, message } => ManageError::BadRequest { field: parameter, message },
        other => ManageError::Internal(other.to_string()),
    }
}

/// `GET /manage/submissions/{id}/preview.png`.
pub async fn png(State(state): State<AppState>, editor: Editor, Path(id): Path<SubmissionId>, Query(query): Query<Params>) -> Response {
    match draw(&state, &editor, id, &query).await {
        Ok(response) => response,
        Err(e) => e.html(),
    }
}

async fn draw(state: &AppState, editor: &Editor, id: SubmissionId, query: &Params) -> Result<Response, ManageError> {
    let (submission, diff) = previewable(state, editor, id).await?;
    let name = query.get("map").map(|m| m.trim()).filter(|m| !m.is_empty()).unwrap_or("ntm");
    let map = crate::api::tile_request::parse_map(name).map_err(|e| ManageError::BadRequest { field: "map", message: e.to_string() })?;
    let (preview, took) = snapshot(state, submission).await?;
    let extent = touched(&diff, &state.atlas.current()).bbox.map(Frame::BBox);
    let ask = read_static(state, &preview.snapshot, map, query, extent).map_err(from_api)?;
    let (body, source) = draw_static(state, preview.snapshot, ask).await.map_err(from_api)?;
    let built = if preview.cached { "preview;desc=hit".to_string() } else { format!("preview;dur={:.3}", took.as_secs_f64() * 1000.0) };
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("image/png"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    if let Ok(v) = HeaderValue::from_str(&format!("{built}, {}", source.server_timing())) {
        headers.insert(HeaderName::from_static("server-timing"), v);
    }
    Ok(response)
}

/// `GET /manage/submissions/{id}/preview`.
pub async fn page(State(state): State<AppState>, editor: Editor, Path(id): Path<SubmissionId>) -> Response {
    let built = async {
        let (submission, diff) = previewable(&state, &editor, id).await?;
        let (preview, _) = snapshot(&state, submission.clone()).await?;
        Ok::<_, ManageError>((submission, diff, preview))
    }
    .await;
    match built {
        Ok((submission, diff, preview)) => {
            let published = state.atlas.current();
            let touched = touched(&diff, &published);
            let main = page_html(&submission, &touched, &published, &preview.snapshot);
            layout(&format!("Xem trước hồ sơ #{id} / Preview"), Some(&editor), &main)
        }
        Err(e) => e.html(),
    }
}

/// The level of a commune or district in force at the end of `year` in `atlas`.
fn level_at(atlas: &Atlas, kind: RecordKind, code: &str, year: u16) -> Option<&'static str> {
    let list = match kind {
        RecordKind::CommuneResult => atlas.commune_results.get(&CommuneCode::parse(code).ok()?),
        RecordKind::DistrictResult => atlas.district_results.get(&DistrictCode::parse(code).ok()?),
        _ => None,
    }?;
    list.iter().rev().find(|r| r.year <= year).map(|r| r.level.as_str())
}

fn page_html(submission: &Submission, touched: &Touched, published: &Atlas, preview: &Atlas) -> String {
    let id = submission.id;
    let (years, published_years) = (preview.years(), published.years());
    // The map shows the latest year the draft changes (a later published record of a
    // unit would hide an older year's change), within the years the map covers (a
    // record of a year before them is in force at their start).
    let year = touched.year().unwrap_or(*years.end()).clamp(*years.start(), *years.end());
    let rows: Vec<String> = touched
        .units
        .iter()
        .map(|u| {
            let levels = match (level_at(published, u.kind, &u.code, year), level_at(preview, u.kind, &u.code, year)) {
                (None, None) => String::new(),
                (old, new) => format!("{} → <strong>{}</strong>", old.unwrap_or("—"), new.unwrap_or("—")),
            };
            format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{levels}</td></tr>",
                u.kind,
                escape(&u.code),
                escape(u.name.as_deref().unwrap_or("")),
                u.province.map(|p| p.to_string()).unwrap_or_default(),
                escape(&u.key),
            )
        })
        .collect();
    let units = if rows.is_empty() {
        "<p id=\"changed-units\">Hồ sơ không thay đổi gì so với dữ liệu đã công bố. <span class=\"en\">The draft changes nothing that is published.</span></p>".to_string()
    } else {
        format!(
            "<div class=\"scroll\"><table id=\"changed-units\"><thead><tr><th>Loại <span class=\"en\">Kind</span></th><th>Mã <span class=\"en\">Code</span></th><th>Tên <span class=\"en\">Name</span></th><th>Tỉnh <span class=\"en\">Province</span> (2024)</th><th>Bản ghi <span class=\"en\">Record</span></th><th>Mức năm {year} <span class=\"en\">Level in {year}</span></th></tr></thead><tbody>{}</tbody></table></div>",
            rows.join("")
        )
    };
    let maps = match touched.bbox {
        None => "<p id=\"no-map\">Không có đơn vị nào trên bản đồ. <span class=\"en\">No unit to show on the map.</span></p>".to_string(),
        Some([w, s, e, n]) => {
            let query = format!("bbox={w:.4},{s:.4},{e:.4},{n:.4}&amp;width={WIDTH}&amp;height={HEIGHT}&amp;edition={EDITION}");
            // The public map cannot show a year the published data does not reach.
            let public_year = year.clamp(*published_years.start(), *published_years.end());
            format!(
                "<div class=\"compare\"><figure><img id=\"preview-map\" src=\"/manage/submissions/{id}/preview.png?{query}&amp;year={year}\" width=\"{WIDTH}\" height=\"{HEIGHT}\" alt=\"Bản đồ với hồ sơ #{id} / The map with draft #{id}\"><figcaption>Với hồ sơ #{id} (chưa công bố) <span class=\"en\">With the draft (not published)</span>, {year}</figcaption></figure>\n<figure><img id=\"published-map\" src=\"/static/ntm.png?{query}&amp;year={public_year}\" width=\"{WIDTH}\" height=\"{HEIGHT}\" alt=\"Bản đồ đã công bố / The published map\"><figcaption>Đã công bố <span class=\"en\">Published</span>, {public_year}</figcaption></figure></div>"
            )
        }
    };
    let provinces: Vec<String> = touched.provinces.iter().map(|p| p.to_string()).collect();
    format!(
        "<h1>Xem trước bản đồ <span class=\"en\">Map preview</span> — hồ sơ <span class=\"en\">submission</span> #{id}</h1>\n<p>Bản đồ với hồ sơ này được áp dụng lên dữ liệu đã công bố. Chỉ người tải lên, quản trị và người xem xét thấy trang này; chưa có gì được công bố. <span class=\"en\">The map with this submission applied to the published data, visible only to its author, admins and reviewers; nothing is published.</span></p>\n<p>Trạng thái <span class=\"en\">Status</span>: <strong>{}</strong> · {} · tỉnh <span class=\"en\">provinces</span> (2024): {}</p>\n<h2>Đơn vị thay đổi <span class=\"en\">Changed units</span></h2>\n{units}\n<h2>So sánh <span class=\"en\">Compare</span></h2>\n{maps}\n<p><a href=\"/manage/submissions/{id}\">Quay lại hồ sơ <span class=\"en\">Back to the submission</span></a></p>",
        submission.status.as_str(),
        escape(&submission.file_name),
        escape(&provinces.join(", ")),
    )
}
