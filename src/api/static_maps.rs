//! Static map renders (`GET /static/{map}.png`), the static-map budget of the render
//! pipeline ([`super::tile_pipeline`]): their own render slots, a byte-bounded
//! cache of finished PNGs, and one render shared by identical requests.
//!
//! A 4096×4096 static map takes about half a second of one core and 64 MiB of pixels,
//! so static maps must neither take the tile render slots (cold tiles would wait behind
//! them) nor render again for every identical request. Steps per request:
//!   1. the key is the canonical request (data version, style version, view, frame,
//!      size, language: see `raster::static_map`), so a reload never serves old maps;
//!   2. a cached PNG answers at once ([`Source::Hit`]);
//!   3. a render of the same key already running: wait for its result
//!      ([`Source::Joined`]) — single flight;
//!   4. else, when `--static-map-renders` + `--static-map-queue` different maps are
//!      already rendering or waiting, answer 503 (busy) rather than queue more;
//!   5. else start the render as a task of its own ([`Source::Rendered`]): it waits for
//!      one of the static render slots, draws on a thread of its own at a lower CPU
//!      priority (busy cores go to tiles and queries first), caches the PNG and hands
//!      it to every waiting request. It runs to the end even if the client that
//!      started it goes away, so the clients that joined it still get their answer;
//!      when every one of them has gone before a slot is free, it is dropped undrawn.

use super::tile_cache::Lru;
use super::tile_pipeline::Source;
use super::ApiError;
use crate::config::LimitArgs;
use bytes::Bytes;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{watch, Semaphore};

/// What a render hands to its waiters: the PNG and its render time, or the failure.
type Outcome = Result<(Bytes, Duration), Arc<str>>;

/// Bookkeeping bytes counted per cached map besides the PNG and the key.
const ENTRY_OVERHEAD: usize = 160;

struct Flights {
    done: Lru<Arc<str>, Bytes>,
    /// Renders started and not finished; every waiting request holds a receiver.
    running: HashMap<Arc<str>, watch::Sender<Option<Outcome>>>,
}

pub struct StaticMaps {
    slots: Semaphore,
    /// Different maps rendering or waiting at most (slots + queue).
    max_flights: usize,
    cache_enabled: bool,
    flights: Mutex<Flights>,
}

impl StaticMaps {
    pub fn new(limits: &LimitArgs) -> StaticMaps {
        let slots = usize::try_from(limits.static_map_renders).unwrap_or(1).max(1);
        let queue = usize::try_from(limits.static_map_queue).unwrap_or(0);
        let cache_bytes = usize::try_from(limits.static_map_cache_mb).unwrap_or(0).saturating_mul(1 << 20);
        StaticMaps {
            slots: Semaphore::new(slots),
            max_flights: slots + queue,
            cache_enabled: cache_bytes > 0,
            flights: Mutex::new(Flights { done: Lru::new(cache_bytes), running: HashMap::new() }),
        }
    }

    /// Steps 2–5 of the module doc. `render` draws and encodes the PNG (CPU work, run on
    /// the blocking pool).
    pub async fn get_or_render<F>(self: &Arc<Self>, key: String, render: F) -> Result<(Bytes, Source), ApiError>
    where
        F: FnOnce() -> Result<Bytes, String> + Send + 'static,
    {
        let key: Arc<str> = Arc::from(key);
        let (mut result, started_here) = {
            let mut flights = self.lock();
            if let Some(png) = flights.done.get(&key) {
                return Ok((png.clone(), Source::Hit));
            }
            // Renders nobody waits for any more (their clients left or timed out) do
            // not count against the queue: forget them. Their task then finds its key
            // gone and stops before drawing, or drops a picture nobody asked for (if a
            // new render of the same map started meanwhile, its waiters get either
            // render's picture of that same map).
            flights.running.retain(|_, tx| tx.receiver_count() > 0);
            match flights.running.get(&key) {
                Some(running) => (running.subscribe(), false),
                None if flights.running.len() >= self.max_flights => {
                    return Err(ApiError::Busy(format!(
                        "{} static maps are being drawn or wait for it; retry shortly",
                        flights.running.len()
                    )))
                }
                None => {
                    let (tx, rx) = watch::channel(None);
                    flights.running.insert(key.clone(), tx);
                    tokio::spawn(self.clone().fly(key, render));
                    (rx, true)
                }
            }
        };
        let outcome = result
            .wait_for(Option::is_some)
            .await
            .map_err(|_| ApiError::Internal("the static map render stopped without an answer".into()))?
            .clone();
        match outcome {
            Some(Ok((png, took))) => Ok((png, if started_here { Source::Rendered(took) } else { Source::Joined })),
            Some(Err(message)) => Err(ApiError::Internal(message.to_string())),
            None => Err(ApiError::Internal("the static map render stopped without an answer".into())),
        }
    }

    /// Step 5: one render, its result cached and sent to every waiter. A render whose
    /// requests have all gone (clients left, or timed out) by the time a slot is free
    /// is dropped undrawn, so abandoned maps do not hold up the ones still wanted.
    async fn fly<F>(self: Arc<Self>, key: Arc<str>, render: F)
    where
        F: FnOnce() -> Result<Bytes, String> + Send + 'static,
    {
        let outcome: Outcome = match self.slots.acquire().await {
            Ok(_slot) => {
                {
                    let mut flights = self.lock();
                    if flights.running.get(&key).is_none_or(|tx| tx.receiver_count() == 0) {
                        flights.running.remove(&key);
                        return;
                    }
                }
                draw_at_low_priority(render).await
            }
            Err(e) => Err(Arc::from(format!("static map render slots closed: {e}"))),
        };
        let mut flights = self.lock();
        let Some(tx) = flights.running.remove(&key) else { return };
        if let (true, Ok((png, _))) = (self.cache_enabled, &outcome) {
            let cost = png.len() + key.len() + ENTRY_OVERHEAD;
            flights.done.insert(key, png.clone(), cost);
        }
        drop(flights);
        let _ = tx.send(Some(outcome));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Flights> {
        // The maps are consistent between calls; a panic elsewhere cannot break them.
        self.flights.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Runs `render` on a thread of its own at [`super::low_priority::NICE`] (not on the blocking pool,
/// whose threads also draw tiles and must keep their priority). A thread per render is
/// nothing next to half a second of drawing.
async fn draw_at_low_priority<F>(render: F) -> Outcome
where
    F: FnOnce() -> Result<Bytes, String> + Send + 'static,
{
    let (tx, rx) = tokio::sync::oneshot::channel();
    let spawned = std::thread::Builder::new().name("static-map".into()).spawn(move || {
        super::low_priority::lower_this_threads_priority();
        let started = Instant::now();
        let outcome = render().map(|png| (png, started.elapsed())).map_err(Arc::from);
        let _ = tx.send(outcome);
    });
    if let Err(e) = spawned {
        return Err(Arc::from(format!("cannot start a static map render: {e}")));
    }
    rx.await.unwrap_or_else(|_| Err(Arc::from("the static map render failed (panicked)")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn maps(renders: u64, queue: u64, cache_mb: u64) -> Arc<StaticMaps> {
        let limits = LimitArgs { static_map_renders: renders, static_map_queue: queue, static_map_cache_mb: cache_mb, ..LimitArgs::default() };
        Arc::new(StaticMaps::new(&limits))
    }

    fn slow_render(count: Arc<AtomicUsize>, text: &'static str) -> impl FnOnce() -> Result<Bytes, String> + Send + 'static {
        move || {
            count.fetch_add(1, Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(200));
            Ok(Bytes::from_static(text.as_bytes()))
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn identical_requests_share_one_render_then_hit_the_cache() {
        let maps = maps(1, 4, 1);
        let count = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..5)
            .map(|_| {
                let (maps, count) = (maps.clone(), count.clone());
                tokio::spawn(async move { maps.get_or_render("k".into(), slow_render(count, "png")).await.unwrap() })
            })
            .collect();
        let mut sources = Vec::new();
        for t in tasks {
            let (png, source) = t.await.unwrap();
            assert_eq!(&png[..], b"png");
            sources.push(source);
        }
        assert_eq!(count.load(Ordering::SeqCst), 1, "{sources:?}");
        assert_eq!(sources.iter().filter(|s| matches!(s, Source::Rendered(_))).count(), 1, "{sources:?}");
        let (_, later) = maps.get_or_render("k".into(), slow_render(count.clone(), "png")).await.unwrap();
        assert_eq!(later, Source::Hit);
        assert_eq!(count.load(Ordering::SeqCst), 1);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn different_maps_beyond_slots_and_queue_are_refused() {
        let maps = maps(1, 1, 0);
        let count = Arc::new(AtomicUsize::new(0));
        let a = tokio::spawn({
            let (maps, count) = (maps.clone(), count.clone());
            async move { maps.get_or_render("a".into(), slow_render(count, "a")).await }
        });
        let b = tokio::spawn({
            let (maps, count) = (maps.clone(), count.clone());
            async move { maps.get_or_render("b".into(), slow_render(count, "b")).await }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        let c = maps.get_or_render("c".into(), slow_render(count.clone(), "c")).await;
        assert!(matches!(c, Err(ApiError::Busy(_))), "{c:?}");
        assert!(a.await.unwrap().is_ok() && b.await.unwrap().is_ok());
        // With the cache off, the same map renders again.
        let (_, again) = maps.get_or_render("a".into(), slow_render(count.clone(), "a")).await.unwrap();
        assert!(matches!(again, Source::Rendered(_)), "{again:?}");
        assert_eq!(count.load(Ordering::SeqCst), 3);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_map_nobody_waits_for_any_more_is_not_drawn() {
        let maps = maps(1, 1, 1);
        let count = Arc::new(AtomicUsize::new(0));
        let first = tokio::spawn({
            let (maps, count) = (maps.clone(), count.clone());
            async move { maps.get_or_render("wanted".into(), slow_render(count, "a")).await }
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        // Queued behind the first, then given up on (as a client leaving would).
        let gave_up = tokio::time::timeout(Duration::from_millis(50), maps.get_or_render("abandoned".into(), slow_render(count.clone(), "b"))).await;
        assert!(gave_up.is_err());
        // It no longer takes the one queue place: another map is accepted.
        let other = tokio::spawn({
            let (maps, count) = (maps.clone(), count.clone());
            async move { maps.get_or_render("other".into(), slow_render(count, "c")).await }
        });
        assert!(first.await.unwrap().is_ok());
        assert!(other.await.unwrap().is_ok(), "a map behind an abandoned one was refused");
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(count.load(Ordering::SeqCst), 2, "the abandoned map was drawn");
        // Asked again, it is drawn: nothing stale was left behind.
        let (_, again) = maps.get_or_render("abandoned".into(), slow_render(count.clone(), "b")).await.unwrap();
        assert!(matches!(again, Source::Rendered(_)), "{again:?}");
    }
}
