//! How it was said: loudness, noise, voice activity and pauses, pitch.
//!
//! One streaming pass over 16 kHz mono samples, pushed in chunks of any
//! size. Memory does not grow with the recording's length beyond the coarse
//! series kept for the report (one loudness value a second, one pitch value
//! per track interval, one span per segment and pause).
//!
//! The samples go two ways: into the EBU R 128 meter (loudness, peak,
//! clipping), and into 10-ms frames (level, YIN pitch). Frames go through
//! voice activity, decided against a local noise floor half a noise window
//! (4 s by default) behind the input, and the decisions feed the segments
//! and pauses, the pitch statistics and the background-noise estimate. The
//! quality verdict at the end says whether the recording can be scored.
//!
//! ```
//! use candor_audio::{AudioAnalyzer, AudioConfig};
//! let mut analyzer = AudioAnalyzer::new(AudioConfig::default())?;
//! analyzer.push(&vec![0.0; 16_000])?;
//! let analysis = analyzer.finish()?;
//! assert!(!analysis.quality.scorable);
//! # Ok::<(), candor_audio::AudioError>(())
//! ```

mod analysis;
mod config;
mod error;
mod frames;
mod histogram;
mod loudness;
mod pitch;
mod quality;
mod segments;
mod vad;

pub use analysis::{
    AudioAnalysis, Clipping, Loudness, Noise, Pause, PauseKind, Pitch, PitchPoint, Quality,
    QualityIssue, ShortTermLoudness, SpeechActivity,
};
pub use config::AudioConfig;
pub use error::AudioError;

use frames::{Frame, Framer};
use histogram::Histogram;
use loudness::LoudnessMeter;
use pitch::PitchStats;
use quality::NoiseMeter;
use segments::Segmenter;
use vad::{Decision, Vad};

/// The sample rate the analyzer expects, Hz (the decoder resamples to it).
pub const SAMPLE_RATE_HZ: u32 = 16_000;
/// Analysis hop: one frame every 10 ms, the usual step of speech analysis.
const HOP: usize = 160;
const HOP_S: f64 = HOP as f64 / SAMPLE_RATE_HZ as f64;
const FRAMES_PER_S: f64 = SAMPLE_RATE_HZ as f64 / HOP as f64;

/// Seconds at the start of frame `index` (or spanned by `index` frames).
/// Dividing by the exact frame rate keeps times such as 2.8 s free of
/// floating-point tails in the report.
fn frame_time(index: u64) -> f64 {
    index as f64 / FRAMES_PER_S
}

/// Streaming analysis of one recording: [`push`](Self::push) samples as they
/// are decoded, then [`finish`](Self::finish).
pub struct AudioAnalyzer {
    config: AudioConfig,
    total_samples: u64,
    loudness: LoudnessMeter,
    framer: Framer,
    frames: FrameStages,
}

/// What happens to each measured frame: its level joins the histogram, and
/// it goes through voice activity to the consumers of decisions.
struct FrameStages {
    levels: Histogram,
    vad: Vad,
    decided: DecisionSinks,
}

/// The consumers of voice-activity decisions.
struct DecisionSinks {
    segmenter: Segmenter,
    pitch: PitchStats,
    noise: NoiseMeter,
}

impl DecisionSinks {
    fn take(&mut self, decision: &Decision) {
        self.segmenter.add(decision);
        self.pitch.add(decision);
        self.noise.add(decision);
    }
}

impl FrameStages {
    fn frame(&mut self, frame: Frame) {
        self.levels.add(frame.level_db);
        let decided = &mut self.decided;
        self.vad.push(frame, &mut |d| decided.take(&d));
    }

    /// Decides the frames still waiting for look-ahead.
    fn finish(&mut self) {
        let decided = &mut self.decided;
        self.vad.finish(&mut |d| decided.take(&d));
    }
}

impl AudioAnalyzer {
    /// Fails only on a configuration whose thresholds cannot work together.
    pub fn new(config: AudioConfig) -> Result<Self, AudioError> {
        config.validate()?;
        Ok(Self {
            total_samples: 0,
            loudness: LoudnessMeter::new(&config)?,
            framer: Framer::new(&config),
            frames: FrameStages {
                // Frame levels in quarter-dB bins, from the floor to +10 dBFS.
                levels: Histogram::new(config.level_floor_dbfs, 10.0, 0.25),
                vad: Vad::new(&config),
                decided: DecisionSinks {
                    segmenter: Segmenter::new(&config),
                    pitch: PitchStats::new(&config),
                    noise: NoiseMeter::default(),
                },
            },
            config,
        })
    }

    /// Analyses the next samples (16 kHz mono, full scale ±1.0). A chunk
    /// holding NaN or infinity is refused whole, and the analyzer stays
    /// usable.
    pub fn push(&mut self, samples: &[f32]) -> Result<(), AudioError> {
        if let Some((index, &value)) = samples.iter().enumerate().find(|(_, s)| !s.is_finite()) {
            return Err(AudioError::NonFiniteSample { index, value });
        }
        self.loudness.push(samples)?;
        let stages = &mut self.frames;
        self.framer.push(samples, &mut |f| stages.frame(f));
        self.total_samples += samples.len() as u64;
        Ok(())
    }

    /// Seconds of audio pushed so far.
    pub fn duration_s(&self) -> f64 {
        self.total_samples as f64 / f64::from(SAMPLE_RATE_HZ)
    }

    /// Completes the last frames and returns the analysis.
    pub fn finish(mut self) -> Result<AudioAnalysis, AudioError> {
        let duration_s = self.duration_s();
        let stages = &mut self.frames;
        self.framer
            .finish(self.total_samples, &mut |f| stages.frame(f));
        stages.finish();
        let FrameStages {
            levels, decided, ..
        } = self.frames;
        let (speech, speech_power) = decided.segmenter.finish(duration_s);
        let noise = decided.noise.finish(&speech_power, &levels, &self.config);
        let loudness = self.loudness.finish(self.total_samples)?;
        let quality = quality::verdict(&speech, &loudness, &noise, &self.config);
        Ok(AudioAnalysis {
            duration_s,
            loudness,
            noise,
            speech,
            pitch: decided.pitch.finish(&self.config),
            quality,
        })
    }
}
