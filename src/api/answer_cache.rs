//! Finished answers of a read-only route whose answer depends only on the published data
//! and the request (statistics, search), kept by canonical request; one cache per route.
//!
//! A statistics answer for the nation walks every commune through every criterion of its
//! sets: about ten milliseconds of a core. Readers ask the same few dozen questions (the
//! nation or a province, a year) over and over, so computing each one once per published
//! data version is enough; and the computing must not happen on the HTTP worker threads,
//! where it would hold up every other request of those connections (under the load test's
//! mix, statistics took four fifths of the CPU and starved cold tiles). Steps:
//!   1. the caller's key names the data version and every parameter that shapes the
//!      answer, so a publication never serves an old answer (old ones age out);
//!   2. a kept answer is served at once;
//!   3. else wait for one of its compute slots ([`permits`]), look again (an identical
//!      request may have finished meanwhile), and compute on the blocking pool;
//!   4. keep the answer, within [`MAX_BYTES`] in all (least recently used out first).

use super::tile_cache::Lru;
use super::ApiError;
use axum::http::{HeaderName, HeaderValue};
use bytes::Bytes;
use std::sync::Mutex;
use tokio::sync::Semaphore;

/// Answers kept at most per route, in bytes (a statistics answer is 20–60 KB, a search
/// answer 1–20 KB).
pub const MAX_BYTES: usize = 16 << 20;

/// Answers of one route computed at once: half the cores (at least one), whatever the
/// number of distinct questions asked at the same time, so tiles and point queries keep
/// the rest.
pub fn permits() -> usize {
    std::thread::available_parallelism().map_or(1, |n| (n.get() / 2).max(1))
}

/// Bookkeeping bytes counted per kept answer besides its body, headers and key.
const ENTRY_OVERHEAD: usize = 128;

/// An answer's body and the headers that go with it.
#[derive(Clone)]
pub struct Answer {
    pub body: Bytes,
    pub headers: Vec<(HeaderName, HeaderValue)>,
}

impl axum::response::IntoResponse for Answer {
    fn into_response(self) -> axum::response::Response {
        let mut response = self.body.into_response();
        // Replacing, not adding to, the body's own `application/octet-stream`.
        for (name, value) in self.headers {
            response.headers_mut().insert(name, value);
        }
        response
    }
}

impl Answer {
    fn cost(&self, key: &str) -> usize {
        let headers: usize = self.headers.iter().map(|(n, v)| n.as_str().len() + v.len()).sum();
        self.body.len() + headers + key.len() + ENTRY_OVERHEAD
    }
}

pub struct AnswerCache {
    kept: Mutex<Lru<String, Answer>>,
    permits: Semaphore,
}

impl Default for AnswerCache {
    fn default() -> Self {
        AnswerCache { kept: Mutex::new(Lru::new(MAX_BYTES)), permits: Semaphore::new(permits()) }
    }
}

impl AnswerCache {
    /// Steps 2–4: the answer kept for `key`, or `compute`'s (run on the blocking pool).
    pub async fn get_or_compute<F>(&self, key: String, compute: F) -> Result<Answer, ApiError>
    where
        F: FnOnce() -> Result<Answer, ApiError> + Send + 'static,
    {
        if let Some(answer) = self.get(&key) {
            return Ok(answer);
        }
        let _permit = self.permits.acquire().await.map_err(|e| ApiError::Internal(format!("answer queue closed: {e}")))?;
        if let Some(answer) = self.get(&key) {
            return Ok(answer);
        }
        let answer = tokio::task::spawn_blocking(compute).await.map_err(|e| ApiError::Internal(format!("computing the answer failed: {e}")))??;
        let cost = answer.cost(&key);
        self.lock().insert(key, answer.clone(), cost);
        Ok(answer)
    }

    fn get(&self, key: &str) -> Option<Answer> {
        self.lock().get(key).cloned()
    }

    /// The bytes of the answers kept.
    pub fn kept_bytes(&self) -> usize {
        self.lock().bytes()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Lru<String, Answer>> {
        // The list is consistent between calls; a panic elsewhere cannot break it.
        self.kept.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    fn answer(text: &str) -> Answer {
        Answer { body: Bytes::from(text.to_string()), headers: vec![(axum::http::header::CONTENT_TYPE, HeaderValue::from_static("text/plain"))] }
    }

    #[tokio::test]
    async fn an_answer_is_computed_once_per_key_and_errors_are_not_kept() {
        let cache = AnswerCache::default();
        let computed = Arc::new(AtomicUsize::new(0));
        for _ in 0..3 {
            let n = computed.clone();
            let got = cache.get_or_compute("v1|nation".into(), move || { n.fetch_add(1, Ordering::SeqCst); Ok(answer("a")) }).await.unwrap();
            assert_eq!(got.body, "a");
        }
        assert_eq!(computed.load(Ordering::SeqCst), 1);
        // Another data version is another question.
        let n = computed.clone();
        cache.get_or_compute("v2|nation".into(), move || { n.fetch_add(1, Ordering::SeqCst); Ok(answer("b")) }).await.unwrap();
        assert_eq!(computed.load(Ordering::SeqCst), 2);
        for _ in 0..2 {
            let n = computed.clone();
            let failed = cache.get_or_compute("v2|bad".into(), move || { n.fetch_add(1, Ordering::SeqCst); Err(ApiError::bad("year", "no")) }).await;
            assert!(failed.is_err());
        }
        assert_eq!(computed.load(Ordering::SeqCst), 4, "a failed answer is computed again");
    }

    #[tokio::test]
    async fn the_kept_answers_stay_within_the_byte_bound() {
        let cache = AnswerCache::default();
        let big = "x".repeat(1 << 20);
        for i in 0..40 {
            let body = big.clone();
            cache.get_or_compute(format!("v|{i}"), move || Ok(answer(&body))).await.unwrap();
        }
        assert!(cache.kept_bytes() <= MAX_BYTES, "{} bytes kept", cache.kept_bytes());
        assert!(cache.kept_bytes() >= MAX_BYTES - (2 << 20), "{} bytes kept", cache.kept_bytes());
    }
}
