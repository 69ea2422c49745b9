//! `GET /manage/changes.csv?from=&to=&province=`: the published changes of a period as
//! CSV for the office (record, field, old, new, submission, who submitted, who approved,
//! when, decision). Province editors see their provinces only; admins and reviewers all,
//! or the `province` asked. The change log page ([`super::changes_page`]) reads the same.

use super::error::ManageError;
use super::Editor;
use crate::api::AppState;
use crate::model::Day;
use crate::store::{format_utc, Change, Role};
use axum::extract::{Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

#[derive(Deserialize, Default, Clone)]
pub struct Period {
    pub from: Option<String>,
    pub to: Option<String>,
    pub province: Option<String>,
}

fn day(field: &'static str, text: &Option<String>) -> Result<Option<Day>, ManageError> {
    text.as_deref()
        .filter(|t| !t.is_empty())
        .map(|t| Day::parse(t).map_err(|e| ManageError::BadRequest { field, message: format!("'{t}': {e}") }))
        .transpose()
}

/// The changes of `period` the editor may see (the module doc's rule), oldest first.
pub async fn read(state: &AppState, editor: &Editor, period: &Period) -> Result<Vec<Change>, ManageError> {
    let (from, to) = (day("from", &period.from)?, day("to", &period.to)?);
    let period_province = period.province.as_ref().map(|p| p.trim().to_string()).filter(|p| !p.is_empty());
    let provinces: Option<Vec<String>> = match (&period_province, editor.role) {
        (Some(p), Role::Province) => {
            editor.require_province(p)?;
            Some(vec![p.clone()])
        }
        (None, Role::Province) => Some(editor.provinces.clone()),
        (Some(p), _) => Some(vec![p.clone()]),
        (None, _) => None,
    };
    let publisher = state.publisher.clone().ok_or(ManageError::NoStore)?;
    tokio::task::spawn_blocking(move || publisher.store().changes(from, to, provinces.as_deref()))
        .await
        .map_err(|e| ManageError::Internal(e.to_string()))?
        .map_err(|e| ManageError::Internal(e.to_string()))
}

/// `GET /manage/changes.csv`.
pub async fn changes_csv(State(state): State<AppState>, editor: Editor, Query(period): Query<Period>) -> Result<Response, ManageError> {
    let changes = read(&state, &editor, &period).await?;
    let mut out = csv::Writer::from_writer(Vec::new());
    let header = ["publication", "submission", "kind", "key", "unit_code", "field", "old", "new", "submitted_by", "approved_by", "at", "decision"];
    out.write_record(header).map_err(|e| ManageError::Internal(e.to_string()))?;
    for c in &changes {
        let row = [
            c.publication.to_string(),
            c.submission.map(|s| s.to_string()).unwrap_or_default(),
            c.kind.clone(),
            c.key.clone(),
            c.unit_code.clone(),
            c.field.clone(),
            c.old.clone().unwrap_or_default(),
            c.new.clone(),
            c.submitted_by.clone().unwrap_or_default(),
            c.approved_by.clone(),
            format_utc(c.at),
            c.decision.clone().unwrap_or_default(),
        ];
        out.write_record(&row).map_err(|e| ManageError::Internal(e.to_string()))?;
    }
    let body = out.into_inner().map_err(|e| ManageError::Internal(e.to_string()))?;
    Ok((
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8"),
            (CONTENT_DISPOSITION, "attachment; filename=\"bando-changes.csv\""),
            (CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response())
}
