//! Settings: built-in defaults, then an optional TOML file (`--config`,
//! `CANDOR_CONFIG`), then command-line flags. Every threshold documents its
//! source where it is defined; `candor config` prints them all with their
//! defaults (the same text as `config/candor.sample.toml`).

use std::path::{Path, PathBuf};

use candor_audio::AudioConfig;
use candor_content::{ContentConfig, Lexicon};
use candor_media::{DecodeOptions, MediaLimits};
use candor_report::ReportConfig;
use candor_whisper::{ModelOptions, TranscribeOptions};
use serde::{Deserialize, Serialize};

use crate::failure::Failure;
use crate::pipeline::PipelineConfig;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// A word-list TOML file replacing or extending the built-in lexicon
    /// (see crates/candor-content/data/lexicon.toml).
    pub lexicon: Option<PathBuf>,
    /// Limits a recording must pass before it is decoded.
    pub limits: MediaLimits,
    pub decode: DecodeOptions,
    pub audio: AudioConfig,
    pub model: ModelOptions,
    pub transcribe: TranscribeOptions,
    pub content: ContentConfig,
    /// Score curves of the report.
    pub report: ReportConfig,
}

impl Config {
    /// The defaults, overridden by the file when one is given.
    pub fn load(path: Option<&Path>) -> Result<Self, Failure> {
        let Some(path) = path else {
            return Ok(Self::default());
        };
        let text = std::fs::read_to_string(path).map_err(|e| {
            Failure::bad_input(
                format!("cannot read the config file {}: {e}", path.display()),
                "check --config / CANDOR_CONFIG",
            )
        })?;
        toml::from_str(&text).map_err(|e| {
            let first_line = e.to_string().lines().next().unwrap_or_default().to_string();
            Failure::bad_input(
                format!("invalid config file {}: {first_line}", path.display()),
                "`candor config` prints every key with its default",
            )
        })
    }

    /// The defaults as TOML.
    pub fn defaults_toml() -> String {
        toml::to_string(&Self::default()).expect("the defaults serialise")
    }

    pub fn pipeline(&self) -> Result<PipelineConfig, Failure> {
        let lexicon = match &self.lexicon {
            None => Lexicon::default(),
            Some(path) => Lexicon::load(path).map_err(|e| {
                Failure::bad_input(
                    format!("lexicon {}: {e}", path.display()),
                    "see crates/candor-content/data/lexicon.toml for the format",
                )
            })?,
        };
        Ok(PipelineConfig {
            decode: self.decode.clone(),
            audio: self.audio.clone(),
            transcribe: self.transcribe.clone(),
            content: self.content.clone(),
            lexicon,
        })
    }
}
