//! The one error type of this crate. Every variant reads as one line a user
//! can act on; [`MediaError::is_bad_input`] tells a bad upload (never retry)
//! from a failure on our side (worth retrying).

use std::fmt;

/// Why a recording could not be probed or decoded.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    #[error("the file is empty")]
    Empty,
    #[error("{name} is not a media file (no audio or video format was recognised)")]
    UnrecognisedFormat { name: String },
    #[error("the {format} file is truncated or corrupt ({detail})")]
    Corrupt { format: String, detail: String },
    #[error("the recording has neither an audio nor a video stream")]
    NoStreams,
    #[error("the recording uses the {codec} codec, which this build cannot decode")]
    UnsupportedCodec { codec: String },
    #[error("the recording is over a limit: {0}")]
    LimitExceeded(Limit),
    #[error("could not read the recording: {0}")]
    Io(#[from] std::io::Error),
    #[error("decoding was stopped by its consumer")]
    Stopped,
    #[error("invalid decode options: {0}")]
    InvalidOptions(String),
    #[error("internal decoder error: {0}")]
    Internal(String),
}

/// Which limit of [`crate::MediaLimits`] a recording broke, with its value.
#[derive(Debug, Clone, PartialEq)]
pub enum Limit {
    /// The duration the file states (or its packets span) is over the limit.
    Duration {
        seconds: f64,
        max: f64,
    },
    /// The decoded media ran past the duration limit although the file
    /// stated a duration within it: a header that lies, or timestamps that
    /// jump. Found during the pass, which stops there.
    DecodedDuration {
        max: f64,
        stated: f64,
    },
    Resolution {
        width: u32,
        height: u32,
        max_width: u32,
        max_height: u32,
    },
    Size {
        bytes: u64,
        max: u64,
    },
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Limit::Duration { seconds, max } => {
                write!(f, "duration {seconds:.1} s exceeds the limit of {max:.1} s")
            }
            Limit::DecodedDuration { max, stated } => write!(
                f,
                "its decoded media runs past the duration limit of {max:.1} s \
                 (the file states {stated:.1} s)"
            ),
            Limit::Resolution {
                width,
                height,
                max_width,
                max_height,
            } => write!(
                f,
                "resolution {width}x{height} exceeds the limit of {max_width}x{max_height}"
            ),
            Limit::Size { bytes, max } => {
                write!(f, "size {bytes} bytes exceeds the limit of {max} bytes")
            }
        }
    }
}

impl MediaError {
    /// True when the input itself is at fault: retrying cannot help and the
    /// message is safe to show to the person who uploaded it.
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            MediaError::Empty
                | MediaError::UnrecognisedFormat { .. }
                | MediaError::Corrupt { .. }
                | MediaError::NoStreams
                | MediaError::UnsupportedCodec { .. }
                | MediaError::LimitExceeded(_)
        )
    }

    /// A stable, machine-readable code for APIs and metrics.
    pub fn error_code(&self) -> &'static str {
        match self {
            MediaError::Empty => "media_empty",
            MediaError::UnrecognisedFormat { .. } => "media_unrecognised_format",
            MediaError::Corrupt { .. } => "media_corrupt",
            MediaError::NoStreams => "media_no_streams",
            MediaError::UnsupportedCodec { .. } => "media_unsupported_codec",
            MediaError::LimitExceeded(Limit::Duration { .. } | Limit::DecodedDuration { .. }) => {
                "media_too_long"
            }
            MediaError::LimitExceeded(Limit::Resolution { .. }) => "media_resolution_too_high",
            MediaError::LimitExceeded(Limit::Size { .. }) => "media_too_large",
            MediaError::Io(_) => "media_io",
            MediaError::Stopped => "media_stopped",
            MediaError::InvalidOptions(_) => "media_invalid_options",
            MediaError::Internal(_) => "media_internal",
        }
    }
}
