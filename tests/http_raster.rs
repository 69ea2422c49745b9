//! PNG tiles, legends and static maps over real HTTP, checked against facts the test
//! computes itself: the class of a commune from geodata/results-communes.csv and the
//! reference table (common::sources), its pixel from its label point with the Web Mercator formulas
//! below, colours from the style file, and "inside the country" from the embedded
//! boundaries read with the flatgeobuf crate.

mod common;
use common::raster::{hex, lon_lat_of_pixel, png_of, world_pixel, Png};
use common::sources::{csv_rows, geodata, results};
use common::{embedded_label_points, Server, TempDir};
use std::collections::HashMap;

const YEAR: u16 = 2025;

/// The style file as JSON, read directly.
fn style_file(name: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(common::repo().join("styles").join(name)).expect("style file");
    serde_json::from_str(&text).expect("style JSON")
}

/// The style file `name` drawing the point layer `points` alone: white background, sea
/// and fills, no outlines, the other point layer hidden.
fn points_alone(name: &str, points: &str) -> serde_json::Value {
    let mut style = style_file(name);
    style["background"] = "#ffffff".into();
    for class in style["classes"].as_object_mut().unwrap().values_mut() {
        class["fill"] = "#ffffff".into();
    }
    for o in ["communes", "districts", "provinces"] {
        style["outlines"][o]["opacity"] = 0.0.into();
    }
    let other = if points == "pilots" { "tourism" } else { "pilots" };
    style["points"][other]["opacity"] = 0.0.into();
    style
}

/// Positions of every pilot and tourism site (they are drawn over the fills).
fn point_positions() -> Vec<(f64, f64)> {
    ["pilots.csv", "tourism.csv"]
        .into_iter()
        .flat_map(|file| csv_rows(geodata(file)))
        .filter_map(|r| Some((r["lon"].parse().ok()?, r["lat"].parse().ok()?)))
        .collect()
}

#[test]
fn label_point_pixels_have_their_class_colour() {
    let server = Server::shared();
    let style = style_file("ntm-results.json");
    assert_eq!(style["communes"]["opacity"].as_f64(), Some(1.0), "the NTM map draws classes unfaded");
    let results = results();
    let points = point_positions();
    let z = 12u8;
    let mut checked: HashMap<String, usize> = HashMap::new();
    let mut tiles: HashMap<(u32, u32), Png> = HashMap::new();
    let shapes: HashMap<String, geo::MultiPolygon<f64>> = common::sources::embedded_communes(2024).into_iter().map(|c| (c.code, c.shape)).collect();
    // A pixel of z12 is 360 / 2^20 degrees of longitude, and less of latitude.
    let pixel_degrees = 360.0 / f64::from(1u32 << (z + 8));
    for c in embedded_label_points(2024).iter().step_by(37) {
        let level = results.class(&c.code, YEAR);
        if checked.get(level).copied().unwrap_or(0) >= 6 {
            continue;
        }
        // A label point within 3 px of its commune's border may sit in the anti-aliased edge.
        if common::sources::distance_to_border(&shapes[&c.code], geo::Point::new(c.lon, c.lat)) < 3.0 * pixel_degrees {
            continue;
        }
        let (px, py) = world_pixel(c.lon, c.lat, z);
        // Symbols are drawn over the fills: skip labels within 16 px of any point (the
        // tiles are asked without names, which are written over label points).
        if points.iter().any(|&(lon, lat)| {
            let (x, y) = world_pixel(lon, lat, z);
            (x - px).hypot(y - py) < 16.0
        }) {
            continue;
        }
        let (tx, ty) = ((px / 256.0) as u32, (py / 256.0) as u32);
        let tile = tiles.entry((tx, ty)).or_insert_with(|| png_of(&server.get_raw(&format!("/tiles/ntm/{z}/{tx}/{ty}.png?year={YEAR}&labels=false"), &[])));
        let got = tile.pixel((px - f64::from(tx) * 256.0) as u32, (py - f64::from(ty) * 256.0) as u32);
        let want = hex(style["classes"][level]["fill"].as_str().expect("fill"));
        assert_eq!(got, want, "commune {} {} ({level}) at its label point {},{}", c.code, c.name, c.lon, c.lat);
        *checked.entry(level.to_string()).or_default() += 1;
    }
    for level in ["chua_dat", "dat_chuan", "nang_cao", "kieu_mau", "not_applicable"] {
        assert!(checked.get(level).copied().unwrap_or(0) > 0, "no commune of class {level} was checked: {checked:?}");
    }
}

#[test]
fn a_phuong_label_pixel_is_neutral_also_at_2x_and_on_the_faded_tourism_map() {
    let server = Server::shared();
    // Phường Phúc Xá (Ba Đình, Hà Nội): a ward, not assessed.
    let c = embedded_label_points(2024).into_iter().find(|c| c.code == "00001").expect("00001");
    assert_eq!(results().class("00001", YEAR), "not_applicable");
    for (map, file) in [("ntm", "ntm-results.json"), ("tourism", "rural-tourism.json")] {
        let style = style_file(file);
        let fill = hex(style["classes"]["not_applicable"]["fill"].as_str().unwrap());
        let bg = hex(style["background"].as_str().unwrap());
        let a = style["communes"]["opacity"].as_f64().unwrap();
        let want: Vec<u8> = (0..3).map(|k| (f64::from(fill[k]) * a + f64::from(bg[k]) * (1.0 - a)).round() as u8).collect();
        let z = 14u8;
        let (px, py) = world_pixel(c.lon, c.lat, z);
        let (tx, ty) = ((px / 256.0) as u32, (py / 256.0) as u32);
        // Names are written over label points: these tiles are asked without them.
        let one = png_of(&server.get_raw(&format!("/tiles/{map}/{z}/{tx}/{ty}.png?labels=false"), &[]));
        let two = png_of(&server.get_raw(&format!("/tiles/{map}/{z}/{tx}/{ty}@2x.png?labels=false"), &[]));
        assert_eq!((one.width, one.height), (256, 256));
        assert_eq!((two.width, two.height), (512, 512));
        let (ix, iy) = (px - f64::from(tx) * 256.0, py - f64::from(ty) * 256.0);
        assert_eq!(one.pixel(ix as u32, iy as u32).to_vec(), want, "{map} 1x");
        assert_eq!(two.pixel((ix * 2.0) as u32, (iy * 2.0) as u32).to_vec(), want, "{map} 2x");
    }
}

/// The parts (single polygons) of the embedded 2024 communes, each with its area in
/// world pixels² at zoom 0, and an R-tree of their boxes.
struct Land {
    parts: Vec<(geo::Polygon<f64>, f64)>,
    tree: rstar::RTree<rstar::primitives::GeomWithData<rstar::primitives::Rectangle<[f64; 2]>, usize>>,
}

impl Land {
    fn load() -> Land {
        use flatgeobuf::{FallibleStreamingIterator, FgbReader};
        use geo::BoundingRect;
        use geozero::ToGeo;
        let path = common::repo().join("geodata/communes-2024.fgb");
        let mut file = std::io::BufReader::new(std::fs::File::open(path).expect("embedded communes"));
        let mut reader = FgbReader::open(&mut file).expect("fgb").select_all_seq().expect("select");
        let mut parts = Vec::new();
        while let Some(f) = reader.next().expect("feature") {
            let polygons = match f.to_geo().expect("geometry") {
                geo::Geometry::Polygon(p) => vec![p],
                geo::Geometry::MultiPolygon(m) => m.0,
                other => panic!("unexpected {other:?}"),
            };
            for p in polygons {
                let ring: Vec<(f64, f64)> = p.exterior().points().map(|q| world_pixel(q.x(), q.y(), 0)).collect();
                let area = ring.windows(2).map(|w| w[0].0 * w[1].1 - w[1].0 * w[0].1).sum::<f64>().abs() / 2.0;
                parts.push((p, area));
            }
        }
        let boxes = parts
            .iter()
            .enumerate()
            .filter_map(|(i, (p, _))| p.bounding_rect().map(|r| (i, r)))
            .map(|(i, r)| rstar::primitives::GeomWithData::new(rstar::primitives::Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]), i))
            .collect();
        Land { parts, tree: rstar::RTree::bulk_load(boxes) }
    }

    /// True when the point lies in a commune part of at least 16 px² at zoom z: parts
    /// below a pixel are dropped from tiles by design (islets), and a part of a few
    /// pixels covers pixel centres only partly.
    fn contains(&self, lon: f64, lat: f64, z: u8) -> bool {
        use geo::Contains;
        let p = geo::Point::new(lon, lat);
        let scale = 4f64.powi(i32::from(z));
        self.tree.locate_all_at_point(&[lon, lat]).any(|g| {
            let (part, area) = &self.parts[g.data];
            area * scale >= 16.0 && part.contains(&p)
        })
    }
}

/// Every pixel inside the country (2 px from its edge) of tiles at z5, z8 and z11 over
/// Hà Nội and the Mekong delta, for `check(pixel, x, y, tile)`; returns how many.
fn for_pixels_inside(server: &Server, land: &Land, map: &str, mut check: impl FnMut([u8; 3], &str)) -> usize {
    let mut inside_pixels = 0;
    for (z, lon, lat) in [(5u8, 105.85, 21.03), (8, 105.85, 21.03), (11, 105.85, 21.03), (8, 105.78, 10.03), (11, 105.78, 10.03)] {
        let (px, py) = world_pixel(lon, lat, z);
        let (tx, ty) = ((px / 256.0) as u32, (py / 256.0) as u32);
        // Fills and outlines only: names are checked by tests/raster_labels.rs.
        let tile = png_of(&server.get_raw(&format!("/tiles/{map}/{z}/{tx}/{ty}.png?labels=false"), &[]));
        for y in 0..256u32 {
            for x in 0..256u32 {
                let (cx, cy) = (f64::from(tx * 256 + x) + 0.5, f64::from(ty * 256 + y) + 0.5);
                // Inside the union of communes with a margin of 2 px on every side
                // (pixels at the coast may legitimately blend with the sea).
                let deep = [-2.0, 0.0, 2.0].iter().all(|&dx| {
                    [-2.0, 0.0, 2.0].iter().all(|&dy| {
                        let (lo, la) = lon_lat_of_pixel(cx + dx, cy + dy, z);
                        land.contains(lo, la, z)
                    })
                });
                if deep {
                    inside_pixels += 1;
                    check(tile.pixel(x, y), &format!("{map} tile {z}/{tx}/{ty} pixel ({x}, {y})"));
                }
            }
        }
    }
    inside_pixels
}

#[test]
fn fills_alone_cover_the_country_without_seams() {
    // A style drawing fills only (no outlines, no symbols): every pixel inside the
    // country must then be exactly one class colour. A seam between two neighbours
    // (background showing through anti-aliased edges) would be a blend.
    let dir = TempDir::new("fills-only");
    let mut style = style_file("ntm-results.json");
    for o in ["communes", "districts", "provinces"] {
        style["outlines"][o]["opacity"] = 0.0.into();
    }
    for p in ["pilots", "tourism"] {
        style["points"][p]["opacity"] = 0.0.into();
    }
    dir.write("ntm-results.json", &style.to_string());
    let server = Server::start(&["--styles", common::path_str(&dir.0)]);
    let land = Land::load();
    let fills: Vec<[u8; 3]> = style["classes"].as_object().unwrap().values().map(|c| hex(c["fill"].as_str().unwrap())).collect();
    let n = for_pixels_inside(&server, &land, "ntm", |pixel, at| {
        assert!(fills.contains(&pixel), "{at} is {pixel:?}, not a class colour: a seam between neighbours");
    });
    assert!(n > 100_000, "only {n} pixels were inside the country");
}

#[test]
fn no_background_shows_between_neighbours_inside_the_country() {
    let server = Server::shared();
    let land = Land::load();
    for map in ["ntm", "tourism"] {
        let style = style_file(if map == "ntm" { "ntm-results.json" } else { "rural-tourism.json" });
        let bg = hex(style["background"].as_str().unwrap());
        let n = for_pixels_inside(server, &land, map, |pixel, at| assert_ne!(pixel, bg, "{at}: background inside the country"));
        assert!(n > 100_000, "{map}: only {n} pixels were inside the country");
    }
}

#[test]
fn png_tiles_have_etags_304_and_cache_control() {
    let server = Server::start(&["--tile-cache-control", "public, max-age=60"]);
    let path = "/tiles/ntm/8/203/112.png?year=2023";
    let first = server.get_raw(path, &[]);
    png_of(&first);
    let etag = first.header("etag").expect("ETag").to_string();
    assert!(etag.starts_with('"') && etag.ends_with('"'), "{etag}");
    assert_eq!(first.header("cache-control"), Some("public, max-age=60"));
    // Second answer (from the tile cache) is the same picture with the same ETag.
    let second = server.get_raw(path, &[]);
    assert_eq!(second.body, first.body);
    assert_eq!(second.header("etag"), Some(etag.as_str()));
    let not_modified = server.get_raw(path, &[("If-None-Match", &etag)]);
    assert_eq!(not_modified.status, 304);
    assert!(not_modified.body.is_empty());
    assert_eq!(not_modified.header("etag"), Some(etag.as_str()));
    assert_eq!(not_modified.header("cache-control"), Some("public, max-age=60"));
    // Other views, ratios and the vector tile have other ETags.
    for other in ["/tiles/ntm/8/203/112.png?year=2024", "/tiles/ntm/8/203/112@2x.png?year=2023", "/tiles/tourism/8/203/112.png?year=2023", "/tiles/ntm/8/203/112.mvt?year=2023"] {
        let r = server.get_raw(other, &[("If-None-Match", &etag)]);
        assert_eq!(r.status, 200, "{other}");
        assert_ne!(r.header("etag"), Some(etag.as_str()), "{other}");
    }
    // With the cache off the picture is the same.
    let uncached = Server::start(&["--tile-cache-mb", "0"]);
    assert_eq!(uncached.get_raw(path, &[]).body, first.body);
}

#[test]
fn bad_parameters_answer_400_naming_the_parameter() {
    let server = Server::shared();
    for (path, parameter) in [
        ("/tiles/ntm/8/999/112.png", "x"),
        ("/tiles/ntm/8/203/999@2x.png", "y"),
        ("/tiles/ntm/31/0/0.png", "z"),
        ("/tiles/ntm/8/203/112.png?year=1999", "year"),
        ("/tiles/ntm/8/203/112.png?edition=2023", "edition"),
        ("/static/ntm.png?bbox=105,20,106", "bbox"),
        ("/static/ntm.png?bbox=106,20,105,21", "bbox"),
        ("/static/ntm.png", "bbox"),
        ("/static/ntm.png?bbox=105,20,106,21&width=5000", "width"),
        ("/static/ntm.png?bbox=105,20,106,21&height=0", "height"),
        ("/static/ntm.png?center=105.8,21&zoom=15", "zoom"),
        ("/static/ntm.png?center=105.8,21", "zoom"),
        ("/static/ntm.png?center=105.8&zoom=8", "center"),
        ("/static/ntm.png?bbox=105,20,106,21&lang=fr", "lang"),
        ("/static/ntm.png?bbox=105,20,106,21&year=2030", "year"),
        ("/static/ntm.png?bbox=105,20,106,21&hide=tourism:spa", "hide"),
        ("/tiles/tourism/8/203/112.png?hide=homestay", "hide"),
        ("/api/v1/legend/ntm.png?lang=de", "lang"),
        ("/api/v1/legend/ntm.png?scale=9", "scale"),
        ("/styles/ntm.json?edition=1999", "edition"),
    ] {
        let r = server.get_raw(path, &[]);
        assert_eq!(r.status, 400, "{path}: {}", String::from_utf8_lossy(&r.body));
        assert_eq!(r.json()["error"]["parameter"], parameter, "{path}");
    }
    for path in ["/tiles/ntm/15/0/0.png", "/tiles/roads/1/0/0.png", "/static/roads.png?bbox=105,20,106,21", "/api/v1/legend/roads", "/styles/roads.json"] {
        assert_eq!(server.get_raw(path, &[]).status, 404, "{path}");
    }
}

#[test]
fn legend_json_follows_the_style_file_and_the_png_draws_it() {
    let server = Server::shared();
    for (map, file) in [("ntm", "ntm-results.json"), ("tourism", "rural-tourism.json")] {
        let style = style_file(file);
        let (status, legend) = server.get_json(&format!("/api/v1/legend/{map}"));
        assert_eq!(status, 200);
        assert_eq!(legend["map"], map);
        assert_eq!(legend["title"], style["title"]);
        let keys: Vec<&str> = legend["classes"].as_array().unwrap().iter().map(|c| c["key"].as_str().unwrap()).collect();
        assert_eq!(keys, ["chua_dat", "dat_chuan", "nang_cao", "kieu_mau", "not_applicable", "no_data"]);
        let a = style["communes"]["opacity"].as_f64().unwrap();
        let bg = hex(style["background"].as_str().unwrap());
        for c in legend["classes"].as_array().unwrap() {
            let s = &style["classes"][c["key"].as_str().unwrap()];
            assert_eq!(c["label"], s["label"]);
            let fill = hex(s["fill"].as_str().unwrap());
            let drawn: Vec<u8> = (0..3).map(|k| (f64::from(fill[k]) * a + f64::from(bg[k]) * (1.0 - a)).round() as u8).collect();
            assert_eq!(hex(c["fill"].as_str().unwrap()).to_vec(), drawn, "{map} {}", c["key"]);
        }
        let points = legend["points"].as_array().unwrap();
        assert_eq!(points.len(), 7);
        for p in points {
            let s = &style["points"][p["layer"].as_str().unwrap()]["symbols"][p["key"].as_str().unwrap()];
            assert_eq!(p["color"], s["color"]);
            assert_eq!(p["label"], s["label"]);
        }
        let png = png_of(&server.get_raw(&format!("/api/v1/legend/{map}.png?lang=en"), &[]));
        assert!(png.width > 100 && png.height > 100);
        // Every class swatch appears in the picture.
        for c in legend["classes"].as_array().unwrap() {
            let want = hex(c["fill"].as_str().unwrap());
            assert!(png.rgb.chunks(3).any(|p| p == want), "{map}: swatch {} not drawn", c["key"]);
        }
    }
}

#[test]
fn static_map_over_http_and_from_the_cli_are_the_same_picture() {
    let server = Server::shared();
    let path = "/static/ntm.png?bbox=105.3,20.6,106.3,21.4&width=600&height=400&year=2024";
    let http = server.get_raw(path, &[]);
    let png = png_of(&http);
    assert_eq!((png.width, png.height), (600, 400));
    let etag = http.header("etag").expect("ETag").to_string();
    assert_eq!(server.get_raw(path, &[("If-None-Match", &etag)]).status, 304);
    // The classes drawn include the colours of the style.
    let style = style_file("ntm-results.json");
    for level in ["dat_chuan", "nang_cao", "kieu_mau", "not_applicable"] {
        let want = hex(style["classes"][level]["fill"].as_str().unwrap());
        assert!(png.rgb.chunks(3).filter(|p| *p == want).count() > 200, "{level} barely drawn");
    }
    let dir = TempDir::new("render");
    // The same picture from `bando render` with `extra` flags, as PNG bytes.
    let render = |extra: &[&str]| {
        let out = dir.path("hanoi.png");
        let status = std::process::Command::new(common::BIN)
            .args(["render", "--map", "ntm", "--bbox", "105.3,20.6,106.3,21.4", "--size", "600x400", "--year", "2024"])
            .args(extra)
            .arg(&out)
            .env("RUST_LOG", "warn")
            .status()
            .expect("bando render");
        assert!(status.success(), "bando render {extra:?}");
        std::fs::read(&out).expect("written")
    };
    assert_eq!(render(&[]), http.body, "the CLI and the HTTP answer draw the same picture");
    // Without names and with kinds of point left out, the same again.
    let bare = server.get_raw(&format!("{path}&labels=false&hide=pilots:smart_commune,pilots:ecommerce_commune"), &[]);
    assert_ne!(bare.body, http.body, "names and pilots drawn either way");
    let flags = ["--no-labels", "--hide", "pilots:smart_commune,pilots:ecommerce_commune"];
    assert_eq!(render(&flags), bare.body, "the CLI's --no-labels --hide and the HTTP answer's labels=false&hide= differ");
    // A centre and zoom also works; past the bound the CLI names the flag.
    let r = server.get_raw("/static/tourism.png?center=105.85,21.03&zoom=9&width=300&height=200&lang=en", &[]);
    assert_eq!((png_of(&r).width, png_of(&r).height), (300, 200));
    let o = std::process::Command::new(common::BIN)
        .args(["render", "--map", "ntm", "--bbox", "105.3,20.6,106.3,21.4", "--size", "5000x400"])
        .arg(dir.path("x.png"))
        .output()
        .expect("bando render");
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("--width"), "{}", String::from_utf8_lossy(&o.stderr));
    // A kind of point that does not exist is named with the flag and the valid ones, and
    // nothing is written.
    let out = dir.path("bogus.png");
    let o = std::process::Command::new(common::BIN)
        .args(["render", "--map", "ntm", "--bbox", "105.3,20.6,106.3,21.4", "--size", "60x40", "--hide", "pilots:smart_commune,pilots:bogus"])
        .arg(&out)
        .output()
        .expect("bando render");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    assert!(stderr.contains("--hide") && stderr.contains("'pilots:bogus'") && stderr.contains("tourism:homestay"), "{stderr}");
    assert!(!out.exists(), "a picture was written");
}

#[test]
fn points_are_drawn_smaller_at_low_zoom() {
    // Pilots alone on white fills and sea: the non-white pixels around a pilot are its circle.
    let dir = TempDir::new("pilots-only");
    dir.write("ntm-results.json", &points_alone("ntm-results.json", "pilots").to_string());
    let server = Server::start(&["--styles", common::path_str(&dir.0)]);

    // The pilot farthest from any other, so that no other circle reaches its window.
    let pilots: Vec<(f64, f64)> =
        csv_rows(geodata("pilots.csv")).iter().filter_map(|r| Some((r["lon"].parse().ok()?, r["lat"].parse().ok()?))).collect();
    let gap = |i: usize, z: u8| {
        let (x, y) = world_pixel(pilots[i].0, pilots[i].1, z);
        pilots.iter().enumerate().filter(|&(j, _)| j != i).map(|(_, p)| {
            let (u, v) = world_pixel(p.0, p.1, z);
            (u - x).hypot(v - y)
        }).fold(f64::INFINITY, f64::min)
    };
    let lonely = (0..pilots.len()).max_by(|&a, &b| gap(a, 5).total_cmp(&gap(b, 5))).expect("pilots");
    assert!(gap(lonely, 5) > 14.0, "no pilot stands alone at zoom 5 ({} px)", gap(lonely, 5));

    // Non-white pixels within `reach` of the pilot's centre, over the tiles they span.
    let circle_pixels = |z: u8, reach: f64| {
        let (cx, cy) = world_pixel(pilots[lonely].0, pilots[lonely].1, z);
        let mut tiles: HashMap<(u32, u32), Png> = HashMap::new();
        let mut count = 0;
        for px in (cx - reach) as u32..=(cx + reach) as u32 {
            for py in (cy - reach) as u32..=(cy + reach) as u32 {
                if (f64::from(px) + 0.5 - cx).hypot(f64::from(py) + 0.5 - cy) > reach {
                    continue;
                }
                let (tx, ty) = (px / 256, py / 256);
                let tile = tiles.entry((tx, ty)).or_insert_with(|| png_of(&server.get_raw(&format!("/tiles/ntm/{z}/{tx}/{ty}.png?labels=false"), &[])));
                count += usize::from(tile.pixel(px % 256, py % 256) != [255, 255, 255]);
            }
        }
        count
    };
    let (low, full) = (circle_pixels(5, 10.0), circle_pixels(9, 10.0));
    // Drawn at 0.52 of its size at zoom 5, a circle covers 0.27 of its area at zoom 9
    // (give or take its anti-aliased edge).
    let part = low as f64 / full as f64;
    assert!(full > 100, "{full} pixels at zoom 9");
    assert!((0.15..0.42).contains(&part), "at zoom 5 the pilot covers {low} pixels, at zoom 9 {full}: {part:.2}");
}

#[test]
fn png_tiles_draw_the_points_of_the_vector_tiles_of_their_scale() {
    // Tourism sites alone, as small dots without stroke, on white fills and sea.
    let dir = TempDir::new("thinned-sites");
    let mut style = points_alone("rural-tourism.json", "tourism");
    style["points"]["tourism"]["stroke_width"] = 0.0.into();
    for symbol in style["points"]["tourism"]["symbols"].as_object_mut().unwrap().values_mut() {
        symbol["radius"] = 1.5.into();
        symbol.as_object_mut().unwrap().remove("radius_by_stars");
    }
    dir.write("rural-tourism.json", &style.to_string());
    let server = Server::start(&["--styles", common::path_str(&dir.0)]);

    // A 256-px PNG tile of zoom 6 has the pixel size of a 512-px vector tile of zoom 5, and
    // draws what that tile carries: some sites, and not those close to them.
    let (z, vector_z) = (6, 5);
    let sites: Vec<(String, (f64, f64))> = csv_rows(geodata("tourism.csv"))
        .iter()
        .map(|r| (r["id"].clone(), world_pixel(r["lon"].parse().unwrap(), r["lat"].parse().unwrap(), z)))
        .collect();
    let tiles: std::collections::BTreeSet<(u32, u32)> = sites.iter().map(|(_, (x, y))| ((x / 512.0) as u32, (y / 512.0) as u32)).collect();
    let mut carried = std::collections::HashSet::new();
    for (x, y) in tiles {
        let tile = common::mvt::decode(&common::mvt::tile_bytes(&server.get_raw(&format!("/tiles/tourism/{vector_z}/{x}/{y}.mvt"), &[])));
        carried.extend(tile.get("tourism").into_iter().flatten().map(|f| f.attrs["id"].clone()));
    }
    let (shown, left_out): (Vec<_>, Vec<_>) = sites.iter().partition(|(id, _)| carried.contains(id));
    assert!(!shown.is_empty() && !left_out.is_empty(), "{} shown, {} left out at zoom {vector_z}", shown.len(), left_out.len());

    let mut pngs: HashMap<(u32, u32), Png> = HashMap::new();
    let mut pixel = |(x, y): (f64, f64)| {
        let (tx, ty) = ((x / 256.0) as u32, (y / 256.0) as u32);
        let png = pngs.entry((tx, ty)).or_insert_with(|| png_of(&server.get_raw(&format!("/tiles/tourism/{z}/{tx}/{ty}.png?labels=false"), &[])));
        png.pixel(x as u32 % 256, y as u32 % 256)
    };
    // Every site the vector tiles carry is drawn at its pixel.
    for (id, at) in &shown {
        assert_ne!(pixel(*at), [255, 255, 255], "site {id} is in the vector tile but not drawn in the PNG");
    }
    // A site left out, farthest from those shown (a dot reaches under 1 px from its centre
    // at zoom 6), leaves its pixel white.
    let gap = |at: (f64, f64)| shown.iter().map(|(_, p)| (p.0 - at.0).hypot(p.1 - at.1)).fold(f64::INFINITY, f64::min);
    let (id, at) = left_out.iter().max_by(|a, b| gap(a.1).total_cmp(&gap(b.1))).unwrap();
    assert!(gap(*at) > 2.5, "every site left out lies within {:.1} px of one shown", gap(*at));
    assert_eq!(pixel(*at), [255, 255, 255], "site {id}, left out of the vector tiles, is drawn in the PNG");
}

/// `hide` leaves kinds of point out of PNG tiles and static maps (what the viewer's legend
/// switches ask for in raster mode): a homestay's pixel turns white with homestays hidden,
/// while a site of another kind stays drawn; the two pictures have their own ETags.
#[test]
fn png_tiles_and_static_maps_leave_out_the_hidden_kinds_of_point() {
    let dir = TempDir::new("hidden-sites");
    dir.write("rural-tourism.json", &points_alone("rural-tourism.json", "tourism").to_string());
    let server = Server::start(&["--styles", common::path_str(&dir.0)]);
    // At zoom 11 every site is drawn (thinning stops at vector zoom 10).
    let z = 11;
    let sites: Vec<(String, (f64, f64))> = csv_rows(geodata("tourism.csv"))
        .iter()
        .map(|r| (r["category"].clone(), world_pixel(r["lon"].parse().unwrap(), r["lat"].parse().unwrap(), z)))
        .collect();
    // A site whose symbol no site of another category reaches (symbols are under 10 px).
    let alone = |category: &str, same: bool| {
        sites
            .iter()
            .filter(|(c, _)| (c == category) == same)
            .find(|(c, at)| sites.iter().filter(|(o, _)| o != c).all(|(_, p)| (p.0 - at.0).hypot(p.1 - at.1) > 24.0))
            .map(|(_, at)| *at)
            .unwrap_or_else(|| panic!("no site {}'{category}' stands alone", if same { "" } else { "but " }))
    };
    let (homestay, other) = (alone("homestay", true), alone("homestay", false));
    let tile_of = |(x, y): (f64, f64)| ((x / 256.0) as u32, (y / 256.0) as u32);
    let pixel = |at: (f64, f64), hide: &str| {
        let (tx, ty) = tile_of(at);
        let r = server.get_raw(&format!("/tiles/tourism/{z}/{tx}/{ty}.png?labels=false&hide={hide}"), &[]);
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        let etag = r.header("etag").expect("ETag").to_string();
        (png_of(&r).pixel(at.0 as u32 % 256, at.1 as u32 % 256), etag)
    };
    let white = [255, 255, 255];
    let ((shown, tag_all), (hidden, tag_hidden)) = (pixel(homestay, ""), pixel(homestay, "tourism:homestay"));
    assert_ne!(shown, white, "the homestay is not drawn with every point shown");
    assert_eq!(hidden, white, "the homestay is drawn with homestays hidden");
    assert_ne!(tag_all, tag_hidden, "the two pictures share an ETag");
    assert_ne!(pixel(other, "tourism:homestay").0, white, "a site of another kind goes with the homestays");

    // The static map centred on the homestay, its centre pixel.
    let (lon, lat) = lon_lat_of_pixel(homestay.0, homestay.1, z);
    let centre = |hide: &str| {
        let r = server.get_raw(&format!("/static/tourism.png?center={lon},{lat}&zoom={z}&width=301&height=201&labels=false&hide={hide}"), &[]);
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        png_of(&r).pixel(150, 100)
    };
    assert_ne!(centre(""), white, "the static map does not draw the homestay");
    assert_eq!(centre("tourism:homestay,pilots:smart_village"), white, "the static map draws the homestay with homestays hidden");
}

/// Below zoom 4 no commune or district outline is drawn: at the national scale a thin line
/// around each of thousands of units would cover the choropleth. A PNG tile of z3 is the
/// same picture as with those outlines taken out of the style; a tile of z6 is not.
#[test]
fn national_zooms_draw_no_commune_or_district_outline() {
    let dir = TempDir::new("no-inner-outlines");
    let mut style = style_file("ntm-results.json");
    for layer in ["communes", "districts"] {
        style["outlines"][layer]["opacity"] = serde_json::json!(0.0);
    }
    dir.write("ntm-results.json", &style.to_string());
    let without = Server::start(&["--styles", common::path_str(&dir.0)]);
    let server = Server::shared();
    for edition in [2024, 2025] {
        for (z, x, y, same) in [(3, 6, 3, true), (6, 50, 28, false)] {
            let path = format!("/tiles/ntm/{z}/{x}/{y}.png?edition={edition}&year=2025&labels=false");
            let (drawn, bare) = (png_of(&server.get_raw(&path, &[])), png_of(&without.get_raw(&path, &[])));
            let differ = drawn.rgb.chunks(3).zip(bare.rgb.chunks(3)).filter(|(a, b)| a != b).count();
            assert_eq!(differ == 0, same, "{path}: {differ} pixels differ with the commune and district outlines taken out");
        }
    }
}
