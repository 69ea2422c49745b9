//! Assembles a tile's layers from the atlas: `communes` (polygons), `commune_labels`
//! (from zoom [`COMMUNE_LABEL_MIN_ZOOM`]: a point per commune with its name and rank only),
//! `districts` and `provinces` (polygons, plus label points from [`DISTRICT_LABEL_MIN_ZOOM`]
//! and [`PROVINCE_LABEL_MIN_ZOOM`]), `pilots` and `tourism` (points; below
//! [`super::thin::ALL_POINTS_FROM_ZOOM`] only those [`super::thin`] keeps apart).
//!
//! Label points carry `rank`: a label's placement priority by the unit's area
//! ([`area_rank`]), lower first; MapLibre's `symbol-sort-key` and the PNG labels
//! (`crate::raster::labels`) both place in that order.
//!
//! At low zoom, communes too small to see are drawn merged with neighbours of their
//! province, one feature per cluster with its largest commune's attributes
//! ([`super::coalesce`]).
//!
//! The NTM map carries communes with their levels and criteria ([`super::criteria`]),
//! districts with their levels and criteria, pilots in full and tourism sites reduced to
//! their category; the tourism map the reverse: communes reduced to their level (drawn
//! faded by its style), tourism sites in full, pilots reduced to their kind. Tiles do not
//! depend on the map's theme: they carry every criterion, and styles choose what to colour.

use super::coalesce;
use super::dissolve::{dissolve, drop_gaps, signed_area, GroupRing};
use super::mercator::{bounds, dist2, project, tile_bounds, unproject};
use super::mvt::{GeomType, Geometry, Layer, Tags, Value};
use super::simplify::{ArcPass, Ranking};
use super::thin;
use super::topology::{ArcRef, Topology};
use super::criteria::{Attrs, CriteriaTable, CriteriaTables, Fields};
use super::{clip, MapKind, TileId, TileView, BUFFER, EXTENT};
use crate::atlas::{Atlas, EditionAtlas};
use crate::model::{AsOf, CriteriaCatalog, Edition, PilotKind, PilotModel, PointKinds, TourismCategory, TourismSite, UnitScope};
use crate::standing::{self, LevelInForce};
use rayon::prelude::*;
use std::borrow::Cow;
use std::collections::BTreeMap;

/// A dissolved unit (district or province): its rings, box and label point.
struct Group {
    code: String,
    name: String,
    rings: Vec<GroupRing>,
    /// Per ring, its area (unit square²) when it is an island: an exterior whose every
    /// arc is unshared (coast all round).
    island_areas: Vec<Option<f64>>,
    /// Per ring, its arcs summarised `ARC_BLOCK` at a time (see `ArcBlock`).
    blocks: Vec<Vec<ArcBlock>>,
    bbox: [f64; 4],
    label: [f64; 2],
    /// Placement priority of its label ([`area_rank`] of its communes' total area).
    rank: u8,
}

/// Zoom from which tiles carry `commune_labels` (the styles show them from there).
pub const COMMUNE_LABEL_MIN_ZOOM: u8 = 10;
/// Zoom from which tiles carry the label points of districts (the styles show them from
/// there: below it, some 700 names cannot be placed, and each point would only add bytes).
pub const DISTRICT_LABEL_MIN_ZOOM: u8 = 8;
/// Zoom from which tiles carry the label points of provinces (as for districts).
pub const PROVINCE_LABEL_MIN_ZOOM: u8 = 5;

/// A label's placement priority from its unit's area in km²: 20 − log2(area), so a
/// province (~5,000 km²) ranks about 7, a rural commune (~20 km²) about 15, an urban
/// ward (~1 km²) about 20. Lower ranks are placed first.
pub fn area_rank(km2: f64) -> u8 {
    (20.0 - km2.max(1e-6).log2()).floor().clamp(0.0, 40.0) as u8
}

/// A unit's area in km² from its lon/lat rings (exteriors minus holes), on the sphere's
/// local scale at each ring's latitude: enough to rank labels.
fn area_km2(area: &crate::index::PreparedArea) -> f64 {
    const KM_PER_DEG: f64 = 111.32;
    area.rings()
        .map(|(exterior, xs, ys)| {
            let n = xs.len();
            let twice: f64 = (0..n).map(|i| xs[i] * ys[(i + 1) % n] - xs[(i + 1) % n] * ys[i]).sum();
            let lat = ys.iter().sum::<f64>() / n.max(1) as f64;
            let a = twice.abs() / 2.0 * KM_PER_DEG * KM_PER_DEG * lat.to_radians().cos();
            if exterior { a } else { -a }
        })
        .sum::<f64>()
        .max(0.0)
}

/// Points per chunk of `EditionTiles::chunk_boxes`.
const CHUNK: usize = 32;

/// Arcs per `ArcBlock`.
const ARC_BLOCK: usize = 16;

/// A run of `ARC_BLOCK` consecutive arcs of a ring: their joint box and the run's
/// first and last points (in ring order). A district's or province's outline has
/// hundreds of arcs, mostly far from any one tile; a block off the tile is passed in
/// one read of this record instead of one read per arc, scattered in memory.
struct ArcBlock {
    bbox: [f64; 4],
    first: [f64; 2],
    last: [f64; 2],
}

impl ArcBlock {
    fn of_ring(topo: &Topology, arc_boxes: &[[f64; 4]], arcs: &[ArcRef]) -> Vec<ArcBlock> {
        let end = |r: &ArcRef, last: bool| {
            let i = r.index();
            let (s, e) = (topo.starts[i] as usize, topo.starts[i + 1] as usize - 1);
            topo.points[if r.reversed() == last { s } else { e }]
        };
        arcs.chunks(ARC_BLOCK)
            .map(|run| ArcBlock {
                bbox: run.iter().map(|r| arc_boxes[r.index()]).fold([f64::MAX, f64::MAX, f64::MIN, f64::MIN], |b, a| {
                    [b[0].min(a[0]), b[1].min(a[1]), b[2].max(a[2]), b[3].max(a[3])]
                }),
                first: end(&run[0], false),
                last: end(&run[run.len() - 1], true),
            })
            .collect()
    }
}

/// The communes one zoom draws as one feature each ([`coalesce`]).
struct MergedCommunes {
    /// Per commune, its cluster in `clusters`, or [`MergedCommunes::ALONE`].
    cluster_of: Vec<u32>,
    clusters: Vec<MergedFeature>,
}

/// A cluster of communes drawn as one feature.
struct MergedFeature {
    /// The commune whose attributes the feature carries: the largest.
    representative: usize,
    rings: Vec<GroupRing>,
    blocks: Vec<Vec<ArcBlock>>,
}

impl MergedCommunes {
    const ALONE: u32 = u32::MAX;

    /// The features of `clusters` (commune positions, largest first), dissolved.
    fn new(topo: &Topology, arc_boxes: &[[f64; 4]], clusters: Vec<Vec<usize>>) -> MergedCommunes {
        let mut cluster_of = vec![Self::ALONE; topo.unit_count()];
        for (k, members) in clusters.iter().enumerate() {
            for &u in members {
                cluster_of[u] = k as u32;
            }
        }
        let group_of: Vec<Option<u32>> = cluster_of.iter().map(|&k| (k != Self::ALONE).then_some(k)).collect();
        let rings = dissolve(topo, &group_of, clusters.len());
        let clusters = clusters
            .iter()
            .zip(rings)
            .map(|(members, rings)| MergedFeature {
                representative: members[0],
                blocks: rings.iter().map(|r| ArcBlock::of_ring(topo, arc_boxes, &r.arcs)).collect(),
                rings,
            })
            .collect();
        MergedCommunes { cluster_of, clusters }
    }

    /// Commune `i`'s cluster and its number, when it is drawn merged.
    fn cluster(&self, i: usize) -> Option<(usize, &MergedFeature)> {
        let k = *self.cluster_of.get(i)?;
        (k != Self::ALONE).then(|| (k as usize, &self.clusters[k as usize]))
    }
}

/// A label point of [`EditionTiles::label_points`]: unit Mercator position, name, rank.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LabelPoint<'a> {
    pub position: [f64; 2],
    pub name: &'a str,
    pub rank: u8,
}

/// Pre-processed tile geometry of one edition (built once per atlas snapshot).
pub struct EditionTiles {
    edition: Edition,
    topo: Topology,
    ranking: Ranking,
    /// Per arc `[min_x, min_y, max_x, max_y]` in unit coordinates.
    arc_boxes: Vec<[f64; 4]>,
    /// Per chunk of `CHUNK` consecutive points of `topo.points`, their box: the parts
    /// of a long arc that lie off the tile are passed a chunk at a time.
    chunk_boxes: Vec<[f64; 4]>,
    /// Commune codes as text, by position: the `code` attribute of every tile.
    commune_codes: Vec<String>,
    /// Per zoom from 0, the communes drawn merged at that zoom ([`coalesce`]); zooms
    /// past the end draw every commune alone.
    merged: Vec<MergedCommunes>,
    districts: Vec<Group>,
    provinces: Vec<Group>,
    /// Per commune, its label point (unit coordinates) and rank.
    commune_labels: Vec<([f64; 2], u8)>,
    /// Pilots and tourism sites, projected once.
    pilots: ProjectedPoints,
    tourism: ProjectedPoints,
    /// The units' criteria at the moments asked for lately (made on first use).
    criteria: CriteriaTables,
    /// The data version PNG labels are placed for, when an earlier snapshot's labels are
    /// these ones too (see [`EditionTiles::share_labels_of`]); else the atlas's own.
    label_version: Option<String>,
}

impl EditionTiles {
    pub fn build(edition: &EditionAtlas, pilots: &[PilotModel], tourism: &[TourismSite]) -> EditionTiles {
        let index = &edition.index;
        let topo = Topology::build(index.len(), |i| index.area(i).rings(), project);
        let ranking = Ranking::build(&topo.points, &topo.starts);
        let arc_boxes: Vec<[f64; 4]> = (0..topo.arc_count()).map(|i| bounds(topo.arc(i))).collect();
        let chunk_boxes = topo.points.chunks(CHUNK).map(bounds).collect();
        let label = |i: usize| {
            let c = &edition.communes[i];
            let p = c.label_point.map_or_else(|| {
                let [x0, y0, x1, y1] = index.area(i).bbox();
                [(x0 + x1) / 2.0, (y0 + y1) / 2.0]
            }, |p| [p.lon, p.lat]);
            project(p[0], p[1])
        };
        let areas: Vec<f64> = (0..edition.communes.len()).map(|i| area_km2(index.area(i))).collect();
        let labels: Vec<[f64; 2]> = (0..edition.communes.len()).map(label).collect();
        let groups = |key: &dyn Fn(usize) -> Option<(String, String)>| -> Vec<Group> {
            let mut ids: BTreeMap<String, (u32, String)> = BTreeMap::new();
            let group_of: Vec<Option<u32>> = (0..edition.communes.len())
                .map(|i| {
                    key(i).map(|(code, name)| {
                        let n = ids.len() as u32;
                        ids.entry(code).or_insert((n, name)).0
                    })
                })
                .collect();
            let mut rings = dissolve(&topo, &group_of, ids.len());
            for group_rings in &mut rings {
                drop_gaps(&topo, group_rings, &labels);
            }
            let mut out: Vec<Option<Group>> = (0..ids.len()).map(|_| None).collect();
            for (code, (g, name)) in ids {
                let members: Vec<usize> = (0..group_of.len()).filter(|&i| group_of[i] == Some(g)).collect();
                let member_labels: Vec<[f64; 2]> = members.iter().map(|&i| labels[i]).collect();
                let n = member_labels.len().max(1) as f64;
                let mean = [member_labels.iter().map(|p| p[0]).sum::<f64>() / n, member_labels.iter().map(|p| p[1]).sum::<f64>() / n];
                let best = member_labels
                    .iter()
                    .copied()
                    .min_by(|a, b| dist2(*a, mean).total_cmp(&dist2(*b, mean)))
                    .unwrap_or(mean);
                let group_rings = std::mem::take(&mut rings[g as usize]);
                let mut bbox = [f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY];
                for r in &group_rings {
                    for a in &r.arcs {
                        for p in topo.arc(a.index()) {
                            bbox = [bbox[0].min(p[0]), bbox[1].min(p[1]), bbox[2].max(p[0]), bbox[3].max(p[1])];
                        }
                    }
                }
                let blocks = group_rings.iter().map(|r| ArcBlock::of_ring(&topo, &arc_boxes, &r.arcs)).collect();
                let island_areas = group_rings
                    .iter()
                    .map(|r| (r.exterior && r.arcs.iter().all(|a| topo.uses[a.index()] < 2)).then(|| signed_area(&topo, &r.arcs).abs()))
                    .collect();
                // Cities are named before the units around them, whatever their area: the
                // five centrally governed cities among provinces (Thành phố Hà Nội, …), the
                // provincial cities among districts.
                let rank = if name.starts_with("Thành phố ") { 0 } else { area_rank(members.iter().map(|&i| areas[i]).sum()) };
                out[g as usize] = Some(Group { code, name, rings: group_rings, island_areas, blocks, bbox, label: best, rank });
            }
            out.into_iter().flatten().collect()
        };
        let districts = groups(&|i| {
            let c = &edition.communes[i];
            c.district.and_then(|d| edition.districts.get(&d)).map(|d| (d.code.to_string(), d.name.clone()))
        });
        let provinces = groups(&|i| {
            let c = &edition.communes[i];
            edition.provinces.get(&c.province).map(|p| (p.code.to_string(), p.name.clone()))
        });
        let provinces_of: Vec<_> = edition.communes.iter().map(|c| c.province).collect();
        let merged = coalesce::plan(&topo, &provinces_of)
            .into_par_iter()
            .map(|clusters| MergedCommunes::new(&topo, &arc_boxes, clusters))
            .collect();
        EditionTiles {
            edition: edition.edition,
            merged,
            topo,
            ranking,
            arc_boxes,
            chunk_boxes,
            commune_codes: edition.communes.iter().map(|c| c.code.to_string()).collect(),
            districts,
            provinces,
            commune_labels: labels.iter().zip(&areas).map(|(&p, &a)| (p, area_rank(a))).collect(),
            pilots: ProjectedPoints::new(&pilots.iter().map(|p| ([p.position.lon, p.position.lat], p.id.as_str())).collect::<Vec<_>>(), |k| pilot_weight(&pilots[k])),
            tourism: ProjectedPoints::new(&tourism.iter().map(|t| ([t.position.lon, t.position.lat], t.id.as_str())).collect::<Vec<_>>(), |k| tourism_weight(&tourism[k])),
            criteria: CriteriaTables::default(),
            label_version: None,
        }
    }

    /// Whether tiles of zoom `z` carry pilot `k` (its index in the atlas): below
    /// [`thin::ALL_POINTS_FROM_ZOOM`], points too close to one drawn are left out.
    pub fn pilot_shown(&self, k: usize, z: u8) -> bool {
        self.pilots.shown(k, z)
    }

    /// Whether tiles of zoom `z` carry tourism site `k` (as [`Self::pilot_shown`]).
    pub fn tourism_shown(&self, k: usize, z: u8) -> bool {
        self.tourism.shown(k, z)
    }

    /// Each province of the edition with its box in unit coordinates (`[min_x, min_y,
    /// max_x, max_y]`, y down): what a publication that touches the province can change.
    pub fn province_boxes(&self) -> impl Iterator<Item = (&str, [f64; 4])> {
        self.provinces.iter().map(|g| (g.code.as_str(), g.bbox))
    }

    /// Says that the PNG labels of these tiles are those placed for data version
    /// `version` (an earlier snapshot whose label points — names, positions, sites — are
    /// the same), so its placements are reused instead of made again.
    pub fn share_labels_of(&mut self, version: &str) {
        self.label_version = Some(version.to_string());
    }

    /// The data version PNG label placements are kept under (see [`Self::share_labels_of`]).
    pub fn label_version<'a>(&'a self, atlas: &'a Atlas) -> &'a str {
        self.label_version.as_deref().unwrap_or(&atlas.version)
    }

    /// The moments whose criteria tables were asked for lately, most recent first.
    pub fn criteria_moments(&self) -> Vec<AsOf> {
        self.criteria.moments()
    }

    /// Makes the criteria table of `as_of` now (tiles would make it on first use).
    pub fn prepare_criteria(&self, atlas: &Atlas, as_of: AsOf) {
        self.criteria.get(atlas, self.edition, as_of);
    }

    /// The label points a tile layer carries, with their names and ranks, over the whole
    /// map (not clipped to a tile): what PNG labels are placed from. `layer` is a tile
    /// layer name (`provinces`, `districts`, `commune_labels`, `pilots`, `tourism`);
    /// sites rank 0 (their layer's order decides, not their size), and those of the `hidden`
    /// kinds are left out.
    pub fn label_points<'a>(&'a self, atlas: &'a Atlas, layer: &str, hidden: PointKinds) -> Vec<LabelPoint<'a>> {
        let groups = |g: &'a [Group]| g.iter().map(|g| LabelPoint { position: g.label, name: g.name.as_str(), rank: g.rank }).collect();
        // The points of a hidden kind are left out: `name` gives none for them.
        let sites = |points: &ProjectedPoints, name: &dyn Fn(usize) -> Option<&'a str>| {
            points.by_x.iter().filter_map(|&(position, k)| Some(LabelPoint { position, name: name(k as usize)?, rank: 0 })).collect()
        };
        match layer {
            "provinces" => groups(&self.provinces),
            "districts" => groups(&self.districts),
            "commune_labels" => {
                let communes = &atlas.edition(self.edition).communes;
                self.commune_labels.iter().zip(communes).map(|(&(position, rank), c)| LabelPoint { position, name: c.name.as_str(), rank }).collect()
            }
            "pilots" => sites(&self.pilots, &|k| Some(&atlas.pilots[k]).filter(|p| !hidden.has_pilot(p.kind)).map(|p| p.name.as_str())),
            "tourism" => sites(&self.tourism, &|k| Some(&atlas.tourism[k]).filter(|t| !hidden.has_site(t.category)).map(|t| t.name.as_str())),
            _ => Vec::new(),
        }
    }

    /// Vertices stored (each shared border once).
    /// Whether a commune border, a pilot, a tourism site or a unit's label point lies in
    /// the buffered `tile` (a little wider, to be safe). When it is false and the tile
    /// renders empty, no tile below it holds anything either: no border crosses it, so
    /// every commune either covers it whole (and would have drawn it) or misses it. A
    /// pyramid walk descends only where this or a non-empty render says so.
    pub fn reaches(&self, atlas: &Atlas, tile: TileId) -> bool {
        let [x0, y0, x1, y1] = tile_bounds(tile);
        // A tenth more than the render's buffer: rounding never hides a border.
        let pad = (x1 - x0) * f64::from(BUFFER) / f64::from(EXTENT) * 1.1;
        let b = [x0 - pad, y0 - pad, x1 + pad, y1 + pad];
        let ([w, n], [e, s_]) = (unproject(b[0].max(0.0), b[1].max(0.0)), unproject(b[2].min(1.0), b[3].min(1.0)));
        let inside = |p: [f64; 2]| p[0] >= b[0] && p[0] <= b[2] && p[1] >= b[1] && p[1] <= b[3];
        let border = atlas.edition(self.edition).index.in_bbox([w, s_, e, n]).any(|i| {
            self.topo.rings_of(i).iter().any(|r| self.topo.arcs_of(r).iter().any(|a| overlaps(self.arc_boxes[a.index()], b)))
        });
        let points = |p: &ProjectedPoints| p.in_x_range(b[0], b[2]).iter().any(|&(at, _)| inside(at));
        border || points(&self.pilots) || points(&self.tourism) || self.districts.iter().chain(&self.provinces).any(|g| inside(g.label))
    }

    pub fn vertex_count(&self) -> usize {
        self.topo.points.len()
    }

    /// The dissolved districts (or provinces) at full resolution, back in WGS84
    /// degrees, by code: the shapes the tiles draw, for exports.
    pub fn unit_shapes(&self, districts: bool) -> Vec<(&str, geo::MultiPolygon<f64>)> {
        let groups = if districts { &self.districts } else { &self.provinces };
        groups.iter().map(|g| (g.code.as_str(), self.group_shape(g))).collect()
    }

    /// Chains a group's arcs into rings and hangs each hole in the exterior that
    /// contains its first vertex.
    fn group_shape(&self, g: &Group) -> geo::MultiPolygon<f64> {
        use geo::Contains;
        let ring = |r: &GroupRing| -> geo::LineString<f64> {
            let mut coords: Vec<geo::Coord<f64>> = Vec::new();
            for a in &r.arcs {
                let arc = self.topo.arc(a.index());
                let points: Box<dyn Iterator<Item = &[f64; 2]>> =
                    if a.reversed() { Box::new(arc.iter().rev()) } else { Box::new(arc.iter()) };
                for p in points.skip(usize::from(!coords.is_empty())) {
                    let [x, y] = unproject(p[0], p[1]);
                    coords.push(geo::Coord { x, y });
                }
            }
            geo::LineString(coords)
        };
        let mut polygons: Vec<geo::Polygon<f64>> =
            g.rings.iter().filter(|r| r.exterior).map(|r| geo::Polygon::new(ring(r), vec![])).collect();
        for hole in g.rings.iter().filter(|r| !r.exterior) {
            let line = ring(hole);
            let Some(first) = line.0.first().copied() else { continue };
            if let Some(p) = polygons.iter_mut().find(|p| p.exterior().contains(&first) || geo::Polygon::new(p.exterior().clone(), vec![]).contains(&first)) {
                p.interiors_push(line);
            }
        }
        geo::MultiPolygon(polygons)
    }
}

/// Projected points sorted by x, so a tile reads only the slice in its x range
/// instead of testing every site in the country.
struct ProjectedPoints {
    /// (position, index in the atlas), by ascending x.
    by_x: Vec<([f64; 2], u32)>,
    /// By index in the atlas, the zoom from which tiles carry the point ([`thin`]).
    appear: Vec<u8>,
}

impl ProjectedPoints {
    /// Projects `points` (longitude, latitude) and thins them ([`thin::appear_zooms`] with
    /// `weight` and a hash of `id`).
    fn new(points: &[([f64; 2], &str)], weight: impl Fn(usize) -> u8) -> ProjectedPoints {
        let projected: Vec<[f64; 2]> = points.iter().map(|(p, _)| project(p[0], p[1])).collect();
        let appear = thin::appear_zooms(&projected, weight, |k| crate::fnv::hash(points[k].1.as_bytes()));
        let mut by_x: Vec<([f64; 2], u32)> = projected.into_iter().enumerate().map(|(k, p)| (p, k as u32)).collect();
        by_x.sort_by(|a, b| a.0[0].total_cmp(&b.0[0]).then(a.1.cmp(&b.1)));
        ProjectedPoints { by_x, appear }
    }

    /// Whether tiles of zoom `z` carry point `k` (its index in the atlas).
    fn shown(&self, k: usize, z: u8) -> bool {
        self.appear.get(k).is_some_and(|&a| a <= z)
    }

    /// The points with `x0 <= x <= x1`.
    fn in_x_range(&self, x0: f64, x1: f64) -> &[([f64; 2], u32)] {
        let start = self.by_x.partition_point(|(p, _)| p[0] < x0);
        let end = self.by_x.partition_point(|(p, _)| p[0] <= x1);
        &self.by_x[start..end.max(start)]
    }
}

/// Thinning priority of a pilot: the smart commune, the pilot Decision 924 counts in
/// every province, before the e-commerce commune, before the smart village.
fn pilot_weight(p: &PilotModel) -> u8 {
    match p.kind {
        PilotKind::SmartCommune => 2,
        PilotKind::EcommerceCommune => 1,
        PilotKind::SmartVillage => 0,
    }
}

/// Thinning priority of a tourism site: 5-star OCOP products (of national standing) first,
/// every other site alike.
fn tourism_weight(t: &TourismSite) -> u8 {
    u8::from(t.category == TourismCategory::OcopProduct && t.ocop_stars == Some(5))
}

/// Rings smaller than this (grid units², a 256 px pixel is 16 × 16 units) are dropped
/// when dropping cannot open a gap: holes (the unit around covers them) and rings
/// whose every arc is unshared (small islands).
const MIN_RING_AREA: i64 = 256;

/// Islands smaller than this many pixels a side, as the tile is displayed, are left out of
/// district and province polygons, which the styles draw as dark outlines: a 1–3 px line
/// around an islet of a few pixels blots it out (the islets of Hạ Long bay became black
/// specks). The communes layer still fills and outlines them, and on the boundaries where
/// themes fill districts and provinces each unit's islets come as a feature of their own
/// (`islets=true`), filled and not outlined.
const MIN_OUTLINED_ISLAND_PX: f64 = 8.0;

/// Pixels a side of a vector tile as MapLibre displays it.
pub const VECTOR_TILE_PX: u32 = 512;

/// Collects a ring's points, reducing each run of consecutive points that lie wholly
/// beyond one common clip line to the run's first and last points.
struct RingBuilder {
    points: Vec<[f64; 2]>,
    /// The clip lines (a bit each) every point of the current run lies beyond; 0
    /// when no run is open.
    run_beyond: u8,
    /// The run's latest point, written when the run ends.
    run_end: Option<[f64; 2]>,
}

impl RingBuilder {
    fn new(mut points: Vec<[f64; 2]>) -> RingBuilder {
        points.clear();
        RingBuilder { points, run_beyond: 0, run_end: None }
    }

    /// Adds the next point; `beyond` has a bit set for each clip line the point is
    /// known to lie beyond (0 is always correct: the point is simply kept).
    fn add(&mut self, p: [f64; 2], beyond: u8) {
        if self.run_beyond & beyond != 0 {
            self.run_beyond &= beyond;
            self.run_end = Some(p);
            return;
        }
        self.end_run();
        self.points.push(p);
        self.run_beyond = beyond;
    }

    /// Closes the open run, if any: the points that follow are kept as they come
    /// (through `points`, the hot path for the parts of a ring in the tile).
    fn end_run(&mut self) {
        self.points.extend(self.run_end.take());
        self.run_beyond = 0;
    }

    fn finish(mut self) -> Vec<[f64; 2]> {
        self.points.extend(self.run_end.take());
        self.points
    }
}

/// Per-tile drawing state: the transform to the tile grid and reusable buffers.
struct Painter<'a> {
    tiles: &'a EditionTiles,
    z: u8,
    /// [`MIN_OUTLINED_ISLAND_PX`] squared, in the unit square at the tile's zoom and
    /// display size.
    min_outlined_island: f64,
    origin: [f64; 2],
    scale: f64,
    clip_rect: [f64; 4],
    buf: Buffers,
}

/// The painter's scratch buffers, kept per thread between tiles: they grow to the
/// largest ring once instead of on every tile.
#[derive(Default)]
struct Buffers {
    kept: Vec<u32>,
    ring: Vec<[f64; 2]>,
    clipped: Vec<[f64; 2]>,
    scratch: Vec<[f64; 2]>,
    grid: Vec<[i32; 2]>,
    geometry: Geometry,
}

thread_local! {
    static BUFFERS: std::cell::RefCell<Buffers> = std::cell::RefCell::default();
}

impl<'a> Painter<'a> {
    fn new(tiles: &'a EditionTiles, tile: TileId, tile_px: u32) -> Self {
        let [x0, y0, x1, _] = tile_bounds(tile);
        let b = f64::from(BUFFER);
        let e = f64::from(EXTENT);
        // A pixel is the tile's side (x1 − x0 in the unit square) over its display size.
        let island_side = MIN_OUTLINED_ISLAND_PX * (x1 - x0) / f64::from(tile_px.max(1));
        Painter {
            tiles,
            z: tile.z,
            min_outlined_island: island_side * island_side,
            origin: [x0, y0],
            scale: e / (x1 - x0),
            clip_rect: [-b, -b, e + b, e + b],
            buf: BUFFERS.with(|cell| cell.take()),
        }
    }
}

impl Drop for Painter<'_> {
    fn drop(&mut self) {
        let buffers = std::mem::take(&mut self.buf);
        BUFFERS.with(|cell| cell.replace(buffers));
    }
}

impl<'a> Painter<'a> {

    /// The buffered tile in unit coordinates.
    fn unit_bounds(&self) -> [f64; 4] {
        let [a, b, c, d] = self.clip_rect;
        [self.origin[0] + a / self.scale, self.origin[1] + b / self.scale, self.origin[0] + c / self.scale, self.origin[1] + d / self.scale]
    }

    fn to_grid(&self, p: [f64; 2]) -> [f64; 2] {
        grid_point(self.origin, self.scale, p)
    }

    /// Rebuilds a ring at this zoom in tile-grid coordinates (into `self.buf.ring`).
    ///
    /// A chain of points lying wholly beyond one of the four clip lines (say, every
    /// point east of the buffered tile) contributes nothing to the clipped ring but
    /// the crossings of the edges that enter and leave it, which start and end at its
    /// first and last points: every point in between is removed at that line's stage,
    /// and the shortcut between the two stays beyond the line too. So runs of points
    /// beyond one common line are reduced to their first and last points (see
    /// `RingBuilder`), which gives the same clipped ring at a fraction of the cost.
    /// District and province outlines are tested `ARC_BLOCK` arcs at a time, every
    /// arc by its box, and the kept points of long arcs `CHUNK` points at a time: at
    /// high zooms most of an outline, and much of a long border, lies off the tile.
    fn collect_ring(&mut self, arcs: &[ArcRef], blocks: &[ArcBlock]) {
        let mut ring = RingBuilder::new(std::mem::take(&mut self.buf.ring));
        let [bx0, by0, bx1, by1] = self.unit_bounds();
        let beyond = |b: [f64; 4]| u8::from(b[0] > bx1) | u8::from(b[2] < bx0) << 1 | u8::from(b[1] > by1) << 2 | u8::from(b[3] < by0) << 3;
        if blocks.is_empty() {
            self.collect_arcs(arcs, 0, &beyond, &mut ring);
        }
        for (b, block) in blocks.iter().enumerate() {
            let lo = b * ARC_BLOCK;
            let whole = beyond(block.bbox);
            if whole != 0 {
                if lo == 0 {
                    ring.add(self.to_grid(block.first), whole);
                }
                ring.add(self.to_grid(block.last), whole);
            } else {
                self.collect_arcs(&arcs[lo..arcs.len().min(lo + ARC_BLOCK)], lo, &beyond, &mut ring);
            }
        }
        self.buf.ring = ring.finish();
    }

    /// Adds `arcs`, the ring's arcs from position `start`, to `ring`.
    fn collect_arcs(&mut self, arcs: &[ArcRef], start: usize, beyond: &impl Fn([f64; 4]) -> u8, ring: &mut RingBuilder) {
        let topo = &self.tiles.topo;
        let (scale, origin, z) = (self.scale, self.origin, self.z);
        let grid = |j: usize| grid_point(origin, scale, topo.points[j]);
        for (k, r) in arcs.iter().enumerate() {
            let k = start + k;
            let i = r.index();
            let (s, e) = (topo.starts[i] as usize, topo.starts[i + 1] as usize);
            let (first, last) = if r.reversed() { (e - 1, s) } else { (s, e - 1) };
            let whole = beyond(self.tiles.arc_boxes[i]);
            if whole != 0 {
                if k == 0 {
                    ring.add(grid(first), whole);
                }
                ring.add(grid(last), whole);
            } else if e - s < 4 * CHUNK || !self.tiles.ranking.densely_kept(s, e, z) {
                // A short arc, or few points at this zoom: take them as they come.
                ring.end_run();
                let points = &mut ring.points;
                self.tiles.ranking.visit_kept(ArcPass { start: s, end: e, zoom: z, reversed: r.reversed(), skip_first: k > 0 }, &mut self.buf.kept, |j| points.push(grid(j)));
            } else {
                // A long arc with many points kept: a chunk beyond a clip line gives
                // only its first and last kept points, and the points in between are
                // never read.
                let zooms = &self.tiles.ranking.zooms;
                let kept = |j: &usize| zooms[*j] <= z;
                let chunk = |lo: usize, hi: usize, ring: &mut RingBuilder| {
                    let m = beyond(self.tiles.chunk_boxes[lo / CHUNK]);
                    if m == 0 {
                        ring.end_run();
                        if r.reversed() {
                            (lo..hi).rev().filter(kept).for_each(|j| ring.points.push(grid(j)));
                        } else {
                            (lo..hi).filter(kept).for_each(|j| ring.points.push(grid(j)));
                        }
                    } else {
                        let (a, b) = if r.reversed() { ((lo..hi).rev().find(kept), (lo..hi).find(kept)) } else { ((lo..hi).find(kept), (lo..hi).rev().find(kept)) };
                        if let (Some(a), Some(b)) = (a, b) {
                            ring.add(grid(a), m);
                            if b != a {
                                ring.add(grid(b), m);
                            }
                        }
                    }
                };
                let skip = usize::from(k > 0);
                if r.reversed() {
                    let mut hi = e - skip;
                    while hi > s {
                        let lo = s.max((hi - 1) / CHUNK * CHUNK);
                        chunk(lo, hi, ring);
                        hi = lo;
                    }
                } else {
                    let mut lo = s + skip;
                    while lo < e {
                        let hi = e.min((lo / CHUNK + 1) * CHUNK);
                        chunk(lo, hi, ring);
                        lo = hi;
                    }
                }
            }
        }
    }

    /// Clips and quantises the collected ring; writes it into the geometry when it
    /// keeps an area of at least `min_area` (grid units²; 0: any area). `exterior` sets
    /// the winding the spec asks for.
    fn emit_ring(&mut self, exterior: bool, min_area: i64) -> bool {
        let [cx0, cy0, cx1, cy1] = self.clip_rect;
        let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for p in &self.buf.ring {
            (x0, y0, x1, y1) = (x0.min(p[0]), y0.min(p[1]), x1.max(p[0]), y1.max(p[1]));
        }
        if x1 < cx0 || x0 > cx1 || y1 < cy0 || y0 > cy1 {
            return false;
        }
        let source = if x0 >= cx0 && x1 <= cx1 && y0 >= cy0 && y1 <= cy1 {
            &self.buf.ring
        } else {
            clip::clip_ring(&self.buf.ring, [x0, y0, x1, y1], self.clip_rect, &mut self.buf.clipped, &mut self.buf.scratch);
            &self.buf.clipped
        };
        self.buf.grid.clear();
        for p in source {
            let q = [round(p[0]), round(p[1])];
            if self.buf.grid.last() != Some(&q) {
                self.buf.grid.push(q);
            }
        }
        while self.buf.grid.len() > 1 && self.buf.grid.first() == self.buf.grid.last() {
            self.buf.grid.pop();
        }
        if self.buf.grid.len() < 3 {
            return false;
        }
        let n = self.buf.grid.len();
        let cross = |a: [i32; 2], b: [i32; 2]| i64::from(a[0]) * i64::from(b[1]) - i64::from(b[0]) * i64::from(a[1]);
        let area2: i64 = self.buf.grid.windows(2).map(|w| cross(w[0], w[1])).sum::<i64>() + cross(self.buf.grid[n - 1], self.buf.grid[0]);
        if area2 == 0 || area2.abs() < 2 * min_area {
            return false;
        }
        // MVT: exteriors have positive area with y down, holes negative.
        if (area2 > 0) != exterior {
            self.buf.grid.reverse();
        }
        self.buf.geometry.ring(&self.buf.grid);
        true
    }

    /// Draws a unit's polygons into `self.buf.geometry`; false when nothing is in the tile.
    /// `drop_small_holes`: communes may lose sub-pixel holes (the commune inside, or
    /// water, is all that is hidden); districts and provinces keep them, so that their
    /// coverage is that of their communes (a lagoon stays open in both).
    fn polygon<'r>(&mut self, rings: impl Iterator<Item = (bool, &'r [ArcRef], &'r [ArcBlock])>, drop_small_holes: bool) -> bool {
        self.buf.geometry.clear();
        let mut has_exterior = false;
        let topo = &self.tiles.topo;
        for (exterior, arcs, blocks) in rings {
            // Holes follow their exterior; a hole without a drawn exterior is skipped.
            if !exterior && !has_exterior {
                continue;
            }
            let unshared = arcs.iter().all(|a| topo.uses[a.index()] < 2);
            self.collect_ring(arcs, blocks);
            let droppable = if exterior { unshared } else { drop_small_holes };
            let min_area = if droppable { MIN_RING_AREA } else { 0 };
            let drawn = self.emit_ring(exterior, min_area);
            has_exterior |= exterior && drawn;
        }
        has_exterior
    }

    fn point(&mut self, p: [f64; 2]) -> bool {
        self.buf.geometry.clear();
        let g = self.to_grid(p);
        let [cx0, cy0, cx1, cy1] = self.clip_rect;
        if g[0] < cx0 || g[0] > cx1 || g[1] < cy0 || g[1] > cy1 {
            return false;
        }
        self.buf.geometry.point([round(g[0]), round(g[1])]);
        true
    }
}

/// `p` (unit square) on the grid of the tile whose corner is `origin`, `scale` grid
/// units per unit.
#[inline]
fn grid_point(origin: [f64; 2], scale: f64, p: [f64; 2]) -> [f64; 2] {
    [(p[0] - origin[0]) * scale, (p[1] - origin[1]) * scale]
}

/// Rounds half away from zero, as `f64::round`, but inline: without SSE4.1 in the
/// baseline target `round` is a library call, and it runs once per output vertex.
/// Tile-grid values are far inside i32, so the truncating cast is exact.
#[inline]
fn round(v: f64) -> i32 {
    if v >= 0.0 {
        (v + 0.5) as i32
    } else {
        (v - 0.5) as i32
    }
}

fn s<'a>(v: impl Into<Cow<'a, str>>) -> Option<Value<'a>> {
    Some(Value::Str(v.into()))
}

fn int(v: Option<impl Into<i64>>) -> Option<Value<'static>> {
    v.map(|v| Value::Int(v.into()))
}

/// The uncompressed MVT bytes of a tile; empty when nothing falls in it.
pub fn render_mvt(atlas: &Atlas, tiles: &EditionTiles, view: TileView, tile: TileId) -> Vec<u8> {
    render_mvt_at(atlas, tiles, view, tile, VECTOR_TILE_PX)
}

/// [`render_mvt`] for a tile displayed `tile_px` pixels a side: what is left out for
/// being too small to see is measured in those pixels (a 256-px PNG tile drawn from its
/// zoom's vector tile shows each grid unit half as large as MapLibre does).
pub fn render_mvt_at(atlas: &Atlas, tiles: &EditionTiles, view: TileView, tile: TileId, tile_px: u32) -> Vec<u8> {
    let edition = atlas.edition(view.edition);
    let mut painter = Painter::new(tiles, tile, tile_px);
    let full = view.map == MapKind::Ntm;
    let [ux0, uy0, ux1, uy1] = painter.unit_bounds();
    let ([w, n], [e, s_]) = (unproject(ux0.max(0.0), uy0.max(0.0)), unproject(ux1.min(1.0), uy1.min(1.0)));
    let mut out = Vec::new();
    // The units' criteria at this moment, for the NTM map only (before the layers that
    // borrow its attribute names). `tiles` were built from this atlas.
    let criteria = if full { tiles.criteria.get(atlas, tiles.edition, view.as_of) } else { None };

    // Communes.
    // Codes are unique per commune; names nearly so (a repeated name costs a few bytes).
    let mut communes = Layer::with_distinct("communes", &["code", "name"]);
    let mut candidates: Vec<usize> = edition.index.in_bbox([w, s_, e, n]).collect();
    candidates.sort_unstable();
    let mut attrs: Attrs = Vec::with_capacity(24);
    // At low zoom, sub-pixel communes are drawn merged: one feature per cluster, drawn
    // when its first commune in the tile comes, with its largest commune's attributes.
    let merged = tiles.merged.get(usize::from(tile.z));
    let mut cluster_drawn = vec![false; merged.map_or(0, |m| m.clusters.len())];
    for &candidate in &candidates {
        let (i, drawn) = match merged.and_then(|m| m.cluster(candidate)) {
            Some((k, _)) if cluster_drawn[k] => continue,
            Some((k, cluster)) => {
                cluster_drawn[k] = true;
                let rings = cluster.rings.iter().zip(&cluster.blocks).map(|(r, b)| (r.exterior, r.arcs.as_slice(), b.as_slice()));
                (cluster.representative, painter.polygon(rings, true))
            }
            None => {
                let rings = tiles.topo.rings_of(candidate).iter().map(|r| (r.exterior, tiles.topo.arcs_of(r), &[][..]));
                (candidate, painter.polygon(rings, true))
            }
        };
        if !drawn {
            continue;
        }
        let c = &edition.communes[i];
        attrs.clear();
        attrs.extend([("code", s(tiles.commune_codes[i].as_str())), ("name", s(c.name.as_str())), ("kind", s(c.kind.as_str()))]);
        match view.edition {
            Edition::E2024 => {
                let level = standing::commune_level(atlas, c, view.as_of);
                attrs.push(("level", s(level.key().as_str())));
                if full {
                    attrs.push(("level_year", int(level.record().map(|r| r.year))));
                    attrs.push(("criteria_met", int(level.record().and_then(|r| r.criteria_met))));
                }
            }
            Edition::E2025 => {
                let f = standing::former_levels(atlas, i, view.as_of);
                attrs.push(("level", s(standing::commune_2025_key(&f, c.kind).as_str())));
                if full {
                    for (key, n) in [
                        ("former_total", f.total),
                        ("former_chua_dat", f.chua_dat),
                        ("former_dat_chuan", f.dat_chuan),
                        ("former_nang_cao", f.nang_cao),
                        ("former_kieu_mau", f.kieu_mau),
                        ("former_not_applicable", f.not_applicable),
                    ] {
                        attrs.push((key, int(Some(n as i64))));
                    }
                }
            }
        }
        // The criteria attributes last, as prepared for this moment.
        let shared = criteria.as_deref().and_then(|table| table.commune(i));
        communes.add_with(Some(u64::from(c.code.0)), GeomType::Polygon, &painter.buf.geometry, &attrs, shared, &[]);
    }
    communes.write(&mut out);

    // Commune label points: name and rank only, highest priority first.
    if tile.z >= COMMUNE_LABEL_MIN_ZOOM {
        // Names nearly all differ: not looked up for sharing (as in `communes`).
        let mut labels = Layer::with_distinct("commune_labels", &["name"]);
        // A commune's label point lies in its box: the communes' candidates hold them all.
        let mut inside: Vec<(u8, usize)> = candidates.iter().map(|&i| (tiles.commune_labels[i].1, i)).collect();
        inside.sort_unstable();
        for (rank, i) in inside {
            if painter.point(tiles.commune_labels[i].0) {
                let attrs = [("name", s(edition.communes[i].name.as_str())), ("rank", int(Some(rank)))];
                labels.add(None, GeomType::Point, &painter.buf.geometry, &attrs);
            }
        }
        labels.write(&mut out);
    }

    // Districts and provinces: polygons, then label points (from their zoom on). A label
    // point carries what a label needs (code, name, rank); the polygon carries the rest.
    let bounds = painter.unit_bounds();
    // Themes fill districts and provinces only on the 2024 boundaries (`style::theme`).
    let islets_filled = view.edition.has_districts();
    for (name, groups, label_min_zoom) in [("districts", &tiles.districts, DISTRICT_LABEL_MIN_ZOOM), ("provinces", &tiles.provinces, PROVINCE_LABEL_MIN_ZOOM)] {
        let mut layer = Layer::new(name);
        let mut labels = Vec::new();
        for g in groups.iter().filter(|g| overlaps(g.bbox, bounds)) {
            let (attrs, shared) = group_attributes(atlas, view, name, g, criteria.as_deref());
            let min_island = painter.min_outlined_island;
            let mut drawn = painter.polygon(rings_by_islet(g, min_island, false), false);
            if drawn {
                layer.add_with(None, GeomType::Polygon, &painter.buf.geometry, &attrs, shared, &[]);
            }
            // Islets are left out of the polygon the outlines follow; where a theme fills
            // this layer they come as a feature of their own, which the styles fill and do
            // not outline.
            if islets_filled && painter.polygon(rings_by_islet(g, min_island, true), false) {
                layer.add_with(None, GeomType::Polygon, &painter.buf.geometry, &attrs, shared, &[("islets", Some(Value::Bool(true)))]);
                drawn = true;
            }
            if drawn {
                labels.push(g);
            }
        }
        if tile.z >= label_min_zoom {
            labels.sort_by_key(|g| g.rank);
            for g in labels {
                if painter.point(g.label) {
                    let attrs = [("code", s(g.code.as_str())), ("name", s(g.name.as_str())), ("label", Some(Value::Bool(true))), ("rank", int(Some(g.rank)))];
                    layer.add(None, GeomType::Point, &painter.buf.geometry, &attrs);
                }
            }
        }
        layer.write(&mut out);
    }

    // Pilots and tourism sites.
    point_layer(&mut painter, "pilots", &tiles.pilots, &mut out, |k| {
        let p = &atlas.pilots[k];
        let mut attrs = vec![("id", s(p.id.as_str())), ("kind", s(p.kind.as_str()))];
        if full {
            attrs.extend([
                ("name", s(p.name.as_str())),
                ("field", s(p.field.as_str())),
                ("commune", s(p.commune.to_string())),
                ("approved_year", int(p.approved_year)),
            ]);
        }
        attrs
    });
    point_layer(&mut painter, "tourism", &tiles.tourism, &mut out, |k| {
        let t = &atlas.tourism[k];
        let mut attrs = vec![("id", s(t.id.as_str())), ("category", s(t.category.as_str()))];
        if !full {
            attrs.extend([
                ("name", s(t.name.as_str())),
                ("stars", int(t.ocop_stars)),
                ("commune", s(t.commune.to_string())),
                ("url", t.url.as_deref().and_then(s)),
            ]);
        }
        attrs
    });
    out
}

/// Writes a layer of the projected `positions` that fall in the tile; feature `k`
/// gets id `k` and the attributes `attributes(k)`.
fn point_layer<'a>(
    painter: &mut Painter<'_>,
    name: &'static str,
    positions: &ProjectedPoints,
    out: &mut Vec<u8>,
    attributes: impl Fn(usize) -> Vec<(&'static str, Option<Value<'a>>)>,
) {
    let mut layer = Layer::new(name);
    // Slightly wider than the tile: `point` makes the exact test on the grid.
    let [x0, _, x1, _] = painter.unit_bounds();
    let z = painter.z;
    for &(at, k) in positions.in_x_range(x0 - 1e-9, x1 + 1e-9) {
        if positions.shown(k as usize, z) && painter.point(at) {
            layer.add(Some(u64::from(k)), GeomType::Point, &painter.buf.geometry, &attributes(k as usize));
        }
    }
    layer.write(out);
}

fn overlaps(a: [f64; 4], b: [f64; 4]) -> bool {
    a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3]
}

/// The rings of `g` whose exterior is an islet (`islets`), or is not, each hole with its
/// exterior. An islet is an island whose whole area is under `min_island` (grid units²),
/// so a big island cut small by the tile's edge is not one.
fn rings_by_islet(g: &Group, min_island: f64, islets: bool) -> impl Iterator<Item = (bool, &[ArcRef], &[ArcBlock])> {
    let mut islet = false;
    g.rings.iter().zip(&g.blocks).zip(&g.island_areas).filter_map(move |((r, b), island)| {
        if r.exterior {
            islet = island.is_some_and(|area| area < min_island);
        }
        (islet == islets).then_some((r.exterior, r.arcs.as_slice(), b.as_slice()))
    })
}

/// A district's or province's attributes, and its criteria attributes (written after them).
fn group_attributes<'a>(atlas: &Atlas, view: TileView, layer: &str, g: &'a Group, criteria: Option<&'a CriteriaTable>) -> (Attrs<'a, 'a>, Option<Tags<'a>>) {
    let mut attrs: Attrs = vec![("code", s(g.code.as_str())), ("name", s(g.name.as_str()))];
    let mut shared = None;
    if view.edition != Edition::E2024 {
        return (attrs, shared);
    }
    if layer == "districts" {
        if let Ok(code) = crate::model::DistrictCode::parse(&g.code) {
            let level = standing::district_level(atlas, code, view.as_of);
            attrs.push(("level", s(level.key().as_str())));
            if let LevelInForce::Recorded { record } = level {
                attrs.push(("level_year", int(Some(record.year))));
            }
            shared = criteria.and_then(|table| table.district(code));
        }
    } else if let Ok(code) = crate::model::ProvinceCode::parse(&g.code) {
        attrs.push(("completed_year", int(standing::province_completed(atlas, code, view.as_of))));
    }
    (attrs, shared)
}

/// Describes a layer for TileJSON's `vector_layers`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LayerInfo {
    pub id: &'static str,
    pub description: &'static str,
    pub minzoom: u8,
    pub maxzoom: u8,
    /// Field name → description, as TileJSON 3.0 expects.
    pub fields: BTreeMap<String, String>,
}

/// The layers a map's tiles carry in `year` (the criteria sets of that year), for TileJSON.
pub fn vector_layers(map: MapKind, edition: Edition, catalog: &CriteriaCatalog, year: u16) -> Vec<LayerInfo> {
    let full = map == MapKind::Ntm;
    let criteria = |unit: UnitScope| if full { Fields::new(catalog, unit, year).describe(catalog, edition == Edition::E2025) } else { Vec::new() };
    let layer = |id, description, fields: &[(&'static str, &'static str)], extra: Vec<(String, String)>| LayerInfo {
        id,
        description,
        minzoom: 0,
        maxzoom: super::MAX_ZOOM,
        fields: fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).chain(extra).collect(),
    };
    let mut commune_fields = vec![
        ("code", "String: GSO commune code"),
        ("name", "String: commune name"),
        ("kind", "String: xa | phuong | thi_tran | dac_khu"),
        ("level", "String: chua_dat | dat_chuan | nang_cao | kieu_mau | not_applicable | no_data"),
    ];
    if full {
        match edition {
            Edition::E2024 => commune_fields.extend([
                ("level_year", "Number: year the level was recognised"),
                ("criteria_met", "Number: criteria met of the 19"),
            ]),
            Edition::E2025 => commune_fields.extend([
                ("former_total", "Number: former (2024) communes merged into it"),
                ("former_chua_dat", "Number: of them, not yet NTM"),
                ("former_dat_chuan", "Number: of them, NTM"),
                ("former_nang_cao", "Number: of them, advanced NTM"),
                ("former_kieu_mau", "Number: of them, model NTM"),
                ("former_not_applicable", "Number: of them, wards and townships"),
            ]),
        }
    }
    let mut layers = vec![layer("communes", "Communes coloured by NTM level; at low zoom a commune smaller than a pixel is merged with neighbours of its province into one feature, which carries the attributes of the largest", &commune_fields, criteria(UnitScope::Commune))];
    let mut labels = layer("commune_labels", "Commune label points (from zoom 10)", &[("name", "String: commune name"), ("rank", "Number: label priority, lower first (by area)")], Vec::new());
    labels.minzoom = COMMUNE_LABEL_MIN_ZOOM;
    layers.push(labels);
    if edition.has_districts() {
        layers.push(layer(
            "districts",
            "Districts: polygons; from zoom 8, label points (label=true) with code, name and rank only",
            &[("code", "String"), ("name", "String"), ("level", "String: chua_dat | dat_chuan | nang_cao | kieu_mau | no_data, or not_applicable for a district without a xã"), ("level_year", "Number"), ("islets", "Boolean: the district's islets too small to outline, to fill only"), ("label", "Boolean: label point"), ("rank", "Number: label priority, lower first (by area)")],
            criteria(UnitScope::District),
        ));
    }
    let province_fields: &[(&str, &str)] = if edition == Edition::E2024 {
        &[("code", "String"), ("name", "String"), ("completed_year", "Number: year NTM was completed"), ("islets", "Boolean: the province's islets too small to outline, to fill only"), ("label", "Boolean: label point"), ("rank", "Number: label priority, lower first (by area)")]
    } else {
        &[("code", "String"), ("name", "String"), ("label", "Boolean: label point"), ("rank", "Number: label priority, lower first (by area)")]
    };
    layers.push(layer("provinces", "Provinces: polygons; from zoom 5, label points (label=true) with code, name and rank only", province_fields, Vec::new()));
    let pilot_fields: &[(&str, &str)] = if full {
        &[("id", "String"), ("kind", "String: smart_commune | ecommerce_commune | smart_village"), ("name", "String"), ("field", "String: leading field"), ("commune", "String: commune code"), ("approved_year", "Number")]
    } else {
        &[("id", "String"), ("kind", "String")]
    };
    layers.push(layer("pilots", "Pilot models; below zoom 10, thinned to points at least 12 px apart (smart communes first)", pilot_fields, Vec::new()));
    let tourism_fields: &[(&str, &str)] = if full {
        &[("id", "String"), ("category", "String")]
    } else {
        &[("id", "String"), ("category", "String: rural_tourism_site | homestay | craft_village | ocop_product"), ("name", "String"), ("stars", "Number: OCOP stars"), ("commune", "String: commune code"), ("url", "String")]
    };
    layers.push(layer("tourism", "Rural tourism sites; below zoom 10, thinned to points at least 12 px apart (5-star OCOP products first)", tourism_fields, Vec::new()));
    layers
}


#[cfg(test)]
mod tests {
    use super::{bounds, clip, RingBuilder};

    fn area(r: &[[f64; 2]]) -> f64 {
        let n = r.len();
        (0..n).map(|i| r[i][0] * r[(i + 1) % n][1] - r[(i + 1) % n][0] * r[i][1]).sum::<f64>() / 2.0
    }

    fn clipped(ring: &[[f64; 2]], rect: [f64; 4]) -> Vec<[f64; 2]> {
        let (mut out, mut scratch) = (Vec::new(), Vec::new());
        clip::clip_ring(ring, bounds(ring), rect, &mut out, &mut scratch);
        out
    }

    proptest::proptest! {
        // Reducing runs beyond a clip line to their ends clips to the same polygon.
        #[test]
        fn runs_beyond_a_line_clip_like_the_whole_ring(pts in proptest::collection::vec((-2.0f64..3.0, -2.0f64..3.0), 3..40), known in 0u8..16) {
            let rect = [0.0, 0.0, 1.0, 1.0];
            let ring: Vec<[f64; 2]> = pts.iter().map(|&(x, y)| [x, y]).collect();
            let mut builder = RingBuilder::new(Vec::new());
            for &p in &ring {
                let beyond = u8::from(p[0] > rect[2]) | u8::from(p[0] < rect[0]) << 1 | u8::from(p[1] > rect[3]) << 2 | u8::from(p[1] < rect[1]) << 3;
                // Callers may know only some of the lines a point lies beyond.
                builder.add(p, beyond & known);
            }
            let reduced = builder.finish();
            proptest::prop_assert!(reduced.len() <= ring.len());
            let (a, b) = (area(&clipped(&ring, rect)), area(&clipped(&reduced, rect)));
            proptest::prop_assert!((a - b).abs() < 1e-9, "{a} vs {b}");
        }
    }

    #[test]
    fn point_layers_describe_the_thinning_they_get() {
        use super::thin::{ALL_POINTS_FROM_ZOOM, SPACING_PX};
        let catalog = crate::model::CriteriaCatalog::default();
        for map in [super::MapKind::Ntm, super::MapKind::Tourism] {
            let layers = super::vector_layers(map, crate::model::Edition::E2025, &catalog, 2024);
            for id in ["pilots", "tourism"] {
                let d = layers.iter().find(|l| l.id == id).map(|l| l.description).unwrap_or_default();
                assert!(d.contains(&format!("below zoom {ALL_POINTS_FROM_ZOOM},")) && d.contains(&format!("{SPACING_PX} px")), "{id}: {d}");
            }
        }
    }

    #[test]
    fn inline_round_matches_f64_round_on_the_tile_grid() {
        // Every multiple of 1/64 in and around the buffered tile, halves included.
        for k in -(5000 * 64)..=(5000 * 64) {
            let v = f64::from(k) / 64.0;
            assert_eq!(super::round(v), v.round() as i32, "{v}");
        }
    }
}
