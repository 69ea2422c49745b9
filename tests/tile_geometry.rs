//! Vector tile geometry, decoded with geozero's MVT reader (prost code generated from
//! vector_tile.proto: independent of bando's encoder) and checked against the source
//! geometry read with flatgeobuf directly.

mod common;
use bando::atlas::{build, Inputs};
use bando::snapshot::Snapshot as Atlas;
use bando::model::Edition;
use bando::tile::{render_mvt, MapKind, TileId, TileView};
use common::mvt::{decode, Feature};
use common::{repo, shared_geodata};
use std::collections::HashMap;
use std::sync::OnceLock;

const EXTENT: f64 = 4096.0;

fn embedded() -> &'static Atlas {
    static ATLAS: OnceLock<Atlas> = OnceLock::new();
    ATLAS.get_or_init(|| Atlas::new(build(&Inputs::embedded(bando::config::EMBEDDED_GEODATA)).expect("embedded").0))
}

fn real() -> &'static Atlas {
    static ATLAS: OnceLock<Atlas> = OnceLock::new();
    ATLAS.get_or_init(|| {
        let mut inputs = Inputs::embedded(bando::config::EMBEDDED_GEODATA);
        inputs.boundaries.push(shared_geodata("communes-2025.fgb"));
        Atlas::new(build(&inputs).expect("real boundaries").0)
    })
}

/// Web Mercator in the unit square, written out here rather than taken from bando.
fn merc(lon: f64, lat: f64) -> [f64; 2] {
    let s = lat.to_radians().sin();
    [lon / 360.0 + 0.5, 0.5 - ((1.0 + s) / (1.0 - s)).ln() / (4.0 * std::f64::consts::PI)]
}

fn tile_at(lon: f64, lat: f64, z: u8) -> TileId {
    let [x, y] = merc(lon, lat);
    let n = f64::from(1u32 << z);
    TileId::new(u32::from(z), (x * n) as u32, (y * n) as u32).unwrap()
}

fn area2(r: &[[i64; 2]]) -> i64 {
    let n = r.len();
    (0..n).map(|i| r[i][0] * r[(i + 1) % n][1] - r[(i + 1) % n][0] * r[i][1]).sum()
}

fn render(atlas: &Atlas, map: MapKind, edition: Edition, t: TileId) -> HashMap<String, Vec<Feature>> {
    decode(&render_mvt(atlas, atlas.tiles(edition), TileView { map, edition, as_of: bando::model::AsOf::Year(2025) }, t))
}

#[test]
fn layers_and_fields_per_map_and_edition() {
    let atlas = embedded();
    let t = tile_at(105.85, 21.03, 8);
    let ntm = render(atlas, MapKind::Ntm, Edition::E2024, t);
    for layer in ["communes", "districts", "provinces", "pilots"] {
        assert!(ntm.contains_key(layer), "ntm tile lacks {layer}: {:?}", ntm.keys().collect::<Vec<_>>());
    }
    let duong_xa = ntm["communes"].iter().find(|f| f.attrs.get("code").map(String::as_str) == Some("00571")).expect("Dương Xá");
    assert_eq!(duong_xa.attrs["name"], "Xã Dương Xá");
    assert_eq!(duong_xa.id, Some(571));
    for key in ["kind", "level", "level_year", "criteria_met"] {
        assert!(duong_xa.attrs.contains_key(key), "{key}");
    }
    let ward = ntm["communes"].iter().find(|f| f.attrs["kind"] == "phuong").expect("a ward");
    assert_eq!(ward.attrs["level"], "not_applicable");
    let pilot = ntm["pilots"].iter().find(|f| f.attrs.get("name").is_some_and(|n| n.contains("Dương Xá"))).expect("pilot");
    assert_eq!(pilot.kind, 1);
    assert_eq!(pilot.attrs["kind"], "smart_commune");
    assert!(ntm["districts"].iter().any(|f| f.kind == 1 && f.attrs.get("label").map(String::as_str) == Some("true")));

    let e2025 = render(atlas, MapKind::Ntm, Edition::E2025, t);
    assert!(!e2025.contains_key("districts"));
    assert!(e2025["communes"].iter().all(|f| f.attrs.contains_key("former_total")));

    let tourism = render(atlas, MapKind::Tourism, Edition::E2024, t);
    let sites = &tourism["tourism"];
    assert!(sites.iter().any(|f| f.attrs.get("name").is_some_and(|n| n.contains("Bát Tràng"))));
    assert!(sites.iter().filter(|f| f.attrs["category"] == "ocop_product").all(|f| f.attrs.contains_key("stars")));
    assert!(tourism["communes"].iter().all(|f| !f.attrs.contains_key("criteria_met")), "tourism map: communes faded");
}

/// Every polygon: rings of ≥ 3 points, no repeated points, exterior first and with
/// positive area (y down), holes negative.
fn check_polygons(layers: &HashMap<String, Vec<Feature>>, t: TileId) {
    for (name, features) in layers {
        for f in features.iter().filter(|f| f.kind == 3) {
            assert!(area2(&f.rings[0]) > 0, "{name} {t}: first ring is not an exterior");
            // A hole belongs to the exterior before it (MVT 2.1, 4.3.4.4): it lies inside it.
            let mut exterior = &f.rings[0];
            for r in &f.rings {
                if area2(r) > 0 {
                    exterior = r;
                } else if let Some(p) = r.iter().find(|p| !exterior.contains(p)) {
                    assert!(inside(exterior, *p), "{name} {t} {:?}: a hole at {p:?} follows an exterior that does not hold it", f.attrs.get("code"));
                }
            }
            for r in &f.rings {
                assert!(r.len() >= 3, "{name} {t}: ring of {} points", r.len());
                assert_ne!(area2(r), 0, "{name} {t}: zero-area ring");
                for w in r.windows(2) {
                    assert_ne!(w[0], w[1], "{name} {t}: repeated point");
                }
                for p in r {
                    assert!(p[0] >= -64 && p[0] <= 4160 && p[1] >= -64 && p[1] <= 4160, "{name} {t}: {p:?} outside the buffer");
                }
            }
        }
    }
}

/// Even-odd point in ring, on the tile grid.
fn inside(ring: &[[i64; 2]], p: [i64; 2]) -> bool {
    inside_at(ring, [p[0] as f64, p[1] as f64])
}

/// [`inside`] for a point between grid points.
fn inside_at(ring: &[[i64; 2]], p: [f64; 2]) -> bool {
    let (x, y) = (p[0], p[1]);
    let mut odd = false;
    for (a, b) in ring.iter().zip(ring.iter().cycle().skip(1)) {
        let (ax, ay, bx, by) = (a[0] as f64, a[1] as f64, b[0] as f64, b[1] as f64);
        if (ay > y) != (by > y) && x < ax + (y - ay) / (by - ay) * (bx - ax) {
            odd = !odd;
        }
    }
    odd
}

#[test]
fn polygons_are_valid_with_mvt_winding() {
    let atlas = embedded();
    for (lon, lat) in [(105.85, 21.03), (105.78, 10.03)] {
        for z in [0u8, 5, 8, 11, 14] {
            let t = tile_at(lon, lat, z);
            for edition in Edition::ALL {
                check_polygons(&render(atlas, MapKind::Ntm, edition, t), t);
            }
        }
    }
}

/// A polygon feature's area in grid units² (exteriors less holes).
fn feature_area(f: &Feature) -> f64 {
    f.rings.iter().map(|r| area2(r) as f64 / 2.0).sum()
}

/// At low zoom, communes too small to see are drawn merged (clusters within a province,
/// each with its largest commune's attributes): far fewer features than communes, each
/// commune named once with its own name, and few below 64 units² (one CSS pixel as
/// MapLibre draws tiles; a province or an island group smaller than that stays one
/// feature, as clusters never cross provinces or the sea). Drawn each on its own, most
/// communes were below it at zoom 3 and all at zoom 0.
fn check_merged_at_low_zoom(atlas: &Atlas, edition: Edition) {
    let communes = &atlas.edition(edition).communes;
    let by_code: HashMap<String, &bando::model::Commune> = communes.iter().map(|c| (c.code.to_string(), c)).collect();
    let provinces = atlas.edition(edition).provinces.len();
    for z in [0u8, 3] {
        let t = tile_at(106.0, 16.0, z);
        let features = &render(atlas, MapKind::Ntm, edition, t)["communes"];
        let small = features.iter().filter(|f| feature_area(f) < 64.0).count();
        eprintln!("{edition} {t}: {} commune features for {} communes, {small} below 64 units²", features.len(), communes.len());
        assert!(small <= 2 * provinces, "{edition} {t}: {small} of {} features below 64 units²", features.len());
        if z == 0 {
            assert!(features.len() <= 2 * provinces, "{edition} {t}: {} features for {provinces} provinces", features.len());
        }
        let mut codes = std::collections::HashSet::new();
        for f in features {
            let code = &f.attrs["code"];
            assert!(codes.insert(code.clone()), "{t}: {code} drawn twice");
            assert_eq!(f.attrs["name"], by_code[code].name, "{t}: {code} carries another commune's name");
            assert_eq!(f.id, Some(u64::from(by_code[code].code.0)));
        }
    }
    // Districts, merged the same way within their provinces.
    if edition.has_districts() {
        let districts = &atlas.edition(edition).districts;
        for z in [0u8, 3] {
            let t = tile_at(106.0, 16.0, z);
            let tile = render(atlas, MapKind::Ntm, edition, t);
            let features: Vec<&Feature> = tile["districts"].iter().filter(|f| f.kind == 3 && !f.attrs.contains_key("islets")).collect();
            let small = features.iter().filter(|f| feature_area(f) < 64.0).count();
            eprintln!("{edition} {t}: {} district features for {} districts, {small} below 64 units²", features.len(), districts.len());
            assert!(small <= 2 * provinces, "{edition} {t}: {small} of {} district features below 64 units²", features.len());
            if z == 0 {
                assert!(features.len() <= 2 * provinces, "{edition} {t}: {} district features for {provinces} provinces", features.len());
            }
            let mut codes = std::collections::HashSet::new();
            for f in features {
                let code = &f.attrs["code"];
                assert!(codes.insert(code.clone()), "{t}: district {code} drawn twice");
                let d = districts.values().find(|d| d.code.to_string() == *code).unwrap_or_else(|| panic!("{t}: no district {code}"));
                assert_eq!(f.attrs["name"], d.name, "{t}: {code} carries another district's name");
            }
        }
    }
    // Where every commune covers a pixel, every commune of the tile is its own feature.
    let t = tile_at(105.85, 21.03, 12);
    let features = &render(atlas, MapKind::Ntm, edition, t)["communes"];
    let near: Vec<_> = communes.iter().filter(|c| c.label_point.is_some_and(|p| t == tile_at(p.lon, p.lat, 12))).collect();
    assert!(!near.is_empty());
    for c in near {
        assert!(features.iter().any(|f| f.id == Some(u64::from(c.code.0))), "{t}: {} {} not drawn", c.code, c.name);
    }
}

#[test]
fn communes_too_small_to_see_are_merged_at_low_zoom_embedded() {
    for edition in Edition::ALL {
        check_merged_at_low_zoom(embedded(), edition);
    }
}

#[test]
#[ignore = "needs the real boundary files of ../shared/geodata (not committed)"]
fn communes_too_small_to_see_are_merged_at_low_zoom_real() {
    check_merged_at_low_zoom(real(), Edition::E2025);
}

/// Label points of districts and provinces come from the zoom where the styles name them,
/// with what a label needs only; their polygons are in every zoom.
#[test]
fn label_points_start_where_names_are_shown_and_carry_only_what_labels_need() {
    let atlas = embedded();
    for (layer, from) in [("districts", bando::tile::DISTRICT_LABEL_MIN_ZOOM), ("provinces", bando::tile::PROVINCE_LABEL_MIN_ZOOM)] {
        for z in [from - 1, from] {
            let tile = render(atlas, MapKind::Ntm, Edition::E2024, tile_at(105.85, 21.03, z));
            let (points, polygons): (Vec<&Feature>, Vec<&Feature>) = tile[layer].iter().partition(|f| f.kind == 1);
            assert!(!polygons.is_empty(), "{layer} z{z}: no polygons");
            if z < from {
                assert!(points.is_empty(), "{layer} z{z}: {} label points below zoom {from}", points.len());
                continue;
            }
            assert!(!points.is_empty(), "{layer} z{z}: no label points");
            for p in points {
                let mut keys: Vec<&str> = p.attrs.keys().map(String::as_str).collect();
                keys.sort_unstable();
                assert_eq!(keys, ["code", "label", "name", "rank"], "{layer} z{z}");
            }
        }
    }
}

/// Pilots and tourism sites below zoom 10 are thinned: each zoom's points are at least
/// 12 px apart (512-px tiles), a point shown stays shown at higher zooms, and from zoom
/// 10 every point is drawn. Tiles are rendered where the points are, and each point is
/// taken from the tile that holds it (not from a neighbour's buffer).
#[test]
fn points_are_thinned_below_zoom_10_and_all_drawn_from_it() {
    let atlas = embedded();
    let pilots: Vec<[f64; 2]> = atlas.pilots.iter().map(|p| merc(p.position.lon, p.position.lat)).collect();
    let sites: Vec<[f64; 2]> = atlas.tourism.iter().map(|t| merc(t.position.lon, t.position.lat)).collect();
    for (map, layer, points) in [(MapKind::Ntm, "pilots", &pilots), (MapKind::Tourism, "tourism", &sites)] {
        let mut before: Vec<u64> = Vec::new();
        for z in 0..=10u8 {
            let n = f64::from(1u32 << z);
            let tiles: std::collections::BTreeSet<(u32, u32)> = points.iter().map(|p| ((p[0] * n) as u32, (p[1] * n) as u32)).collect();
            // (id, position in pixels of 512-px tiles at this zoom)
            let mut shown: Vec<(u64, [f64; 2])> = Vec::new();
            for &(x, y) in &tiles {
                let tile = render(atlas, map, Edition::E2025, TileId::new(u32::from(z), x, y).unwrap());
                for f in tile.get(layer).into_iter().flatten() {
                    let [gx, gy] = f.rings[0][0];
                    if (0..4096).contains(&gx) && (0..4096).contains(&gy) {
                        let at = [(f64::from(x) * EXTENT + gx as f64) / 8.0, (f64::from(y) * EXTENT + gy as f64) / 8.0];
                        shown.push((f.id.expect("point id"), at));
                    }
                }
            }
            let mut ids: Vec<u64> = shown.iter().map(|s| s.0).collect();
            ids.sort_unstable();
            assert!(ids.windows(2).all(|w| w[0] != w[1]), "{layer} z{z}: a point drawn in two tiles");
            assert!(before.iter().all(|id| ids.binary_search(id).is_ok()), "{layer} z{z}: a point shown at z{} is gone", z - 1);
            if z == 10 {
                assert_eq!(ids.len(), points.len(), "{layer}: from zoom 10 every point is drawn");
                break;
            }
            assert!(!ids.is_empty(), "{layer} z{z}: no point drawn");
            // At national zooms the sample's points crowd (Hà Nội's pilots, the deltas' sites).
            assert!(z > 5 || ids.len() < points.len(), "{layer} z{z}: all {} points drawn", ids.len());
            eprintln!("{layer} z{z}: {} of {}", ids.len(), points.len());
            for (i, (a, p)) in shown.iter().enumerate() {
                for (b, q) in &shown[i + 1..] {
                    let d = (p[0] - q[0]).hypot(p[1] - q[1]);
                    // 12 px, less the grid's rounding (1/8 px per coordinate).
                    assert!(d >= 11.8, "{layer} z{z}: points {a} and {b} are {d:.1} px apart");
                }
            }
            before = ids;
        }
    }
}

/// Provinces and districts are dissolved from their communes: at z0, one tile for the
/// country, every province is a polygon of its layer, and each layer's polygons cover the
/// area the communes' polygons cover (the same arcs, simplified once).
fn check_units_cover_their_communes(atlas: &Atlas, edition: Edition) {
    let tile = render(atlas, MapKind::Ntm, edition, TileId::new(0, 0, 0).unwrap());
    let polygons = |layer: &str| -> Vec<&Feature> { tile[layer].iter().filter(|f| f.kind == 3).collect() };
    let communes: f64 = polygons("communes").into_iter().map(feature_area).sum();
    for p in atlas.edition(edition).provinces.values() {
        let drawn: f64 = polygons("provinces").into_iter().filter(|f| f.attrs["code"] == p.code.to_string()).map(feature_area).sum();
        assert!(drawn > 0.0, "{edition}: province {} {} is not drawn at z0", p.code, p.name);
    }
    let mut layers = vec!["provinces"];
    if edition.has_districts() {
        layers.push("districts");
    }
    for layer in layers {
        let area: f64 = polygons(layer).into_iter().map(feature_area).sum();
        assert!((area - communes).abs() <= 0.01 * communes.abs(), "{edition}: {layer} cover {area} units², communes {communes}");
    }
}

#[test]
fn provinces_and_districts_cover_their_communes_embedded() {
    for edition in Edition::ALL {
        check_units_cover_their_communes(embedded(), edition);
    }
}

#[test]
#[ignore = "needs the real boundary files of ../shared/geodata (not committed)"]
fn provinces_and_districts_cover_their_communes_real() {
    check_units_cover_their_communes(real(), Edition::E2025);
}

/// A province of 2025 has no hole: none is an enclave of another, so a hole would be a gap
/// the boundary file leaves between communes of one province (the real 2025 file has
/// dozens), which the outline would draw as a loop. Every z8 tile over the country. (The
/// 2024 sample's communes are cells around generated points, where a commune of one
/// province can lie inside another: such holes are drawn.)
fn check_provinces_have_no_holes(atlas: &Atlas, edition: Edition) {
    let (nw, se) = (tile_at(102.1, 23.4, 8), tile_at(109.5, 8.3, 8));
    let mut holes = Vec::new();
    for x in nw.x..=se.x {
        for y in nw.y..=se.y {
            let tile = render(atlas, MapKind::Ntm, edition, TileId::new(8, x, y).unwrap());
            for f in tile.get("provinces").into_iter().flatten().filter(|f| f.kind == 3) {
                // Exteriors have a positive area in tile coordinates (y down), holes negative.
                holes.extend(f.rings.iter().filter(|r| area2(r) < 0).map(|r| format!("province {} in 8/{x}/{y}: {} units²", f.attrs["code"], -area2(r) / 2)));
            }
        }
    }
    assert!(holes.is_empty(), "{edition}: {} holes in provinces, e.g. {:?}", holes.len(), &holes[..holes.len().min(5)]);
}

#[test]
fn provinces_have_no_holes_embedded() {
    check_provinces_have_no_holes(embedded(), Edition::E2025);
}

#[test]
#[ignore = "needs the real boundary files of ../shared/geodata (not committed)"]
fn provinces_have_no_holes_real() {
    check_provinces_have_no_holes(real(), Edition::E2025);
}

/// Islets too small to see under a dark outline (under 8 × 8 px as the tile is shown)
/// are left out of the district and province polygons the outlines follow, while the
/// communes layer keeps them: the islands of Hạ Long bay, in 512-px vector tiles of z6–z9
/// and in the vector tile a 256-px PNG tile of z10 is drawn from. On the 2024 boundaries,
/// where themes fill districts and provinces, each unit's islets come as a feature of its
/// own (`islets`), which the styles fill and do not outline: every commune islet then lies
/// in a province and a district polygon.
fn check_islets_are_not_outlined(atlas: &Atlas, edition: Edition) {
    let view = TileView { map: MapKind::Ntm, edition, as_of: bando::model::AsOf::Year(2025) };
    let mut islet_features = 0;
    for (z, px) in [(6u8, 512u32), (7, 512), (9, 512), (10, 256)] {
        let t = tile_at(107.2, 20.85, z);
        let tile = decode(&bando::tile::render_mvt_at(atlas, atlas.tiles(edition), view, t, px));
        let side = 8.0 * EXTENT / f64::from(px);
        // Rings wholly inside the tile: a piece cut at the tile's edge may be small.
        let whole = |r: &&Vec<[i64; 2]>| r.iter().all(|p| p[0] > 0 && p[0] < 4096 && p[1] > 0 && p[1] < 4096);
        // Under 8 × 8 px; an outlined island is at least that before simplification, and
        // 3/4 of it after.
        let small = |r: &&Vec<[i64; 2]>| area2(r) > 0 && (area2(r) as f64) < 2.0 * side * side;
        let too_small = |r: &&Vec<[i64; 2]>| area2(r) > 0 && (area2(r) as f64) < 2.0 * 0.75 * side * side;
        let polygons = |layer: &str, islets: bool| -> Vec<&Feature> {
            tile.get(layer).into_iter().flatten().filter(|f| f.kind == 3 && f.attrs.contains_key("islets") == islets).collect()
        };
        let commune_islets: Vec<&Vec<[i64; 2]>> = polygons("communes", false).into_iter().flat_map(|f| &f.rings).filter(whole).filter(small).collect();
        assert!(commune_islets.len() > 5, "{edition} z{z}: {} islets among the communes", commune_islets.len());
        let mut layers = vec!["provinces"];
        if edition.has_districts() {
            layers.push("districts");
        }
        for layer in layers {
            // Islands: rings that share no vertex with another unit of the layer (a tiny
            // piece pinched off at a border is not one).
            let outlined = polygons(layer, false);
            let island = |f: &Feature, r: &Vec<[i64; 2]>| {
                !outlined.iter().any(|g| !std::ptr::eq(*g, f) && g.rings.iter().flatten().any(|q| r.contains(q)))
            };
            let small_islands: Vec<_> = outlined.iter().flat_map(|f| f.rings.iter().filter(whole).filter(too_small).filter(|r| island(f, r))).map(|r| (area2(r) / 2, r[0])).collect();
            assert!(small_islands.is_empty(), "{edition} z{z} shown at {px} px: {layer} outline islets under 8 px a side: {small_islands:?}");
            let islets = polygons(layer, true);
            if !edition.has_districts() {
                assert!(islets.is_empty(), "{edition} z{z}: {layer} carry islets no theme fills");
                continue;
            }
            islet_features += islets.len();
            // A commune islet's middle (its vertices' mean, where that lies in it) is in
            // one of the layer's polygons: its unit's, or its unit's islets.
            let all = polygons(layer, false).into_iter().chain(islets);
            let rings: Vec<&Vec<[i64; 2]>> = all.flat_map(|f| &f.rings).collect();
            let mut checked = 0;
            // Islets under twice the size below which an island is dropped (2 × 256
            // units², 2 px² at 256 px) are left out: an island of several communes keeps
            // them in the communes layer at 1 px² (its arcs are shared) and not in a
            // district or province (they are not).
            for r in commune_islets.iter().filter(|r| area2(r) >= 2 * 512) {
                let n = r.len() as i64;
                let mid = [r.iter().map(|p| p[0]).sum::<i64>() / n, r.iter().map(|p| p[1]).sum::<i64>() / n];
                if !inside(r, mid) {
                    continue;
                }
                checked += 1;
                let covering = rings.iter().filter(|ring| inside(ring, mid)).count();
                assert!(covering % 2 == 1, "{edition} z{z}: the commune islet at {mid:?} is in no {layer} polygon");
            }
            eprintln!("{edition} z{z} {layer}: {checked} commune islets in its polygons");
            assert!(checked > 3, "{edition} z{z}: {checked} commune islets checked");
        }
    }
    assert!(!edition.has_districts() || islet_features > 0, "{edition}: no islet feature drawn");
}

#[test]
fn islets_are_not_outlined_embedded() {
    for edition in Edition::ALL {
        check_islets_are_not_outlined(embedded(), edition);
    }
}

#[test]
#[ignore = "needs the real boundary files of ../shared/geodata (not committed)"]
fn islets_are_not_outlined_real() {
    check_islets_are_not_outlined(real(), Edition::E2025);
}

/// Neighbouring tiles agree on what a province covers where their buffers overlap: a
/// point of the 64-unit strip beyond a tile's edge is inside a province polygon of that
/// tile exactly when it is inside one of the neighbour's. An island is judged by its whole
/// area, so the corner of a large island cut small by a tile's edge is drawn on both
/// sides (judged by the piece, it was left out on one). The islands of Hạ Long bay,
/// z9–z11, edition 2025.
fn check_provinces_agree_across_tile_edges(atlas: &Atlas) {
    let view = TileView { map: MapKind::Ntm, edition: Edition::E2025, as_of: bando::model::AsOf::Year(2025) };
    let mut compared = 0usize;
    for z in [9u8, 10, 11] {
        let (nw, se) = (tile_at(106.9, 21.2, z), tile_at(107.8, 20.6, z));
        let mut rings: HashMap<(u32, u32), Vec<Vec<[i64; 2]>>> = HashMap::new();
        for x in nw.x..=se.x + 1 {
            for y in nw.y..=se.y + 1 {
                let tile = decode(&bando::tile::render_mvt_at(atlas, atlas.tiles(Edition::E2025), view, TileId::new(u32::from(z), x, y).unwrap(), 512));
                let polygons = tile.get("provinces").into_iter().flatten().filter(|f| f.kind == 3);
                rings.insert((x, y), polygons.flat_map(|f| f.rings.clone()).collect());
            }
        }
        // Inside by the even-odd rule over every ring of the tile (provinces do not
        // overlap); None within a unit of an edge, where rounding may decide either way.
        let covered = |rings: &[Vec<[i64; 2]>], p: [f64; 2]| -> Option<bool> {
            // A ring whose box misses the point adds no crossing, or an even number.
            let near = |r: &&Vec<[i64; 2]>| {
                let (x0, x1) = r.iter().fold((i64::MAX, i64::MIN), |(lo, hi), q| (lo.min(q[0]), hi.max(q[0])));
                let (y0, y1) = r.iter().fold((i64::MAX, i64::MIN), |(lo, hi), q| (lo.min(q[1]), hi.max(q[1])));
                p[0] >= x0 as f64 - 1.0 && p[0] <= x1 as f64 + 1.0 && p[1] >= y0 as f64 - 1.0 && p[1] <= y1 as f64 + 1.0
            };
            let near: Vec<&Vec<[i64; 2]>> = rings.iter().filter(near).collect();
            let on_edge = near.iter().any(|r| {
                r.iter().zip(r.iter().cycle().skip(1)).any(|(a, b)| {
                    let (a, b) = ([a[0] as f64, a[1] as f64], [b[0] as f64, b[1] as f64]);
                    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
                    let t = (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / (dx * dx + dy * dy).max(1e-9)).clamp(0.0, 1.0);
                    (a[0] + t * dx - p[0]).hypot(a[1] + t * dy - p[1]) < 1.0
                })
            });
            (!on_edge).then(|| near.iter().filter(|r| inside_at(r, p)).count() % 2 == 1)
        };
        for x in nw.x..=se.x {
            for y in nw.y..=se.y {
                // The strip beyond the east edge, and beyond the south edge, sampled every
                // 8 units between grid points, in both tiles' coordinates.
                for (dx, dy) in [(1u32, 0u32), (0, 1)] {
                    let (here, there) = (&rings[&(x, y)], &rings[&(x + dx, y + dy)]);
                    for along in (0..4096).step_by(8) {
                        for across in (4..60).step_by(8) {
                            let p = if dx == 1 { [4096.0 + across as f64 + 0.5, along as f64 + 0.5] } else { [along as f64 + 0.5, 4096.0 + across as f64 + 0.5] };
                            let q = if dx == 1 { [p[0] - 4096.0, p[1]] } else { [p[0], p[1] - 4096.0] };
                            if let (Some(a), Some(b)) = (covered(here, p), covered(there, q)) {
                                compared += 1;
                                assert_eq!(a, b, "z{z}: in a province? {p:?} of {z}/{x}/{y}: {a}; the same place, {q:?} of {z}/{}/{}: {b}", x + dx, y + dy);
                            }
                        }
                    }
                }
            }
        }
    }
    assert!(compared > 20_000, "{compared} points compared");
}

#[test]
fn provinces_agree_across_tile_edges_embedded() {
    check_provinces_agree_across_tile_edges(embedded());
}

#[test]
#[ignore = "needs the real boundary files of ../shared/geodata (not committed)"]
fn provinces_agree_across_tile_edges_real() {
    check_provinces_agree_across_tile_edges(real());
}

/// Sutherland–Hodgman against the tile square (written here, independent of bando's).
fn clip_to_tile(ring: &[[i64; 2]]) -> Vec<[f64; 2]> {
    let mut pts: Vec<[f64; 2]> = ring.iter().map(|p| [p[0] as f64, p[1] as f64]).collect();
    for (axis, bound, keep_above) in [(0, 0.0, true), (0, EXTENT, false), (1, 0.0, true), (1, EXTENT, false)] {
        let inside = |p: &[f64; 2]| if keep_above { p[axis] >= bound } else { p[axis] <= bound };
        let mut out = Vec::new();
        for i in 0..pts.len() {
            let (a, b) = (pts[(i + pts.len() - 1) % pts.len()], pts[i]);
            if inside(&b) != inside(&a) {
                let t = (bound - a[axis]) / (b[axis] - a[axis]);
                out.push([a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])]);
            }
            if inside(&b) {
                out.push(b);
            }
        }
        pts = out;
        if pts.is_empty() {
            break;
        }
    }
    pts
}

fn fgb_polygons(path: &std::path::Path) -> HashMap<String, geo::MultiPolygon<f64>> {
    use flatgeobuf::{FallibleStreamingIterator, FeatureProperties, FgbReader};
    use geozero::ToGeo;
    let mut file = std::io::BufReader::new(std::fs::File::open(path).expect("open"));
    let mut reader = FgbReader::open(&mut file).expect("fgb").select_all_seq().expect("select");
    let mut out = HashMap::new();
    while let Some(f) = reader.next().expect("feature") {
        let code: String = f.property("code").expect("code");
        if let geo::Geometry::MultiPolygon(m) = f.to_geo().expect("geometry") {
            out.insert(code, m);
        }
    }
    out
}

/// The commune's area in the unit Mercator square, from its source geometry.
fn mercator_area(shape: &geo::MultiPolygon<f64>) -> f64 {
    let ring_area = |r: &geo::LineString<f64>| {
        let p: Vec<[f64; 2]> = r.0.iter().map(|c| merc(c.x, c.y)).collect();
        let n = p.len();
        ((0..n).map(|i| p[i][0] * p[(i + 1) % n][1] - p[(i + 1) % n][0] * p[i][1]).sum::<f64>() / 2.0).abs()
    };
    shape.0.iter().map(|poly| ring_area(poly.exterior()) - poly.interiors().iter().map(ring_area).sum::<f64>()).sum()
}

/// The commune's pieces over all the z12 tiles covering it add up to its area.
fn check_areas(atlas: &Atlas, edition: Edition, source: &HashMap<String, geo::MultiPolygon<f64>>, step: usize) {
    let communes = &atlas.edition(edition).communes;
    let mut checked = 0;
    for c in communes.iter().step_by(step) {
        let code = c.code.to_string();
        let Some(shape) = source.get(&code) else { continue };
        let rect = geo::BoundingRect::bounding_rect(shape).expect("bbox");
        let (a, b) = (merc(rect.min().x, rect.max().y), merc(rect.max().x, rect.min().y));
        let n = 4096.0;
        let mut total = 0.0;
        for x in (a[0] * n) as u32..=(b[0] * n) as u32 {
            for y in (a[1] * n) as u32..=(b[1] * n) as u32 {
                let t = TileId::new(12, x, y).unwrap();
                let layers = render(atlas, MapKind::Ntm, edition, t);
                let Some(f) = layers.get("communes").and_then(|fs| fs.iter().find(|f| f.id == Some(u64::from(c.code.0)))) else { continue };
                for r in &f.rings {
                    let clipped = clip_to_tile(r);
                    let m = clipped.len();
                    let signed: f64 = (0..m).map(|i| clipped[i][0] * clipped[(i + 1) % m][1] - clipped[(i + 1) % m][0] * clipped[i][1]).sum::<f64>() / 2.0;
                    total += signed / (EXTENT * n).powi(2);
                }
            }
        }
        let want = mercator_area(shape);
        assert!((total - want).abs() <= 0.005 * want, "{code} {}: tiles {total:e} vs source {want:e}", c.name);
        checked += 1;
    }
    assert!(checked >= 15, "only {checked} communes checked");
}

#[test]
fn commune_pieces_over_z12_tiles_add_up_to_its_area_embedded() {
    let source = fgb_polygons(&repo().join("geodata/communes-2024.fgb"));
    check_areas(embedded(), Edition::E2024, &source, 400);
}

#[test]
#[ignore = "needs the real boundary files of ../shared/geodata (not committed)"]
fn commune_pieces_over_z12_tiles_add_up_to_its_area_real() {
    check_areas(real(), Edition::E2025, &fgb_polygons(&shared_geodata("communes-2025.fgb")), 150);
}

/// Rasterises polygons of a layer at pixel centres (even-odd per feature, half-open
/// crossings) and returns how many features cover each pixel.
fn coverage(features: &[Feature], size: usize) -> Vec<u16> {
    let mut cover = vec![0u16; size * size];
    let scale = EXTENT / size as f64;
    let mut xs = Vec::new();
    for f in features.iter().filter(|f| f.kind == 3) {
        for row in 0..size {
            let y = (row as f64 + 0.5) * scale;
            xs.clear();
            for r in &f.rings {
                for i in 0..r.len() {
                    let (a, b) = (r[i], r[(i + 1) % r.len()]);
                    let (ay, by) = (a[1] as f64, b[1] as f64);
                    if (ay > y) != (by > y) {
                        xs.push(a[0] as f64 + (y - ay) * (b[0] - a[0]) as f64 / (by - ay));
                    }
                }
            }
            xs.sort_by(f64::total_cmp);
            for pair in xs.chunks(2) {
                if let [x0, x1] = pair {
                    let c0 = ((x0 / scale) - 0.5).ceil().max(0.0) as usize;
                    let c1 = (((x1 / scale) - 0.5).ceil().max(0.0) as usize).min(size);
                    for c in c0..c1 {
                        cover[row * size + c] += 1;
                    }
                }
            }
        }
    }
    cover
}

/// Inside the country (the provinces layer of the same tile), every pixel is covered
/// by a commune: no gap along shared borders. Provinces cover the small holes the
/// `source` communes leave between them (dissolve::drop_gaps); a pixel whose centre is in
/// no source commune may stay uncovered. Returns the pixels covered twice.
fn check_no_gaps(atlas: &Atlas, edition: Edition, source: &HashMap<String, geo::MultiPolygon<f64>>, places: &[(f64, f64)]) -> Coverage {
    use geo::{BoundingRect, Contains};
    let boxes: Vec<(geo::Rect<f64>, &geo::MultiPolygon<f64>)> = source.values().filter_map(|m| Some((m.bounding_rect()?, m))).collect();
    let in_source = |lon: f64, lat: f64| {
        let p = geo::Point::new(lon, lat);
        boxes.iter().any(|(b, m)| b.min().x <= lon && lon <= b.max().x && b.min().y <= lat && lat <= b.max().y && m.contains(&p))
    };
    let mut found = Coverage::default();
    for &(lon, lat) in places {
        // Zoom 2: communes merged into clusters; 5 and 8: some merged; 11: none.
        for z in [2u8, 5, 8, 11] {
            let t = tile_at(lon, lat, z);
            let layers = render(atlas, MapKind::Ntm, edition, t);
            let size = 512;
            let communes = coverage(&layers["communes"], size);
            let country = coverage(&layers["provinces"], size);
            let pixel_lon_lat = |k: usize| {
                let n = f64::from(1u32 << z);
                let (x, y) = ((f64::from(t.x) + (k % size) as f64 / size as f64 + 0.5 / size as f64) / n, (f64::from(t.y) + (k / size) as f64 / size as f64 + 0.5 / size as f64) / n);
                let lat = (std::f64::consts::PI * (1.0 - 2.0 * y)).sinh().atan().to_degrees();
                (x * 360.0 - 180.0, lat)
            };
            let gaps: Vec<usize> = (0..size * size)
                .filter(|&k| country[k] > 0 && communes[k] == 0)
                .filter(|&k| {
                    let (lon, lat) = pixel_lon_lat(k);
                    in_source(lon, lat)
                })
                .collect();
            if let Some(k) = gaps.first() {
                found.first_gap.get_or_insert(format!("{t} pixel {:?}", (k % size, k / size)));
            }
            found.gaps += gaps.len();
            found.overlaps += communes.iter().filter(|&&c| c > 1).count();
        }
    }
    found
}

/// Pixels of the tiles `check_no_gaps` drew: in the country but in no commune (gaps), and
/// in two communes (overlaps).
#[derive(Default, Debug)]
struct Coverage {
    gaps: usize,
    overlaps: usize,
    first_gap: Option<String>,
}

#[test]
fn no_gaps_along_shared_borders_embedded() {
    let places = [(105.85, 21.03), (105.78, 10.03)];
    let found = check_no_gaps(embedded(), Edition::E2024, &fgb_polygons(&repo().join("geodata/communes-2024.fgb")), &places);
    // Shared arcs are simplified each on its own, so two may cross near a junction at the
    // merged zooms, leaving a pixel covered twice beside one uncovered: at most one pixel
    // in 100,000 each (1 to 3 of 2 million here). A border not shared would leave
    // thousands.
    assert!(found.gaps * 100_000 <= 8 * 512 * 512 && found.overlaps * 100_000 <= 8 * 512 * 512, "edition 2024 over 8 tiles of 512²: {found:?}");
    let found = check_no_gaps(embedded(), Edition::E2025, &fgb_polygons(&repo().join("geodata/communes-2025.fgb")), &places);
    assert_eq!((found.gaps, found.overlaps), (0, 0), "edition 2025: {found:?}");
}

#[test]
#[ignore = "needs the real boundary files of ../shared/geodata (not committed)"]
fn no_gaps_along_shared_borders_real() {
    let found = check_no_gaps(real(), Edition::E2025, &fgb_polygons(&shared_geodata("communes-2025.fgb")), &[(105.85, 21.03), (105.78, 10.03)]);
    // The real file overlaps itself by ≈7.3 km² nationally: a few pixels may be
    // covered twice (never uncovered); report them.
    eprintln!("real communes: {} doubly covered pixels over 8 tiles of 512²", found.overlaps);
    assert_eq!(found.gaps, 0, "{found:?}");
    assert!(found.overlaps < 6 * 512 * 512 / 1000, "{found:?}");
}
