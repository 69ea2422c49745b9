//! Replays the fuzz targets' inputs in the normal test suite: every input that once
//! crashed a target (`fuzz/regressions/<target>/`, named after the bug) and the
//! minimised corpus (`fuzz/corpus/<target>/`). They go through the same checks the
//! fuzzer ran (`fuzz/src/checks.rs`, included by path); the request targets of
//! `http_get` go to the real `bando` binary over HTTP and must not answer 5xx.

mod common;

#[path = "../fuzz/src/checks.rs"]
#[allow(dead_code)]
mod checks;

use common::{repo, Server};
use std::path::PathBuf;
use std::sync::OnceLock;

/// The inputs of one target: its regressions first, then its corpus.
fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let mut all = Vec::new();
    for folder in ["regressions", "corpus"] {
        let dir = repo().join("fuzz").join(folder).join(target);
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        let mut files: Vec<PathBuf> = entries.map(|e| e.expect("directory entry").path()).filter(|p| p.is_file()).collect();
        files.sort();
        all.extend(files.into_iter().map(|p| {
            let bytes = std::fs::read(&p).expect("read a fuzz input");
            (p, bytes)
        }));
    }
    assert!(!all.is_empty(), "fuzz/corpus/{target} holds the target's corpus: nothing to replay");
    all
}

/// Runs `check` on every input of `target`; a panic names the input file.
fn replay(target: &str, check: impl Fn(&[u8])) {
    for (path, bytes) in inputs(target) {
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(&bytes)));
        assert!(result.is_ok(), "{} fails its check", path.display());
    }
}

fn atlas() -> &'static bando::atlas::Atlas {
    static ATLAS: OnceLock<bando::atlas::Atlas> = OnceLock::new();
    ATLAS.get_or_init(|| {
        let inputs = bando::atlas::Inputs::embedded(bando::config::EMBEDDED_GEODATA);
        bando::atlas::build(&inputs).expect("the embedded data loads").0
    })
}

#[test]
fn csv_loader_inputs_replay_clean() {
    replay("load_csv", checks::load_csv);
}

#[test]
fn geojson_boundary_inputs_replay_clean() {
    replay("load_geojson", |d| checks::load_boundaries(bando::load::BoundaryFormat::GeoJson, d));
}

#[test]
fn flatgeobuf_boundary_inputs_replay_clean() {
    replay("load_fgb", |d| checks::load_boundaries(bando::load::BoundaryFormat::FlatGeobuf, d));
}

#[test]
fn batch_body_inputs_replay_clean() {
    let atlas = atlas();
    replay("batch_body", |d| checks::batch_body(d, atlas));
}

#[test]
fn criteria_and_targets_inputs_replay_clean() {
    let atlas = atlas();
    replay("load_criteria", |d| checks::load_criteria(d, atlas));
}

#[test]
fn upload_inputs_replay_clean() {
    let atlas = atlas();
    replay("upload", |d| checks::upload(d, atlas));
}

#[test]
fn style_inputs_replay_clean() {
    replay("style", checks::style);
}

/// Sends `GET target` as written (an HTTP client library would normalise it, e.g.
/// resolve `..`) and returns the status code.
fn raw_get(server: &Server, target: &str) -> std::io::Result<u16> {
    use std::io::{Read, Write};
    let host = server.base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(host)?;
    stream.set_read_timeout(Some(std::time::Duration::from_secs(120)))?;
    write!(stream, "GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n")?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer)?;
    let head = String::from_utf8_lossy(&answer[..answer.len().min(64)]).to_string();
    head.split(' ').nth(1).and_then(|code| code.parse().ok()).ok_or_else(|| std::io::Error::other(format!("no status line: {head}")))
}

#[test]
fn request_targets_are_answered_without_a_server_error() {
    let server = Server::start(&[]);
    let mut sent = 0;
    for (path, bytes) in inputs("http_get") {
        // The fuzz target sends only what is a valid request target; so does this test.
        let Ok(target) = std::str::from_utf8(&bytes) else { continue };
        let target = if target.starts_with('/') { target.to_string() } else { format!("/{target}") };
        if target.parse::<axum::http::Uri>().is_err() {
            continue;
        }
        let status = raw_get(&server, &target).unwrap_or_else(|e| panic!("{}: GET {target}: {e}", path.display()));
        let vendor_missing = status == 503 && target.starts_with("/vendor/");
        assert!(status < 500 || vendor_missing, "{}: GET {target} answered {status}", path.display());
        sent += 1;
    }
    assert!(sent > 0, "no request target was sent");
}
