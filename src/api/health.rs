//! Probes for process supervisors and load balancers.
//!
//! - `GET /healthz`: liveness. The process answers HTTP: 200, always, without touching
//!   the data (a probe must not fail because a reload is building).
//! - `GET /readyz`: readiness. 200 with the data version and its publication time while
//!   data is published, 503 while none is.
//!
//! bando publishes its data before it opens its port (a start whose data does not load
//! never listens), and a reload keeps the previous data published until the new data is
//! whole, so a listening server is ready; a probe that cannot connect yet is "not ready"
//! to Kubernetes and to load balancers alike. [`readiness`] keeps the 503 answer for a
//! server with nothing published.

use super::AppState;
use axum::extract::State;
use axum::http::header::CACHE_CONTROL;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use std::time::SystemTime;

/// The OpenAPI `paths` of the probes.
pub fn openapi_paths() -> serde_json::Value {
    let status = |description: &str| {
        json!({"description": description, "content": {"application/json": {"schema": {"type": "object",
            "properties": {"status": {"type": "string"}, "data_version": {"type": "string"},
                "published_at": {"type": "number", "description": "Unix time, seconds"}, "sample": {"type": "boolean"}}}}}})
    };
    json!({
        "/healthz": {"get": {
            "summary": "Liveness: the process answers (always 200)",
            "tags": ["operations"],
            "responses": {"200": status("`{\"status\": \"alive\"}`")},
        }},
        "/readyz": {"get": {
            "summary": "Readiness: 200 with the data version once data is published, 503 before",
            "tags": ["operations"],
            "responses": {
                "200": status("Ready: `status`, `data_version`, `published_at`, `sample`"),
                "503": status("No data published yet: `{\"status\": \"not_ready\"}`"),
            },
        }},
    })
}

/// The probes' routes, to be merged into the main router.
pub fn routes() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz)).route("/readyz", get(readyz))
}

async fn healthz() -> Response {
    no_store(StatusCode::OK, json!({"status": "alive"}))
}

async fn readyz(State(state): State<AppState>) -> Response {
    let (atlas, at) = state.atlas.published();
    readiness(Some(Published { version: &atlas.version, at, sample: atlas.has_sample_data() }))
}

/// What `/readyz` reports about the data in force.
pub struct Published<'a> {
    pub version: &'a str,
    pub at: SystemTime,
    pub sample: bool,
}

/// The `/readyz` answer: 200 with the data's version and publication time, or 503
/// when nothing is published.
pub fn readiness(published: Option<Published<'_>>) -> Response {
    match published {
        Some(p) => {
            let at = p.at.duration_since(SystemTime::UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64());
            no_store(StatusCode::OK, json!({"status": "ready", "data_version": p.version, "published_at": at, "sample": p.sample}))
        }
        None => no_store(StatusCode::SERVICE_UNAVAILABLE, json!({"status": "not_ready"})),
    }
}

/// Probe answers are never cached: a cached "ready" would hide a server that is not.
fn no_store(status: StatusCode, body: serde_json::Value) -> Response {
    (status, [(CACHE_CONTROL, "no-store")], Json(body)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn body(r: Response) -> serde_json::Value {
        serde_json::from_slice(&axum::body::to_bytes(r.into_body(), usize::MAX).await.unwrap()).unwrap()
    }

    #[tokio::test]
    async fn ready_only_with_published_data() {
        let r = readiness(None);
        assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(body(r).await["status"], "not_ready");
        let at = SystemTime::UNIX_EPOCH + std::time::Duration::from_millis(1_750_000_000_500);
        let r = readiness(Some(Published { version: "abc123", at, sample: true }));
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()[CACHE_CONTROL], "no-store");
        let b = body(r).await;
        assert_eq!((b["status"].as_str(), b["data_version"].as_str(), b["published_at"].as_f64()), (Some("ready"), Some("abc123"), Some(1_750_000_000.5)));
    }
}
