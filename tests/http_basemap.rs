//! The optional basemap (`bando serve --basemap-tiles URL [--basemap-attribution TEXT]` or
//! `--basemap-style URL`), through a real server on 127.0.0.1:
//! - without either flag, no URL outside the server appears in any style, TileJSON, the
//!   viewer's page and script, or the page's Content-Security-Policy;
//! - with tiles, every style carries a raster source `basemap` whose layer lies right above
//!   the background and below the first layer of bando's own source, and the page's CSP
//!   allows the tiles' origin for images and fetches (and nowhere else);
//! - with a style, the styles name it for the viewer in their metadata and the CSP allows
//!   its origin;
//! - a bad URL stops the start with a message naming the flag.
//!
//! The viewer drawing such a basemap in Chromium is checked by tests/viewer_e2e.rs.

mod common;
use common::Server;
use serde_json::Value;

/// Every `http://…` or `https://…` in `text`, to the first character that cannot be in a
/// URL written in JSON, HTML, JavaScript or a header.
fn urls(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for scheme in ["http://", "https://"] {
        for (at, _) in text.match_indices(scheme) {
            let url: String = text[at..].chars().take_while(|c| !c.is_whitespace() && !matches!(c, '"' | '\'' | '`' | '<' | '>' | ')' | ';' | ',')).collect();
            found.push(url);
        }
    }
    found
}

/// The styles of both maps in a few views (default, edition 2025, a criterion theme).
const STYLES: [&str; 5] = [
    "/styles/ntm.json",
    "/styles/ntm.json?edition=2025&year=2023",
    "/styles/ntm.json?theme=criterion:8.4",
    "/styles/tourism.json",
    "/styles/tourism.json?edition=2025",
];

fn directive<'a>(csp: &'a str, name: &str) -> &'a str {
    csp.split(';').map(str::trim).find(|d| d.split(' ').next() == Some(name)).unwrap_or_else(|| panic!("no {name} in {csp}"))
}

#[test]
fn without_a_basemap_nothing_outside_the_server_is_referenced() {
    let server = Server::shared();
    let mut texts: Vec<(String, String)> = Vec::new();
    for path in STYLES.iter().chain(&["/tiles/ntm.json", "/tiles/tourism.json", "/", "/web/app.js", "/web/index.html"]) {
        let answer = server.get_raw(path, &[]);
        assert_eq!(answer.status, 200, "GET {path}");
        texts.push((path.to_string(), String::from_utf8(answer.body).expect("UTF-8")));
    }
    let page = server.get_raw("/", &[]);
    let csp = page.header("content-security-policy").expect("the page has a CSP").to_string();
    texts.push(("the page's CSP".into(), csp.clone()));
    let mut urls_seen = 0;
    for (what, text) in &texts {
        for url in urls(text) {
            urls_seen += 1;
            assert!(url.starts_with(&server.base), "{what} references {url}, outside {}", server.base);
        }
    }
    assert!(urls_seen >= STYLES.len() * 2, "the styles name their TileJSON and glyphs on the server ({urls_seen} URLs seen)");
    for path in STYLES {
        let style = server.get_json(path).1;
        assert!(style["sources"].get("basemap").is_none(), "{path}: {}", style["sources"]);
        assert!(style["metadata"].get("bando:basemap_style").is_none(), "{path}");
    }
    for name in ["img-src", "connect-src"] {
        assert!(!directive(&csp, name).contains("http"), "{csp}");
    }
}

#[test]
fn basemap_tiles_lie_under_every_bando_layer_and_the_page_allows_them() {
    // A port nothing listens on: the server never fetches the basemap itself.
    let tiles = "http://127.0.0.2:9/osm/{z}/{x}/{y}.png?key=k";
    let server = Server::start(&["--basemap-tiles", tiles, "--basemap-attribution", "© Bản đồ nền thử"]);
    for path in STYLES {
        let (status, style) = server.get_json(path);
        assert_eq!(status, 200, "{path}");
        let source = &style["sources"]["basemap"];
        assert_eq!(source["type"], "raster", "{path}: {source}");
        assert_eq!(source["tiles"], serde_json::json!([tiles]), "{path}");
        assert_eq!(source["attribution"], "© Bản đồ nền thử", "{path}");
        let layers = style["layers"].as_array().expect("layers");
        let index_of = |keep: &dyn Fn(&Value) -> bool| layers.iter().position(keep);
        let basemap = index_of(&|l| l["source"] == "basemap").expect("a layer draws the basemap");
        assert_eq!(layers[basemap]["type"], "raster");
        let first_bando = index_of(&|l| l["source"] == "bando").expect("bando layers");
        assert!(basemap < first_bando, "{path}: the basemap (layer {basemap}) is drawn over bando's layer {first_bando}");
        let background = index_of(&|l| l["type"] == "background").expect("background");
        assert_eq!(basemap, background + 1, "{path}: right above the background");
        assert_eq!(layers.iter().filter(|l| l["source"] == "basemap").count(), 1, "{path}");
    }
    let page = server.get_raw("/", &[]);
    let csp = page.header("content-security-policy").expect("CSP");
    assert_eq!(directive(csp, "img-src"), "img-src 'self' data: blob: http://127.0.0.2:9");
    assert_eq!(directive(csp, "connect-src"), "connect-src 'self' http://127.0.0.2:9");
    assert_eq!(urls(csp), ["http://127.0.0.2:9", "http://127.0.0.2:9"], "the origin appears in those two directives only: {csp}");
}

#[test]
fn a_basemap_style_is_named_for_the_viewer_and_the_page_allows_its_origin() {
    let url = "https://basemap.example:8443/styles/liberty.json";
    let server = Server::start(&["--basemap-style", url]);
    for path in STYLES {
        let style = server.get_json(path).1;
        assert_eq!(style["metadata"]["bando:basemap_style"], url, "{path}");
        assert!(style["sources"].get("basemap").is_none(), "{path}: the viewer merges the style, the server adds no source");
    }
    let csp = server.get_raw("/", &[]).header("content-security-policy").expect("CSP").to_string();
    assert_eq!(directive(&csp, "connect-src"), "connect-src 'self' https://basemap.example:8443");
    assert_eq!(directive(&csp, "img-src"), "img-src 'self' data: blob: https://basemap.example:8443");
}

#[test]
fn a_bad_basemap_url_stops_the_start_naming_the_flag() {
    for (args, expected) in [
        (vec!["--basemap-tiles", "tile.example/{z}/{x}/{y}.png"], "--basemap-tiles 'tile.example/{z}/{x}/{y}.png': not an absolute http"),
        (vec!["--basemap-tiles", "https://tile.example/{z}/{x}.png"], "needs {y}"),
        (vec!["--basemap-style", "https://user@maps.example/style.json"], "--basemap-style"),
    ] {
        let failed = match Server::try_start(&args) {
            Ok(_) => panic!("{args:?} started"),
            Err(f) => f,
        };
        assert_ne!(failed.code, Some(0), "{args:?}");
        assert!(failed.stderr.contains(expected), "{args:?}: {}", failed.stderr);
    }
    // Both flags at once is a usage error.
    let both = Server::try_start(&["--basemap-tiles", "https://a/{z}/{x}/{y}.png", "--basemap-style", "https://b/s.json"]);
    assert!(both.is_err_and(|f| f.stderr.contains("cannot be used with")), "both flags were accepted");
}
