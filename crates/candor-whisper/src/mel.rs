//! Whisper's log-mel spectrogram, computed per 30-s window.
//!
//! The recipe is the one the model was trained on (openai/whisper
//! `audio.py`): a 400-point STFT (25 ms) with a periodic Hann window, hop 160
//! (10 ms), centred frames with reflect padding, power spectrum, a Slaney-style
//! mel filterbank (librosa's default: Slaney mel scale and area normalisation),
//! `log10` floored at 1e-10, clamped to `max − 8` and scaled as `(x + 4) / 4`.
//!
//! The clamp's maximum is taken over one window, not over the whole
//! recording (which a stream does not know) and not per frame (which is what
//! ct2rs's high-level wrapper does, and which flattens quiet and loud frames).

use std::sync::Arc;

use rustfft::num_complex::Complex;
use rustfft::{Fft, FftPlanner};

/// Audio sample rate Whisper expects, Hz.
pub const SAMPLE_RATE: usize = 16_000;
/// STFT size: 25 ms at 16 kHz.
pub const N_FFT: usize = 400;
/// STFT hop: 10 ms at 16 kHz; one mel frame.
pub const HOP: usize = 160;
/// Mel frames in one 30-s window, the encoder's fixed input length.
pub const WINDOW_FRAMES: usize = 3000;
/// Samples in one 30-s window.
pub const WINDOW_SAMPLES: usize = WINDOW_FRAMES * HOP;

const N_BINS: usize = N_FFT / 2 + 1;

/// Precomputed Hann window, mel filterbank and FFT plan; cheap to share.
pub struct LogMel {
    n_mels: usize,
    hann: Vec<f32>,
    /// `n_mels` rows of `N_BINS` weights.
    filters: Vec<f32>,
    fft: Arc<dyn Fft<f32>>,
}

impl LogMel {
    pub fn new(n_mels: usize) -> Self {
        // Periodic Hann, as torch.hann_window(400) is by default.
        let hann = (0..N_FFT)
            .map(|i| {
                let x = std::f32::consts::PI * 2.0 * i as f32 / N_FFT as f32;
                0.5 - 0.5 * x.cos()
            })
            .collect();
        Self {
            n_mels,
            hann,
            filters: slaney_filterbank(n_mels),
            fft: FftPlanner::new().plan_fft_forward(N_FFT),
        }
    }

    pub fn n_mels(&self) -> usize {
        self.n_mels
    }

    /// Features for one window: `n_mels × WINDOW_FRAMES`, mel-major, as the
    /// encoder's `[1, n_mels, 3000]` input wants them. `samples` holds at most
    /// 30 s; the rest of the window is zero audio, like Whisper's own padding.
    pub fn window(&self, samples: &[f32]) -> Vec<f32> {
        let samples = &samples[..samples.len().min(WINDOW_SAMPLES)];
        let pad = N_FFT / 2;
        // Reflect-padded, zero-extended signal: index i of the padded signal
        // is sample i − pad of the window.
        let at = |i: usize| -> f32 {
            let n = WINDOW_SAMPLES as isize;
            let mut j = i as isize - pad as isize;
            if j < 0 {
                j = -j;
            } else if j >= n {
                j = 2 * (n - 1) - j;
            }
            samples.get(j as usize).copied().unwrap_or(0.0)
        };
        let mut out = vec![0f32; self.n_mels * WINDOW_FRAMES];
        let mut buf = vec![Complex::new(0f32, 0f32); N_FFT];
        let mut scratch = vec![Complex::new(0f32, 0f32); self.fft.get_inplace_scratch_len()];
        let mut power = [0f32; N_BINS];
        let last_content_frame = samples.len().div_ceil(HOP) + 2;
        for frame in 0..WINDOW_FRAMES {
            if frame > last_content_frame {
                // Only zeros reach this frame: its power is exactly zero.
                for m in 0..self.n_mels {
                    out[m * WINDOW_FRAMES + frame] = 0.0;
                }
                continue;
            }
            let start = frame * HOP;
            for (k, c) in buf.iter_mut().enumerate() {
                *c = Complex::new(at(start + k) * self.hann[k], 0.0);
            }
            self.fft.process_with_scratch(&mut buf, &mut scratch);
            for (p, c) in power.iter_mut().zip(&buf) {
                *p = c.norm_sqr();
            }
            for m in 0..self.n_mels {
                let row = &self.filters[m * N_BINS..(m + 1) * N_BINS];
                let e: f32 = row.iter().zip(&power).map(|(w, p)| w * p).sum();
                out[m * WINDOW_FRAMES + frame] = e;
            }
        }
        let mut max = f32::MIN;
        for v in out.iter_mut() {
            *v = v.max(1e-10).log10();
            max = max.max(*v);
        }
        let floor = max - 8.0;
        for v in out.iter_mut() {
            *v = (v.max(floor) + 4.0) / 4.0;
        }
        out
    }
}

fn hz_to_mel(f: f64) -> f64 {
    // Slaney: linear below 1 kHz (200/3 Hz per mel), logarithmic above.
    let f_sp = 200.0 / 3.0;
    let log_step = 6.4f64.ln() / 27.0;
    if f < 1000.0 {
        f / f_sp
    } else {
        1000.0 / f_sp + (f / 1000.0).ln() / log_step
    }
}

fn mel_to_hz(m: f64) -> f64 {
    let f_sp = 200.0 / 3.0;
    let log_step = 6.4f64.ln() / 27.0;
    let min_log_mel = 1000.0 / f_sp;
    if m < min_log_mel {
        m * f_sp
    } else {
        1000.0 * ((m - min_log_mel) * log_step).exp()
    }
}

/// Triangular filters between `n_mels + 2` points evenly spaced on the mel
/// scale from 0 Hz to Nyquist, each scaled to unit area (`2 / width`).
fn slaney_filterbank(n_mels: usize) -> Vec<f32> {
    let nyquist = SAMPLE_RATE as f64 / 2.0;
    let top = hz_to_mel(nyquist);
    let points: Vec<f64> = (0..n_mels + 2)
        .map(|i| mel_to_hz(top * i as f64 / (n_mels + 1) as f64))
        .collect();
    let mut filters = vec![0f32; n_mels * N_BINS];
    for m in 0..n_mels {
        let (lo, mid, hi) = (points[m], points[m + 1], points[m + 2]);
        let norm = 2.0 / (hi - lo);
        for k in 0..N_BINS {
            let f = k as f64 * SAMPLE_RATE as f64 / N_FFT as f64;
            let rise = (f - lo) / (mid - lo);
            let fall = (hi - f) / (hi - mid);
            filters[m * N_BINS + k] = (rise.min(fall).max(0.0) * norm) as f32;
        }
    }
    filters
}

/// Index of the mel filter whose centre is closest to `hz`.
#[cfg(test)]
fn mel_bin_of(hz: f64, n_mels: usize) -> usize {
    let top = hz_to_mel(SAMPLE_RATE as f64 / 2.0);
    ((hz_to_mel(hz) / top * (n_mels + 1) as f64).round() as usize).saturating_sub(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(hz: f32, seconds: f32, amp: f32) -> Vec<f32> {
        (0..(seconds * SAMPLE_RATE as f32) as usize)
            .map(|i| amp * (2.0 * std::f32::consts::PI * hz * i as f32 / SAMPLE_RATE as f32).sin())
            .collect()
    }

    fn frame(mel: &[f32], n_mels: usize, t: usize) -> Vec<f32> {
        (0..n_mels).map(|m| mel[m * WINDOW_FRAMES + t]).collect()
    }

    #[test]
    fn a_tone_peaks_in_the_mel_bin_of_its_frequency() {
        let mel = LogMel::new(80);
        for hz in [300.0, 1000.0, 2500.0, 6000.0] {
            let out = mel.window(&tone(hz, 2.0, 0.5));
            let f = frame(&out, 80, 100);
            let peak = (0..80).max_by(|&a, &b| f[a].total_cmp(&f[b])).unwrap();
            let want = mel_bin_of(hz as f64, 80);
            assert!(
                peak.abs_diff(want) <= 1,
                "{hz} Hz peaked in bin {peak}, expected {want}"
            );
        }
    }

    #[test]
    fn values_are_clamped_to_eight_decades_below_the_window_maximum() {
        let mel = LogMel::new(80);
        let mut audio = tone(1000.0, 1.0, 0.5);
        audio.extend(std::iter::repeat_n(0.0, SAMPLE_RATE));
        let out = mel.window(&audio);
        let max = out.iter().copied().fold(f32::MIN, f32::max);
        let min = out.iter().copied().fold(f32::MAX, f32::min);
        // (x+4)/4 scaling: 8 decades become 2.0 exactly.
        assert!((max - min - 2.0).abs() < 1e-4, "range {}", max - min);
        // The silent second and the zero padding sit on the floor.
        assert!(frame(&out, 80, 1500)
            .iter()
            .all(|&v| (v - min).abs() < 1e-6));
        assert!(frame(&out, 80, 2999)
            .iter()
            .all(|&v| (v - min).abs() < 1e-6));
    }

    #[test]
    fn silence_gives_the_floor_everywhere() {
        let mel = LogMel::new(80);
        let out = mel.window(&vec![0.0; 5 * SAMPLE_RATE]);
        // log10(1e-10) = −10, clamped to itself, scaled: (−10 + 4) / 4.
        assert!(out.iter().all(|&v| (v + 1.5).abs() < 1e-6));
        assert_eq!(out.len(), 80 * WINDOW_FRAMES);
    }

    #[test]
    fn normalisation_is_per_window_not_per_frame() {
        let mel = LogMel::new(80);
        let mut audio = tone(1000.0, 1.0, 0.5);
        audio.extend(tone(1000.0, 1.0, 0.005));
        let out = mel.window(&audio);
        let bin = mel_bin_of(1000.0, 80);
        let loud = out[bin * WINDOW_FRAMES + 50];
        let quiet = out[bin * WINDOW_FRAMES + 150];
        // 40 dB quieter is 4 decades of power: 1.0 after scaling by 1/4.
        assert!(
            (loud - quiet - 1.0).abs() < 0.05,
            "loud {loud} quiet {quiet}"
        );
    }

    #[test]
    fn filterbank_matches_librosa_shape() {
        let fb = slaney_filterbank(80);
        // Every filter has some weight, and the first filter starts at DC.
        for m in 0..80 {
            assert!(
                fb[m * N_BINS..(m + 1) * N_BINS].iter().any(|&w| w > 0.0),
                "empty filter {m}"
            );
        }
        assert_eq!(fb[0], 0.0);
        // librosa.filters.mel(sr=16000, n_fft=400, n_mels=80)[0, 1] = 0.02486259
        assert!((fb[1] - 0.024_862_59).abs() < 1e-6, "{}", fb[1]);
    }
}
