//! EBU R 128 loudness (through the `ebur128` crate), sample peak and clipping.

use ebur128::{EbuR128, Mode};

use crate::analysis::{Clipping, Loudness, ShortTermLoudness};
use crate::{AudioConfig, AudioError, SAMPLE_RATE_HZ};

/// The short-term window of EBU R 128, seconds.
const SHORT_TERM_S: u32 = 3;

/// Streams samples into the R 128 meter and keeps one short-term value per
/// second. The meter runs in histogram mode, so its memory does not grow
/// with the recording's length.
pub(crate) struct LoudnessMeter {
    meter: EbuR128,
    /// Samples since the last short-term reading.
    into_second: u32,
    short_term: Vec<ShortTermLoudness>,
    peak: f32,
    clip_level: f32,
    clip_run_min: u64,
    clipped_samples: u64,
    current_run: u64,
    runs: u64,
    run_samples: u64,
    longest_run: u64,
}

impl LoudnessMeter {
    pub(crate) fn new(config: &AudioConfig) -> Result<Self, AudioError> {
        let mode = Mode::I | Mode::LRA | Mode::HISTOGRAM;
        Ok(Self {
            meter: EbuR128::new(1, SAMPLE_RATE_HZ, mode)?,
            into_second: 0,
            short_term: Vec::new(),
            peak: 0.0,
            clip_level: config.clip_level as f32,
            clip_run_min: u64::from(config.clip_run_min_samples),
            clipped_samples: 0,
            current_run: 0,
            runs: 0,
            run_samples: 0,
            longest_run: 0,
        })
    }

    pub(crate) fn push(&mut self, mut samples: &[f32]) -> Result<(), AudioError> {
        for &x in samples {
            self.sample_level(x.abs());
        }
        // Feed the meter up to each second boundary, read, then go on: the
        // series then does not depend on how the caller chunked the audio.
        while !samples.is_empty() {
            let room = (SAMPLE_RATE_HZ - self.into_second) as usize;
            let (now, rest) = samples.split_at(room.min(samples.len()));
            self.meter.add_frames_f32(now)?;
            self.into_second += now.len() as u32;
            if self.into_second == SAMPLE_RATE_HZ {
                self.into_second = 0;
                let seconds = self.short_term.len() as u32 + 1;
                // Until three seconds have passed, the window is what there is.
                let lufs = if seconds < SHORT_TERM_S {
                    self.meter.loudness_window(seconds * 1000)?
                } else {
                    self.meter.loudness_shortterm()?
                };
                self.short_term.push(ShortTermLoudness {
                    t_s: f64::from(seconds),
                    lufs: finite(lufs),
                });
            }
            samples = rest;
        }
        Ok(())
    }

    fn sample_level(&mut self, magnitude: f32) {
        self.peak = self.peak.max(magnitude);
        if magnitude >= self.clip_level {
            self.clipped_samples += 1;
            self.current_run += 1;
        } else {
            self.end_run();
        }
    }

    fn end_run(&mut self) {
        if self.current_run >= self.clip_run_min {
            self.runs += 1;
            self.run_samples += self.current_run;
        }
        self.longest_run = self.longest_run.max(self.current_run);
        self.current_run = 0;
    }

    pub(crate) fn finish(mut self, total_samples: u64) -> Result<Loudness, AudioError> {
        self.end_run();
        let peak = f64::from(self.peak);
        Ok(Loudness {
            integrated_lufs: finite(self.meter.loudness_global()?),
            loudness_range_lu: self.meter.loudness_range()?,
            sample_peak_dbfs: (peak > 0.0).then(|| 20.0 * peak.log10()),
            short_term: self.short_term,
            clipping: Clipping {
                clipped_samples: self.clipped_samples,
                runs: self.runs,
                run_sample_ratio: if total_samples == 0 {
                    0.0
                } else {
                    self.run_samples as f64 / total_samples as f64
                },
                longest_run_samples: self.longest_run,
            },
        })
    }
}

/// The meter says -inf for silence; the report says "no value".
fn finite(lufs: f64) -> Option<f64> {
    lufs.is_finite().then_some(lufs)
}
