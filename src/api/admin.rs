//! Reload without restart: re-read every input, validate, and publish the new atlas
//! whole. If anything is wrong the old atlas stays and the problems are returned. With
//! `--data-dir` the records come from the store ([`crate::manage::Publisher::reload`]),
//! so the reload publishes what the database holds, sample notice included.
//! Each reload, from HTTP or SIGHUP, is counted by result in the metrics.
//! Who may ask is decided before the handler runs ([`super::admin_auth`]).

use super::{ApiError, AppState};
use crate::atlas;
use crate::snapshot::Snapshot;
use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

/// Rebuilds the atlas from the state's inputs and publishes it; returns the new version.
pub async fn reload_atlas(state: &AppState) -> Result<String, ApiError> {
    let _one_at_a_time = state.reload_lock.lock().await;
    if let Some(publisher) = state.publisher.clone() {
        return reload_managed(publisher).await;
    }
    if let Some(dir) = state.publication.clone() {
        return reload_publication(state, dir).await;
    }
    let inputs = state.inputs.clone();
    let built = tokio::task::spawn_blocking(move || atlas::build(&inputs).map(|(atlas, summary)| (Snapshot::new(atlas), summary))).await.map_err(|e| {
        super::metrics::reload_finished(false);
        refused("the reload stopped", vec![e.to_string()])
    })?;
    super::metrics::reload_finished(built.is_ok());
    match built {
        Ok((snapshot, _summary)) => {
            let version = snapshot.version.clone();
            state.atlas.publish(snapshot);
            tracing::info!(%version, "atlas reloaded");
            Ok(version)
        }
        Err(e) => Err(refused("the inputs have problems", e.problems.iter().map(ToString::to_string).collect())),
    }
}

/// The reload of a `--data-dir` server: the records come from the store (the published
/// folder is rewritten from it), the boundaries, catalog and targets from their files.
async fn reload_managed(publisher: std::sync::Arc<crate::manage::Publisher>) -> Result<String, ApiError> {
    let reloaded = tokio::task::spawn_blocking(move || publisher.reload())
        .await
        .unwrap_or_else(|e| Err(crate::manage::ManageError::Load(format!("the reload stopped: {e}"))));
    super::metrics::reload_finished(reloaded.is_ok());
    match reloaded {
        Ok(version) => {
            tracing::info!(%version, "atlas reloaded from the store");
            Ok(version)
        }
        Err(e) => Err(refused("the data has problems", e.to_string().lines().filter(|l| !l.trim().is_empty()).map(str::to_string).collect())),
    }
}

/// The reload of a read replica: the publication in its folder now, checked against its
/// manifest (never the data files the replica was not started with).
async fn reload_publication(state: &AppState, dir: std::sync::Arc<std::path::Path>) -> Result<String, ApiError> {
    let loaded = tokio::task::spawn_blocking(move || crate::publish::load(&dir).map(|(_, atlas)| Snapshot::new(atlas)))
        .await
        .unwrap_or_else(|e| Err(crate::publish::ReplicaError::Load(format!("the reload stopped: {e}"))));
    super::metrics::reload_finished(loaded.is_ok());
    match loaded {
        Ok(snapshot) => {
            let version = snapshot.version.clone();
            state.atlas.publish(snapshot);
            tracing::info!(%version, "publication reloaded");
            Ok(version)
        }
        Err(e) => Err(refused("the publication cannot be loaded", vec![e.to_string()])),
    }
}

/// A refused reload, whatever was reloaded: logged with every problem, and answered 422
/// with `what` went wrong and the problems listed; the data in force stays published.
fn refused(what: &str, problems: Vec<String>) -> ApiError {
    tracing::warn!("reload refused ({what}), the previous data stays published:\n{}", problems.join("\n"));
    ApiError::Invalid { message: format!("{what}; the previous data stays published"), problems }
}

/// `POST /api/v1/admin/reload` (the bearer token is checked by [`super::admin_auth`]).
pub async fn reload(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let version = reload_atlas(&state).await?;
    Ok(Json(json!({ "reloaded": true, "data_version": version })))
}
