//! What the tiles of one edition are cut from, built once per atlas snapshot
//! ([`EditionTiles::build`]), so that a tile only reads and draws.
//!
//! Steps of the build:
//!   1. the communes' shared-border topology, projected to the unit square
//!      ([`super::topology`]), and per arc vertex the lowest zoom that keeps it
//!      ([`super::simplify`]); boxes per arc and per chunk of points, to pass what lies
//!      off a tile without reading it;
//!   2. districts and provinces dissolved from the same arcs ([`super::dissolve`]), gaps
//!      closed, each with its box, label point, label rank and its islands' areas;
//!   3. per low zoom, the communes too small to see merged with neighbours of their
//!      province ([`super::coalesce`]);
//!   4. the communes' label points and ranks, and pilots and tourism sites projected and
//!      thinned ([`super::thin`]).
//!
//! The criteria attributes per moment are made on first use ([`super::criteria`]).

use super::coalesce;
use super::dissolve::{dissolve, drop_gaps, signed_area, GroupRing};
use super::mercator::{bounds, dist2, overlaps, project, tile_bounds, unproject};
use super::simplify::Ranking;
use super::thin;
use super::topology::{ArcRef, Topology};
use super::criteria::CriteriaTables;
use super::{TileId, BUFFER, EXTENT};
use crate::atlas::{Atlas, EditionAtlas};
use crate::model::{AsOf, Edition, PilotKind, PilotModel, PointKinds, TourismCategory, TourismSite};
use rayon::prelude::*;
use std::collections::BTreeMap;

/// A dissolved unit (district or province): its rings, box and label point.
pub(super) struct Group {
    pub(super) code: String,
    pub(super) name: String,
    pub(super) rings: Vec<GroupRing>,
    /// Per ring, its area (unit square²) when it is an island: an exterior whose every
    /// arc is unshared (coast all round).
    pub(super) island_areas: Vec<Option<f64>>,
    /// Per ring, its arcs summarised `ARC_BLOCK` at a time (see `ArcBlock`).
    pub(super) blocks: Vec<Vec<ArcBlock>>,
    pub(super) bbox: [f64; 4],
    pub(super) label: [f64; 2],
    /// Placement priority of its label ([`area_rank`] of its communes' total area).
    pub(super) rank: u8,
}



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
pub(super) const CHUNK: usize = 32;

/// Arcs per `ArcBlock`.
pub(super) const ARC_BLOCK: usize = 16;

/// A run of `ARC_BLOCK` consecutive arcs of a ring: their joint box and the run's
/// first and last points (in ring order). A district's or province's outline has
/// hundreds of arcs, mostly far from any one tile; a block off the tile is passed in
/// one read of this record instead of one read per arc, scattered in memory.
pub(super) struct ArcBlock {
    pub(super) bbox: [f64; 4],
    pub(super) first: [f64; 2],
    pub(super) last: [f64; 2],
}

impl ArcBlock {
    pub(super) fn of_ring(topo: &Topology, arc_boxes: &[[f64; 4]], arcs: &[ArcRef]) -> Vec<ArcBlock> {
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
pub(super) struct MergedCommunes {
    /// Per commune, its cluster in `clusters`, or [`MergedCommunes::ALONE`].
    pub(super) cluster_of: Vec<u32>,
    pub(super) clusters: Vec<MergedFeature>,
}

/// A cluster of communes drawn as one feature.
pub(super) struct MergedFeature {
    /// The commune whose attributes the feature carries: the largest.
    pub(super) representative: usize,
    pub(super) rings: Vec<GroupRing>,
    pub(super) blocks: Vec<Vec<ArcBlock>>,
}

impl MergedCommunes {
    const ALONE: u32 = u32::MAX;

    /// The features of `clusters` (commune positions, largest first), dissolved.
    pub(super) fn new(topo: &Topology, arc_boxes: &[[f64; 4]], clusters: Vec<Vec<usize>>) -> MergedCommunes {
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
    pub(super) fn cluster(&self, i: usize) -> Option<(usize, &MergedFeature)> {
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
    pub(super) edition: Edition,
    pub(super) topo: Topology,
    pub(super) ranking: Ranking,
    /// Per arc `[min_x, min_y, max_x, max_y]` in unit coordinates.
    pub(super) arc_boxes: Vec<[f64; 4]>,
    /// Per chunk of `CHUNK` consecutive points of `topo.points`, their box: the parts
    /// of a long arc that lie off the tile are passed a chunk at a time.
    pub(super) chunk_boxes: Vec<[f64; 4]>,
    /// Commune codes as text, by position: the `code` attribute of every tile.
    pub(super) commune_codes: Vec<String>,
    /// Per zoom from 0, the communes drawn merged at that zoom ([`coalesce`]); zooms
    /// past the end draw every commune alone.
    pub(super) merged: Vec<MergedCommunes>,
    pub(super) districts: Vec<Group>,
    /// Per zoom from 0, the districts as that zoom draws them, those too small to see
    /// merged ([`coalesce::plan_groups`]); zooms past the end draw [`Self::districts`].
    pub(super) merged_districts: Vec<Vec<Group>>,
    pub(super) provinces: Vec<Group>,
    /// Per commune, its label point (unit coordinates) and rank.
    pub(super) commune_labels: Vec<([f64; 2], u8)>,
    /// Pilots and tourism sites, projected once.
    pub(super) pilots: ProjectedPoints,
    pub(super) tourism: ProjectedPoints,
    /// The units' criteria at the moments asked for lately (made on first use).
    pub(super) criteria: CriteriaTables,
    /// The data version PNG labels are placed for, when an earlier snapshot's labels are
    /// these ones too (see [`EditionTiles::share_labels_of`]); else the atlas's own.
    pub(super) label_version: Option<String>,
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
        // The groups of the communes by `key` (code and name), in the order their first
        // commune comes, and each commune's group.
        let groups = |key: &dyn Fn(usize) -> Option<(String, String)>| -> (Vec<Group>, Vec<Option<u32>>) {
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
            let mut members: Vec<Vec<usize>> = vec![Vec::new(); ids.len()];
            for (i, g) in group_of.iter().enumerate() {
                if let Some(g) = g {
                    members[*g as usize].push(i);
                }
            }
            let mut out: Vec<Option<Group>> = (0..ids.len()).map(|_| None).collect();
            for (code, (g, name)) in ids {
                let members = &members[g as usize];
                let member_labels: Vec<[f64; 2]> = members.iter().map(|&i| labels[i]).collect();
                let n = member_labels.len().max(1) as f64;
                let mean = [member_labels.iter().map(|p| p[0]).sum::<f64>() / n, member_labels.iter().map(|p| p[1]).sum::<f64>() / n];
                let best = member_labels
                    .iter()
                    .copied()
                    .min_by(|a, b| dist2(*a, mean).total_cmp(&dist2(*b, mean)))
                    .unwrap_or(mean);
                let group_rings = std::mem::take(&mut rings[g as usize]);
                let blocks: Vec<Vec<ArcBlock>> = group_rings.iter().map(|r| ArcBlock::of_ring(&topo, &arc_boxes, &r.arcs)).collect();
                let bbox = blocks.iter().flatten().fold([f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY], |b, k| {
                    [b[0].min(k.bbox[0]), b[1].min(k.bbox[1]), b[2].max(k.bbox[2]), b[3].max(k.bbox[3])]
                });
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
            (out.into_iter().flatten().collect(), group_of)
        };
        let (districts, district_of) = groups(&|i| {
            let c = &edition.communes[i];
            c.district.and_then(|d| edition.districts.get(&d)).map(|d| (d.code.to_string(), d.name.clone()))
        });
        // Districts too small to see at low zoom, merged as communes are: each cluster is
        // dissolved as one group named after its largest district.
        let mut province_of_district = vec![None; districts.len()];
        for (c, d) in edition.communes.iter().zip(&district_of) {
            if let Some(d) = d {
                province_of_district[*d as usize] = Some(c.province);
            }
        }
        let merged_districts: Vec<Vec<Group>> = coalesce::plan_groups(&topo, &district_of, &province_of_district)
            .into_par_iter()
            .map(|clusters| {
                let mut named: Vec<u32> = (0..districts.len() as u32).collect();
                for cluster in &clusters {
                    for &d in cluster {
                        named[d] = cluster[0] as u32;
                    }
                }
                groups(&|i| district_of[i].map(|d| {
                    let g = &districts[named[d as usize] as usize];
                    (g.code.clone(), g.name.clone())
                }))
                .0
            })
            .collect();
        let (provinces, _) = groups(&|i| {
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
            merged_districts,
            provinces,
            commune_labels: labels.iter().zip(&areas).map(|(&p, &a)| (p, area_rank(a))).collect(),
            pilots: ProjectedPoints::new(&pilots.iter().map(|p| ([p.position.lon, p.position.lat], p.id.as_str())).collect::<Vec<_>>(), |k| pilot_weight(&pilots[k])),
            tourism: ProjectedPoints::new(&tourism.iter().map(|t| ([t.position.lon, t.position.lat], t.id.as_str())).collect::<Vec<_>>(), |k| tourism_weight(&tourism[k])),
            criteria: CriteriaTables::default(),
            label_version: None,
        }
    }

    /// The districts as tiles of zoom `z` draw them.
    pub(super) fn districts_at(&self, z: u8) -> &[Group] {
        self.merged_districts.get(usize::from(z)).map_or(&self.districts, Vec::as_slice)
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
    pub(super) fn group_shape(&self, g: &Group) -> geo::MultiPolygon<f64> {
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
pub(super) struct ProjectedPoints {
    /// (position, index in the atlas), by ascending x.
    pub(super) by_x: Vec<([f64; 2], u32)>,
    /// By index in the atlas, the zoom from which tiles carry the point ([`thin`]).
    pub(super) appear: Vec<u8>,
}

impl ProjectedPoints {
    /// Projects `points` (longitude, latitude) and thins them ([`thin::appear_zooms`] with
    /// `weight` and a hash of `id`).
    pub(super) fn new(points: &[([f64; 2], &str)], weight: impl Fn(usize) -> u8) -> ProjectedPoints {
        let projected: Vec<[f64; 2]> = points.iter().map(|(p, _)| project(p[0], p[1])).collect();
        let appear = thin::appear_zooms(&projected, weight, |k| crate::fnv::hash(points[k].1.as_bytes()));
        let mut by_x: Vec<([f64; 2], u32)> = projected.into_iter().enumerate().map(|(k, p)| (p, k as u32)).collect();
        by_x.sort_by(|a, b| a.0[0].total_cmp(&b.0[0]).then(a.1.cmp(&b.1)));
        ProjectedPoints { by_x, appear }
    }

    /// Whether tiles of zoom `z` carry point `k` (its index in the atlas).
    pub(super) fn shown(&self, k: usize, z: u8) -> bool {
        self.appear.get(k).is_some_and(|&a| a <= z)
    }

    /// The points with `x0 <= x <= x1`.
    pub(super) fn in_x_range(&self, x0: f64, x1: f64) -> &[([f64; 2], u32)] {
        let start = self.by_x.partition_point(|(p, _)| p[0] < x0);
        let end = self.by_x.partition_point(|(p, _)| p[0] <= x1);
        &self.by_x[start..end.max(start)]
    }
}

/// Thinning priority of a pilot: the smart commune, the pilot Decision 924 counts in
/// every province, before the e-commerce commune, before the smart village.
pub(super) fn pilot_weight(p: &PilotModel) -> u8 {
    match p.kind {
        PilotKind::SmartCommune => 2,
        PilotKind::EcommerceCommune => 1,
        PilotKind::SmartVillage => 0,
    }
}

/// Thinning priority of a tourism site: 5-star OCOP products (of national standing) first,
/// every other site alike.
pub(super) fn tourism_weight(t: &TourismSite) -> u8 {
    u8::from(t.category == TourismCategory::OcopProduct && t.ocop_stars == Some(5))
}

