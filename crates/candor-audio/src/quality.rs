//! Noise and signal-to-noise ratio, and the verdict on whether the
//! recording can be scored at all.

use crate::analysis::{Loudness, Noise, Quality, QualityIssue, SpeechActivity};
use crate::histogram::Histogram;
use crate::segments::PowerSum;
use crate::vad::Decision;
use crate::{frame_time, AudioConfig};

/// Non-speech needed to measure the noise directly, seconds; with less (a
/// recording that is all speech), a low percentile of frame levels is used.
const MIN_NOISE_S: f64 = 1.0;

/// A non-speech frame counts as background when it is at most this far
/// above the local noise floor, dB. Frames between this and the VAD's
/// thresholds are often quiet speech the VAD missed (at low SNR, many are)
/// and would make the noise look louder than it is. 3 dB is several times
/// the frame-to-frame spread of steady noise (about 0.4 dB for 20-ms frames
/// of white noise).
const BACKGROUND_MARGIN_DB: f64 = 3.0;

/// The speech level never falls further below the noise than this, dB, so
/// that the SNR of noise mistaken for speech is a low number, not -inf.
const MIN_SNR_DB: f64 = -30.0;

fn db(power: f64) -> f64 {
    10.0 * power.log10()
}

fn power(db: f64) -> f64 {
    10f64.powf(db / 10.0)
}

/// Collects the power of background frames as decisions stream by.
#[derive(Default)]
pub(crate) struct NoiseMeter {
    background: PowerSum,
}

impl NoiseMeter {
    pub(crate) fn add(&mut self, decision: &Decision) {
        if !decision.speech && decision.frame.level_db <= decision.noise_db + BACKGROUND_MARGIN_DB {
            self.background.power += decision.frame.block_power;
            self.background.frames += 1;
        }
    }

    /// Noise is the mean power of the background frames; speech is the mean
    /// power of the segments minus that noise (the segments carry the noise
    /// too).
    pub(crate) fn finish(
        &self,
        speech: &PowerSum,
        levels: &Histogram,
        config: &AudioConfig,
    ) -> Noise {
        let floor = power(config.level_floor_dbfs);
        let measured = self
            .background
            .mean()
            .filter(|_| frame_time(self.background.frames) >= MIN_NOISE_S);
        let noise = measured
            .or_else(|| levels.percentile(config.noise_percentile).map(power))
            .unwrap_or(floor)
            .max(floor);
        let speech = speech
            .mean()
            .map(|mean| (mean - noise).max(noise * power(MIN_SNR_DB)));
        Noise {
            noise_floor_dbfs: db(noise),
            speech_level_dbfs: speech.map(db),
            snr_db: speech.map(|s| db(s) - db(noise)),
        }
    }
}

/// Everything that stops the recording from being scored; empty when it
/// can be. Without speech, loudness and noise say nothing more.
pub(crate) fn verdict(
    speech: &SpeechActivity,
    loudness: &Loudness,
    noise: &Noise,
    config: &AudioConfig,
) -> Quality {
    let mut issues = Vec::new();
    if speech.segments.is_empty() {
        issues.push(QualityIssue::NoSpeech);
    } else {
        let lufs = loudness.integrated_lufs;
        if lufs.is_none_or(|l| l < config.min_integrated_lufs) {
            issues.push(QualityIssue::TooQuiet {
                integrated_lufs: lufs,
                min_lufs: config.min_integrated_lufs,
            });
        }
        if let Some(snr_db) = noise.snr_db.filter(|s| *s < config.min_snr_db) {
            issues.push(QualityIssue::TooNoisy {
                snr_db,
                min_snr_db: config.min_snr_db,
            });
        }
    }
    let ratio = loudness.clipping.run_sample_ratio;
    if ratio > config.max_clipped_ratio {
        issues.push(QualityIssue::Clipped {
            run_sample_ratio: ratio,
            max_ratio: config.max_clipped_ratio,
        });
    }
    Quality {
        scorable: issues.is_empty(),
        issues,
    }
}
