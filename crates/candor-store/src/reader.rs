//! [`RangedReader`]: a blocking `Read + Seek` over an object, fetched with
//! ranged GETs as the reader asks for bytes — for FFmpeg's demuxer, which
//! runs on a plain thread and wants a file-like source.

use std::io::{self, Read, Seek, SeekFrom};
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use object_store::{GetOptions, GetRange, ObjectStore};
use rand::Rng;
use tokio::runtime::Handle;

use crate::error::StoreError;
use crate::key::ObjectKey;

/// The first fetch after a jump (a seek outside the buffer). Demuxers jump
/// to read an index (an MP4's `moov` at the end) and come back; a small
/// first fetch keeps such visits cheap. Sequential reads then double the
/// fetch size up to [`ReaderOptions::window`].
const FIRST_FETCH: usize = 64 * 1024;

/// How a [`RangedReader`] buffers and retries.
#[derive(Debug, Clone, PartialEq)]
pub struct ReaderOptions {
    /// The most bytes held and fetched at once (default 1 MiB). Memory stays
    /// at this bound however large the object is.
    pub window: usize,
    /// Attempts per request, the first included (default 5). Only transient
    /// failures (connection errors, timeouts, 5xx) are retried.
    pub max_attempts: u32,
    /// Backoff before the first retry (default 100 ms); doubled for each
    /// further retry, capped at `max_delay`, and jittered (50–100 % of the
    /// delay) so that many readers do not retry in lockstep.
    pub base_delay: Duration,
    /// The longest backoff (default 5 s).
    pub max_delay: Duration,
}

impl Default for ReaderOptions {
    fn default() -> Self {
        Self {
            window: 1024 * 1024,
            max_attempts: 5,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(5),
        }
    }
}

/// Counts the bytes a reader received from the store, retries and partial
/// bodies included. Clones share the count, so the caller can keep one after
/// moving the reader into the decoder.
#[derive(Debug, Clone, Default)]
pub struct FetchMeter(Arc<AtomicU64>);

impl FetchMeter {
    pub fn bytes_fetched(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }

    fn add(&self, bytes: usize) {
        self.0.fetch_add(bytes as u64, Ordering::Relaxed);
    }
}

/// A synchronous `Read + Seek` over one object, through a bounded read-ahead
/// buffer filled by ranged GETs.
///
/// It blocks on the tokio runtime it was opened from, so it must be used from
/// a plain thread or `spawn_blocking`, never from an async task (tokio
/// panics there), and that runtime must be a multi-thread one (or otherwise
/// kept running).
///
/// Seeking behaves as on a file: within the buffer (or the one before it)
/// it costs nothing, past the end it succeeds and reads return 0 bytes,
/// before the start it fails.
/// Failed requests are retried per [`ReaderOptions`]; what cannot succeed (a
/// missing object, refused credentials, an object changed meanwhile) is
/// returned at once as an `io::Error` carrying the [`StoreError`].
pub struct RangedReader {
    store: Arc<dyn ObjectStore>,
    runtime: Handle,
    key: ObjectKey,
    /// The object's ETag at open, when the store gives one: every GET is
    /// conditional on it, so bytes of two versions are never mixed.
    etag: Option<String>,
    size: u64,
    pos: u64,
    /// The bytes `buf_start..buf_start + buf.len()` of the object.
    buf: Vec<u8>,
    buf_start: u64,
    /// The buffer before the last refill. A demuxer reading an MP4 whose
    /// index sits at the end reads the head, jumps to the index, then comes
    /// back to the head: keeping one earlier window saves that refetch
    /// (measured on a 683-kB interview: 1.16x the object fetched without it).
    prev: Vec<u8>,
    prev_start: u64,
    /// Size of the last fetch, doubled while reads stay sequential.
    fetch_len: usize,
    options: ReaderOptions,
    meter: FetchMeter,
}

impl RangedReader {
    /// HEADs the object (with retries) and captures the current runtime.
    pub(crate) async fn open(
        store: Arc<dyn ObjectStore>,
        key: ObjectKey,
        options: ReaderOptions,
    ) -> Result<Self, StoreError> {
        let mut backoff = Backoff::new(&options);
        let meta = loop {
            match store.head(key.path()).await {
                Ok(meta) => break meta,
                Err(e) => {
                    backoff
                        .wait(StoreError::from_object_store("head", key.as_str(), e))
                        .await?
                }
            }
        };
        let window = options.window.max(1);
        Ok(RangedReader {
            store,
            runtime: Handle::current(),
            key,
            etag: meta.e_tag,
            size: meta.size,
            pos: 0,
            buf: Vec::with_capacity(window.min(FIRST_FETCH)),
            buf_start: 0,
            prev: Vec::new(),
            prev_start: 0,
            fetch_len: 0,
            options: ReaderOptions { window, ..options },
            meter: FetchMeter::default(),
        })
    }

    /// The object's size in bytes, as the HEAD at open reported it.
    pub fn size(&self) -> u64 {
        self.size
    }

    pub fn key(&self) -> &ObjectKey {
        &self.key
    }

    /// Bytes received from the store so far.
    pub fn bytes_fetched(&self) -> u64 {
        self.meter.bytes_fetched()
    }

    /// A handle on the fetch count that outlives moving the reader.
    pub fn meter(&self) -> FetchMeter {
        self.meter.clone()
    }

    fn buffer_end(&self) -> u64 {
        self.buf_start + self.buf.len() as u64
    }

    /// Replaces the buffer with bytes from `pos` on.
    fn refill(&mut self) -> Result<(), StoreError> {
        let sequential = !self.buf.is_empty() && self.pos == self.buffer_end();
        self.fetch_len = if sequential {
            (self.fetch_len * 2).min(self.options.window)
        } else {
            FIRST_FETCH.min(self.options.window)
        };
        let end = self.size.min(self.pos + self.fetch_len as u64);
        std::mem::swap(&mut self.buf, &mut self.prev);
        self.prev_start = self.buf_start;
        self.buf.clear();
        self.buf_start = self.pos;
        let runtime = self.runtime.clone();
        runtime.block_on(self.fetch(self.pos..end))
    }

    /// Appends `range` to the buffer, resuming after the bytes already
    /// received when an attempt fails part-way.
    async fn fetch(&mut self, range: Range<u64>) -> Result<(), StoreError> {
        let mut backoff = Backoff::new(&self.options);
        loop {
            let start = range.start + self.buf.len() as u64;
            match self.fetch_once(start..range.end).await {
                Ok(()) => return Ok(()),
                Err(e) => backoff.wait(e).await?,
            }
        }
    }

    async fn fetch_once(&mut self, range: Range<u64>) -> Result<(), StoreError> {
        let fail = |e| StoreError::from_object_store("ranged read", self.key.as_str(), e);
        let options = GetOptions {
            range: Some(GetRange::Bounded(range.clone())),
            if_match: self.etag.clone(),
            ..GetOptions::default()
        };
        let result = self
            .store
            .get_opts(self.key.path(), options)
            .await
            .map_err(fail)?;
        let mut body = result.into_stream();
        let wanted = (range.end - range.start) as usize;
        let mut received = 0;
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(fail)?;
            self.meter.add(chunk.len());
            received += chunk.len();
            if received > wanted {
                break;
            }
            self.buf.extend_from_slice(&chunk);
        }
        // With the ETag pinned a store sends exactly the range; anything else
        // means the object is not the one that was opened.
        if received != wanted {
            return Err(StoreError::Changed {
                key: self.key.to_string(),
            });
        }
        Ok(())
    }
}

impl Read for RangedReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() || self.pos >= self.size {
            return Ok(0);
        }
        if !(self.buf_start..self.buffer_end()).contains(&self.pos) {
            let prev_end = self.prev_start + self.prev.len() as u64;
            if (self.prev_start..prev_end).contains(&self.pos) {
                std::mem::swap(&mut self.buf, &mut self.prev);
                std::mem::swap(&mut self.buf_start, &mut self.prev_start);
            } else {
                self.refill().map_err(io::Error::from)?;
            }
        }
        let offset = (self.pos - self.buf_start) as usize;
        let n = out.len().min(self.buf.len() - offset);
        out[..n].copy_from_slice(&self.buf[offset..offset + n]);
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for RangedReader {
    fn seek(&mut self, target: SeekFrom) -> io::Result<u64> {
        let pos = match target {
            SeekFrom::Start(pos) => Some(pos),
            SeekFrom::End(delta) => self.size.checked_add_signed(delta),
            SeekFrom::Current(delta) => self.pos.checked_add_signed(delta),
        };
        let pos = pos.ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("seek before the start of {}", self.key),
            )
        })?;
        self.pos = pos;
        Ok(pos)
    }
}

impl std::fmt::Debug for RangedReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RangedReader")
            .field("key", &self.key)
            .field("size", &self.size)
            .field("pos", &self.pos)
            .field("bytes_fetched", &self.bytes_fetched())
            .finish()
    }
}

impl From<StoreError> for io::Error {
    fn from(error: StoreError) -> Self {
        let kind = match &error {
            StoreError::NotFound { .. } => io::ErrorKind::NotFound,
            StoreError::Denied { .. } => io::ErrorKind::PermissionDenied,
            StoreError::InvalidKey { .. } => io::ErrorKind::InvalidInput,
            StoreError::Changed { .. } => io::ErrorKind::InvalidData,
            // Not `Interrupted`: std and FFmpeg's glue retry that kind
            // without limit, and the retries here are already spent.
            _ => io::ErrorKind::Other,
        };
        io::Error::new(kind, error)
    }
}

/// Exponential backoff with jitter over a bounded number of attempts.
struct Backoff {
    attempt: u32,
    max_attempts: u32,
    delay: Duration,
    max_delay: Duration,
}

impl Backoff {
    fn new(options: &ReaderOptions) -> Self {
        Self {
            attempt: 1,
            max_attempts: options.max_attempts.max(1),
            delay: options.base_delay,
            max_delay: options.max_delay,
        }
    }

    /// After a failed attempt: sleeps and returns `Ok` when `error` is
    /// transient and attempts remain, otherwise gives `error` back.
    async fn wait(&mut self, error: StoreError) -> Result<(), StoreError> {
        if !error.is_transient() || self.attempt >= self.max_attempts {
            return Err(error);
        }
        let jittered = self.delay.mul_f64(rand::rng().random_range(0.5..=1.0));
        tracing::warn!(
            attempt = self.attempt,
            retry_in_ms = jittered.as_millis() as u64,
            error = %error,
            "object storage read failed; retrying"
        );
        tokio::time::sleep(jittered).await;
        self.attempt += 1;
        self.delay = (self.delay * 2).min(self.max_delay);
        Ok(())
    }
}
