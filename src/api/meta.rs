//! Metadata carried by every answer: the data version and whether any layer is the
//! embedded sample data (which must never be mistaken for official figures).

use super::AppState;
use crate::atlas::{Atlas, DataSource};
use axum::extract::State;
use axum::Json;
use serde::Serialize;
use serde_json::{json, Value};

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
centroids; NTM levels, pilots and tourism sites are synthetic except the Hà Nội pilot list). Not official figures. \
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
