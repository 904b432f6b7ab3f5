//! The one error type of this crate.

/// What can go wrong in the audio analysis. [`AudioError::is_bad_input`]
/// tells a caller whether to give up on the recording (bad input, never
/// retry) or to treat it as our failure.
#[derive(Debug, thiserror::Error)]
pub enum AudioError {
    /// The configuration's thresholds cannot work together.
    #[error("invalid audio configuration: {0}")]
    InvalidConfig(String),
    /// A decoded sample is NaN or infinite: the decoder or the media is
    /// broken, and every number computed from it would be meaningless.
    #[error("sample {index} of the pushed chunk is not a finite number ({value})")]
    NonFiniteSample { index: usize, value: f32 },
    /// The loudness meter refused an operation; a bug on our side.
    #[error("loudness meter failed: {0}")]
    Loudness(#[from] ebur128::Error),
}

impl AudioError {
    /// True when the caller's input (configuration or samples) is at fault.
    pub fn is_bad_input(&self) -> bool {
        match self {
            AudioError::InvalidConfig(_) | AudioError::NonFiniteSample { .. } => true,
            AudioError::Loudness(_) => false,
        }
    }

    /// A stable code for logs and API responses.
    pub fn code(&self) -> &'static str {
        match self {
            AudioError::InvalidConfig(_) => "audio_invalid_config",
            AudioError::NonFiniteSample { .. } => "audio_non_finite_sample",
            AudioError::Loudness(_) => "audio_loudness_internal",
        }
    }
}
