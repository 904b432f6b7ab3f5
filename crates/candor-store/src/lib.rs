//! Object storage for Candor's media: a local directory by default, S3 (or
//! any S3-compatible server) in production, both through `object_store`.
//!
//! - [`ObjectKey`]: keys are validated and normalized under the
//!   environment's prefix (`development/`, `staging/`, `live/`); a key that
//!   could leave it is refused before any request.
//! - [`StoreConfig::from_env`] / [`MediaStore::open`]: the backend from
//!   `AWS_S3_BUCKET`, `AWS_ENDPOINT_URL`, `CANDOR_STORE_DIR`, `ENVIRONMENT`…
//! - [`MediaStore::put_stream`]: a streaming multipart upload with a size
//!   limit; a refused or failed upload leaves nothing behind.
//! - [`MediaStore::reader`]: a blocking `Read + Seek` ([`RangedReader`]) over
//!   ranged GETs with bounded read-ahead and retries, for the decoder.
//!
//! ```no_run
//! # use candor_store::*;
//! # use std::io::Read;
//! # async fn run(
//! #     body: impl futures::Stream<Item = std::io::Result<bytes::Bytes>>,
//! # ) -> Result<(), Box<dyn std::error::Error>> {
//! let store = MediaStore::open(&StoreConfig::from_env()?)?;
//! let key = store.key("interviews/abc.mp4")?; // development/interviews/abc.mp4
//! let size = store.put_stream(&key, body, 500 * 1024 * 1024).await?;
//!
//! let reader = store.reader(&key, &ReaderOptions::default()).await?;
//! let meter = reader.meter();
//! // The decoder runs on a blocking thread; the reader blocks on this runtime.
//! let magic = tokio::task::spawn_blocking(move || {
//!     let mut reader = reader;
//!     let mut magic = [0; 8];
//!     reader.read_exact(&mut magic).map(|()| magic)
//! })
//! .await??;
//! println!("{size} bytes stored, {} fetched", meter.bytes_fetched());
//! # Ok(()) }
//! ```

mod config;
mod error;
mod key;
mod reader;
mod store;
pub mod testing;

pub use config::{Backend, Environment, S3Config, S3Credentials, StoreConfig, DEFAULT_STORE_DIR};
pub use error::{KeyRejection, StoreError};
pub use key::{ObjectKey, MAX_KEY_BYTES, MAX_SEGMENT_BYTES};
pub use reader::{FetchMeter, RangedReader, ReaderOptions};
pub use store::MediaStore;
