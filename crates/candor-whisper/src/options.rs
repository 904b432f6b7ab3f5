//! Options for loading the model and for one transcription.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// How CTranslate2 runs the model. Loaded once per process.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ModelOptions {
    /// Intra-op threads for CTranslate2; 0 (the default) uses every core.
    pub threads: usize,
    pub compute_type: ComputeType,
}

impl Default for ModelOptions {
    fn default() -> Self {
        Self {
            threads: 0,
            compute_type: ComputeType::Int8,
        }
    }
}

/// Weight precision. int8 is what faster-whisper recommends on CPU: about
/// twice as fast as float32 with no measurable loss on tiny/base models.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ComputeType {
    Int8,
    Float32,
    /// Let CTranslate2 pick the fastest type the CPU supports.
    Auto,
}

/// What one transcription does. Defaults follow faster-whisper's
/// `transcribe()` defaults unless the doc says otherwise, and why.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TranscribeOptions {
    /// ISO 639-1 code to force (multilingual models); `None` detects it on the
    /// first window. English-only (`.en`) models accept only `None` or "en".
    pub language: Option<String>,
    /// Prompt the decoder with disfluent text through `<|startofprev|>` so that
    /// it keeps "um" and "uh", which Whisper drops by default (the
    /// `measure_the_disfluency_prompt` test measures it).
    pub disfluency_prompt: bool,
    /// The disfluent text per language (ISO 639-1), written in that
    /// language: Whisper continues in the prompt's language, so an English
    /// prompt turned German speech into English. A language not listed is
    /// transcribed without one. Keep them short: a long prompt makes Whisper
    /// skip speech (faster-whisper issue reports).
    pub disfluency_prompts: BTreeMap<String, String>,
    /// Feed the previous window's text as context (faster-whisper's
    /// `condition_on_previous_text`).
    pub condition_on_previous_text: bool,
    /// At most this many previous-text tokens in the prompt. Whisper allows
    /// 223 (`max_length / 2 − 1`), but measured on a 3-minute
    /// make-interview.py answer (tiny.en), 223 let the decoder drift into
    /// unpunctuated text that buried the disfluency prompt: "um"/"uh" recall
    /// 50 %, word coverage 90.6 %; 96 tokens gave 91.7 % and 91.8 %.
    pub max_previous_tokens: usize,
    /// Forget the previous text after a window decoded at a temperature above
    /// this (faster-whisper's `prompt_reset_on_temperature`, 0.5): that text is
    /// unreliable context.
    pub prompt_reset_on_temperature: f32,
    /// Beam width at temperature 0; 1 is greedy.
    pub beam_size: usize,
    /// Candidates sampled at each temperature above 0, one at a time until
    /// one passes the checks (faster-whisper samples `best_of` = 5 at once
    /// and keeps the likeliest).
    pub best_of: usize,
    /// Temperature fallback ladder (openai/whisper: 0.0, 0.2, …, 1.0).
    pub temperatures: Vec<f32>,
    /// Text whose gzip compression ratio exceeds this is a repetition loop;
    /// retry hotter (openai/whisper: 2.4).
    pub compression_ratio_threshold: f64,
    /// Mean token log-probability under this is a failed decode; retry hotter
    /// (openai/whisper: −1.0).
    pub log_prob_threshold: f64,
    /// A window with `<|nospeech|>` probability above this and a mean log-prob
    /// under `log_prob_threshold` is silence; skip it (openai/whisper: 0.6).
    pub no_speech_threshold: f32,
    /// Word-level timestamps through cross-attention alignment.
    pub word_timestamps: bool,
    /// Suppress a blank first token (openai/whisper default).
    pub suppress_blank: bool,
    /// Token ids never to generate; −1 stands for the model's `suppress_ids`
    /// from config.json (openai/whisper default `[-1]`).
    pub suppress_tokens: Vec<i32>,
    /// The first timestamp may be at most this late, seconds (openai/whisper: 1.0).
    pub max_initial_timestamp: f32,
    /// Signal guards; see [`SignalGuards`].
    pub guards: SignalGuards,
}

impl Default for TranscribeOptions {
    fn default() -> Self {
        Self {
            language: None,
            disfluency_prompt: true,
            disfluency_prompts: [
                (
                    "en",
                    "Umm, let me think like, hmm... Okay, here's what I'm, like, thinking.",
                ),
                // Spelled as the word lists in candor-content's
                // data/lexicon/LANG.toml list the language's fillers.
                (
                    "es",
                    "Eh, bueno, a ver... este, o sea, mmm, lo que pasó fue eso.",
                ),
                (
                    "de",
                    "Ähm, also, äh... das war halt, hm, sozusagen der Anfang, ne.",
                ),
                (
                    "fr",
                    "Euh, bon, alors... du coup, hum, en fait, c'était ça, quoi.",
                ),
                (
                    "pt",
                    "Hã, bom, então... tipo, ahn, né, na verdade foi isso, hum.",
                ),
                (
                    "it",
                    "Ehm, allora, cioè... eh, tipo, praticamente, mh, è andata così.",
                ),
            ]
            .into_iter()
            .map(|(code, text)| (code.to_owned(), text.to_owned()))
            .collect(),
            condition_on_previous_text: true,
            max_previous_tokens: 96,
            prompt_reset_on_temperature: 0.5,
            beam_size: 1,
            best_of: 5,
            temperatures: vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0],
            compression_ratio_threshold: 2.4,
            log_prob_threshold: -1.0,
            no_speech_threshold: 0.6,
            word_timestamps: true,
            suppress_blank: true,
            suppress_tokens: vec![-1],
            max_initial_timestamp: 1.0,
            guards: SignalGuards::default(),
        }
    }
}

/// Checks of the decoded words against the signal's energy, our answer to two
/// failure modes faster-whisper users report: sentences hallucinated on
/// silence, and a prompt that makes the decoder skip whole stretches of speech.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SignalGuards {
    /// A 20-ms frame is voiced when louder than this, dBFS, and …
    pub voiced_min_dbfs: f32,
    /// … louder than the window's noise floor (10th-percentile frame) by this, dB.
    pub voiced_above_floor_db: f32,
    /// Drop a segment whose words lie on less than this share of voiced time
    /// (the `hallucination_silence_threshold` idea, decided from energy).
    pub min_voiced_share: f32,
    /// Voiced time, seconds, inside a stretch with no words that makes us
    /// re-decode the window without prompts (the coverage check).
    pub coverage_gap: f32,
}

impl Default for SignalGuards {
    fn default() -> Self {
        Self {
            // −50 dBFS is far below conversational speech (−30 … −15 dBFS) and
            // above the noise of a quiet room recorded at normal gain.
            voiced_min_dbfs: -50.0,
            // Speech peaks sit 15–30 dB over background noise; 10 dB keeps
            // soft syllables and rejects noise fluctuation.
            voiced_above_floor_db: 10.0,
            min_voiced_share: 0.2,
            coverage_gap: 2.0,
        }
    }
}
