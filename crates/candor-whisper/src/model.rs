//! The loaded model: CTranslate2's Whisper plus everything read from the
//! model directory. Load once per process and share it (`Arc`); it is
//! `Send + Sync`, and CTranslate2 queues concurrent requests itself.

use std::path::{Path, PathBuf};

use ct2rs::sys::{self, StorageView, WhisperAlignmentResult, WhisperOptions};
use serde::Deserialize;

use crate::error::{read_model_file, WhisperError};
use crate::mel::{LogMel, WINDOW_FRAMES};
use crate::options::{ComputeType, ModelOptions};
use crate::vocab::Vocabulary;

/// The parts of a faster-whisper `config.json` we use. CTranslate2 reads the
/// same file itself for the alignment heads that `align` uses.
#[derive(Debug, Deserialize)]
struct ModelConfig {
    #[serde(default)]
    suppress_ids: Vec<i32>,
    #[serde(default)]
    lang_ids: Vec<usize>,
    #[serde(default)]
    alignment_heads: Vec<(usize, usize)>,
}

pub struct WhisperModel {
    dir: PathBuf,
    whisper: sys::Whisper,
    pub(crate) vocab: Vocabulary,
    pub(crate) mel: LogMel,
    suppress_ids: Vec<i32>,
    /// ISO codes of the languages a multilingual model knows (empty for `.en`).
    languages: Vec<String>,
}

impl std::fmt::Debug for WhisperModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WhisperModel")
            .field("dir", &self.dir)
            .field("multilingual", &self.is_multilingual())
            .field("n_mels", &self.mel.n_mels())
            .finish()
    }
}

impl WhisperModel {
    /// Loads a faster-whisper model directory (`model.bin`, `config.json`,
    /// `vocabulary.txt` or `vocabulary.json`; `tokenizer.json` is not needed).
    pub fn load(dir: impl AsRef<Path>, options: &ModelOptions) -> Result<Self, WhisperError> {
        let dir = dir.as_ref().to_owned();
        let bin = dir.join("model.bin");
        std::fs::metadata(&bin).map_err(|e| WhisperError::ModelFile {
            path: bin.clone(),
            reason: e.to_string(),
        })?;
        let config_path = dir.join("config.json");
        let config: ModelConfig =
            serde_json::from_str(&read_model_file(&config_path)?).map_err(|e| {
                WhisperError::ModelFile {
                    path: config_path,
                    reason: e.to_string(),
                }
            })?;
        let vocab = Vocabulary::load(&dir)?;
        let ct2_config = sys::Config {
            compute_type: match options.compute_type {
                ComputeType::Int8 => sys::ComputeType::INT8,
                ComputeType::Float32 => sys::ComputeType::FLOAT32,
                ComputeType::Auto => sys::ComputeType::AUTO,
            },
            num_threads_per_replica: match options.threads {
                0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
                n => n,
            },
            ..Default::default()
        };
        let whisper = sys::Whisper::new(&dir, ct2_config).map_err(|e| WhisperError::ModelLoad {
            dir: dir.clone(),
            reason: format!("{e:#}"),
        })?;
        // `.en` configs carry the multilingual numbering of lang_ids, which
        // names other tokens in their vocabulary: ignore it there.
        let multilingual = whisper.is_multilingual();
        let languages = config
            .lang_ids
            .iter()
            .filter_map(|&id| vocab.token(id))
            .filter_map(|t| t.strip_prefix("<|")?.strip_suffix("|>").map(str::to_owned))
            .filter(|_| multilingual)
            .collect();
        tracing::debug!(
            dir = %dir.display(),
            multilingual,
            alignment_heads = config.alignment_heads.len(),
            "loaded Whisper model"
        );
        Ok(Self {
            mel: LogMel::new(whisper.n_mels()),
            dir,
            whisper,
            vocab,
            suppress_ids: config.suppress_ids,
            languages,
        })
    }

    pub fn is_multilingual(&self) -> bool {
        self.whisper.is_multilingual()
    }

    /// Whether `code` (ISO 639-1) is a language this model transcribes.
    pub fn supports_language(&self, code: &str) -> bool {
        if self.is_multilingual() {
            self.languages.iter().any(|l| l == code)
        } else {
            code == "en"
        }
    }

    /// Suppressed ids: `-1` expands to config.json's list; the task and
    /// prompt tokens are never generated (as in openai/whisper).
    pub(crate) fn suppress_tokens(&self, requested: &[i32]) -> Vec<i32> {
        let s = &self.vocab.specials;
        let mut ids: Vec<i32> = requested
            .iter()
            .flat_map(|&t| {
                if t == -1 {
                    self.suppress_ids.clone()
                } else {
                    vec![t]
                }
            })
            .chain([s.transcribe, s.translate, s.sot, s.sot_prev, s.sot_lm].map(|t| t as i32))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// Encoder output for one window of log-mel features.
    pub(crate) fn encode(&self, mel: &mut [f32]) -> Result<StorageView<'static>, WhisperError> {
        let n_mels = self.mel.n_mels();
        let features = StorageView::new(&[1, n_mels, WINDOW_FRAMES], mel, Default::default())
            .map_err(WhisperError::native("building the feature tensor"))?;
        let started = std::time::Instant::now();
        let encoded = self.whisper.encode(&features, true);
        tracing::debug!(ms = started.elapsed().as_millis() as u64, "whisper encode");
        encoded.map_err(WhisperError::native("encoding"))
    }

    /// Most probable language code of a window and its probability
    /// (multilingual models only).
    pub(crate) fn detect_language(
        &self,
        encoded: &StorageView<'_>,
    ) -> Result<Option<(String, f32)>, WhisperError> {
        let found = self
            .whisper
            .detect_language(encoded)
            .map_err(WhisperError::native("detecting the language"))?;
        // ct2rs keeps `DetectionResult`'s fields private to its crate; its
        // derived Debug output is the only public view of them:
        // `DetectionResult { language: "<|de|>", probability: 0.97 }`.
        Ok(found.first().and_then(|r| r.first()).and_then(|d| {
            let debug = format!("{d:?}");
            let rest = debug.split_once("language: \"<|")?.1;
            let (code, rest) = rest.split_once("|>\"")?;
            let probability = rest
                .split_once("probability: ")?
                .1
                .trim_end_matches([' ', '}'])
                .parse()
                .ok()?;
            Some((code.to_owned(), probability))
        }))
    }

    pub(crate) fn generate(
        &self,
        encoded: &StorageView<'_>,
        prompt: &[&str],
        options: &WhisperOptions,
    ) -> Result<sys::WhisperGenerationResult, WhisperError> {
        let started = std::time::Instant::now();
        let generated = self.whisper.generate(encoded, &[prompt.to_vec()], options);
        tracing::debug!(
            ms = started.elapsed().as_millis() as u64,
            "whisper generate"
        );
        generated
            .map_err(WhisperError::native("decoding"))?
            .into_iter()
            .next()
            .ok_or(WhisperError::Native {
                stage: "decoding",
                reason: "no result".into(),
            })
    }

    pub(crate) fn align(
        &self,
        encoded: &StorageView<'_>,
        start_sequence: &[usize],
        text_tokens: Vec<usize>,
        num_frames: usize,
    ) -> Result<WhisperAlignmentResult, WhisperError> {
        // Median filter width 7: openai/whisper's and faster-whisper's default.
        let started = std::time::Instant::now();
        let aligned = self
            .whisper
            .align(encoded, start_sequence, &[text_tokens], &[num_frames], 7);
        tracing::debug!(ms = started.elapsed().as_millis() as u64, "whisper align");
        aligned
            .map_err(WhisperError::native("aligning words"))?
            .into_iter()
            .next()
            .ok_or(WhisperError::Native {
                stage: "aligning words",
                reason: "no result".into(),
            })
    }
}
