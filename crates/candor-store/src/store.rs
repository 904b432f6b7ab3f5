//! [`MediaStore`]: the operations Candor needs on object storage, on top of
//! `object_store` (a local directory or S3).

use std::error::Error as StdError;
use std::fmt;
use std::ops::Range;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures::stream::BoxStream;
use futures::{Stream, StreamExt};
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{GetOptions, GetRange, ObjectStore, RetryConfig, WriteMultipart};

use crate::config::{Backend, Environment, S3Config, StoreConfig};
use crate::error::{KeyRejection, StoreError};
use crate::key::segment;
use crate::key::ObjectKey;
use crate::reader::{RangedReader, ReaderOptions};

/// Size of each uploaded part: S3's minimum (except for the last part).
const PART_SIZE: usize = 5 * 1024 * 1024;
/// Parts uploading at once; an upload holds at most this many parts plus the
/// one being filled in memory (15 MiB), whatever the object's size.
const PARTS_IN_FLIGHT: usize = 2;

/// A handle on the media bucket (or directory) for one environment. Cheap to
/// clone: clones share the HTTP connection pools.
#[derive(Clone)]
pub struct MediaStore {
    environment: Environment,
    /// For uploads, HEAD and DELETE: `object_store` retries transient
    /// failures of each request itself (bounded, see [`write_retries`]).
    store: Arc<dyn ObjectStore>,
    /// For [`RangedReader`] and [`MediaStore::check`]: a single attempt per
    /// request, because the reader owns its retry policy. With both layers
    /// retrying, attempts would multiply and a dead server could hold the
    /// decoder for minutes.
    reads: Arc<dyn ObjectStore>,
    /// `s3://bucket` or the local directory, for logs.
    location: String,
}

impl MediaStore {
    /// Opens the configured backend. No request is made (see
    /// [`MediaStore::check`]); the local backend's directory is created.
    pub fn open(config: &StoreConfig) -> Result<Self, StoreError> {
        let (store, reads, location): (Arc<dyn ObjectStore>, Arc<dyn ObjectStore>, _) =
            match &config.backend {
                Backend::Local { dir } => {
                    std::fs::create_dir_all(dir).map_err(|e| {
                        StoreError::Config(format!("cannot create {}: {e}", dir.display()))
                    })?;
                    let local = LocalFileSystem::new_with_prefix(dir)
                        .map_err(|e| StoreError::Config(e.to_string()))?;
                    let local = Arc::new(local);
                    (local.clone(), local, dir.display().to_string())
                }
                Backend::S3(s3) => {
                    let build = |retry| {
                        s3_builder(s3)
                            .with_retry(retry)
                            .build()
                            .map_err(|e| StoreError::Config(e.to_string()))
                    };
                    let no_retries = RetryConfig {
                        max_retries: 0,
                        ..RetryConfig::default()
                    };
                    (
                        Arc::new(build(write_retries())?),
                        Arc::new(build(no_retries)?),
                        format!("s3://{}", s3.bucket),
                    )
                }
            };
        Ok(MediaStore {
            environment: config.environment,
            store,
            reads,
            location,
        })
    }

    pub fn environment(&self) -> Environment {
        self.environment
    }

    /// Parses `raw` as a key of this store's environment.
    pub fn key(&self, raw: &str) -> Result<ObjectKey, StoreError> {
        ObjectKey::parse(self.environment, raw)
    }

    /// Streams `body` into the object at `key` as a multipart upload, holding
    /// at most a few parts in memory, and returns the number of bytes stored.
    ///
    /// If the body grows past `max_bytes` or yields an error, the upload is
    /// aborted and nothing is stored under `key` (an existing object is left
    /// as it was). So is an upload whose future is dropped before it ends.
    pub async fn put_stream<S, E>(
        &self,
        key: &ObjectKey,
        body: S,
        max_bytes: u64,
    ) -> Result<u64, StoreError>
    where
        S: Stream<Item = Result<Bytes, E>>,
        E: Into<Box<dyn StdError + Send + Sync>>,
    {
        self.check_environment(key)?;
        let fail = |e| StoreError::from_object_store("upload", key.as_str(), e);
        let upload = self.store.put_multipart(key.path()).await.map_err(fail)?;
        let mut upload = Upload(Some(WriteMultipart::new_with_chunk_size(upload, PART_SIZE)));
        let mut body = std::pin::pin!(body);
        let mut total: u64 = 0;
        while let Some(chunk) = body.next().await {
            let chunk = match chunk {
                Ok(chunk) => chunk,
                Err(e) => {
                    upload.abort(key).await;
                    return Err(StoreError::Body {
                        key: key.to_string(),
                        source: e.into(),
                    });
                }
            };
            total += chunk.len() as u64;
            if total > max_bytes {
                upload.abort(key).await;
                return Err(StoreError::TooLarge {
                    key: key.to_string(),
                    max_bytes,
                });
            }
            if let Err(e) = upload.writer().wait_for_capacity(PARTS_IN_FLIGHT).await {
                upload.abort(key).await;
                return Err(fail(e));
            }
            upload.writer().put(chunk);
        }
        upload.finish(key).await.map_err(fail)?;
        Ok(total)
    }

    /// The object's size in bytes, or `None` when there is no such object.
    pub async fn head(&self, key: &ObjectKey) -> Result<Option<u64>, StoreError> {
        self.check_environment(key)?;
        match self.store.head(key.path()).await {
            Ok(meta) => Ok(Some(meta.size)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(StoreError::from_object_store("head", key.as_str(), e)),
        }
    }

    /// Deletes the object; deleting a missing object is not an error.
    pub async fn delete(&self, key: &ObjectKey) -> Result<(), StoreError> {
        self.check_environment(key)?;
        match self.store.delete(key.path()).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(StoreError::from_object_store("delete", key.as_str(), e)),
        }
    }

    /// Readiness: one cheap, read-only round trip that fails when the store
    /// is unreachable, the bucket does not exist or the credentials are
    /// refused (a listing under a prefix that holds nothing; a HEAD could not
    /// tell a missing bucket from a missing key).
    pub async fn check(&self) -> Result<(), StoreError> {
        let probe = Path::from_iter([segment(self.environment), ".candor-readiness"]);
        self.reads
            .list_with_delimiter(Some(&probe))
            .await
            .map(drop)
            .map_err(|e| StoreError::from_object_store("readiness check", &self.location, e))
    }

    /// Streams the bytes `range` of the object (for HTTP range responses),
    /// or `None` when there is no such object. The request is retried on
    /// transient failures; a failure part-way through the body ends the
    /// stream with the error. `range` must not be empty.
    pub async fn get_range(
        &self,
        key: &ObjectKey,
        range: Range<u64>,
    ) -> Result<Option<BoxStream<'static, Result<Bytes, StoreError>>>, StoreError> {
        self.check_environment(key)?;
        let options = GetOptions {
            range: Some(GetRange::Bounded(range)),
            ..GetOptions::default()
        };
        let result = match self.store.get_opts(key.path(), options).await {
            Ok(result) => result,
            Err(object_store::Error::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(StoreError::from_object_store("ranged get", key.as_str(), e)),
        };
        let name = key.to_string();
        Ok(Some(
            result
                .into_stream()
                .map(move |chunk| {
                    chunk.map_err(|e| StoreError::from_object_store("ranged get", &name, e))
                })
                .boxed(),
        ))
    }

    /// Opens a synchronous, seekable reader over the object (one HEAD now for
    /// its size, ranged GETs as it is read). Call it from within the tokio
    /// runtime; the reader then runs on a plain thread (see [`RangedReader`]).
    pub async fn reader(
        &self,
        key: &ObjectKey,
        options: &ReaderOptions,
    ) -> Result<RangedReader, StoreError> {
        self.check_environment(key)?;
        RangedReader::open(self.reads.clone(), key.clone(), options.clone()).await
    }

    fn check_environment(&self, key: &ObjectKey) -> Result<(), StoreError> {
        if key.environment() == self.environment {
            return Ok(());
        }
        Err(StoreError::InvalidKey {
            key: key.to_string(),
            reason: KeyRejection::OtherEnvironment,
        })
    }
}

impl fmt::Debug for MediaStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MediaStore")
            .field("environment", &self.environment)
            .field("location", &self.location)
            .finish()
    }
}

/// `object_store`'s per-request retries for writes: a few quick attempts;
/// a longer outage fails the request and the job is retried later.
fn write_retries() -> RetryConfig {
    RetryConfig {
        max_retries: 3,
        retry_timeout: Duration::from_secs(60),
        ..RetryConfig::default()
    }
}

/// The environment's `AWS_*` settings (credential chain included), with the
/// configured values on top.
fn s3_builder(s3: &S3Config) -> AmazonS3Builder {
    let mut builder = AmazonS3Builder::from_env().with_bucket_name(&s3.bucket);
    if let Some(region) = &s3.region {
        builder = builder.with_region(region);
    }
    if let Some(endpoint) = &s3.endpoint {
        // S3-compatible servers rarely resolve bucket subdomains.
        builder = builder
            .with_endpoint(endpoint)
            .with_allow_http(endpoint.starts_with("http://"))
            .with_virtual_hosted_style_request(false);
    }
    if let Some(credentials) = &s3.credentials {
        builder = builder
            .with_access_key_id(&credentials.access_key_id)
            .with_secret_access_key(&credentials.secret_access_key);
        if let Some(token) = &credentials.session_token {
            builder = builder.with_token(token);
        }
    }
    builder
}

/// A multipart upload in progress. Dropped before it finished (the request
/// was cancelled), it is aborted in the background so that no parts or
/// staged files are left behind.
struct Upload(Option<WriteMultipart>);

impl Upload {
    fn writer(&mut self) -> &mut WriteMultipart {
        self.0
            .as_mut()
            .expect("the upload is in progress until finish or abort")
    }

    async fn abort(mut self, key: &ObjectKey) {
        if let Some(writer) = self.0.take() {
            if let Err(e) = writer.abort().await {
                tracing::warn!(key = %key, error = %e, "could not abort an upload");
            }
        }
    }

    /// Waits for every part, then completes the upload; a failure aborts it.
    async fn finish(mut self, key: &ObjectKey) -> object_store::Result<()> {
        let mut writer = self.0.take().expect("finish is called once");
        // `WriteMultipart::finish` does not abort when a part failed, only
        // when completing failed; wait for the parts first so both are covered.
        if let Err(e) = writer.wait_for_capacity(0).await {
            Upload(Some(writer)).abort(key).await;
            return Err(e);
        }
        writer.finish().await.map(drop)
    }
}

impl Drop for Upload {
    fn drop(&mut self) {
        if let Some(writer) = self.0.take() {
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                runtime.spawn(async move {
                    if let Err(e) = writer.abort().await {
                        tracing::warn!(error = %e, "could not abort a cancelled upload");
                    }
                });
            }
        }
    }
}
