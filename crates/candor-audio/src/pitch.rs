//! Fundamental frequency: YIN per frame, and the streaming summary of the
//! voiced speech frames.

use std::collections::VecDeque;

use crate::analysis::{Pitch, PitchPoint};
use crate::histogram::Histogram;
use crate::vad::Decision;
use crate::{frame_time, AudioConfig, HOP_S, SAMPLE_RATE_HZ};

/// YIN (de Cheveigné & Kawahara 2002): the lag whose cumulative mean
/// normalised difference first dips under a threshold is the period. Taking
/// the *first* dip, not the deepest, is YIN's own guard against reporting
/// twice the period (an octave too low).
pub(crate) struct Yin {
    tau_min: usize,
    tau_max: usize,
    /// Integration window, samples.
    window: usize,
    threshold: f32,
    cmnd: Vec<f32>,
}

impl Yin {
    /// 30 ms: two periods of the lowest voices, as YIN's authors advise.
    pub(crate) const WINDOW: usize = 480;

    pub(crate) fn new(config: &AudioConfig) -> Self {
        let rate = f64::from(SAMPLE_RATE_HZ);
        let tau_max = (rate / config.pitch_min_hz).ceil() as usize;
        Self {
            tau_min: (rate / config.pitch_max_hz).floor().max(2.0) as usize,
            tau_max,
            window: Self::WINDOW,
            threshold: config.yin_threshold as f32,
            cmnd: vec![0.0; tau_max + 2],
        }
    }

    /// Samples one estimate reads: the window plus the longest lag (and one
    /// more for interpolation).
    pub(crate) fn span(&self) -> usize {
        self.window + self.tau_max + 1
    }

    /// F0 of `x` (at least [`Yin::span`] samples), Hz, or `None` when the
    /// frame is not periodic enough to be voiced.
    pub(crate) fn estimate(&mut self, x: &[f32]) -> Option<f64> {
        let head = &x[..self.window];
        self.cmnd[0] = 1.0;
        let mut running = 0.0f32;
        for tau in 1..=self.tau_max + 1 {
            let d = squared_distance(head, &x[tau..tau + self.window]);
            running += d;
            self.cmnd[tau] = if running > 0.0 {
                d * tau as f32 / running
            } else {
                1.0
            };
        }
        let mut tau = (self.tau_min..=self.tau_max).find(|&t| self.cmnd[t] < self.threshold)?;
        while tau < self.tau_max && self.cmnd[tau + 1] < self.cmnd[tau] {
            tau += 1;
        }
        // Parabolic interpolation through the dip and its neighbours.
        let (a, b, c) = (self.cmnd[tau - 1], self.cmnd[tau], self.cmnd[tau + 1]);
        let denom = a - 2.0 * b + c;
        let shift = if denom > 0.0 {
            (0.5 * (a - c) / denom).clamp(-0.5, 0.5)
        } else {
            0.0
        };
        Some(f64::from(SAMPLE_RATE_HZ) / (tau as f64 + f64::from(shift)))
    }
}

/// Sum of squared differences, in eight lanes so that the compiler can
/// vectorise it (this loop is most of the analysis' CPU time).
fn squared_distance(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0.0f32; 8];
    let (ac, bc) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = ac
        .remainder()
        .iter()
        .zip(bc.remainder())
        .map(|(x, y)| (x - y) * (x - y))
        .sum();
    for (x, y) in ac.zip(bc) {
        for i in 0..8 {
            let d = x[i] - y[i];
            lanes[i] += d * d;
        }
    }
    lanes.iter().sum::<f32>() + tail
}

/// Semitones above 1 Hz: a log scale on which differences are musical
/// intervals, so a spread means the same for low and high voices.
fn semitones(hz: f64) -> f64 {
    12.0 * hz.log2()
}

/// Recent accepted estimates kept for the octave guard.
const GUARD_MEMORY: usize = 9;

/// Summarises the F0 of voiced speech frames in bounded memory: a
/// histogram for median and percentiles, running moments for the standard
/// deviation, and one median per track interval.
pub(crate) struct PitchStats {
    octave_guard: f64,
    recent: VecDeque<f64>,
    histogram: Histogram,
    /// Welford's running mean and sum of squared deviations, semitones.
    mean: f64,
    m2: f64,
    voiced_frames: u64,
    speech_frames: u64,
    track_frames: u64,
    track_bin: Option<u64>,
    track_values: Vec<f64>,
    track: Vec<PitchPoint>,
}

impl PitchStats {
    pub(crate) fn new(config: &AudioConfig) -> Self {
        let track_frames = (config.pitch_track_interval_s / HOP_S).round().max(1.0) as u64;
        Self {
            octave_guard: config.octave_guard_semitones,
            recent: VecDeque::with_capacity(GUARD_MEMORY + 1),
            // A twentieth of a semitone is 0.3 % in frequency; an octave of
            // margin each side holds folded estimates.
            histogram: Histogram::new(
                semitones(config.pitch_min_hz) - 12.0,
                semitones(config.pitch_max_hz) + 12.0,
                0.05,
            ),
            mean: 0.0,
            m2: 0.0,
            voiced_frames: 0,
            speech_frames: 0,
            track_frames,
            track_bin: None,
            track_values: Vec::with_capacity(track_frames as usize),
            track: Vec::new(),
        }
    }

    /// Takes every decided frame; only the frames that are speech in their
    /// own right (not hangover or bridged silence) count.
    pub(crate) fn add(&mut self, decision: &Decision) {
        if !decision.core {
            return;
        }
        self.speech_frames += 1;
        let Some(hz) = decision.frame.f0_hz else {
            return;
        };
        let st = self.guard_octave(semitones(hz));
        self.voiced_frames += 1;
        let delta = st - self.mean;
        self.mean += delta / self.voiced_frames as f64;
        self.m2 += delta * (st - self.mean);
        self.histogram.add(st);

        let bin = decision.frame.index / self.track_frames;
        if self.track_bin != Some(bin) {
            self.flush_track();
            self.track_bin = Some(bin);
        }
        self.track_values.push(st);
    }

    /// Folds an estimate that lies about an octave from the recent median
    /// back into that octave: YIN's remaining errors are octave jumps, and a
    /// voice does not leap an octave from one 10-ms frame to the next.
    fn guard_octave(&mut self, st: f64) -> f64 {
        let folded = match median(self.recent.iter().copied().collect()) {
            Some(reference) if (st - reference - 12.0).abs() < self.octave_guard => st - 12.0,
            Some(reference) if (st - reference + 12.0).abs() < self.octave_guard => st + 12.0,
            _ => st,
        };
        if self.recent.len() == GUARD_MEMORY {
            self.recent.pop_front();
        }
        self.recent.push_back(folded);
        folded
    }

    fn flush_track(&mut self) {
        if let (Some(bin), Some(st)) = (
            self.track_bin,
            median(std::mem::take(&mut self.track_values)),
        ) {
            self.track.push(PitchPoint {
                t_s: frame_time(bin * self.track_frames),
                hz: 2f64.powf(st / 12.0),
            });
        }
    }

    pub(crate) fn finish(mut self, config: &AudioConfig) -> Pitch {
        self.flush_track();
        let voiced_s = frame_time(self.voiced_frames);
        let enough = voiced_s >= config.min_voiced_s && self.voiced_frames > 1;
        let std = enough.then(|| (self.m2 / (self.voiced_frames - 1) as f64).sqrt());
        let percentile = |p| {
            self.histogram
                .percentile(p)
                .filter(|_| self.voiced_frames > 0)
        };
        Pitch {
            median_hz: percentile(50.0).map(|st| 2f64.powf(st / 12.0)),
            std_semitones: std,
            p10_p90_range_semitones: percentile(90.0)
                .zip(percentile(10.0))
                .map(|(hi, lo)| hi - lo),
            voiced_ratio: if self.speech_frames == 0 {
                0.0
            } else {
                self.voiced_frames as f64 / self.speech_frames as f64
            },
            voiced_s,
            monotone: std.map(|s| s < config.monotone_max_std_semitones),
            track: self.track,
        }
    }
}

fn median(mut values: Vec<f64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mid = values.len() / 2;
    let (_, m, _) = values.select_nth_unstable_by(mid, f64::total_cmp);
    Some(*m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frames::Frame;

    fn tone(hz: f64, n: usize) -> Vec<f32> {
        let rate = f64::from(SAMPLE_RATE_HZ);
        (0..n)
            .map(|i| (0.5 * (2.0 * std::f64::consts::PI * hz * i as f64 / rate).sin()) as f32)
            .collect()
    }

    #[test]
    fn yin_finds_the_period_of_tones_across_the_range() {
        let mut yin = Yin::new(&AudioConfig::default());
        for hz in [65.0, 110.0, 150.0, 220.0, 330.0, 390.0] {
            let f0 = yin
                .estimate(&tone(hz, yin.span()))
                .expect("a tone is voiced");
            assert!((f0 / hz - 1.0).abs() < 0.01, "{hz} Hz estimated as {f0}");
        }
    }

    fn voiced(index: u64, hz: f64) -> Decision {
        let frame = Frame {
            index,
            level_db: -20.0,
            block_power: 0.01,
            f0_hz: Some(hz),
        };
        Decision {
            frame,
            speech: true,
            core: true,
            noise_db: -90.0,
        }
    }

    #[test]
    fn octave_errors_are_folded_back_and_do_not_widen_the_spread() {
        let config = AudioConfig::default();
        let mut stats = PitchStats::new(&config);
        // A steady 120-Hz voice where every fifth frame reads an octave off.
        for i in 0..200 {
            let hz = match i % 10 {
                4 => 240.0,
                9 => 60.5,
                _ => 120.0,
            };
            stats.add(&voiced(i, hz));
        }
        let pitch = stats.finish(&config);
        assert!((pitch.median_hz.unwrap() / 120.0 - 1.0).abs() < 0.005);
        assert!(
            pitch.std_semitones.unwrap() < 0.1,
            "{:?}",
            pitch.std_semitones
        );
        assert_eq!(pitch.monotone, Some(true));
        assert_eq!(pitch.voiced_ratio, 1.0);
        assert_eq!(pitch.track.len(), 10);
    }

    #[test]
    fn yin_calls_silence_and_noise_unvoiced() {
        let mut yin = Yin::new(&AudioConfig::default());
        assert_eq!(yin.estimate(&vec![0.0; yin.span()]), None);
        // A deterministic pseudo-random sequence (LCG) as white noise.
        let mut state = 12345u32;
        let noise: Vec<f32> = (0..yin.span())
            .map(|_| {
                state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (state >> 8) as f32 / (1 << 24) as f32 - 0.5
            })
            .collect();
        assert_eq!(yin.estimate(&noise), None);
    }
}
