//! A one-line progress display of a pyramid walk on a terminal: zoom, tiles, tiles/s and
//! the estimated time left, redrawn at most ten times a second on standard error.

use super::walk::Progress;
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

pub struct ProgressLine {
    enabled: bool,
    last: Option<Instant>,
}

impl ProgressLine {
    /// Draws only when standard error is a terminal (logs and pipes get the summary).
    pub fn new() -> ProgressLine {
        ProgressLine { enabled: std::io::stderr().is_terminal(), last: None }
    }

    pub fn update(&mut self, p: &Progress) {
        if !self.enabled || self.last.is_some_and(|t| t.elapsed() < Duration::from_millis(100)) {
            return;
        }
        self.last = Some(Instant::now());
        let secs = p.started.elapsed().as_secs_f64().max(1e-3);
        let rate = p.rendered as f64 / secs;
        let eta = if rate > 0.0 { p.remaining_estimate() / rate } else { 0.0 };
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\r\x1b[2Kz{}/{} {}/{} tiles of this zoom · {} rendered · {} written · {:.0} tiles/s · ETA {}",
            p.zoom,
            p.maxzoom,
            p.done_at_zoom,
            p.total_at_zoom,
            p.rendered,
            p.written,
            rate,
            clock(eta)
        );
        let _ = err.flush();
    }

    /// Clears the line before the summary is printed.
    pub fn finish(&mut self) {
        if self.enabled && self.last.is_some() {
            let _ = write!(std::io::stderr(), "\r\x1b[2K");
        }
    }
}

impl Default for ProgressLine {
    fn default() -> Self {
        ProgressLine::new()
    }
}

fn clock(secs: f64) -> String {
    let s = secs.round() as u64;
    if s >= 3600 {
        format!("{}h{:02}m", s / 3600, s % 3600 / 60)
    } else {
        format!("{}m{:02}s", s / 60, s % 60)
    }
}
