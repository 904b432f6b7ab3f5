//! Settings: built-in defaults, then an optional TOML file (`--config`,
//! `CANDOR_CONFIG`), then command-line flags. Every threshold documents its
//! source where it is defined; `candor config` prints them all with their
//! defaults (the same text as `config/candor.sample.toml`).

use std::path::{Path, PathBuf};

use candor_audio::AudioConfig;
use candor_content::{ContentConfig, Lexicons};
use candor_media::{DecodeOptions, MediaLimits};
use candor_report::ReportConfig;
use candor_vision::VisionConfig;
use candor_whisper::{ModelOptions, TranscribeOptions};
use serde::{Deserialize, Serialize};

use crate::failure::Failure;
use crate::pipeline::PipelineConfig;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// A word-list TOML file replacing or extending the built-in lexicon of
    /// the language its `[language] code` names, English when none (see
    /// crates/candor-content/data/lexicon/en.toml).
    pub lexicon: Option<PathBuf>,
    /// The Whisper model: a name from `candor models list` or a
    /// faster-whisper model directory. `--model` and `CANDOR_WHISPER_MODEL`
    /// override it.
    pub whisper_model: String,
    /// Limits a recording must pass before it is decoded.
    pub limits: MediaLimits,
    pub decode: DecodeOptions,
    pub audio: AudioConfig,
    pub model: ModelOptions,
    pub transcribe: TranscribeOptions,
    pub content: ContentConfig,
    /// Face tracking, eye contact, framing and lighting thresholds.
    pub vision: VisionConfig,
    /// Score curves of the report.
    pub report: ReportConfig,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            lexicon: None,
            whisper_model: crate::models::DEFAULT_MODEL.to_owned(),
            limits: MediaLimits::default(),
            decode: DecodeOptions::default(),
            audio: AudioConfig::default(),
            model: ModelOptions::default(),
            transcribe: TranscribeOptions::default(),
            content: ContentConfig::default(),
            vision: VisionConfig::default(),
            report: ReportConfig::default(),
        }
    }
}

impl Config {
    /// The Whisper model's directory: `flag` (`--model`,
    /// `CANDOR_WHISPER_MODEL`) or the configured model.
    pub fn model_dir(&self, flag: Option<&str>) -> Result<PathBuf, Failure> {
        crate::models::resolve(flag.unwrap_or(&self.whisper_model))
    }

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
            let line = e
                .span()
                .map(|span| text[..span.start].lines().count().max(1));
            let at = line.map_or_else(String::new, |l| format!(" (line {l})"));
            Failure::bad_input(
                format!(
                    "invalid config file {}{at}: {}",
                    path.display(),
                    e.message()
                ),
                "`candor config` prints every key with its default",
            )
        })
    }

    /// The defaults as TOML.
    pub fn defaults_toml() -> String {
        toml::to_string(&Self::default()).expect("the defaults serialise")
    }

    pub fn pipeline(&self) -> Result<PipelineConfig, Failure> {
        let lexicons = match &self.lexicon {
            None => Lexicons::default(),
            Some(path) => Lexicons::load(path).map_err(|e| {
                Failure::bad_input(
                    format!("lexicon {}: {e}", path.display()),
                    "see crates/candor-content/data/lexicon/en.toml for the format",
                )
            })?,
        };
        Ok(PipelineConfig {
            decode: self.decode.clone(),
            audio: self.audio.clone(),
            transcribe: self.transcribe.clone(),
            content: self.content.clone(),
            lexicons,
            vision: self.vision.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = include_str!("../../../config/candor.sample.toml");

    #[test]
    fn the_sample_config_lists_every_default() {
        let body: String = SAMPLE
            .lines()
            .skip_while(|l| l.starts_with('#') || l.is_empty())
            .map(|l| format!("{l}\n"))
            .collect();
        assert_eq!(
            body,
            Config::defaults_toml(),
            "config/candor.sample.toml is stale: regenerate it from `candor config`"
        );
    }

    #[test]
    fn a_partial_config_file_overrides_only_its_keys() {
        let config: Config =
            toml::from_str("[decode]\nfps = 2.0\n[report]\nmin_words = 5\n").unwrap();
        assert_eq!(config.decode.fps, 2.0);
        assert_eq!(config.report.min_words, 5);
        assert_eq!(config.limits, MediaLimits::default());
    }

    #[test]
    fn an_unknown_key_is_refused_with_a_pointer_to_the_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("candor.toml");
        std::fs::write(&path, "[decode]\nfsp = 2.0\n").unwrap();
        let failure = Config::load(Some(&path)).unwrap_err();
        assert!(failure.message.contains("fsp"), "{}", failure.message);
        assert!(failure.hint.unwrap().contains("candor config"));
    }
}
