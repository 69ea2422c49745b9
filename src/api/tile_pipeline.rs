//! The one path every rendered answer takes: vector tiles, PNG tiles and static maps.
//!
//! Steps ([`TileService::get_or_render`] for tiles):
//!   1. look the key up in the byte-bounded cache ([`TileCache`]): a hit answers at once;
//!   2. take a render permit (one per core: a burst of cache misses queues here instead
//!      of starting hundreds of blocking threads that would compete for the same cores);
//!   3. look again: a request queued behind a render of the same tile finds it done;
//!   4. render off the async worker threads (on the blocking pool; tiny renders may run
//!      in place, see [`Run`]), count the render in the metrics, insert the result;
//!   5. say how the answer was made ([`Source`]) in `Server-Timing`.
//!
//! Static maps take the same steps with a budget of their own (render slots, a queue and
//! single flight, [`super::static_maps`]), so a 4096 px map never holds a tile permit;
//! they answer with the same [`Source`] and `Server-Timing`.
//!
//! What is rendered is not this module's business: the caller hands a closure that makes
//! the cached bytes (the gzip MVT of [`crate::pyramid::served_mvt`], which the archive
//! exporter also writes, or an encoded PNG).

use super::tile_cache::{CachedTile, TileCache, TileKey};
use super::tile_request::UrlVersion;
use super::ApiError;
use crate::config::TileArgs;
use axum::http::{HeaderName, HeaderValue, Response};
use bytes::Bytes;
use std::time::{Duration, Instant};

/// How a request got its bytes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Source {
    /// From the cache.
    Hit,
    /// This request rendered it; how long the render (and encoding) took.
    Rendered(Duration),
    /// Another request's render of the same thing, waited for (static maps).
    Joined,
}

impl Source {
    /// Step 5: `render;dur=ms` when rendered now, `cache;desc=hit` or `cache;desc=joined`.
    pub fn server_timing(self) -> String {
        match self {
            Source::Rendered(took) => format!("render;dur={:.3}", took.as_secs_f64() * 1000.0),
            Source::Hit => "cache;desc=hit".into(),
            Source::Joined => "cache;desc=joined".into(),
        }
    }

    /// Sets the `Server-Timing` header of `response`.
    pub fn annotate<B>(self, response: &mut Response<B>) {
        let value = match self {
            // Most answers: no formatting.
            Source::Hit => HeaderValue::from_static("cache;desc=hit"),
            Source::Joined => HeaderValue::from_static("cache;desc=joined"),
            Source::Rendered(_) => match HeaderValue::from_str(&self.server_timing()) {
                Ok(v) => v,
                Err(_) => return,
            },
        };
        response.headers_mut().insert(HeaderName::from_static("server-timing"), value);
    }
}

/// Where a render runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Run {
    /// On the blocking pool: the render takes long enough to stall an async worker.
    Blocking,
    /// On the request's own worker thread: the render takes less than handing it to the
    /// blocking pool and back (a deep vector tile takes tens of microseconds).
    InPlace,
}

/// Tile-serving settings, the tile cache and the render permits.
pub struct TileService {
    pub cache: TileCache,
    /// Sent with tile answers (200, 204, 304) to URLs that name no version, and with
    /// legends and static maps.
    pub cache_control: HeaderValue,
    /// Sent with tile answers to URLs that name the version in force (`v`).
    pub versioned_cache_control: HeaderValue,
    /// Base of TileJSON tile templates; `None` derives it from the request.
    pub public_url: Option<String>,
    /// Step 2: one permit per core.
    renders: tokio::sync::Semaphore,
}

impl TileService {
    pub fn new(args: &TileArgs) -> TileService {
        TileService {
            cache: TileCache::new(args.tile_cache_mb.saturating_mul(1 << 20)),
            cache_control: args.tile_cache_control.clone(),
            versioned_cache_control: args.tile_cache_control_versioned.clone(),
            public_url: args.public_url.clone(),
            renders: tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get())),
        }
    }

    /// The `Cache-Control` of a tile answer to a URL naming `version`: a URL naming the
    /// version in force holds the same bytes for ever (`--tile-cache-control-versioned`);
    /// one naming another version gets today's tile, which caches must revalidate before
    /// reuse (`no-cache`: the ETag then says whether it is still today's); a plain URL
    /// gets `--tile-cache-control`.
    pub fn cache_control_for(&self, version: UrlVersion) -> &HeaderValue {
        static REVALIDATE: HeaderValue = HeaderValue::from_static("public, no-cache");
        match version {
            UrlVersion::Unnamed => &self.cache_control,
            UrlVersion::Current => &self.versioned_cache_control,
            UrlVersion::Other => &REVALIDATE,
        }
    }

    /// Steps 1–4: the cached bytes of `key`, rendered by `render` on a miss.
    pub async fn get_or_render<F>(&self, key: TileKey, run: Run, render: F) -> Result<(Bytes, Source), ApiError>
    where
        F: FnOnce() -> Result<Bytes, String> + Send + 'static,
    {
        if let Some(cached) = self.cache.get(&key.as_ref()) {
            return Ok((cached, Source::Hit));
        }
        let _permit = self.renders.acquire().await.map_err(|e| ApiError::Internal(format!("render queue closed: {e}")))?;
        if let Some(cached) = self.cache.get(&key.as_ref()) {
            return Ok((cached, Source::Hit));
        }
        let timed = move || {
            let started = Instant::now();
            render().map(|bytes| (bytes, started.elapsed()))
        };
        let (bytes, took) = match run {
            Run::InPlace => timed(),
            Run::Blocking => tokio::task::spawn_blocking(timed)
                .await
                .map_err(|e| ApiError::Internal(format!("rendering tile {} failed: {e}", key.tile)))?,
        }
        .map_err(ApiError::Internal)?;
        super::metrics::tile_rendered(key.format, key.tile.z, took);
        if self.cache.enabled() {
            self.cache.insert(key, CachedTile { gzip: bytes.clone() });
        }
        Ok((bytes, Source::Rendered(took)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AsOf, Edition};
    use crate::tile::{MapKind, TileId};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    fn key(x: u32) -> TileKey {
        TileKey {
            version: Arc::from("v"),
            map: MapKind::Ntm,
            edition: Edition::E2024,
            as_of: AsOf::Year(2025),
            tile: TileId { z: 3, x, y: 1 },
            format: super::super::tile_request::TileFormat::Mvt,
            theme: crate::style::Theme::Level,
            labels: true,
            hidden: crate::model::PointKinds::NONE,
        }
    }

    #[test]
    fn server_timing_names_how_the_answer_was_made() {
        assert_eq!(Source::Rendered(Duration::from_micros(1500)).server_timing(), "render;dur=1.500");
        assert_eq!(Source::Hit.server_timing(), "cache;desc=hit");
        assert_eq!(Source::Joined.server_timing(), "cache;desc=joined");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_misses_of_one_tile_render_it_once_then_hit() {
        let service = Arc::new(TileService::new(&TileArgs::default()));
        let count = Arc::new(AtomicUsize::new(0));
        // More requests than permits: those queued behind the first render find it done.
        let permits = std::thread::available_parallelism().map_or(2, |n| n.get());
        let tasks: Vec<_> = (0..permits + 4)
            .map(|_| {
                let (service, count) = (service.clone(), count.clone());
                tokio::spawn(async move {
                    service
                        .get_or_render(key(1), Run::Blocking, move || {
                            count.fetch_add(1, Ordering::SeqCst);
                            std::thread::sleep(Duration::from_millis(100));
                            Ok(Bytes::from_static(b"tile"))
                        })
                        .await
                        .unwrap()
                })
            })
            .collect();
        let mut sources = Vec::new();
        for t in tasks {
            let (bytes, source) = t.await.unwrap();
            assert_eq!(&bytes[..], b"tile");
            sources.push(source);
        }
        let rendered = sources.iter().filter(|s| matches!(s, Source::Rendered(_))).count();
        assert_eq!(rendered, count.load(Ordering::SeqCst));
        // At most one render per permit could start before the first one was cached.
        assert!(rendered >= 1 && rendered <= permits, "{sources:?}");
        let (_, later) = service.get_or_render(key(1), Run::InPlace, || Err("must not render".into())).await.unwrap();
        assert_eq!(later, Source::Hit);
        // A failed render is an internal error and caches nothing.
        let failed = service.get_or_render(key(2), Run::InPlace, || Err("broken".into())).await;
        assert!(matches!(failed, Err(ApiError::Internal(m)) if m == "broken"));
        let (_, again) = service.get_or_render(key(2), Run::InPlace, || Ok(Bytes::from_static(b"ok"))).await.unwrap();
        assert!(matches!(again, Source::Rendered(_)));
    }
}
