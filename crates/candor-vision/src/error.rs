//! The one error type of this crate.

/// What can go wrong in the vision analysis. [`VisionError::is_bad_input`]
/// tells a caller whether the recording (or configuration) is at fault —
/// give up, never retry — or whether it is our failure.
#[derive(Debug, thiserror::Error)]
pub enum VisionError {
    /// The configuration's values cannot work together.
    #[error("invalid vision configuration: {0}")]
    InvalidConfig(String),
    /// A frame whose buffer does not match its stated size, or whose time is
    /// not a finite number.
    #[error("invalid frame: {0}")]
    InvalidFrame(String),
    /// A model file (cascade, shape predictor) is missing or unreadable.
    #[error("cannot load model {path}: {reason}")]
    Model { path: String, reason: String },
    /// OpenCV failed on an operation that should not fail; a bug on our side.
    #[error("OpenCV failed: {0}")]
    OpenCv(#[from] opencv::Error),
    /// dlib threw (caught at the C++ boundary) on an operation that should
    /// not fail.
    #[error("dlib failed: {0}")]
    Dlib(String),
    /// The analysis failed on most frames (each failure skipped its frame;
    /// see `VisionAnalyzer::push`).
    #[error("the visual analysis failed on {failed} of {total} frames (first: {first})")]
    FramesFailed {
        failed: u64,
        total: u64,
        first: String,
    },
}

impl VisionError {
    /// True when the caller's input (configuration or frames) is at fault.
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            VisionError::InvalidConfig(_) | VisionError::InvalidFrame(_)
        )
    }

    /// A stable code for logs and API responses.
    pub fn code(&self) -> &'static str {
        match self {
            VisionError::InvalidConfig(_) => "vision_invalid_config",
            VisionError::InvalidFrame(_) => "vision_invalid_frame",
            VisionError::Model { .. } => "vision_model_unavailable",
            VisionError::OpenCv(_) => "vision_opencv_internal",
            VisionError::Dlib(_) => "vision_dlib_internal",
            VisionError::FramesFailed { .. } => "vision_frames_failed",
        }
    }
}
