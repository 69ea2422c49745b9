//! Map styles over real HTTP: the MapLibre style validates with the official
//! style-spec validator (npm package @maplibre/maplibre-gl-style-spec, run with node
//! from tests/js), points at the TileJSON of the same view, carries the fixed layer
//! ids and the legend, and draws the colours of the style file; a style given with
//! `--styles` replaces the embedded one everywhere; an invalid style is refused at
//! start and by `bando validate`, naming the file and the key.

mod common;
use serde_json::json;
use common::{Server, TempDir};
use std::path::PathBuf;
use std::process::Command;

fn js_dir() -> PathBuf {
    common::repo().join("tests/js")
}

/// Installs the validator from the committed lock file when node_modules is missing.
fn ensure_validator() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        if js_dir().join("node_modules/@maplibre/maplibre-gl-style-spec").exists() {
            return;
        }
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(js_dir())
            .status()
            .expect("npm is needed to install the style validator (tests/js): install Node.js");
        assert!(status.success(), "npm ci in tests/js failed");
    });
}

/// Runs `node tests/js/validate-style.mjs TARGET`: (success, output).
fn validate_with_node(target: &str) -> (bool, String) {
    ensure_validator();
    let out = Command::new("node")
        .arg(js_dir().join("validate-style.mjs"))
        .arg(target)
        .output()
        .expect("node is needed to run the style validator: install Node.js");
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

fn style_file(name: &str) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(common::repo().join("styles").join(name)).expect("style")).expect("JSON")
}

#[test]
fn maplibre_styles_validate_with_the_style_spec() {
    let server = Server::shared();
    for path in [
        "/styles/ntm.json",
        "/styles/tourism.json",
        "/styles/ntm.json?year=2022&edition=2025",
        "/styles/tourism.json?edition=2025",
        // Criterion themes: an indicator, a criterion (bit arithmetic), a district set's
        // indicator (districts-fill), and a commune set on the 2025 boundaries.
        "/styles/ntm.json?theme=criterion:8.4",
        "/styles/ntm.json?theme=criterion:8",
        "/styles/ntm.json?theme=criterion:huyen_nang_cao_2021:6.5",
        "/styles/ntm.json?theme=criterion:15.2&edition=2025",
    ] {
        let (ok, output) = validate_with_node(&server.url(path));
        assert!(ok, "{path}: {output}");
    }
    // The validator does reject a broken style (so a pass means something).
    let dir = TempDir::new("bad-maplibre");
    let (_, mut style) = server.get_json("/styles/ntm.json");
    style["layers"][1]["paint"]["fill-color"] = serde_json::json!(["match", ["get", "level"], "x"]);
    let file = dir.write("bad.json", &style.to_string());
    let (ok, output) = validate_with_node(common::path_str(&file));
    assert!(!ok, "a broken match expression passed: {output}");
}

#[test]
fn style_points_at_the_views_tilejson_with_fixed_layers_and_the_legend() {
    let server = Server::shared();
    let (status, style) = server.get_json("/styles/ntm.json?year=2023&edition=2025");
    assert_eq!(status, 200);
    assert_eq!(style["version"], 8);
    assert_eq!(style["sources"]["bando"]["type"], "vector");
    let url = style["sources"]["bando"]["url"].as_str().expect("url");
    assert_eq!(url, server.url("/tiles/ntm.json?year=2023&edition=2025"));
    // The URL answers with the TileJSON of that view.
    let (status, tilejson) = server.get_json("/tiles/ntm.json?year=2023&edition=2025");
    assert_eq!(status, 200);
    let tiles_version = format!("{}.{}", tilejson["version"].as_str().expect("data version"), bando::BUILD);
    assert!(tilejson["tiles"][0].as_str().unwrap().ends_with(&format!("/tiles/ntm/{{z}}/{{x}}/{{y}}.mvt?year=2023&edition=2025&v={tiles_version}")));
    let ids = |style: &serde_json::Value| -> Vec<String> { style["layers"].as_array().unwrap().iter().map(|l| l["id"].as_str().unwrap().to_string()).collect() };
    // Edition 2025 has no districts: its style has no district layers, which MapLibre
    // would report as errors (the source layer is not in the tiles).
    assert_eq!(ids(&style), ["background", "communes-fill", "communes-line", "provinces-line", "pilots", "tourism", "communes-label", "pilots-label", "provinces-label"]);
    let (_, style_2024) = server.get_json("/styles/ntm.json?year=2023&edition=2024");
    assert_eq!(
        ids(&style_2024),
        ["background", "communes-fill", "communes-line", "districts-line", "provinces-line", "pilots", "tourism", "communes-label", "pilots-label", "districts-label", "provinces-label"]
    );
    // On either edition, every source layer the style names is one the tiles carry.
    for (edition, style) in [(2025, &style), (2024, &style_2024)] {
        let (_, tilejson) = server.get_json(&format!("/tiles/ntm.json?year=2023&edition={edition}"));
        let carried: Vec<&str> = tilejson["vector_layers"].as_array().unwrap().iter().map(|l| l["id"].as_str().unwrap()).collect();
        for l in style["layers"].as_array().unwrap() {
            if let Some(source_layer) = l["source-layer"].as_str() {
                assert!(carried.contains(&source_layer), "edition {edition}: layer {} names {source_layer}, not in the tiles {carried:?}", l["id"]);
            }
        }
    }
    for l in style["layers"].as_array().unwrap() {
        if l["type"] == "symbol" {
            // Names from the tiles, in the one font the service has glyphs for.
            assert_eq!(l["layout"]["text-field"], serde_json::json!(["get", "name"]), "{l}");
            assert_eq!(l["layout"]["text-font"], serde_json::json!(["Noto Sans Regular"]), "{l}");
        }
    }
    // Glyphs come from this server; nothing else outside the service, no sprites.
    assert_eq!(style["glyphs"], server.url("/fonts/{fontstack}/{range}.pbf"));
    assert!(style.get("sprite").is_none());
    let (_, legend) = server.get_json("/api/v1/legend/ntm");
    assert_eq!(style["metadata"]["bando:legend"], legend);
    // Without a view the URL has no query.
    let (_, plain) = server.get_json("/styles/tourism.json");
    assert_eq!(plain["sources"]["bando"]["url"], server.url("/tiles/tourism.json"));
    // Behind a proxy, the public URL is used.
    let proxied = Server::start(&["--public-url", "https://maps.example.vn/bando"]);
    let (_, s) = proxied.get_json("/styles/ntm.json?year=2024");
    assert_eq!(s["sources"]["bando"]["url"], "https://maps.example.vn/bando/tiles/ntm.json?year=2024");
    assert_eq!(s["glyphs"], "https://maps.example.vn/bando/fonts/{fontstack}/{range}.pbf");
}

#[test]
fn style_expressions_use_the_colours_of_the_style_file() {
    let server = Server::shared();
    for (map, file) in [("ntm", "ntm-results.json"), ("tourism", "rural-tourism.json")] {
        let source = style_file(file);
        let (_, style) = server.get_json(&format!("/styles/{map}.json"));
        let layer = |id: &str| style["layers"].as_array().unwrap().iter().find(|l| l["id"] == id).cloned().unwrap_or_else(|| panic!("{id}"));
        let fill = layer("communes-fill");
        assert_eq!(fill["source-layer"], "communes");
        assert_eq!(fill["paint"]["fill-opacity"], source["communes"]["opacity"]);
        let m = fill["paint"]["fill-color"].as_array().unwrap();
        assert_eq!(m[0], "match");
        assert_eq!(m[1], serde_json::json!(["get", "level"]));
        // Each class key is followed by its fill; the fallback is no_data's.
        for (key, class) in source["classes"].as_object().unwrap() {
            match m.iter().position(|v| v == key) {
                Some(i) => assert_eq!(m[i + 1], class["fill"], "{map} {key}"),
                None => assert_eq!(key, "no_data", "{map}: class {key} missing from the expression"),
            }
        }
        assert_eq!(m.last().unwrap(), &source["classes"]["no_data"]["fill"]);
        assert_eq!(layer("background")["paint"]["background-color"], source["background"]);
        for (id, key) in [("pilots", "kind"), ("tourism", "category")] {
            let l = layer(id);
            assert_eq!(l["type"], "circle");
            assert_eq!(l["paint"]["circle-opacity"], source["points"][id]["opacity"]);
            let colors = l["paint"]["circle-color"].as_array().unwrap();
            assert_eq!(colors[1], serde_json::json!(["get", key]));
            for (k, sym) in source["points"][id]["symbols"].as_object().unwrap() {
                let i = colors.iter().position(|v| v == k).unwrap_or_else(|| panic!("{map} {id} {k}"));
                assert_eq!(colors[i + 1], sym["color"]);
            }
            // Points shrink at low zoom: 0.4 of their size at zoom 4, whole from zoom 9.
            let radius = l["paint"]["circle-radius"].as_array().unwrap();
            assert_eq!(&radius[..4], &[json!("interpolate"), json!(["linear"]), json!(["zoom"]), json!(4)], "{map} {id}");
            assert_eq!(radius[5], 9);
            let full = &radius[6];
            assert_eq!(radius[4], json!(["*", 0.4, full]), "{map} {id}");
            for (k, sym) in source["points"][id]["symbols"].as_object().unwrap() {
                let i = full.as_array().unwrap().iter().position(|v| v == k).unwrap_or_else(|| panic!("{map} {id} {k}"));
                assert!(full[i + 1].as_f64() == sym["radius"].as_f64() || full[i + 1].to_string().contains("stars"), "{map} {id} {k}: {}", full[i + 1]);
            }
            let w = source["points"][id]["stroke_width"].as_f64().unwrap();
            let stroke = l["paint"]["circle-stroke-width"].as_array().unwrap();
            assert_eq!(stroke.len(), 7);
            assert!((stroke[4].as_f64().unwrap() - 0.4 * w).abs() < 1e-6 && stroke[6].as_f64() == Some(w), "{map} {id}: {stroke:?}");
        }
        let line = layer("provinces-line");
        let stops = source["outlines"]["provinces"]["width"].as_array().unwrap();
        let width = line["paint"]["line-width"].as_array().unwrap();
        assert_eq!(width[0], "interpolate");
        assert_eq!(width.len(), 3 + 2 * stops.len());
    }
    // OCOP products are sized by stars on the tourism map.
    let (_, tourism) = server.get_json("/styles/tourism.json");
    let text = tourism["layers"][6]["paint"]["circle-radius"][6].to_string();
    assert!(text.contains("\"stars\""), "{text}");
}

fn broken_style_dir(tag: &str) -> TempDir {
    let dir = TempDir::new(tag);
    let mut style = style_file("ntm-results.json");
    style["classes"]["nang_cao"]["fill"] = "#12345".into();
    dir.write("ntm-results.json", &serde_json::to_string_pretty(&style).unwrap());
    dir
}

#[test]
fn an_invalid_style_is_refused_at_start_and_by_validate_naming_the_key() {
    let dir = broken_style_dir("bad-style");
    let failed = match Server::try_start(&["--styles", common::path_str(&dir.0)]) {
        Ok(_) => panic!("the server started with an invalid style"),
        Err(f) => f,
    };
    assert_ne!(failed.code, Some(0));
    let file = dir.path("ntm-results.json");
    let want = format!("{}: classes.nang_cao.fill: \"#12345\" is not a colour #rrggbb", file.display());
    assert!(failed.stderr.contains(&want), "stderr: {}", failed.stderr);

    let out = Command::new(common::BIN).arg("validate").arg(&file).output().expect("bando validate");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains(&want), "{}", String::from_utf8_lossy(&out.stdout));
    for good in ["ntm-results.json", "rural-tourism.json"] {
        let out = Command::new(common::BIN).arg("validate").arg(common::repo().join("styles").join(good)).output().expect("validate");
        assert!(out.status.success(), "{good}: {}", String::from_utf8_lossy(&out.stdout));
    }
    // A style for the wrong map under the other map's name is refused too.
    let swapped = TempDir::new("swapped-style");
    swapped.write("rural-tourism.json", &style_file("ntm-results.json").to_string());
    let failed = Server::try_start(&["--styles", common::path_str(&swapped.0)]).err().expect("refused");
    assert!(failed.stderr.contains("rural-tourism.json: map:"), "{}", failed.stderr);
}

#[test]
fn a_style_given_with_styles_replaces_the_embedded_one_everywhere() {
    let dir = TempDir::new("custom-style");
    let mut style = style_file("ntm-results.json");
    style["classes"]["nang_cao"]["fill"] = "#7b3294".into();
    dir.write("ntm-results.json", &style.to_string());
    let server = Server::start(&["--styles", common::path_str(&dir.0)]);
    let (_, legend) = server.get_json("/api/v1/legend/ntm");
    let nang_cao = legend["classes"].as_array().unwrap().iter().find(|c| c["key"] == "nang_cao").unwrap().clone();
    assert_eq!(nang_cao["fill"], "#7b3294");
    let (_, ml) = server.get_json("/styles/ntm.json");
    assert!(ml["layers"][1]["paint"]["fill-color"].to_string().contains("#7b3294"));
    // The tourism style (not in the folder) stays the embedded one.
    let (_, t) = server.get_json("/api/v1/legend/tourism");
    assert_eq!(t["title"], style_file("rural-tourism.json")["title"]);
    // PNG tile URLs name the style: the same data and build under another style give
    // other URLs, the vector tiles the same ones.
    let (_, embedded) = Server::shared().get_json("/tiles/ntm.json");
    let (_, custom) = server.get_json("/tiles/ntm.json");
    let v = |tj: &serde_json::Value| tj["tiles"][0].as_str().and_then(|t| t.split_once("v=")).map(|(_, v)| v.to_string()).expect("v");
    assert_eq!(v(&custom), v(&embedded));
    assert_ne!(custom["raster_version"], embedded["raster_version"]);
    assert!(custom["raster_version"].as_str().unwrap().starts_with(&format!("{}.", v(&custom))), "{custom}");
}
