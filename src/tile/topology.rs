//! Arc topology: the rings of a set of polygons cut into arcs at junctions, each arc
//! stored once and referenced by every ring that runs along it (forwards or
//! backwards), as TopoJSON and mapshaper do. Simplifying an arc once then simplifies
//! both sides of a shared border identically: neighbours can never gap or overlap.
//!
//! Steps:
//!   1. for every vertex, remember the unordered pair of its ring neighbours the first
//!      time it is seen; a later visit with other neighbours makes it a junction;
//!   2. cut each ring at its junctions (a ring without one becomes a closed arc that
//!      starts at its smallest vertex, so both sides agree on where it starts);
//!   3. look each arc up by its ends in both directions; reuse it or store it.
//!
//! Vertices are identified by their exact coordinates, as the shared-vertex data here
//! (the generated cells, the official 2025 communes) is digitised.

use std::collections::HashMap;

/// Reference to an arc in a ring: `Fwd(i)` or `Rev(i)`; stored as `i` or `!i`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArcRef(pub i32);

impl ArcRef {
    pub fn index(self) -> usize {
        if self.0 >= 0 { self.0 as usize } else { (!self.0) as usize }
    }
    pub fn reversed(self) -> bool {
        self.0 < 0
    }
}

/// A ring of a unit, as arcs.
#[derive(Debug, Clone)]
pub struct TopoRing {
    pub exterior: bool,
    pub arcs: std::ops::Range<u32>,
}

/// The arcs of all units, and each unit's rings as arc references.
#[derive(Default)]
pub struct Topology {
    /// Arc vertices, arcs one after another; arc `i` is `points[starts[i]..starts[i+1]]`.
    pub points: Vec<[f64; 2]>,
    pub starts: Vec<u32>,
    /// How many ring sides use each arc (1: coast or outer border; 2: shared border).
    pub uses: Vec<u8>,
    pub ring_arcs: Vec<ArcRef>,
    pub rings: Vec<TopoRing>,
    /// Unit `u`'s rings are `rings[unit_rings[u]..unit_rings[u+1]]`.
    pub unit_rings: Vec<u32>,
}

fn key_xy(x: f64, y: f64) -> u64 {
    let (a, b) = (x.to_bits(), y.to_bits());
    let mut z = a ^ b.rotate_left(29) ^ 0x9e37_79b9_7f4a_7c15;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn key(p: [f64; 2]) -> u64 {
    key_xy(p[0], p[1])
}

const JUNCTION: u64 = u64::MAX;

/// The keys are already mixed (SplitMix64): hashing them again would only cost time.
#[derive(Default, Clone, Copy)]
struct Premixed(u64);

impl std::hash::Hasher for Premixed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}

type PremixedMap<V> = HashMap<u64, V, std::hash::BuildHasherDefault<Premixed>>;

impl Topology {
    /// Builds the topology of `unit_count` units; `rings(u)` yields unit `u`'s rings as
    /// `(exterior, xs, ys)` in source coordinates, closed (first == last). Vertices are
    /// matched on their source coordinates and stored through `project`.
    pub fn build<'a, R>(unit_count: usize, rings: impl Fn(usize) -> R, project: impl Fn(f64, f64) -> [f64; 2]) -> Topology
    where
        R: Iterator<Item = (bool, &'a [f64], &'a [f64])>,
    {
        // 1. Junctions: a point whose neighbour pair differs between visits.
        let vertices: usize = (0..unit_count).flat_map(&rings).map(|(_, xs, _)| xs.len()).sum();
        let mut seen: PremixedMap<u64> = PremixedMap::with_capacity_and_hasher(vertices / 2 + 16, Default::default());
        for (_, xs, ys) in (0..unit_count).flat_map(&rings) {
            let n = xs.len().saturating_sub(1);
            for i in 0..n {
                let (p, q) = ((i + n - 1) % n, (i + 1) % n);
                let prev = key_xy(xs[p], ys[p]);
                let next = key_xy(xs[q], ys[q]);
                let pair = prev.min(next).wrapping_mul(31) ^ prev.max(next);
                let entry = seen.entry(key_xy(xs[i], ys[i])).or_insert(pair);
                if *entry != pair {
                    *entry = JUNCTION;
                }
            }
        }
        let is_junction = |x: f64, y: f64| seen.get(&key_xy(x, y)) == Some(&JUNCTION);

        // 2–3. Cut and deduplicate.
        let mut topo = Topology { starts: vec![0], unit_rings: vec![0], ..Topology::default() };
        let mut by_ends: HashMap<(u64, u64, u64, u32), u32> = HashMap::new();
        let mut arc = Vec::new();
        for u in 0..unit_count {
            for (exterior, xs, ys) in rings(u) {
                let n = xs.len().saturating_sub(1);
                if n < 3 {
                    continue;
                }
                let cuts: Vec<usize> = (0..n).filter(|&i| is_junction(xs[i], ys[i])).collect();
                let first_arc = topo.ring_arcs.len() as u32;
                let mut take = |from: usize, to: usize, topo: &mut Topology| {
                    arc.clear();
                    arc.extend((from..=to).map(|i| project(xs[i % n], ys[i % n])));
                    let r = topo.intern(&arc, &mut by_ends);
                    topo.ring_arcs.push(r);
                };
                if cuts.is_empty() {
                    // A closed arc from the smallest vertex, so both sides agree.
                    let s = (0..n).min_by_key(|&i| key_xy(xs[i], ys[i])).unwrap_or(0);
                    take(s, s + n, &mut topo);
                } else {
                    for (k, &c) in cuts.iter().enumerate() {
                        let end = cuts.get(k + 1).copied().unwrap_or(cuts[0] + n);
                        take(c, end, &mut topo);
                    }
                }
                topo.rings.push(TopoRing { exterior, arcs: first_arc..topo.ring_arcs.len() as u32 });
            }
            topo.unit_rings.push(topo.rings.len() as u32);
        }
        topo.points.shrink_to_fit();
        topo.ring_arcs.shrink_to_fit();
        topo
    }

    /// Stores an arc, or finds it stored already in either direction.
    fn intern(&mut self, arc: &[[f64; 2]], by_ends: &mut HashMap<(u64, u64, u64, u32), u32>) -> ArcRef {
        let n = arc.len();
        let fwd = (key(arc[0]), key(arc[1]), key(arc[n - 1]), n as u32);
        let rev = (key(arc[n - 1]), key(arc[n - 2]), key(arc[0]), n as u32);
        for (k, reversed) in [(fwd, false), (rev, true)] {
            if let Some(&i) = by_ends.get(&k) {
                let stored = self.arc(i as usize);
                let same = if reversed { stored.iter().eq(arc.iter().rev()) } else { stored == arc };
                if same {
                    self.uses[i as usize] = self.uses[i as usize].saturating_add(1);
                    return ArcRef(if reversed { !(i as i32) } else { i as i32 });
                }
            }
        }
        let i = self.starts.len() as u32 - 1;
        self.points.extend_from_slice(arc);
        self.starts.push(self.points.len() as u32);
        self.uses.push(1);
        by_ends.insert(fwd, i);
        ArcRef(i as i32)
    }

    pub fn arc(&self, i: usize) -> &[[f64; 2]] {
        &self.points[self.starts[i] as usize..self.starts[i + 1] as usize]
    }

    pub fn arc_count(&self) -> usize {
        self.starts.len() - 1
    }

    pub fn unit_count(&self) -> usize {
        self.unit_rings.len() - 1
    }

    pub fn rings_of(&self, unit: usize) -> &[TopoRing] {
        &self.rings[self.unit_rings[unit] as usize..self.unit_rings[unit + 1] as usize]
    }

    pub fn arcs_of(&self, ring: &TopoRing) -> &[ArcRef] {
        &self.ring_arcs[ring.arcs.start as usize..ring.arcs.end as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sq(x0: f64, y0: f64, x1: f64, y1: f64) -> Vec<[f64; 2]> {
        vec![[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
    }

    type Rings = Vec<(bool, Vec<f64>, Vec<f64>)>;

    fn topo_of(units: Vec<Vec<(bool, Vec<[f64; 2]>)>>) -> Topology {
        let split: Vec<Rings> = units
            .into_iter()
            .map(|u| u.into_iter().map(|(e, r)| (e, r.iter().map(|p| p[0]).collect(), r.iter().map(|p| p[1]).collect())).collect())
            .collect();
        Topology::build(split.len(), |u| split[u].iter().map(|(e, xs, ys)| (*e, xs.as_slice(), ys.as_slice())), |x, y| [x, y])
    }

    #[test]
    fn a_shared_border_is_one_arc_used_twice() {
        // Two squares side by side: the middle edge x = 1 is shared.
        let units = vec![vec![(true, sq(0.0, 0.0, 1.0, 1.0))], vec![(true, vec![[1.0, 0.0], [2.0, 0.0], [2.0, 1.0], [1.0, 1.0], [1.0, 0.0]])]];
        let topo = topo_of(units);
        assert_eq!(topo.unit_count(), 2);
        let shared: Vec<usize> = (0..topo.arc_count()).filter(|&i| topo.uses[i] == 2).collect();
        assert_eq!(shared.len(), 1);
        let a = topo.arc(shared[0]);
        assert!(a.iter().all(|p| p[0] == 1.0), "{a:?}");
        // One side uses it forwards, the other backwards.
        let refs: Vec<ArcRef> = topo.ring_arcs.iter().copied().filter(|r| r.index() == shared[0]).collect();
        assert_eq!(refs.len(), 2);
        assert_ne!(refs[0].reversed(), refs[1].reversed());
    }

    #[test]
    fn a_hole_filled_by_another_unit_shares_a_closed_arc() {
        let outer = vec![(true, sq(0.0, 0.0, 4.0, 4.0)), (false, vec![[1.0, 1.0], [1.0, 3.0], [3.0, 3.0], [3.0, 1.0], [1.0, 1.0]])];
        let inner = vec![(true, vec![[3.0, 1.0], [3.0, 3.0], [1.0, 3.0], [1.0, 1.0], [3.0, 1.0]])];
        let units = vec![outer, inner];
        let topo = topo_of(units);
        // Outer ring, hole = one closed arc shared with the inner unit's ring.
        assert_eq!(topo.arc_count(), 2, "{:?}", topo.starts);
        assert_eq!(topo.uses.iter().filter(|&&u| u == 2).count(), 1);
    }

    /// Each unit's rings at zoom `z` as the tiles rebuild them: the kept vertices of
    /// each arc in the ring's direction, the joining vertex of two arcs once.
    fn simplified(topo: &Topology, ranking: &super::super::simplify::Ranking, unit: usize, z: u8) -> Vec<Vec<[f64; 2]>> {
        topo.rings_of(unit)
            .iter()
            .map(|ring| {
                let mut points = Vec::new();
                for (k, r) in topo.arcs_of(ring).iter().enumerate() {
                    let i = r.index();
                    let (s, e) = (topo.starts[i] as usize, topo.starts[i + 1] as usize);
                    ranking.visit_kept(super::super::simplify::ArcPass { start: s, end: e, zoom: z, reversed: r.reversed(), skip_first: k > 0 }, &mut Vec::new(), |j| points.push(topo.points[j]));
                }
                points
            })
            .collect()
    }

    /// The positions along `border` of the ring's vertices that lie on it, in ring order,
    /// rotated to start at the lowest position.
    fn border_positions(ring: &[[f64; 2]], border: &[[f64; 2]]) -> Vec<usize> {
        let mut at: Vec<usize> = ring.iter().filter_map(|p| border.iter().position(|b| b == p)).collect();
        // A closed ring repeats its first vertex at the end.
        if at.len() > 1 && at.first() == at.last() && ring.first() == ring.last() {
            at.pop();
        }
        if let Some(min) = (0..at.len()).min_by_key(|&k| at[k]) {
            at.rotate_left(min);
        }
        at
    }

    /// A cyclic sequence read backwards, rotated to start at its lowest value.
    fn reversed_cycle(mut at: Vec<usize>) -> Vec<usize> {
        at.reverse();
        if let Some(min) = (0..at.len()).min_by_key(|&k| at[k]) {
            at.rotate_left(min);
        }
        at
    }

    /// A ring rotated to start at vertex `start` (mod its length) and closed.
    fn rotated(open: &[[f64; 2]], start: usize) -> Vec<[f64; 2]> {
        let n = open.len();
        (0..=n).map(|k| open[(start + k) % n]).collect()
    }

    fn ranking_of(units: Vec<Vec<(bool, Vec<[f64; 2]>)>>) -> (Topology, super::super::simplify::Ranking) {
        let topo = topo_of(units);
        let ranking = super::super::simplify::Ranking::build(&topo.points, &topo.starts);
        (topo, ranking)
    }

    proptest::proptest! {
        // Two units side by side share a wiggly border (unit-square coordinates, about
        // a z10 tile wide). At every zoom both keep the same vertices along it, in
        // opposite directions, its two ends included — however each ring starts.
        #[test]
        fn a_shared_border_is_simplified_identically_on_both_sides(
            wiggle in proptest::collection::vec(-1.0f64..1.0, 1..60),
            amplitude_exp in -8.0f64..-3.5,
            start_a in 0usize..200, start_b in 0usize..200,
        ) {
            let (o, l) = (0.5, 1e-3);
            let amplitude = 10f64.powf(amplitude_exp);
            let n = wiggle.len();
            let mut border = vec![[o + l / 2.0, o]];
            border.extend(wiggle.iter().enumerate().map(|(i, w)| [o + l / 2.0 + w * amplitude, o + l * (i + 1) as f64 / (n + 1) as f64]));
            border.push([o + l / 2.0, o + l]);
            // A: west of the border, counter-clockwise; B: east of it, counter-clockwise.
            let mut a = vec![[o, o]];
            a.extend(border.iter().copied());
            a.push([o, o + l]);
            let mut b = vec![[o + l, o], [o + l, o + l]];
            b.extend(border.iter().rev().copied());
            let units = vec![vec![(true, rotated(&a, start_a))], vec![(true, rotated(&b, start_b))]];
            let (topo, ranking) = ranking_of(units);
            for z in 0..=crate::tile::MAX_ZOOM {
                let ra = &simplified(&topo, &ranking, 0, z)[0];
                let rb = &simplified(&topo, &ranking, 1, z)[0];
                let along_a = border_positions(ra, &border);
                let along_b = reversed_cycle(border_positions(rb, &border));
                proptest::prop_assert_eq!(&along_a, &along_b, "z{}", z);
                proptest::prop_assert!(along_a.windows(2).all(|w| w[0] < w[1]), "z{}: {:?} runs along the border", z, along_a);
                proptest::prop_assert_eq!(along_a.first(), Some(&0), "z{}", z);
                proptest::prop_assert_eq!(along_a.last(), Some(&(n + 1)), "z{}", z);
            }
        }

        // A unit fills another's hole: the hole and the inner unit's exterior are one
        // closed arc, simplified once, whichever vertex each ring starts at.
        #[test]
        fn a_filled_hole_is_simplified_identically_on_both_sides(
            spokes in proptest::collection::vec((0.0f64..std::f64::consts::TAU, 0.2f64..1.0), 3..50),
            start_a in 0usize..200, start_b in 0usize..200,
        ) {
            let (c, l) = (0.5, 1e-3);
            let mut spokes = spokes;
            spokes.sort_by(|a, b| a.0.total_cmp(&b.0));
            spokes.dedup_by(|a, b| a.0 == b.0);
            proptest::prop_assume!(spokes.len() >= 3);
            // Counter-clockwise star inside the square of side 2l around (c, c).
            let inner: Vec<[f64; 2]> = spokes.iter().map(|&(t, r)| [c + l * r * t.cos(), c + l * r * t.sin()]).collect();
            let outer = vec![[c - 2.0 * l, c - 2.0 * l], [c + 2.0 * l, c - 2.0 * l], [c + 2.0 * l, c + 2.0 * l], [c - 2.0 * l, c + 2.0 * l]];
            let hole: Vec<[f64; 2]> = inner.iter().rev().copied().collect();
            let units = vec![
                vec![(true, rotated(&outer, 0)), (false, rotated(&hole, start_a))],
                vec![(true, rotated(&inner, start_b))],
            ];
            let (topo, ranking) = ranking_of(units);
            for z in 0..=crate::tile::MAX_ZOOM {
                // The hole runs clockwise, the inner unit counter-clockwise.
                let hole_kept = reversed_cycle(border_positions(&simplified(&topo, &ranking, 0, z)[1], &inner));
                let inner_kept = border_positions(&simplified(&topo, &ranking, 1, z)[0], &inner);
                proptest::prop_assert_eq!(&hole_kept, &inner_kept, "z{}", z);
                proptest::prop_assert!(inner_kept.windows(2).all(|w| w[0] < w[1]), "z{}: {:?}", z, inner_kept);
            }
        }
    }
}
