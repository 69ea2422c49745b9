//! The viewer's files over HTTP: content types, MapLibre GL JS under /vendor, the install
//! hint when it is missing, and no way out of the served folders.

mod common;

use common::browser::{ensure_npm_packages, web_dir};
use common::{icon_href, path_str, Server, TempDir};
use std::io::{Read, Write};
use std::net::TcpStream;

/// Sends `GET {target}` exactly as written (clients would normalise `..` away) and returns
/// the status and body.
fn raw_get(server: &Server, target: &str) -> (u16, String) {
    let addr = server.base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(addr).expect("connect");
    write!(stream, "GET {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").expect("send");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).expect("read");
    let text = String::from_utf8_lossy(&answer).to_string();
    let status = text.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("no status in {text}"));
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    (status, body)
}

#[test]
fn viewer_files_have_their_content_types() {
    ensure_npm_packages();
    let server = Server::shared();
    let cases = [
        ("/", "text/html; charset=utf-8", "src=\"web/app.js\""),
        ("/web/app.js", "text/javascript; charset=utf-8", "bandoMap"),
        ("/web/style.css", "text/css; charset=utf-8", "#map"),
        ("/web/e2e/viewer.mjs", "text/javascript; charset=utf-8", "playwright-core"),
        ("/vendor/maplibre-gl/maplibre-gl.js", "text/javascript; charset=utf-8", "maplibre"),
        ("/vendor/maplibre-gl/maplibre-gl.css", "text/css; charset=utf-8", ".maplibregl-map"),
    ];
    for (path, content_type, contains) in cases {
        let r = server.get_raw(path, &[]);
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(r.header("content-type"), Some(content_type), "{path}");
        assert_eq!(r.header("cache-control"), Some("no-cache"), "{path}");
        assert!(String::from_utf8_lossy(&r.body).contains(contains), "{path} lacks {contains}");
    }
    // The page on disk is what is served.
    let index = std::fs::read(web_dir().join("index.html")).expect("index.html");
    assert_eq!(server.get_raw("/", &[]).body, index);
    // Its icon is served (relative, as on a static publication).
    let icon = server.get_raw(&format!("/{}", icon_href(&String::from_utf8_lossy(&index))), &[]);
    assert_eq!((icon.status, icon.header("content-type")), (200, Some("image/svg+xml")));
    assert!(icon.body.starts_with(b"<svg"), "{}", String::from_utf8_lossy(&icon.body));
    // Large files are compressed for clients that accept it.
    let gz = server.get_raw("/vendor/maplibre-gl/maplibre-gl.js", &[("Accept-Encoding", "gzip")]);
    assert_eq!(gz.header("content-encoding"), Some("gzip"));
    let plain = std::fs::metadata(web_dir().join("node_modules/maplibre-gl/dist/maplibre-gl.js")).expect("dist").len();
    assert!((gz.body.len() as u64) < plain / 2, "{} gzip bytes for {plain}", gz.body.len());
    // Missing files are 404 JSON like every other unknown path.
    let r = server.get_raw("/web/nothing.js", &[]);
    assert_eq!(r.status, 404);
    assert!(r.json()["error"]["message"].as_str().unwrap().contains("nothing.js"));
}

#[test]
fn no_path_leaves_the_served_folders() {
    ensure_npm_packages();
    let server = Server::shared();
    for target in [
        "/web/../Cargo.toml",
        "/web/%2e%2e/Cargo.toml",
        "/web/..%2fCargo.toml",
        "/web/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/web/%2fetc%2fpasswd",
        "/web/..\\Cargo.toml",
        "/web/./app.js",
        "/web//etc/passwd",
        "/web/.gitignore",
        "/web/node_modules/maplibre-gl/package.json",
        "/web/e2e/../../Cargo.toml",
        "/vendor/maplibre-gl/../package.json",
        "/vendor/maplibre-gl/%2e%2e/package.json",
        "/vendor/maplibre-gl/..%2f..%2f..%2fpackage.json",
        "/vendor/maplibre-gl/%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fCargo.toml",
    ] {
        let (status, body) = raw_get(server, target);
        assert!(status == 404 || status == 400, "{target} answered {status}: {body}");
        assert!(!body.contains("[package]") && !body.contains("root:") && !body.contains("\"name\""), "{target} leaked: {body}");
    }
    // The same file through its proper route is served.
    assert_eq!(raw_get(server, "/web/app.js").0, 200);
}

#[test]
fn missing_maplibre_is_named_with_the_install_command() {
    let bare = TempDir::new("web-no-vendor");
    std::fs::copy(web_dir().join("index.html"), bare.path("index.html")).expect("copy");
    let server = Server::start(&["--web", path_str(&bare.0)]);
    assert_eq!(server.get_raw("/", &[]).status, 200);
    for file in ["maplibre-gl.js", "maplibre-gl.css"] {
        let r = server.get_raw(&format!("/vendor/maplibre-gl/{file}"), &[]);
        assert_eq!(r.status, 503, "{file}");
        assert_eq!(r.header("content-type"), Some("text/plain; charset=utf-8"));
        assert!(String::from_utf8_lossy(&r.body).contains("npm ci --prefix web"), "{file}");
    }
}
