//! `GET /api/v1/communes/at`: the commune at a point, with levels and nearby places.
//!
//! Steps per request: 1. read `lon`, `lat`, `edition`, `year`, `radius_m` from the raw
//! query string ([`QueryPairs`]: no string allocated unless a value is encoded);
//! 2. locate the commune on the current atlas; 3. write the answer as JSON into one
//! buffer: the head (commune, levels, checklist), written once per commune and year
//! ([`HeadCache`]), the nearby places, written straight from their types, then the
//! `meta` object, serialised once per atlas snapshot ([`MetaJson`](super::meta::MetaJson));
//! send that buffer as the body.
//!
//! This route is the one clients call by the thousand, so the answer is written directly
//! rather than through an intermediate `serde_json::Value` tree (whose maps cost an
//! allocation per object and per key) and `meta` is not rebuilt per request.

use super::params::{self, QueryPairs};
use super::point_head::HeadCache;
use super::{ApiError, AppState};
use crate::query::{self, PointQuery};
use crate::snapshot::Snapshot;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, Uri};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// The request's `Uri` rather than axum's `RawQuery`: the query string is read where it
/// lies, not copied into a `String`. The snapshot, its `meta` and its heads are borrowed
/// ([`SharedSnapshot::load`](crate::snapshot::SharedSnapshot::load)), not cloned: a
/// reference count that every request changes would pass between the cores each time.
pub async fn commune_at(State(state): State<AppState>, uri: Uri) -> Result<Response, ApiError> {
    let params = QueryPairs::parse(uri.query().unwrap_or(""));
    let published = state.atlas.load();
    let atlas = &published.snapshot;
    let q = PointQuery {
        position: params::position(&params)?,
        edition: params::edition(&params)?,
        as_of: params::as_of(&params, &atlas.years())?,
        radius_m: params::radius_m(&params)?,
    };
    match atlas.edition(q.edition).index.locate(q.position) {
        Some(i) => {
            let body = answer_json(atlas, &state.point_heads, i, q, &state.meta.of(atlas))?;
            Ok(([(CONTENT_TYPE, HeaderValue::from_static("application/json"))], body).into_response())
        }
        None => Err(ApiError::NotFound(format!(
            "no commune of edition {} contains the point ({}, {})",
            q.edition, q.position.lon, q.position.lat
        ))),
    }
}

/// The answer's JSON object for commune `i`: its head (from `heads`), the nearby places,
/// then `"meta": meta` as its last member. The same bytes as serialising
/// [`query::describe`]'s answer and appending `meta` (a test compares them).
fn answer_json(atlas: &Arc<Snapshot>, heads: &HeadCache, i: usize, q: PointQuery, meta: &[u8]) -> Result<Vec<u8>, ApiError> {
    let cannot = |e: serde_json::Error| ApiError::Internal(format!("cannot write the answer: {e}"));
    // A typical answer with a few nearby places and meta is 1–3 KB.
    let mut out = Vec::with_capacity(2048 + meta.len());
    heads.write(atlas, i, q, &mut out).map_err(cannot)?;
    // `{…head` + `,` + `"pilots":[…],"tourism":[…]` (the nearby object without its braces).
    let start = out.len();
    serde_json::to_writer(&mut out, &query::nearby(atlas, q.position, q.radius_m)).map_err(cannot)?;
    out[start] = b',';
    debug_assert_eq!(out.last(), Some(&b'}'));
    out.pop();
    out.extend_from_slice(b",\"meta\":");
    out.extend_from_slice(meta);
    out.push(b'}');
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::atlas::{self, Inputs};
    use crate::model::{AsOf, Day, Edition, LonLat};

    /// The answer through the head table, written twice (filling then reading the slots),
    /// equals serialising `query::commune_at`'s answer with `meta` appended, for every
    /// edition, year, a day, and radii from none to the largest, at points all over the map.
    #[test]
    fn answers_through_the_head_table_equal_the_plain_answer() {
        let snapshot = Arc::new(Snapshot::new(atlas::build(&Inputs::embedded(crate::config::EMBEDDED_GEODATA)).expect("embedded data").0));
        let heads = HeadCache::default();
        let meta = br#"{"data_version":"test"}"#;
        let years = snapshot.years();
        let mut moments: Vec<AsOf> = years.clone().map(AsOf::Year).collect();
        moments.push(AsOf::Day(Day::parse(&format!("{}-06-30", years.end())).expect("a day")));
        let (mut compared, mut cached) = (0, 0);
        for edition in [Edition::E2024, Edition::E2025] {
            for step in 0..400 {
                // A 20 × 20 grid over Vietnam's bounding box; sea points locate nothing.
                let position = LonLat::new(102.2 + 7.2 * f64::from(step % 20) / 19.0, 8.6 + 14.8 * f64::from(step / 20) / 19.0);
                for (k, &as_of) in moments.iter().enumerate() {
                    let radius_m = [0.0, 5_000.0, 50_000.0][(step as usize + k) % 3];
                    let q = PointQuery { position, edition, as_of, radius_m };
                    let Some(plain) = query::commune_at(&snapshot, q) else { continue };
                    let mut expected = serde_json::to_vec(&plain).unwrap();
                    expected.pop();
                    expected.extend_from_slice(b",\"meta\":");
                    expected.extend_from_slice(meta);
                    expected.push(b'}');
                    let i = snapshot.edition(edition).index.locate(position).unwrap();
                    for _ in 0..2 {
                        let written = answer_json(&snapshot, &heads, i, q, meta).unwrap();
                        assert_eq!(String::from_utf8(written).unwrap(), String::from_utf8(expected.clone()).unwrap(), "{q:?}");
                    }
                    compared += 1;
                    cached += usize::from(matches!(as_of, AsOf::Year(_)));
                }
            }
        }
        assert!(compared > 500 && cached > 400, "only {compared} answers compared ({cached} through the table)");
        assert!(heads.kept_bytes(&snapshot) > 0, "nothing was kept");
    }
}
