//! Every threshold the analysis uses, with where it comes from.

use serde::{Deserialize, Serialize};

use crate::AudioError;

/// Thresholds of the audio analysis. Each field documents its source; those
/// marked "heuristic" are our own calibration and are kept configurable so a
/// deployment can tune them without a rebuild.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AudioConfig {
    /// Frame levels are clamped to this floor, dBFS. Digital silence would
    /// otherwise be -inf; -100 dBFS sits just under the noise of 16-bit
    /// dither (about -101 dBFS RMS), so any real recording is above it.
    pub level_floor_dbfs: f64,
    /// Half-width of the window over which the local noise floor is taken,
    /// seconds (the window spans this much before and after each frame).
    /// Minimum-statistics noise trackers (Martin 2001) use windows of about
    /// 1.5 s; we use a wider, centred window so that a sentence without any
    /// gap still sees the silence around it. Decisions are delayed by this
    /// much, which bounds memory at `2 × this / 10 ms` frames.
    pub noise_window_s: f64,
    /// Percentile of 30-ms frame levels in the window taken as the noise
    /// floor. A low percentile is the noise, as in minimum statistics
    /// (Martin 2001); 5 % rather than the minimum resists single outliers.
    pub noise_percentile: f64,
    /// A run of frames is speech only if one of its frames rises this far
    /// above the local noise floor, dB (hysteresis, upper threshold).
    /// Heuristic: vowels of clean speech stand 20–40 dB above the room noise,
    /// 10 dB keeps noise bursts out while quiet speech still gets through.
    pub vad_onset_db: f64,
    /// Frames stay speech while they are this far above the noise floor, dB
    /// (hysteresis, lower threshold): weak word onsets and endings, such as
    /// fricatives, are kept with their vowel. Heuristic.
    pub vad_offset_db: f64,
    /// No frame quieter than this is speech, whatever the noise floor, dBFS.
    /// Keeps resampling ringing and dither in digital silence out. Heuristic:
    /// quiet speech (-50 LUFS) still has its vowels near -50 dBFS.
    pub vad_min_speech_dbfs: f64,
    /// Runs above the lower threshold shorter than this are clicks, not
    /// speech, seconds. Heuristic: a spoken syllable lasts well over 50 ms
    /// (Klatt 1976 on segment durations), a click or a tap a few ms.
    pub vad_min_run_s: f64,
    /// Speech continues this long after the last frame above threshold,
    /// seconds, so that a word's decaying end is not cut (the hangover of
    /// classic VADs, e.g. ITU-T G.729 Annex B). Kept short: the lower
    /// hysteresis threshold already holds weak word endings, and every
    /// frame of hangover shortens the pauses measured.
    pub vad_hangover_s: f64,
    /// A silence shorter than this is part of speech, seconds: breaths,
    /// stop closures and the short pauses at commas (about 0.2 s in
    /// espeak-ng's read speech). Candor reports pauses from 0.5 s (a
    /// Candor heuristic). Goldman-Eisler (1968) and De Jong & Bosker (2013) put the floor
    /// of meaningful silent pauses lower, at about 0.25 s; lower this to
    /// count those too.
    pub min_pause_s: f64,
    /// A burst of sound between silences, without voicing and no longer
    /// than this, is a breath or a noise, not speech, seconds; it does not
    /// split the pause around it. Heuristic: inhalations between phrases
    /// last about 0.2–0.6 s; a spoken word of that length has a vowel.
    /// Whispered speech has no voicing either and may be dropped.
    pub max_breath_s: f64,
    /// A pause at least this long reads as uncertainty, seconds (Candor
    /// heuristic: a mid-clause pause over ~1.2 s).
    pub hesitation_pause_s: f64,
    /// A pause at least this long is long, seconds (Candor heuristic: over
    /// ~2.5 s is long).
    pub long_pause_s: f64,
    /// Lowest fundamental frequency searched, Hz. 60–400 Hz covers adult
    /// speaking voices, from low male to high female (Titze 1994, ch. 7).
    pub pitch_min_hz: f64,
    /// Highest fundamental frequency searched, Hz (see `pitch_min_hz`).
    pub pitch_max_hz: f64,
    /// YIN aperiodicity threshold: a frame is voiced when its cumulative
    /// mean normalised difference dips below this. De Cheveigné & Kawahara
    /// (2002) use 0.1; 0.15 keeps more of slightly breathy speech.
    pub yin_threshold: f64,
    /// An estimate within this many semitones of an octave away from the
    /// recent pitch is folded back into that octave (octave-error guard),
    /// semitones. Heuristic: genuine jumps of a whole octave within a few
    /// frames do not occur in speech, octave errors of YIN do.
    pub octave_guard_semitones: f64,
    /// Spacing of the coarse pitch track kept for the report, seconds.
    pub pitch_track_interval_s: f64,
    /// Speech whose pitch standard deviation is below this is monotone,
    /// semitones. Heuristic. Related measure: Hincks (2005) rated the
    /// liveliness of presentations by the pitch variation quotient (std/mean
    /// of F0 in Hz); 2 semitones of std is a quotient of about 0.12.
    pub monotone_max_std_semitones: f64,
    /// Pitch statistics need at least this much voiced speech, seconds;
    /// with less, the monotone flag is not set either way.
    pub min_voiced_s: f64,
    /// A sample at or above this magnitude is clipped (full scale is 1.0).
    pub clip_level: f64,
    /// Consecutive clipped samples that count as a clipping run. Peak meters
    /// count an "over" at three consecutive full-scale samples (the
    /// convention of CD mastering meters); a single full-scale sample may be
    /// a legitimate peak.
    pub clip_run_min_samples: u32,
    /// Quality gate: integrated loudness below this is too quiet to score,
    /// LUFS. Heuristic: 17 LU under the EBU R 128 target of -23 LUFS, where
    /// a recording needs about 30 dB of gain to be heard comfortably.
    pub min_integrated_lufs: f64,
    /// Quality gate: a signal-to-noise ratio below this is too noisy to
    /// score, dB. Heuristic anchored on ASR benchmarks (Aurora-2, Hirsch &
    /// Pearce 2000), where recognition degrades sharply below 10 dB SNR.
    pub min_snr_db: f64,
    /// Quality gate: more than this share of samples in clipping runs makes
    /// the recording clipped, 0..1. Heuristic: 0.1 % of samples is audible
    /// distortion on speech and far above what occasional peaks produce.
    pub max_clipped_ratio: f64,
}

impl Default for AudioConfig {
    fn default() -> Self {
        Self {
            level_floor_dbfs: -100.0,
            noise_window_s: 4.0,
            noise_percentile: 5.0,
            vad_onset_db: 10.0,
            vad_offset_db: 5.0,
            vad_min_speech_dbfs: -70.0,
            vad_min_run_s: 0.05,
            vad_hangover_s: 0.03,
            min_pause_s: 0.5,
            max_breath_s: 0.6,
            hesitation_pause_s: 1.2,
            long_pause_s: 2.5,
            pitch_min_hz: 60.0,
            pitch_max_hz: 400.0,
            yin_threshold: 0.15,
            octave_guard_semitones: 2.0,
            pitch_track_interval_s: 0.2,
            monotone_max_std_semitones: 2.0,
            min_voiced_s: 1.0,
            clip_level: 0.999,
            clip_run_min_samples: 3,
            min_integrated_lufs: -40.0,
            min_snr_db: 10.0,
            max_clipped_ratio: 0.001,
        }
    }
}

impl AudioConfig {
    /// Checks that the thresholds are usable together, so that the analysis
    /// never runs with, say, a pitch range that cannot hold a period.
    pub fn validate(&self) -> Result<(), AudioError> {
        let bad = |why: &str| Err(AudioError::InvalidConfig(why.to_owned()));
        let all = [
            self.level_floor_dbfs,
            self.noise_window_s,
            self.noise_percentile,
            self.vad_onset_db,
            self.vad_offset_db,
            self.vad_min_speech_dbfs,
            self.vad_min_run_s,
            self.vad_hangover_s,
            self.min_pause_s,
            self.max_breath_s,
            self.hesitation_pause_s,
            self.long_pause_s,
            self.pitch_min_hz,
            self.pitch_max_hz,
            self.yin_threshold,
            self.octave_guard_semitones,
            self.pitch_track_interval_s,
            self.monotone_max_std_semitones,
            self.min_voiced_s,
            self.clip_level,
            self.min_integrated_lufs,
            self.min_snr_db,
            self.max_clipped_ratio,
        ];
        if all.iter().any(|v| !v.is_finite()) {
            return bad("every threshold must be a finite number");
        }
        if !(0.1..=60.0).contains(&self.noise_window_s) {
            return bad("noise_window_s must be within 0.1..=60 s");
        }
        if !(0.0..=100.0).contains(&self.noise_percentile) {
            return bad("noise_percentile must be within 0..=100");
        }
        if self.vad_offset_db > self.vad_onset_db {
            return bad("vad_offset_db must not exceed vad_onset_db");
        }
        if [
            self.vad_min_run_s,
            self.vad_hangover_s,
            self.max_breath_s,
            self.min_voiced_s,
        ]
        .iter()
        .any(|v| *v < 0.0)
        {
            return bad("durations must not be negative");
        }
        if !(0.0 < self.min_pause_s
            && self.min_pause_s <= self.hesitation_pause_s
            && self.hesitation_pause_s <= self.long_pause_s)
        {
            return bad("pauses need 0 < min_pause_s <= hesitation_pause_s <= long_pause_s");
        }
        if !(20.0 <= self.pitch_min_hz
            && self.pitch_min_hz < self.pitch_max_hz
            && self.pitch_max_hz <= 2000.0)
        {
            return bad("pitch range needs 20 <= pitch_min_hz < pitch_max_hz <= 2000");
        }
        if !(0.0 < self.yin_threshold && self.yin_threshold < 1.0) {
            return bad("yin_threshold must be within 0..1");
        }
        if !(0.0..6.0).contains(&self.octave_guard_semitones) {
            return bad("octave_guard_semitones must be within 0..6");
        }
        if !(0.01..=60.0).contains(&self.pitch_track_interval_s) {
            return bad("pitch_track_interval_s must be within 0.01..=60 s");
        }
        if !(0.0 < self.clip_level && self.clip_level <= 1.0) {
            return bad("clip_level must be within 0..=1");
        }
        if self.clip_run_min_samples == 0 {
            return bad("clip_run_min_samples must be at least 1");
        }
        if !(0.0..=1.0).contains(&self.max_clipped_ratio) {
            return bad("max_clipped_ratio must be within 0..=1");
        }
        Ok(())
    }
}
