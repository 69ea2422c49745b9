//! The JSON documents that describe an atlas to a client: its metadata ([`Meta`]: data
//! version, sources, years, the sample-data notice) and the criteria catalog
//! ([`criteria_sets`]). The API answers them (`/api/v1/meta`, `/api/v1/criteria`, the
//! `meta` of every answer) and a static publication writes them as files, from this one
//! place, so the two cannot drift.

use super::{Atlas, DataSource};
use crate::model::{CriteriaItem, CriteriaSet};
use serde::Serialize;
use serde_json::{json, Value};

#[derive(Debug, Serialize)]
pub struct Meta {
    pub data_version: String,
    /// True when any layer is sample data.
    pub sample: bool,
    pub sources: Vec<NamedSource>,
    /// The years the data covers, first to last (what `year` accepts).
    pub years: Vec<u16>,
    pub notice: Option<&'static str>,
}

#[derive(Debug, Serialize)]
pub struct NamedSource {
    pub layer: &'static str,
    #[serde(flatten)]
    pub source: DataSource,
}

const SAMPLE_NOTICE: &str = "Contains SAMPLE data generated for demonstration (the 2024 boundaries are generated inside the \
real 2025 communes; NTM levels, criteria assessments, pilots and tourism sites are synthetic except the Hà Nội pilot \
list). Not official figures. Dữ liệu MẪU, không phải số liệu chính thức.";

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
        Meta { data_version: atlas.version.clone(), sample, sources, years: atlas.years().collect(), notice: sample.then_some(SAMPLE_NOTICE) }
    }
}

/// How many units and points the atlas holds (the `counts` of `/api/v1/meta`).
pub fn counts(atlas: &Atlas) -> Value {
    json!({
        "communes_2024": atlas.editions[0].communes.len(),
        "communes_2025": atlas.editions[1].communes.len(),
        "districts_2024": atlas.editions[0].districts.len(),
        "provinces_2024": atlas.editions[0].provinces.len(),
        "provinces_2025": atlas.editions[1].provinces.len(),
        "pilots": atlas.pilots.len(),
        "tourism": atlas.tourism.len(),
    })
}

/// The criteria catalog: every set with its criteria, each with its indicators.
pub fn criteria_sets(atlas: &Atlas) -> Vec<Value> {
    atlas.criteria.catalog.sets.iter().map(set_json).collect()
}

fn set_json(set: &CriteriaSet) -> Value {
    let criteria: Vec<Value> = set
        .criteria()
        .map(|c| {
            let indicators: Vec<Value> =
                set.items.iter().filter(|i| i.number.criterion == c.number.criterion && i.number.is_indicator()).map(item_json).collect();
            let mut v = item_json(c);
            v["indicators"] = Value::Array(indicators);
            v
        })
        .collect();
    json!({
        "id": set.id, "unit": set.unit, "level": set.level,
        "first_year": set.first_year, "last_year": set.last_year,
        "decision": set.decision, "decision_date": set.decision_date,
        "name_vi": set.name_vi, "name_en": set.name_en,
        "criteria": criteria,
    })
}

fn item_json(item: &CriteriaItem) -> Value {
    json!({
        "number": item.number, "name_vi": item.name_vi, "name_en": item.name_en,
        "label_vi": item.label_vi(), "label_en": item.label_en(),
    })
}
