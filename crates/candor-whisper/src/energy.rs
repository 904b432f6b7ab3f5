//! Where the window has signal: a voiced/unvoiced mask of 20-ms frames, used
//! to reject words decoded on silence and to notice speech left without words.

use crate::mel::SAMPLE_RATE;
use crate::options::SignalGuards;

/// Mask resolution: 20 ms, one encoder frame.
const FRAME: usize = SAMPLE_RATE / 50;
const FRAME_SECONDS: f64 = 0.02;

pub(crate) struct VoicedMask {
    voiced: Vec<bool>,
}

impl VoicedMask {
    pub fn new(samples: &[f32], guards: &SignalGuards) -> Self {
        let db: Vec<f32> = samples
            .chunks(FRAME)
            .map(|c| {
                let ms = c.iter().map(|s| s * s).sum::<f32>() / c.len() as f32;
                10.0 * ms.max(1e-12).log10()
            })
            .collect();
        let mut sorted = db.clone();
        sorted.sort_by(f32::total_cmp);
        let floor = sorted.get(sorted.len() / 10).copied().unwrap_or(-120.0);
        let threshold = guards
            .voiced_min_dbfs
            .max(floor + guards.voiced_above_floor_db);
        Self {
            voiced: db.into_iter().map(|d| d > threshold).collect(),
        }
    }

    fn frames(&self, start: f64, end: f64) -> &[bool] {
        let a = ((start / FRAME_SECONDS).floor().max(0.0) as usize).min(self.voiced.len());
        let b = ((end / FRAME_SECONDS).ceil().max(0.0) as usize).clamp(a, self.voiced.len());
        &self.voiced[a..b]
    }

    /// Seconds of voiced signal between `start` and `end` (window-relative).
    pub fn voiced_seconds(&self, start: f64, end: f64) -> f64 {
        self.frames(start, end).iter().filter(|&&v| v).count() as f64 * FRAME_SECONDS
    }

    /// Share of `start..end` that is voiced; 0 for an empty span.
    pub fn voiced_share(&self, start: f64, end: f64) -> f64 {
        let f = self.frames(start, end);
        if f.is_empty() {
            0.0
        } else {
            f.iter().filter(|&&v| v).count() as f64 / f.len() as f64
        }
    }

    /// The most voiced time, seconds, in any stretch of `start..end` that none
    /// of the `covered` spans touch. Spans are window-relative and sorted.
    pub fn largest_uncovered_voicing(&self, start: f64, end: f64, covered: &[(f64, f64)]) -> f64 {
        let mut cursor = start;
        let mut worst = 0f64;
        for &(a, b) in covered {
            if a > cursor {
                worst = worst.max(self.voiced_seconds(cursor, a.min(end)));
            }
            cursor = cursor.max(b);
        }
        if end > cursor {
            worst = worst.max(self.voiced_seconds(cursor, end));
        }
        worst
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noise_burst(seconds: f64, amp: f32) -> impl Iterator<Item = f32> {
        (0..(seconds * SAMPLE_RATE as f64) as usize)
            .map(move |i| amp * ((i as f32 * 0.37).sin() + (i as f32 * 1.13).sin()) / 2.0)
    }

    #[test]
    fn silence_is_unvoiced_and_a_burst_is_voiced() {
        let audio: Vec<f32> = std::iter::repeat_n(0.0, SAMPLE_RATE)
            .chain(noise_burst(2.0, 0.3))
            .chain(std::iter::repeat_n(0.0, SAMPLE_RATE))
            .collect();
        let m = VoicedMask::new(&audio, &SignalGuards::default());
        assert!(m.voiced_share(0.0, 1.0) < 0.05);
        assert!(m.voiced_share(1.0, 3.0) > 0.95);
        assert!((m.voiced_seconds(0.0, 4.0) - 2.0).abs() < 0.05);
        // A word covering 1.0–1.5 leaves 1.5 s of the burst uncovered.
        let gap = m.largest_uncovered_voicing(0.0, 4.0, &[(1.0, 1.5)]);
        assert!((gap - 1.5).abs() < 0.05, "{gap}");
    }
}
