//! Streamed answer bodies: a blocking producer writes chunks into a bounded channel
//! and the body yields them as they come (chunked transfer encoding), so a large
//! answer never sits whole in memory and the first bytes leave early.

use axum::body::Body;
use bytes::Bytes;
use std::io::Write;
use tokio::sync::mpsc;

/// Chunks kept in flight between the producer and the connection.
const CHANNEL_CHUNKS: usize = 8;
/// Size of the chunks [`ChannelWriter`] sends.
pub const CHUNK_BYTES: usize = 256 * 1024;

/// A body fed by `produce`, run on the blocking pool with a sender of chunks.
pub fn body_from_producer<F>(produce: F) -> Body
where
    F: FnOnce(&mpsc::Sender<Result<Bytes, std::io::Error>>) + Send + 'static,
{
    let (tx, rx) = mpsc::channel(CHANNEL_CHUNKS);
    tokio::task::spawn_blocking(move || produce(&tx));
    let stream = futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|chunk| (chunk, rx)) });
    Body::from_stream(stream)
}

/// An `io::Write` that sends what is written through the channel in
/// [`CHUNK_BYTES`] chunks; fails once the client has gone.
pub struct ChannelWriter<'a> {
    tx: &'a mpsc::Sender<Result<Bytes, std::io::Error>>,
    buffer: Vec<u8>,
}

impl<'a> ChannelWriter<'a> {
    pub fn new(tx: &'a mpsc::Sender<Result<Bytes, std::io::Error>>) -> Self {
        ChannelWriter { tx, buffer: Vec::with_capacity(CHUNK_BYTES) }
    }

    fn send(&mut self) -> std::io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(&mut self.buffer, Vec::with_capacity(CHUNK_BYTES)));
        self.tx
            .blocking_send(Ok(chunk))
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the client closed the connection"))
    }
}

impl Write for ChannelWriter<'_> {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buffer.extend_from_slice(data);
        if self.buffer.len() >= CHUNK_BYTES {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.send()
    }
}

impl Drop for ChannelWriter<'_> {
    fn drop(&mut self) {
        let _ = self.send();
    }
}
