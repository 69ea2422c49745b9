//! Metadata carried by every answer: the data version and whether any layer is the
//! embedded sample data (which must never be mistaken for official figures).

use super::AppState;
use crate::atlas::{Atlas, DataSource};
use crate::snapshot::Snapshot;
use axum::body::Bytes;
use axum::extract::State;
use axum::Json;
use serde::Serialize;
use serde_json::{json, Value};
use std::sync::{Arc, RwLock, Weak};

#[derive(Debug, Serialize)]
pub struct Meta {
    pub data_version: String,
    /// True when any layer is sample data.
    pub sample: bool,
    pub sources: Vec<NamedSource>,
    pub notice: Option<&'static str>,
}

#[derive(Debug, Serialize)]
pub struct NamedSource {
    pub layer: &'static str,
    #[serde(flatten)]
    pub source: DataSource,
}

const SAMPLE_NOTICE: &str = "Contains SAMPLE data generated for demonstration (boundaries are Voronoi cells of commune \
centroids; NTM levels, criteria assessments, pilots and tourism sites are synthetic except the Hà Nội pilot list). Not official figures. \
Dữ liệu MẪU, không phải số liệu chính thức.";

impl Meta {
    pub fn of(atlas: &Atlas) -> Meta {
        let s = &atlas.sources;
        let sources = vec![
            NamedSource { layer: "boundaries_2024", source: atlas.editions[0].boundaries.clone() },
            NamedSource { layer: "boundaries_2025", source: atlas.editions[1].boundaries.clone() },
            NamedSource { layer: "commune_results", source: s.results.clone() },
            NamedSource { layer: "district_results", source: s.district_results.clone() },
            NamedSource { layer: "province_results", source: s.province_results.clone() },
            NamedSource { layer: "pilots", source: s.pilots.clone() },
            NamedSource { layer: "tourism", source: s.tourism.clone() },
        ];
        let sources = sources.into_iter().chain(s.criteria.clone().map(|source| NamedSource { layer: "criteria", source })).collect();
        let sample = atlas.has_sample_data();
        Meta { data_version: atlas.version.clone(), sample, sources, notice: sample.then_some(SAMPLE_NOTICE) }
    }
}

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
    let counts = json!({
        "communes_2024": atlas.editions[0].communes.len(),
        "communes_2025": atlas.editions[1].communes.len(),
        "districts_2024": atlas.editions[0].districts.len(),
        "provinces_2024": atlas.editions[0].provinces.len(),
        "provinces_2025": atlas.editions[1].provinces.len(),
        "pilots": atlas.pilots.len(),
        "tourism": atlas.tourism.len(),
    });
    Json(json!({ "meta": Meta::of(&atlas), "counts": counts }))
}
