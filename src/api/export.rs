//! `GET /api/v1/export/{layer}.{geojson,csv,fgb,xlsx}?edition=&year=`: open data, streamed.
//!
//! Steps per request: 1. split the file name into layer (unknown: 404 naming it) and
//! format (unknown: 400 naming it), read `edition` and `year`, refuse what has no
//! answer (districts of 2025) before sending anything; 2. run the exporter
//! ([`crate::export::write`], the code `bando export` runs) on the blocking pool,
//! writing into the response body chunk by chunk.

use super::params::{self, Params};
use super::stream::{body_from_producer, ChannelWriter};
use super::{ApiError, AppState};
use crate::export::{self, ExportRequest, Format, Layer};
use axum::extract::{Path, Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::HeaderValue;
use axum::response::Response;
use std::io::Write;

pub async fn export(State(state): State<AppState>, Path(file): Path<String>, Query(query): Query<Params>) -> Result<Response, ApiError> {
    let layers = || Layer::ALL.map(Layer::as_str).join(", ");
    let Some((layer_name, ext)) = file.rsplit_once('.') else {
        return Err(ApiError::NotFound(format!("no export '{file}': ask for {{layer}}.{{geojson,csv,fgb,xlsx}} with layer one of {}", layers())));
    };
    let layer = Layer::parse(layer_name)
        .ok_or_else(|| ApiError::NotFound(format!("no export layer '{layer_name}' (layers: {})", layers())))?;
    let format = Format::parse(ext).ok_or_else(|| ApiError::bad("format", format!("'{ext}' is not an export format (geojson, csv, fgb or xlsx)")))?;
    let atlas = state.atlas.current();
    let req = ExportRequest { layer, format, edition: params::edition(&query)?, as_of: params::as_of(&query, &atlas.years())? };
    req.check().map_err(|e| ApiError::bad("edition", e.to_string()))?;
    let body = body_from_producer(move |tx| {
        let mut out = ChannelWriter::new(tx);
        let written = export::write(&atlas, atlas.tiles(req.edition), &req, &mut out).and_then(|()| Ok(out.flush()?));
        drop(out);
        if let Err(e) = written {
            tracing::warn!("export {} stopped: {e}", req.file_name());
            // An error in the stream aborts the connection: the client sees a broken
            // transfer, never a short file that looks whole.
            let _ = tx.blocking_send(Err(std::io::Error::other(e.to_string())));
        }
    });
    let mut response = Response::new(body);
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(format.media_type()));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{}\"", req.file_name())) {
        headers.insert(CONTENT_DISPOSITION, v);
    }
    Ok(response)
}
