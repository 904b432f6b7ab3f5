use std::path::{Path, PathBuf};

/// Everything that can go wrong in transcription. [`WhisperError::is_bad_input`]
/// tells the caller's input (audio, options) from a broken installation or a
/// native failure, so a job runner can abort rather than retry.
#[derive(Debug, thiserror::Error)]
pub enum WhisperError {
    #[error(
        "Whisper model file {path} is missing or unreadable ({reason}); \
         pass --model DIR with a faster-whisper model directory \
         (model.bin, config.json, vocabulary.txt or .json)"
    )]
    ModelFile { path: PathBuf, reason: String },

    #[error("CTranslate2 could not load the Whisper model in {dir}: {reason}; pass --model DIR with a faster-whisper model directory")]
    ModelLoad { dir: PathBuf, reason: String },

    #[error("audio is not 16 kHz mono f32 in -1..1: {0}")]
    BadAudio(String),

    #[error("invalid transcription options: {0}")]
    BadOptions(String),

    #[error("CTranslate2 failed while {stage}: {reason}")]
    Native { stage: &'static str, reason: String },
}

impl WhisperError {
    /// True when the input (audio or options) is at fault and retrying the
    /// same request cannot succeed.
    pub fn is_bad_input(&self) -> bool {
        matches!(self, Self::BadAudio(_) | Self::BadOptions(_))
    }

    /// Wraps a ct2rs failure (reported as `anyhow::Error`) with what we were doing.
    pub(crate) fn native(stage: &'static str) -> impl FnOnce(anyhow::Error) -> Self {
        move |e| Self::Native {
            stage,
            reason: format!("{e:#}"),
        }
    }
}

pub(crate) fn read_model_file(path: &Path) -> Result<String, WhisperError> {
    std::fs::read_to_string(path).map_err(|e| WhisperError::ModelFile {
        path: path.to_owned(),
        reason: e.to_string(),
    })
}
