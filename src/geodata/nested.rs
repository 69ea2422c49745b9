//! Generated commune boundaries of edition 2024, nested in the real communes of 2025.
//!
//! No real boundary file of the 10,035 communes before the July 2025 reform can be
//! committed, but the reform mostly merged whole communes: a 2025 commune is the union of
//! the 2024 communes the crosswalk says it took. So each 2025 commune is divided among
//! those, and the coasts, the borders between 2025 communes and hence most district and
//! province borders of 2024 are the real ones; only the borders inside a 2025 commune are
//! invented.
//!
//! Steps:
//!   1. for each 2025 commune, its participants: the 2024 communes the crosswalk maps into
//!      it (whole or in part); one that took none (Đặc khu Hoàng Sa) is left out;
//!   2. a commune with one participant goes to it whole; otherwise it is divided into the
//!      Voronoi cells of the participants' seeds ([`seed`]: halfway between the reference
//!      point and the centre of the extent; [`super::cells::voronoi_cells`]), each cut to
//!      the commune on the grid ([`super::grid::overlay`]). A seed outside the commune (a
//!      2024 commune split between several, or a point a little off) is replaced by the
//!      commune's point nearest to it, so its part lies on the side facing it;
//!   3. where a cell's border meets a 2025 border between two vertices, that point is put
//!      into the pieces across the border too, so every border has the same vertices on
//!      both sides (the tile engine shares borders by their vertices);
//!   4. a 2024 commune is the union of its pieces; its label point is its reference point
//!      when that lies inside, or an interior point (reported).

use super::cells::voronoi_cells;
use super::grid::{self, Pt, Ring, Shape};
use super::reference::RefCommune;
use crate::tile::clip::clip_ring;
use anyhow::{anyhow, ensure, Result};
use i_overlay::core::overlay_rule::OverlayRule;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// A 2025 commune as read back from the edition 2025 file.
pub struct Commune2025 {
    pub code: String,
    pub shape: Shape,
}

/// The 2024 communes, in the order of the reference table.
pub struct Nested {
    pub shapes: Vec<Shape>,
    /// Label point of each commune, on the grid.
    pub labels: Vec<Pt>,
    /// Codes of the communes whose reference point is not inside them.
    pub points_outside: Vec<String>,
    /// 2025 communes divided among several 2024 communes.
    pub divided: usize,
    /// 2025 communes that took no 2024 commune: not part of edition 2024.
    pub left_out: Vec<String>,
}

/// How far outside a 2025 commune's box its Voronoi cells are cut before the overlay
/// (grid units, about 1 km): far circumcentres stay within i_overlay's range.
const CELL_MARGIN: i64 = 100_000;
/// A crossing point counts as on a 2025 border within this distance (grid units): the
/// overlay rounds the point where a cell edge crosses a border to the grid.
const ON_BORDER: f64 = 1.5;

/// Divides the 2025 communes among the 2024 communes. `crosswalk`: (2024 code, 2025 code).
pub fn nest(communes: &[RefCommune], communes_2025: &[Commune2025], crosswalk: &[(String, String)]) -> Result<Nested> {
    let index_2024: HashMap<&str, usize> = communes.iter().enumerate().map(|(i, c)| (c.code.as_str(), i)).collect();
    let index_2025: HashMap<&str, usize> = communes_2025.iter().enumerate().map(|(j, c)| (c.code.as_str(), j)).collect();
    let mut participants: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); communes_2025.len()];
    let mut mapped = vec![false; communes.len()];
    for (old, new) in crosswalk {
        let i = *index_2024.get(old.as_str()).ok_or_else(|| anyhow!("crosswalk: 2024 commune {old} is not in the reference table"))?;
        let j = *index_2025.get(new.as_str()).ok_or_else(|| anyhow!("crosswalk: 2025 commune {new} has no boundary"))?;
        participants[j].insert(i);
        mapped[i] = true;
    }
    if let Some(i) = mapped.iter().position(|m| !m) {
        return Err(anyhow!("crosswalk: 2024 commune {} goes into no 2025 commune", communes[i].code));
    }
    // A 2025 commune that took no 2024 commune (Đặc khu Hoàng Sa: in 2024 a district
    // without communes) has no counterpart in edition 2024.
    let left_out: Vec<String> = communes_2025.iter().zip(&participants).filter(|(_, p)| p.is_empty()).map(|(c, _)| c.code.clone()).collect();

    let mut pieces: Vec<Vec<Shape>> = vec![Vec::new(); communes.len()];
    let mut divided = 0;
    for (c, members) in communes_2025.iter().zip(&participants) {
        if members.is_empty() {
            continue;
        }
        if members.len() == 1 {
            pieces[*members.first().expect("one member")].push(c.shape.clone());
            continue;
        }
        divided += 1;
        let members: Vec<usize> = members.iter().copied().collect();
        for (i, piece) in members.iter().zip(divide(c, &members.iter().map(|&i| seed(&communes[i])).collect::<Vec<_>>())?) {
            ensure!(!piece.is_empty(), "2025 commune {}: the part of 2024 commune {} is empty", c.code, communes[*i].code);
            pieces[*i].push(piece);
        }
    }
    share_border_points(communes_2025, &mut pieces);

    let mut shapes = Vec::with_capacity(communes.len());
    let mut labels = Vec::with_capacity(communes.len());
    let mut points_outside = Vec::new();
    for (c, parts) in communes.iter().zip(pieces) {
        // One piece may pinch where a border point went into it at a vertex it had.
        let shape = if parts.len() == 1 { grid::split_pinches(parts.into_iter().next().expect("one part")) } else { grid::overlay(&parts, [], OverlayRule::Union) };
        let site = [grid::to_units(c.site[0]), grid::to_units(c.site[1])];
        let label = if grid::rings_contain(shape.iter().flatten(), site) {
            site
        } else {
            points_outside.push(c.code.clone());
            grid::interior_point(&shape).ok_or_else(|| anyhow!("2024 commune {} has no interior point", c.code))?
        };
        shapes.push(shape);
        labels.push(label);
    }
    Ok(Nested { shapes, labels, points_outside, divided, left_out })
}

/// Where a 2024 commune's cell grows from: halfway between its reference point and the
/// centre of its extent, when the table gives one. The reference point is often the
/// commune's seat, off the middle of its land; the extent says where the land lies. Against
/// the extents, the generated communes' boxes overlap them by a median 0.71 (intersection
/// over union; 78% at 0.5 or more) from this seed, 0.67 (74%) from the reference point.
fn seed(c: &RefCommune) -> [f64; 2] {
    match c.extent {
        Some([x0, y0, x1, y1]) if x1 > x0 && y1 > y0 => [((x0 + x1) / 2.0 + c.site[0]) / 2.0, ((y0 + y1) / 2.0 + c.site[1]) / 2.0],
        _ => c.site,
    }
}

/// The Voronoi division of one 2025 commune among `sites` (degrees), in their order.
fn divide(commune: &Commune2025, sites: &[[f64; 2]]) -> Result<Vec<Shape>> {
    let mut used: HashSet<Pt> = HashSet::new();
    let mut grid_sites = Vec::with_capacity(sites.len());
    for s in sites {
        let p = [grid::to_units(s[0]), grid::to_units(s[1])];
        let site = if grid::rings_contain(commune.shape.iter().flatten(), p) && !used.contains(&p) {
            p
        } else {
            nearest_inside(&commune.shape, p, &used).ok_or_else(|| anyhow!("2025 commune {}: no free point inside near {p:?}", commune.code))?
        };
        used.insert(site);
        grid_sites.push(site);
    }
    let degrees: Vec<[f64; 2]> = grid_sites.iter().map(|p| [grid::to_degrees(p[0]), grid::to_degrees(p[1])]).collect();
    let bbox = grid::bbox(&commune.shape).ok_or_else(|| anyhow!("2025 commune {} is empty", commune.code))?;
    let window = [bbox[0] - CELL_MARGIN, bbox[1] - CELL_MARGIN, bbox[2] + CELL_MARGIN, bbox[3] + CELL_MARGIN];
    voronoi_cells(&degrees, window.map(grid::to_degrees))?
        .into_iter()
        .map(|cell| {
            let points: Vec<[f64; 2]> = cell.exterior().0.iter().map(|c| [c.x * grid::UNITS_PER_DEGREE, c.y * grid::UNITS_PER_DEGREE]).collect();
            let bounds = points.iter().fold([f64::MAX, f64::MAX, f64::MIN, f64::MIN], |b, p| [b[0].min(p[0]), b[1].min(p[1]), b[2].max(p[0]), b[3].max(p[1])]);
            let (mut clipped, mut scratch) = (Vec::new(), Vec::new());
            clip_ring(&points, bounds, window.map(|v| v as f64), &mut clipped, &mut scratch);
            let Some(ring) = grid::open_ring(clipped.iter().map(|p| [p[0].round() as i64, p[1].round() as i64])) else {
                return Ok(Vec::new());
            };
            Ok(grid::overlay([&vec![vec![ring]]], [&commune.shape], OverlayRule::Intersect))
        })
        .collect()
}

/// A point inside `shape`, not `taken`, near the point of its boundary nearest to `p`:
/// stepped in from the border by 10 m, or less where the commune is thinner, or more where
/// another site took that point already. Failing that, an interior point of one of its
/// polygons.
fn nearest_inside(shape: &Shape, p: Pt, taken: &HashSet<Pt>) -> Option<Pt> {
    let mut best = (f64::MAX, [0.0; 2], [0.0; 2]);
    for ring in shape.iter().flatten() {
        for k in 0..ring.len() {
            let (a, b) = (ring[k], ring[(k + 1) % ring.len()]);
            let (dx, dy) = ((b[0] - a[0]) as f64, (b[1] - a[1]) as f64);
            let len2 = dx * dx + dy * dy;
            if len2 == 0.0 {
                continue;
            }
            let t = ((((p[0] - a[0]) as f64) * dx + ((p[1] - a[1]) as f64) * dy) / len2).clamp(0.0, 1.0);
            let q = [a[0] as f64 + t * dx, a[1] as f64 + t * dy];
            let d = (q[0] - p[0] as f64).hypot(q[1] - p[1] as f64);
            if d < best.0 {
                let len = len2.sqrt();
                best = (d, q, [-dy / len, dx / len]);
            }
        }
    }
    let (_, q, normal) = best;
    let inside_free = |x: [f64; 2]| {
        let x = [x[0].round() as i64, x[1].round() as i64];
        (!taken.contains(&x) && grid::rings_contain(shape.iter().flatten(), x)).then_some(x)
    };
    let steps = [1000.0, 2000.0, 3000.0, 4000.0].into_iter().chain((1..=10).map(|k| 1000.0 / f64::from(1 << k)));
    for step in steps {
        for sign in [1.0, -1.0] {
            if let Some(x) = inside_free([q[0] + sign * step * normal[0], q[1] + sign * step * normal[1]]) {
                return Some(x);
            }
        }
    }
    // At a sharp corner no point straight off the edge is inside: walk from the corner
    // towards an interior point of the commune.
    let centre = shape.iter().filter_map(|polygon| grid::interior_point(&vec![polygon.clone()])).next()?;
    (1..=64)
        .map(|k| f64::from(k) / 64.0)
        .find_map(|t| inside_free([q[0] + t * (centre[0] as f64 - q[0]), q[1] + t * (centre[1] as f64 - q[1])]))
}

type Edge = GeomWithData<Rectangle<[i64; 2]>, (Pt, Pt)>;

/// Puts every point where a cell edge meets a 2025 border into every piece along that
/// border that does not have it yet: on the other side, and on the same side where a
/// neighbouring cell's edge met it.
fn share_border_points(communes_2025: &[Commune2025], pieces: &mut [Vec<Shape>]) {
    let mut vertices: HashSet<Pt> = HashSet::new();
    let mut edges: Vec<Edge> = Vec::new();
    let mut seen: HashSet<(Pt, Pt)> = HashSet::new();
    for ring in communes_2025.iter().flat_map(|c| c.shape.iter().flatten()) {
        for k in 0..ring.len() {
            let (a, b) = (ring[k], ring[(k + 1) % ring.len()]);
            vertices.insert(a);
            let key = if a < b { (a, b) } else { (b, a) };
            if seen.insert(key) {
                edges.push(GeomWithData::new(Rectangle::from_corners(key.0, key.1), key));
            }
        }
    }
    let tree = RTree::bulk_load(edges);
    // Every border edge with the points found on it.
    let mut on_edge: BTreeMap<(Pt, Pt), BTreeSet<Pt>> = BTreeMap::new();
    for p in pieces.iter().flatten().flatten().flatten().flatten() {
        if vertices.contains(p) {
            continue;
        }
        let probe = AABB::from_corners([p[0] - 2, p[1] - 2], [p[0] + 2, p[1] + 2]);
        for e in tree.locate_in_envelope_intersecting(&probe) {
            let (a, b) = e.data;
            if grid::position_on(a, b, *p, ON_BORDER).is_some() {
                on_edge.entry((a, b)).or_default().insert(*p);
            }
        }
    }
    // A ring edge along a border (from a vertex or crossing point of it to another) takes
    // the points of that border strictly between its ends.
    let on = |e: (Pt, Pt), x: Pt| x == e.0 || x == e.1 || grid::position_on(e.0, e.1, x, ON_BORDER).is_some();
    for ring in pieces.iter_mut().flatten().flatten().flatten() {
        let mut out: Ring = Vec::with_capacity(ring.len());
        for k in 0..ring.len() {
            let (a, b) = (ring[k], ring[(k + 1) % ring.len()]);
            out.push(a);
            let span = AABB::from_corners([a[0].min(b[0]), a[1].min(b[1])], [a[0].max(b[0]), a[1].max(b[1])]);
            let mut between: Vec<(f64, Pt)> = tree
                .locate_in_envelope_intersecting(&span)
                .filter(|e| on(e.data, a) && on(e.data, b))
                .filter_map(|e| on_edge.get(&e.data))
                .flatten()
                .filter_map(|&x| grid::position_on(a, b, x, ON_BORDER).map(|(t, _)| (t, x)))
                .collect();
            between.sort_by(|u, v| u.0.total_cmp(&v.0));
            between.dedup_by_key(|u| u.1);
            out.extend(between.into_iter().map(|(_, x)| x));
        }
        *ring = out;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(x0: i64, y0: i64, s: i64) -> Shape {
        vec![vec![vec![[x0, y0], [x0 + s, y0], [x0 + s, y0 + s], [x0, y0 + s]]]]
    }

    fn reference(code: &str, site: [f64; 2]) -> RefCommune {
        RefCommune {
            code: code.into(),
            name: code.into(),
            kind: "Xã".into(),
            district_code: "001".into(),
            district_name: "D".into(),
            province_code: "01".into(),
            province_name: "P".into(),
            lon: site[0].to_string(),
            lat: site[1].to_string(),
            site,
            extent: None,
        }
    }

    #[test]
    fn old_communes_divide_the_new_ones_and_share_every_border_point() {
        // Two 2025 communes side by side, 0.01° squares. A took 2024 communes a1 (south) and
        // a2 (north); B took b1 and b2, divided further south, and part of a2 (whose site
        // lies in A). Both sides of the border between A and B are cut, at different points.
        let (x, y, s) = (1_060_000_000, 210_000_000, 100_000);
        let new = [Commune2025 { code: "A".into(), shape: square(x, y, s) }, Commune2025 { code: "B".into(), shape: square(x + s, y, s) }];
        let deg = |u: i64| grid::to_degrees(u);
        let old = [
            reference("a1", [deg(x + s / 2), deg(y + s / 4)]),
            reference("a2", [deg(x + s / 2), deg(y + 3 * s / 4)]),
            reference("b1", [deg(x + 3 * s / 2), deg(y + s / 5)]),
            reference("b2", [deg(x + 3 * s / 2), deg(y + 3 * s / 5)]),
        ];
        let crosswalk: Vec<(String, String)> =
            [("a1", "A"), ("a2", "A"), ("a2", "B"), ("b1", "B"), ("b2", "B")].iter().map(|(o, n)| (o.to_string(), n.to_string())).collect();
        let nested = nest(&old, &new, &crosswalk).unwrap();
        // The pieces tile the two squares exactly.
        let total: i128 = nested.shapes.iter().map(grid::shape_area2).sum();
        assert_eq!(total, 2 * 2 * i128::from(s * s));
        // Every site lies in its own commune; a2's part of B makes it one polygon across
        // the border, since its part of A reaches that border.
        for (i, c) in old.iter().enumerate() {
            assert_eq!(nested.labels[i], [grid::to_units(c.site[0]), grid::to_units(c.site[1])], "{}", c.code);
        }
        assert!(nested.points_outside.is_empty());
        assert_eq!(nested.divided, 2);
        assert_eq!(nested.shapes[1].len(), 1, "a2: {:?}", nested.shapes[1]);
        // Every directed edge has its reverse in another commune unless it is on the outer
        // boundary of the two squares.
        let mut directed: HashMap<(Pt, Pt), usize> = HashMap::new();
        for (i, shape) in nested.shapes.iter().enumerate() {
            for ring in shape.iter().flatten() {
                for k in 0..ring.len() {
                    directed.insert((ring[k], ring[(k + 1) % ring.len()]), i);
                }
            }
        }
        let outer = |p: Pt| p[0] == x || p[0] == x + 2 * s || p[1] == y || p[1] == y + s;
        for (&(a, b), &i) in &directed {
            let twin = directed.get(&(b, a));
            assert!(twin.is_some_and(|&j| j != i) || (outer(a) && outer(b)), "edge {a:?}->{b:?} of {} has no twin", old[i].code);
        }
    }

    #[test]
    fn a_cell_grows_from_halfway_between_the_point_and_the_extents_centre() {
        let mut c = reference("c", [105.0, 21.0]);
        assert_eq!(seed(&c), [105.0, 21.0]);
        c.extent = Some([105.0, 21.0, 105.2, 21.4]);
        assert_eq!(seed(&c), [105.05, 21.1]);
        // An extent drawn around the point alone says nothing.
        c.extent = Some([105.0, 21.0, 105.0, 21.0]);
        assert_eq!(seed(&c), [105.0, 21.0]);
    }

    #[test]
    fn a_site_outside_gets_the_side_facing_it() {
        let (x, y, s) = (1_060_000_000, 210_000_000, 100_000);
        let new = [Commune2025 { code: "A".into(), shape: square(x, y, s) }];
        let deg = |u: i64| grid::to_degrees(u);
        // "far" lies east of the square: its part is the east side.
        let old = [reference("in", [deg(x + s / 4), deg(y + s / 2)]), reference("far", [deg(x + 3 * s), deg(y + s / 2)])];
        let crosswalk = vec![("in".to_string(), "A".to_string()), ("far".to_string(), "A".to_string())];
        let nested = nest(&old, &new, &crosswalk).unwrap();
        assert_eq!(nested.points_outside, ["far"]);
        let far = grid::bbox(&nested.shapes[1]).unwrap();
        assert_eq!(far[2], x + s, "{far:?}");
        assert!(far[0] > x + s / 2, "{far:?}");
        assert!(grid::rings_contain(nested.shapes[1].iter().flatten(), nested.labels[1]));
    }
}
