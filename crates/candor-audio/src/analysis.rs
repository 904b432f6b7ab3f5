//! What the audio analysis reports. Units are in the field names: `_s`
//! seconds, `_hz` hertz, `_db` decibels, `_dbfs` decibels relative to full
//! scale, `_lufs` / `_lu` EBU R 128 loudness units.

use candor_domain::Span;
use serde::{Deserialize, Serialize};

/// The whole "how it was said" analysis of one recording.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AudioAnalysis {
    /// Length of the audio analysed, seconds.
    pub duration_s: f64,
    pub loudness: Loudness,
    pub noise: Noise,
    pub speech: SpeechActivity,
    pub pitch: Pitch,
    /// Whether the recording is good enough to score, and if not, why.
    pub quality: Quality,
}

/// Loudness after EBU R 128 / ITU-R BS.1770, plus clipping.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Loudness {
    /// Gated integrated loudness of the whole recording, LUFS; `None` when
    /// nothing rose above the absolute gate (-70 LUFS), e.g. silence.
    pub integrated_lufs: Option<f64>,
    /// Loudness range (EBU Tech 3342), LU.
    pub loudness_range_lu: f64,
    /// Highest sample magnitude, dBFS; `None` for all-zero audio.
    pub sample_peak_dbfs: Option<f64>,
    /// Short-term loudness (3-s window; over the first two seconds, the
    /// audio so far) at the end of every second.
    pub short_term: Vec<ShortTermLoudness>,
    pub clipping: Clipping,
}

/// One point of the short-term loudness series.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ShortTermLoudness {
    /// End of the window, seconds from the start.
    pub t_s: f64,
    /// Loudness of the window, LUFS; `None` when the window is silent.
    pub lufs: Option<f64>,
}

/// Samples at (or beyond) full scale.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Clipping {
    /// Samples whose magnitude reached the clip level.
    pub clipped_samples: u64,
    /// Runs of consecutive clipped samples at least the configured length
    /// long ("overs").
    pub runs: u64,
    /// Share of all samples that lie in such runs, 0..1.
    pub run_sample_ratio: f64,
    /// Longest run of consecutive clipped samples, samples.
    pub longest_run_samples: u64,
}

/// Background noise and signal-to-noise ratio.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Noise {
    /// Mean level of the audio outside speech, dBFS (clamped at the
    /// configured floor, -100 dBFS by default). With under a second of
    /// non-speech, the low percentile of all frame levels stands in.
    pub noise_floor_dbfs: f64,
    /// Mean level of the speech alone, noise power removed, dBFS; `None`
    /// without speech.
    pub speech_level_dbfs: Option<f64>,
    /// Speech level minus noise floor, dB; `None` without speech.
    pub snr_db: Option<f64>,
}

/// Where the candidate spoke and where they paused.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SpeechActivity {
    /// Stretches of speech, seconds. Silences shorter than the minimum
    /// pause (breaths, comma pauses) are inside a segment.
    pub segments: Vec<Span>,
    /// Silences between segments; never the silence before the first or
    /// after the last segment.
    pub pauses: Vec<Pause>,
    /// Sum of the segments' durations, seconds.
    pub talk_time_s: f64,
    /// Talk time over the time from the first segment's start to the last
    /// segment's end (the phonation-time ratio of fluency research), 0..1;
    /// lead-in and trailing silence do not count against the speaker.
    pub speaking_time_ratio: f64,
    /// Silence before the first segment, seconds.
    pub leading_silence_s: f64,
    /// Silence after the last segment, seconds.
    pub trailing_silence_s: f64,
}

/// A silence between two stretches of speech.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Pause {
    pub span: Span,
    pub duration_s: f64,
    pub kind: PauseKind,
}

/// How a pause reads to a listener (the bounds are Candor heuristics, see
/// the audio configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PauseKind {
    /// At least the minimum pause (0.5 s) and under the hesitation bound.
    Short,
    /// At least ~1.2 s: reads as uncertainty.
    Hesitation,
    /// At least ~2.5 s.
    Long,
}

/// Fundamental frequency (F0) of the voiced speech.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Pitch {
    /// Median F0 over voiced speech frames, Hz.
    pub median_hz: Option<f64>,
    /// Standard deviation of F0 in semitones (a log scale, so it compares
    /// low and high voices fairly).
    pub std_semitones: Option<f64>,
    /// Distance from the 10th to the 90th percentile of F0, semitones.
    pub p10_p90_range_semitones: Option<f64>,
    /// Share of speech frames that are voiced, 0..1.
    pub voiced_ratio: f64,
    /// Voiced speech measured, seconds.
    pub voiced_s: f64,
    /// True when the pitch varies less than the configured standard
    /// deviation; `None` with too little voiced speech to tell.
    pub monotone: Option<bool>,
    /// Coarse pitch track: the median F0 of each interval that has voiced
    /// speech.
    pub track: Vec<PitchPoint>,
}

/// One point of the coarse pitch track.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PitchPoint {
    /// Start of the interval, seconds.
    pub t_s: f64,
    pub hz: f64,
}

/// Whether the recording can be scored. `issues` is empty when it can.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Quality {
    pub scorable: bool,
    pub issues: Vec<QualityIssue>,
}

/// A reason not to score the "how it was said" dimensions.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "issue", rename_all = "snake_case")]
pub enum QualityIssue {
    /// No speech was detected at all.
    NoSpeech,
    /// Integrated loudness under the configured minimum.
    TooQuiet {
        integrated_lufs: Option<f64>,
        min_lufs: f64,
    },
    /// Signal-to-noise ratio under the configured minimum.
    TooNoisy { snr_db: f64, min_snr_db: f64 },
    /// Too many samples in clipping runs.
    Clipped {
        run_sample_ratio: f64,
        max_ratio: f64,
    },
}

impl std::fmt::Display for QualityIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            QualityIssue::NoSpeech => write!(f, "no speech was detected"),
            QualityIssue::TooQuiet { integrated_lufs: Some(l), min_lufs } => {
                write!(f, "the recording is too quiet ({l:.1} LUFS, needs at least {min_lufs:.0} LUFS)")
            }
            QualityIssue::TooQuiet { integrated_lufs: None, .. } => write!(f, "the recording is silent"),
            QualityIssue::TooNoisy { snr_db, min_snr_db } => write!(
                f,
                "background noise is too loud (speech is {snr_db:.1} dB above it, needs {min_snr_db:.0} dB)"
            ),
            QualityIssue::Clipped { run_sample_ratio, .. } => write!(
                f,
                "the recording is clipped ({:.2} % of samples at full scale)",
                run_sample_ratio * 100.0
            ),
        }
    }
}
