//! The web viewer's files, served from the `web/` folder of the source tree (or `--web DIR`).
//!
//! Routes:
//! - `GET /` → `web/index.html`, with the Content-Security-Policy of `headers.rs` (which
//!   allows the basemap's origin when the server has one);
//! - `GET /web/{path}` → files under `web/` (never `node_modules`, never hidden files);
//! - `GET /vendor/maplibre-gl/{file}` → `web/node_modules/maplibre-gl/dist/{file}`, installed
//!   by `npm ci --prefix web`. When that folder is absent the answer is a 503 whose plain-text
//!   body says how to install it, and the page shows that text.
//!
//! Steps per request: 1. split the requested path into segments and refuse anything but
//! plain names (no `..`, `.`, empty segment, backslash, NUL, leading dot) with a 404, so no
//! request can leave the served folder; 2. read the file; 3. answer with the content type of
//! its extension and `Cache-Control: no-cache` (the files change with each checkout or
//! `npm ci`; a revalidation on loopback costs nothing). Bodies are gzip-compressed for
//! clients that accept it (MapLibre's script is ~1 MB).

use super::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::path::{Path as FsPath, PathBuf};
use tower_http::compression::CompressionLayer;

/// Where MapLibre GL JS lives inside the web folder once `npm ci` has run.
const MAPLIBRE_DIST: &str = "node_modules/maplibre-gl/dist";

/// The install command the page shows when MapLibre GL JS is missing.
pub const INSTALL_HINT: &str = "MapLibre GL JS is not installed. In the bando source folder run: npm ci --prefix web \
(then reload this page). / Chưa cài MapLibre GL JS: trong thư mục mã nguồn bando, chạy npm ci --prefix web rồi tải lại trang.";

/// The OpenAPI `paths` of the viewer's routes (merged into the document with them).
pub fn openapi_paths() -> serde_json::Value {
    use super::openapi::{error_answer, path_param};
    use serde_json::json;
    let file = |types: &[&str]| -> serde_json::Value {
        let content: serde_json::Map<String, serde_json::Value> =
            types.iter().map(|t| (t.to_string(), json!({"schema": {"type": "string"}}))).collect();
        json!(content)
    };
    json!({
        "/": {"get": {
            "summary": "The web viewer (web/index.html): both maps, year and edition, search, statistics, embed",
            "tags": ["viewer"],
            "responses": {"200": {"description": "The viewer page", "content": file(&["text/html"])}},
        }},
        "/web/{path}": {"get": {
            "summary": "A file of the viewer under web/ (never node_modules or hidden files)",
            "tags": ["viewer"],
            "parameters": [path_param("path", "File path under web/", "app.js")],
            "responses": {
                "200": {"description": "The file, typed by its extension", "content": file(&["text/javascript", "text/css", "text/html", "application/json", "image/png", "image/svg+xml", "text/plain", "application/octet-stream"])},
                "404": error_answer("No such file, or a path that would leave web/"),
            },
        }},
        "/vendor/maplibre-gl/{file}": {"get": {
            "summary": "MapLibre GL JS, from web/node_modules/maplibre-gl/dist (installed by `npm ci --prefix web`)",
            "tags": ["viewer"],
            "parameters": [path_param("file", "File of maplibre-gl's dist folder", "maplibre-gl.css")],
            "responses": {
                "200": {"description": "The file", "content": file(&["text/javascript", "text/css", "application/json", "text/plain", "application/octet-stream"])},
                "404": error_answer("No such file, or a path that would leave the folder"),
                "503": {"description": "MapLibre GL JS is not installed: the body names the install command", "content": file(&["text/plain"])},
            },
        }},
    })
}

/// The viewer's routes, to be merged into the main router.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(index))
        .route("/web/{*path}", get(web_file))
        .route("/vendor/maplibre-gl/{*path}", get(vendor_file))
        .layer(CompressionLayer::new())
}

async fn index(State(state): State<AppState>) -> Result<Response, ApiError> {
    let mut page = send(&state.web_dir.join("index.html")).await?;
    page.headers_mut().insert(CONTENT_SECURITY_POLICY, super::headers::viewer_csp(state.styles.basemap.as_ref()));
    Ok(page)
}

async fn web_file(State(state): State<AppState>, Path(path): Path<String>) -> Result<Response, ApiError> {
    let relative = safe_relative(&path).ok_or_else(|| not_found(&format!("/web/{path}")))?;
    // Installed packages are reached through /vendor only, never browsed.
    if relative.starts_with("node_modules") {
        return Err(not_found(&format!("/web/{path}")));
    }
    send(&state.web_dir.join(relative)).await
}

async fn vendor_file(State(state): State<AppState>, Path(path): Path<String>) -> Result<Response, ApiError> {
    let dist = state.web_dir.join(MAPLIBRE_DIST);
    if !dist.is_dir() {
        let mut response = (StatusCode::SERVICE_UNAVAILABLE, INSTALL_HINT).into_response();
        response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
        response.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
        return Ok(response);
    }
    let relative = safe_relative(&path).ok_or_else(|| not_found(&format!("/vendor/maplibre-gl/{path}")))?;
    send(&dist.join(relative)).await
}

/// `path` as a relative path of plain names, or `None` when any segment could step out of
/// the folder or name a hidden file.
pub fn safe_relative(path: &str) -> Option<PathBuf> {
    if path.is_empty() || path.contains(['\\', '\0']) {
        return None;
    }
    let mut out = PathBuf::new();
    for segment in path.split('/') {
        if segment.is_empty() || segment.starts_with('.') || segment.contains(':') {
            return None;
        }
        out.push(segment);
    }
    Some(out)
}

/// The content type of a served file, from its extension.
pub fn content_type(path: &FsPath) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "txt" | "md" => "text/plain; charset=utf-8",
        "ts" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

async fn send(path: &FsPath) -> Result<Response, ApiError> {
    let body = match tokio::fs::read(path).await {
        Ok(body) => body,
        Err(e) if matches!(e.kind(), std::io::ErrorKind::NotFound | std::io::ErrorKind::IsADirectory) => {
            return Err(not_found(&path.display().to_string()));
        }
        // A folder read as a file fails with a platform-specific kind on some systems.
        Err(_) if path.is_dir() => return Err(not_found(&path.display().to_string())),
        Err(e) => return Err(ApiError::Internal(format!("cannot read a viewer file: {e}"))),
    };
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type(path)));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Ok(response)
}

fn not_found(what: &str) -> ApiError {
    let name = FsPath::new(what).file_name().and_then(|n| n.to_str()).unwrap_or("");
    ApiError::NotFound(format!("no viewer file {name}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_relative_paths_pass() {
        assert_eq!(safe_relative("app.js"), Some(PathBuf::from("app.js")));
        assert_eq!(safe_relative("e2e/viewer.mjs"), Some(PathBuf::from("e2e/viewer.mjs")));
        for bad in ["", "../Cargo.toml", "a/../../b", "./app.js", "a//b", "/etc/passwd", "a\\..\\b", ".git/config", "C:x", "a\0b"] {
            assert_eq!(safe_relative(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn content_types_by_extension() {
        assert_eq!(content_type(FsPath::new("index.html")), "text/html; charset=utf-8");
        assert_eq!(content_type(FsPath::new("maplibre-gl.js")), "text/javascript; charset=utf-8");
        assert_eq!(content_type(FsPath::new("maplibre-gl.css")), "text/css; charset=utf-8");
        assert_eq!(content_type(FsPath::new("LICENSE")), "application/octet-stream");
    }
}
