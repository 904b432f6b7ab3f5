//! The one error type of this crate. [`StoreError::is_transient`] tells
//! trouble worth retrying (the store was unreachable or failed) from a
//! request that can never succeed; [`StoreError::code`] is stable for APIs
//! and metrics.
//!
//! No variant carries credentials. S3's error bodies can echo them (the
//! access key id of a bad signature, the session token of an expired or
//! invalid one), so an `object_store` error is kept only as its message up
//! to the server's response body, and a refusal ([`StoreError::Denied`])
//! keeps none of its text.

use std::fmt;

/// Why an object-storage operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The key was refused before any request was made.
    #[error("invalid object key {key:?}: {reason}")]
    InvalidKey { key: String, reason: KeyRejection },
    /// The configuration (environment variables) is unusable.
    #[error("invalid object storage configuration: {0}")]
    Config(String),
    /// No object under this key (or no such bucket).
    #[error("object {key} not found")]
    NotFound { key: String },
    /// The store refused the credentials or the operation (HTTP 401/403).
    #[error("object storage refused access to {key}: check the credentials and bucket policy")]
    Denied { key: String },
    /// The object changed while it was being read (its ETag no longer matches).
    #[error("object {key} changed while it was being read")]
    Changed { key: String },
    /// An upload's body was larger than allowed; nothing was stored.
    #[error("upload to {key} exceeds the limit of {max_bytes} bytes")]
    TooLarge { key: String, max_bytes: u64 },
    /// An upload's body stream failed (e.g. the client went away); nothing
    /// was stored.
    #[error("the upload body for {key} failed: {source}")]
    Body {
        key: String,
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The store could not be reached or failed (connection errors,
    /// timeouts, 5xx); worth retrying later.
    #[error("object storage {op} of {key} failed: {detail}")]
    Unavailable {
        op: &'static str,
        key: String,
        detail: String,
    },
    /// Anything else the store reported that retrying will not fix.
    #[error("object storage {op} of {key} failed: {detail}")]
    Backend {
        op: &'static str,
        key: String,
        detail: String,
    },
}

/// Why [`crate::ObjectKey::parse`] refused a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyRejection {
    Empty,
    Absolute,
    /// A `.` or `..` segment.
    DotSegment,
    /// `a//b` or a trailing `/`.
    EmptySegment,
    Backslash,
    ControlCharacter,
    /// The key starts with a different environment's prefix.
    OtherEnvironment,
    /// Longer than [`crate::MAX_KEY_BYTES`] with its prefix.
    TooLong,
    /// A segment longer than [`crate::MAX_SEGMENT_BYTES`].
    SegmentTooLong,
    /// Refused by `object_store`'s path rules, including the local
    /// backend's: a file name ending in `#<digits>` is a staged upload.
    NotAPath,
}

impl fmt::Display for KeyRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeyRejection::Empty => "the key is empty",
            KeyRejection::Absolute => "the key must be relative (no leading '/')",
            KeyRejection::DotSegment => "'.' and '..' segments are not allowed",
            KeyRejection::EmptySegment => "empty segments ('//' or a trailing '/') are not allowed",
            KeyRejection::Backslash => "backslashes are not allowed",
            KeyRejection::ControlCharacter => "control characters are not allowed",
            KeyRejection::OtherEnvironment => "the key belongs to another environment",
            KeyRejection::TooLong => "the key is too long",
            KeyRejection::SegmentTooLong => "a '/'-separated segment is longer than 255 bytes",
            KeyRejection::NotAPath => "the key is not a valid object path",
        })
    }
}

impl StoreError {
    /// A stable, machine-readable code for APIs and metrics.
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::InvalidKey { .. } => "store_invalid_key",
            StoreError::Config(_) => "store_config",
            StoreError::NotFound { .. } => "store_not_found",
            StoreError::Denied { .. } => "store_denied",
            StoreError::Changed { .. } => "store_object_changed",
            StoreError::TooLarge { .. } => "store_too_large",
            StoreError::Body { .. } => "store_body_failed",
            StoreError::Unavailable { .. } => "store_unavailable",
            StoreError::Backend { .. } => "store_backend",
        }
    }

    /// True when the same operation may succeed later (the store was
    /// unreachable, timed out or answered 5xx). A job that failed this way
    /// should be retried; any other error will fail again.
    pub fn is_transient(&self) -> bool {
        matches!(self, StoreError::Unavailable { .. })
    }

    /// True when the request itself was at fault (a bad key, an oversized or
    /// broken upload): the message is safe to show to the client.
    pub fn is_client_error(&self) -> bool {
        matches!(
            self,
            StoreError::InvalidKey { .. } | StoreError::TooLarge { .. } | StoreError::Body { .. }
        )
    }

    /// Classifies an `object_store` error from operation `op` on `key`.
    ///
    /// `object_store` does not expose the HTTP status of a `Generic` error;
    /// the statuses that are permanent (401, 403, 404, 412) have variants of
    /// their own, so a `Generic` error is a connection failure, a timeout or
    /// a 5xx, and is treated as transient (retries are bounded anyway).
    pub(crate) fn from_object_store(
        op: &'static str,
        key: &str,
        error: object_store::Error,
    ) -> Self {
        use object_store::Error as E;
        let key = key.to_string();
        match error {
            E::NotFound { .. } => StoreError::NotFound { key },
            E::PermissionDenied { .. } | E::Unauthenticated { .. } => StoreError::Denied { key },
            E::Precondition { .. } | E::NotModified { .. } => StoreError::Changed { key },
            E::Generic { .. } | E::JoinError { .. } => StoreError::Unavailable {
                op,
                key,
                detail: without_response_body(&error),
            },
            _ => StoreError::Backend {
                op,
                key,
                detail: without_response_body(&error),
            },
        }
    }
}

/// `error`'s message up to the server's response body: S3 answers in XML,
/// and `object_store` appends the body after the status line.
fn without_response_body(error: &object_store::Error) -> String {
    let text = error.to_string();
    match text.find('<') {
        Some(body) => text[..body].trim_end().to_string(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_error_bodies_are_left_out_of_messages() {
        let body = "Server returned non-2xx status code: 400 Bad Request: \
            <?xml version=\"1.0\"?><Error><Code>ExpiredToken</Code>\
            <Token-0>FwoGZXIvYXdzSECRET</Token-0></Error>";
        let error = object_store::Error::Generic {
            store: "S3",
            source: body.into(),
        };
        let error = StoreError::from_object_store("ranged read", "live/a.mp4", error);
        assert_eq!(
            error.to_string(),
            "object storage ranged read of live/a.mp4 failed: \
             Generic S3 error: Server returned non-2xx status code: 400 Bad Request:"
        );
        assert!(std::error::Error::source(&error).is_none());
        assert!(error.is_transient());
    }

    #[test]
    fn refusals_keep_no_server_text() {
        let error = object_store::Error::PermissionDenied {
            path: "live/a.mp4".into(),
            source: "<Error><AWSAccessKeyId>AKIDEXAMPLE</AWSAccessKeyId></Error>".into(),
        };
        let error = StoreError::from_object_store("head", "live/a.mp4", error);
        assert_eq!(error.code(), "store_denied");
        assert!(!error.is_transient());
        assert!(!format!("{error:?}").contains("AKID"));
    }
}
