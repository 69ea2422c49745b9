//! The maps' labels: which names are written from which zoom, at what size and in what
//! colour, for both the MapLibre style ([`super::maplibre`], symbol layers) and the PNG
//! tiles (`crate::raster::labels`), so the two write the same names the same way.
//!
//! A cartographer's choices, from the largest unit down: province names from zoom 5 (the
//! country at a glance) to 10, district names (edition 2024) from 8 to 12, commune names
//! from 10, and the names of pilots (NTM map) or tourism sites (tourism map) from 12,
//! beside their circles. Dark grey on a white halo reads on every class colour; larger
//! units write larger. Layers are listed in placement priority: a province's name wins
//! over a district's, which wins over a site's, which wins over a commune's; within a
//! layer the label point's `rank` (by area, [`crate::tile::area_rank`]) decides.

use super::Rgb;
use crate::tile::MapKind;

/// One kind of label.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelLayer {
    /// The style layer's id.
    pub id: &'static str,
    /// The tile layer holding the label points.
    pub source_layer: &'static str,
    /// True when the tile layer also holds polygons: label points carry `label=true`.
    pub flagged: bool,
    /// Shown from this zoom on …
    pub min_zoom: u8,
    /// … and below this one (`None`: at every deeper zoom).
    pub max_zoom: Option<u8>,
    /// Text size in CSS pixels by zoom `(zoom, size)`, linear between the two stops.
    pub size: [(f32, f32); 2],
    pub color: Rgb,
    pub halo: Rgb,
    /// Halo width in CSS pixels.
    pub halo_width: f32,
    /// Lines wrap beyond this width, in ems.
    pub max_width_em: f32,
    /// Free space kept around the label, in CSS pixels.
    pub padding: f32,
    /// Beside a point symbol (tried below, above, right, left of it) instead of centred.
    pub beside_point: bool,
}

impl LabelLayer {
    pub fn shown_at(&self, zoom: u8) -> bool {
        zoom >= self.min_zoom && self.max_zoom.is_none_or(|m| zoom < m)
    }

    pub fn size_at(&self, zoom: f32) -> f32 {
        super::by_zoom(&self.size, zoom)
    }
}

/// Distance from a point symbol's centre to its label, in ems.
pub const POINT_OFFSET_EM: f32 = 0.9;
/// Line height, in ems (MapLibre's default `text-line-height`).
pub const LINE_HEIGHT_EM: f32 = 1.2;

const TEXT: Rgb = Rgb([0x33, 0x33, 0x33]);
const WHITE: Rgb = Rgb([0xff, 0xff, 0xff]);

/// The labels of `map`, highest placement priority first.
pub fn label_layers(map: MapKind) -> Vec<LabelLayer> {
    let area = |id, source_layer, flagged, min_zoom, max_zoom, size, halo_width, max_width_em, padding| LabelLayer {
        id,
        source_layer,
        flagged,
        min_zoom,
        max_zoom,
        size,
        color: TEXT,
        halo: WHITE,
        halo_width,
        max_width_em,
        padding,
        beside_point: false,
    };
    let sites = match map {
        MapKind::Ntm => ("pilots-label", "pilots"),
        MapKind::Tourism => ("tourism-label", "tourism"),
    };
    vec![
        area("provinces-label", "provinces", true, crate::tile::PROVINCE_LABEL_MIN_ZOOM, Some(10), [(5.0, 11.0), (9.0, 16.0)], 1.5, 7.0, 6.0),
        area("districts-label", "districts", true, crate::tile::DISTRICT_LABEL_MIN_ZOOM, Some(12), [(8.0, 11.0), (11.0, 14.0)], 1.5, 7.0, 4.0),
        LabelLayer { beside_point: true, color: Rgb([0x2b, 0x2b, 0x2b]), ..area(sites.0, sites.1, false, 12, None, [(12.0, 10.0), (14.0, 12.0)], 1.2, 8.0, 2.0) },
        area("communes-label", "commune_labels", false, crate::tile::COMMUNE_LABEL_MIN_ZOOM, None, [(10.0, 10.0), (14.0, 13.0)], 1.2, 6.0, 3.0),
    ]
}
