//! Whisper speech recognition on CTranslate2, driven the way faster-whisper
//! drives it: our own log-mel per 30-s window, timestamp-based seeking so no
//! word is cut at a window boundary, temperature fallback, word timestamps
//! from cross-attention alignment, and guards against Whisper's known
//! failures (hallucination on silence, repetition loops, skipped speech).
//!
//! ```no_run
//! use std::sync::Arc;
//! use candor_whisper::{ModelOptions, TranscribeOptions, Transcriber, WhisperModel};
//!
//! let model = Arc::new(WhisperModel::load("/models/tiny.en", &ModelOptions::default())?);
//! let mut t = Transcriber::new(model, TranscribeOptions::default())?;
//! for chunk in [vec![0.0f32; 16_000]] {
//!     for segment in t.push(&chunk)? {
//!         println!("{:.2} {}", segment.start, segment.text);
//!     }
//! }
//! let transcript = t.finish()?;
//! # Ok::<(), candor_whisper::WhisperError>(())
//! ```

mod decode;
mod energy;
mod error;
mod mel;
mod model;
mod options;
mod transcriber;
mod vocab;
mod words;

pub use error::WhisperError;
pub use mel::SAMPLE_RATE;
pub use model::WhisperModel;
pub use options::{ComputeType, ModelOptions, SignalGuards, TranscribeOptions};
pub use transcriber::Transcriber;
