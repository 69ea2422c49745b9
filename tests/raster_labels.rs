//! Names on the PNG tiles and static maps, over real HTTP: a province's name is written
//! around its label point (computed here from the embedded communes' label points, as
//! the midmost of them), and a name crossing a tile edge is drawn on both sides, so that
//! two neighbouring tiles put together write it as a static map of the same place does.
//! Text pixels are those that change between `labels=true` (the default) and
//! `labels=false`. The names of hidden kinds of point are checked on the placement itself.

mod common;
use common::raster::{lon_lat_of_pixel, png_of, world_pixel, Png};
use common::sources::{csv_rows, embedded_label_points};
use common::{reference, Server};
use std::collections::HashMap;

/// True where two pictures differ by more than a blend's rounding.
fn text_mask(with: &Png, without: &Png) -> Vec<bool> {
    with.rgb.chunks(3).zip(without.rgb.chunks(3)).map(|(a, b)| a.iter().zip(b).any(|(x, y)| x.abs_diff(*y) > 24)).collect()
}

/// World pixel at zoom `z` of the label point of province `code` (2024): the label point
/// of its commune nearest the mean of its communes' label points, in Mercator.
fn province_label(code: &str, z: u8) -> (f64, f64) {
    let province_of: HashMap<String, String> = csv_rows(reference("communes-2024.csv")).into_iter().map(|r| (r["code"].clone(), r["province_code"].clone())).collect();
    let points: Vec<(f64, f64)> = embedded_label_points(2024)
        .into_iter()
        .filter(|c| province_of.get(&c.code).map(String::as_str) == Some(code))
        .map(|c| world_pixel(c.lon, c.lat, z))
        .collect();
    assert!(!points.is_empty(), "province {code} has communes");
    let n = points.len() as f64;
    let mean = (points.iter().map(|p| p.0).sum::<f64>() / n, points.iter().map(|p| p.1).sum::<f64>() / n);
    points.into_iter().min_by(|a, b| ((a.0 - mean.0).hypot(a.1 - mean.1)).total_cmp(&(b.0 - mean.0).hypot(b.1 - mean.1))).unwrap()
}

fn tile(server: &Server, z: u8, x: u32, y: u32, labels: bool) -> Png {
    png_of(&server.get_raw(&format!("/tiles/ntm/{z}/{x}/{y}.png?labels={labels}"), &[]))
}

#[test]
fn a_provinces_name_is_written_at_its_label_point() {
    let server = Server::shared();
    let z = 6u8;
    // Hà Nội (01).
    let (px, py) = province_label("01", z);
    let (tx, ty) = ((px / 256.0) as u32, (py / 256.0) as u32);
    let (with, without) = (tile(server, z, tx, ty, true), tile(server, z, tx, ty, false));
    let mask = text_mask(&with, &without);
    let (lx, ly) = (px - f64::from(tx) * 256.0, py - f64::from(ty) * 256.0);
    // Text pixels within a name's half width and a line of the point (the name may wrap
    // into two lines, and a neighbour's halo may reach in: most ink is near the point).
    let near = mask
        .iter()
        .enumerate()
        .filter(|(i, &m)| m && {
            let (x, y) = ((i % 256) as f64, (i / 256) as f64);
            (x - lx).abs() < 60.0 && (y - ly).abs() < 20.0
        })
        .count();
    assert!(near > 60, "{near} text pixels around Hà Nội's label point ({lx:.0}, {ly:.0}) in 6/{tx}/{ty}");
    // Dark letters, not only the white halo.
    let dark = with.rgb.chunks(3).zip(&mask).filter(|(p, &m)| m && p.iter().all(|&c| c < 110)).count();
    assert!(dark > 15, "{dark} dark text pixels");
    // Without labels nothing is written: the tile equals itself asked twice.
    assert_eq!(tile(server, z, tx, ty, false).rgb, without.rgb);
}

#[test]
fn a_name_crossing_a_tile_edge_is_drawn_on_both_sides_as_the_static_map_draws_it() {
    let server = Server::shared();
    let z = 11u8;
    // Tiles around Hà Nội: find a vertical edge some name crosses.
    let (cx, cy) = world_pixel(105.85, 21.03, z);
    let (cx, cy) = ((cx / 256.0) as u32, (cy / 256.0) as u32);
    let mut found = None;
    'search: for ty in cy - 1..=cy + 1 {
        for tx in cx - 2..=cx + 1 {
            let (l_with, l_without) = (tile(server, z, tx, ty, true), tile(server, z, tx, ty, false));
            let (r_with, r_without) = (tile(server, z, tx + 1, ty, true), tile(server, z, tx + 1, ty, false));
            let (lm, rm) = (text_mask(&l_with, &l_without), text_mask(&r_with, &r_without));
            // Rows where the last column of the left tile and the first of the right hold ink.
            let rows: Vec<u32> = (0..256u32).filter(|&y| lm[(y * 256 + 255) as usize] && rm[(y * 256) as usize]).collect();
            if rows.len() >= 3 {
                found = Some((tx, ty, lm, rm));
                break 'search;
            }
        }
    }
    let (tx, ty, lm, rm) = found.expect("a name crossing a vertical tile edge near Hà Nội at z11");
    // A static map whose picture starts one tile left and above the pair: its tiles are
    // whole pixels, and the pair sits in its middle, clear of caption, legend and
    // attribution.
    let (w, h) = (1024u32, 768u32);
    let (ox, oy) = (f64::from(tx) * 256.0 - 256.0, f64::from(ty) * 256.0 - 256.0);
    let (lon, lat) = lon_lat_of_pixel(ox + f64::from(w) / 2.0, oy + f64::from(h) / 2.0, z);
    let url = |labels: bool| format!("/static/ntm.png?center={lon},{lat}&zoom={z}&width={w}&height={h}&labels={labels}");
    let (s_with, s_without) = (png_of(&server.get_raw(&url(true), &[])), png_of(&server.get_raw(&url(false), &[])));
    let sm = text_mask(&s_with, &s_without);
    let (mut same, mut total) = (0usize, 0usize);
    for y in 0..256u32 {
        for x in 0..512u32 {
            let tiles = if x < 256 { lm[(y * 256 + x) as usize] } else { rm[(y * 256 + x - 256) as usize] };
            let picture = sm[((y + 256) * w + x + 256) as usize];
            if tiles || picture {
                total += 1;
                same += usize::from(tiles == picture);
            }
        }
    }
    assert!(total > 200, "{total} text pixels in the pair");
    // The two tiles put together write what the static map writes (quantised palettes
    // may move a faint edge pixel across the threshold).
    assert!(same as f64 >= 0.97 * total as f64, "{same} of {total} text pixels agree between the tiles and the static map");
}

#[test]
fn a_static_map_leaves_out_a_name_its_legend_would_half_hide() {
    let server = Server::shared();
    let z = 6u8;
    // At 700 × 700 px the picture's boxes are drawn at scale 1: the legend is the legend
    // PNG's size, 8 px from the left edge, its bottom 28 px above the picture's (as the
    // static map lays it out).
    let legend = png_of(&server.get_raw("/api/v1/legend/ntm.png?lang=vi&scale=1", &[]));
    let (w, h) = (700u32, 700u32);
    let (left, top) = (8.0, f64::from(h) - f64::from(legend.height) - 28.0);
    let (right, bottom) = (left + f64::from(legend.width), top + f64::from(legend.height));
    // Hà Nội's name centred on the legend's right edge, half in and half out.
    let (px, py) = province_label("01", z);
    let (edge_x, mid_y) = (right, (top + bottom) / 2.0);
    let (lon, lat) = lon_lat_of_pixel(px - edge_x + f64::from(w) / 2.0, py - mid_y + f64::from(h) / 2.0, z);
    let url = |labels: bool| format!("/static/ntm.png?center={lon},{lat}&zoom={z}&width={w}&height={h}&labels={labels}");
    let (with, without) = (png_of(&server.get_raw(&url(true), &[])), png_of(&server.get_raw(&url(false), &[])));
    let mask = text_mask(&with, &without);
    // No ink in the 3 px around the legend's box: the name is not cut by its edge.
    let around = |x: f64, y: f64| {
        let outside = x < left || x >= right || y < top || y >= bottom;
        outside && x >= left - 3.0 && x < right + 3.0 && y >= top - 3.0 && y < bottom + 3.0
    };
    let cut: Vec<(u32, u32)> = (0..w * h).filter(|&i| mask[i as usize] && around(f64::from(i % w), f64::from(i / w))).map(|i| (i % w, i / w)).collect();
    assert!(cut.is_empty(), "{} text pixels touch the legend's box, first {:?}", cut.len(), &cut[..cut.len().min(5)]);
    // The same name clear of the legend (the picture's middle) is written.
    let (lon, lat) = lon_lat_of_pixel(px, py, z);
    let url = |labels: bool| format!("/static/ntm.png?center={lon},{lat}&zoom={z}&width={w}&height={h}&labels={labels}");
    let mask = text_mask(&png_of(&server.get_raw(&url(true), &[])), &png_of(&server.get_raw(&url(false), &[])));
    let near = (0..w * h).filter(|&i| mask[i as usize] && (f64::from(i % w) - 350.0).abs() < 60.0 && (f64::from(i / w) - 350.0).abs() < 20.0).count();
    assert!(near > 60, "{near} text pixels around Hà Nội's label point in the picture's middle");
}

/// The names of a kind of point the reader switched off (`hide`) are not placed, so they
/// neither show nor keep other names out; the other sites keep theirs. Read from the
/// placement itself (the library), on the embedded data, at zoom 13 where sites are named.
#[test]
fn hidden_kinds_of_point_leave_no_name() {
    use bando::atlas::{build, Inputs};
    use bando::model::{Edition, PointKinds};
    use bando::raster::labels::placement;
    use bando::snapshot::Snapshot;
    use bando::tile::MapKind;
    let atlas = Snapshot::new(build(&Inputs::embedded(bando::config::EMBEDDED_GEODATA)).expect("embedded").0);
    let sites = csv_rows(common::sources::geodata("tourism.csv"));
    // Names only homestays carry (no other site or commune shares them).
    let others: std::collections::HashSet<String> = sites
        .iter()
        .filter(|r| r["category"] != "homestay")
        .map(|r| r["name"].clone())
        .chain(csv_rows(reference("communes-2024.csv")).into_iter().map(|r| r["name"].clone()))
        .collect();
    let homestays: std::collections::HashSet<String> = sites.iter().filter(|r| r["category"] == "homestay" && !others.contains(&r["name"])).map(|r| r["name"].clone()).collect();
    let crafts: std::collections::HashSet<String> = sites.iter().filter(|r| r["category"] == "craft_village").map(|r| r["name"].clone()).collect();
    assert!(!homestays.is_empty() && !crafts.is_empty(), "{} homestays, {} craft villages", homestays.len(), crafts.len());
    let placed = |hide: &str| -> Vec<String> {
        let p = placement(&atlas, atlas.tiles(Edition::E2024), Edition::E2024, MapKind::Tourism, 13, PointKinds::parse(hide).unwrap());
        p.labels.iter().map(|l| l.lines.join(" ")).collect()
    };
    let count = |names: &[String], of: &std::collections::HashSet<String>| names.iter().filter(|n| of.contains(*n)).count();
    let (all, without) = (placed(""), placed("tourism:homestay"));
    assert!(count(&all, &homestays) > 0, "no homestay is named at zoom 13");
    assert_eq!(count(&without, &homestays), 0, "homestays named with them hidden");
    // The other kinds keep their names.
    assert!(count(&without, &crafts) > 0, "no craft village is named with homestays hidden ({} with them shown)", count(&all, &crafts));
}

/// A 256-px PNG tile of zoom z has the scale of MapLibre's map at zoom z − 1, and draws
/// what the vector map draws there: province names, which the style shows from zoom 5,
/// are on the PNG tiles from zoom 6 (drawn a zoom earlier, they crowded the raster map
/// where the vector map had none).
#[test]
fn png_tiles_name_provinces_from_the_scale_the_vector_map_does() {
    let server = Server::shared();
    for (z, named) in [(5u8, false), (6, true)] {
        let (px, py) = province_label("01", z);
        let (tx, ty) = ((px / 256.0) as u32, (py / 256.0) as u32);
        let text = text_mask(&tile(server, z, tx, ty, true), &tile(server, z, tx, ty, false)).into_iter().filter(|&m| m).count();
        assert_eq!(text > 0, named, "z{z}: {text} text pixels in {z}/{tx}/{ty}");
    }
}
