//! Metadata carried by every answer: the data version and whether any layer is the
//! embedded sample data (which must never be mistaken for official figures).

use super::AppState;
pub use crate::atlas::documents::Meta;
use crate::snapshot::Snapshot;
use axum::body::Bytes;
use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};
use std::sync::{Arc, RwLock, Weak};

/// The `meta` object of the published atlas as JSON, serialised once per snapshot:
/// every point answer carries it and it changes only when a reload publishes a new
/// atlas. Keyed by the snapshot itself (a `Weak` keeps its address from being reused
/// by a later atlas while the entry exists).
#[derive(Default)]
pub struct MetaJson(RwLock<Option<(Weak<Snapshot>, Bytes)>>);

impl MetaJson {
    /// The JSON of `Meta::of(atlas)`.
    pub fn of(&self, atlas: &Arc<Snapshot>) -> Bytes {
        // A poisoned lock still holds a whole entry (it is only ever replaced whole).
        if let Some((cached, json)) = &*self.0.read().unwrap_or_else(|e| e.into_inner()) {
            if std::ptr::eq(cached.as_ptr(), Arc::as_ptr(atlas)) {
                return json.clone();
            }
        }
        // Serialising cannot fail: every key is a string and every value plain data.
        let json = Bytes::from(serde_json::to_vec(&Meta::of(atlas)).unwrap_or_else(|_| b"null".to_vec()));
        *self.0.write().unwrap_or_else(|e| e.into_inner()) = Some((Arc::downgrade(atlas), json.clone()));
        json
    }
}

pub async fn meta(State(state): State<AppState>) -> Json<Value> {
    let atlas = state.atlas.current();
    let counts = crate::atlas::documents::counts(&atlas);
    Json(json!({ "meta": Meta::of(&atlas), "counts": counts }))
}
