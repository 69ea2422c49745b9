//! Metadata carried by every answer: the data version and whether any layer is the
//! embedded sample data (which must never be mistaken for official figures).

use super::AppState;
pub use crate::atlas::documents::Meta;
use crate::snapshot::per_snapshot::{Kept, PerSnapshot};
use crate::snapshot::Snapshot;
use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};
use std::sync::Arc;

/// The `meta` object of the published atlas as JSON, serialised once per snapshot:
/// every point answer carries it and it changes only when a reload publishes a new
/// atlas.
#[derive(Default)]
pub struct MetaJson(PerSnapshot<Box<[u8]>>);

impl MetaJson {
    /// The JSON of `Meta::of(atlas)`.
    pub fn of(&self, atlas: &Arc<Snapshot>) -> Kept<Box<[u8]>> {
        // Serialising cannot fail: every key is a string and every value plain data.
        self.0.get(atlas, |atlas| serde_json::to_vec(&Meta::of(atlas)).unwrap_or_else(|_| b"null".to_vec()).into())
    }
}

pub async fn meta(State(state): State<AppState>) -> Json<Value> {
    let atlas = state.atlas.current();
    let counts = crate::atlas::documents::counts(&atlas);
    Json(json!({ "meta": Meta::of(&atlas), "counts": counts }))
}
