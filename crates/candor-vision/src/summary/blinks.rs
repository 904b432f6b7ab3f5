//! Blinks from dips of the eye aspect ratio (Soukupová & Čech 2016).
//!
//! A blink lasts 100–400 ms; at 5 sampled frames per second many short
//! blinks fall between frames, so the count is a lower bound (roughly half
//! of the true blinks at 5 fps). Compare rates between recordings sampled
//! alike, not with the 15–20 per minute of the literature.

use candor_domain::vision::Blinks;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Blink thresholds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct BlinkConfig {
    /// Eyes count as closed when the eye aspect ratio falls below this
    /// fraction of the candidate's own open-eye ratio (relative, because
    /// the open ratio varies between people and with head pitch;
    /// Soukupová & Čech: ~0.3 open, under ~0.2 closed, i.e. ~0.7).
    pub closed_fraction: f64,
    /// Eyes closed for longer than this are not a blink (looking down,
    /// eyes shut).
    pub max_blink_s: f64,
    /// Smoothing factor of the open-eye ratio per face frame.
    pub open_smoothing: f64,
}

impl Default for BlinkConfig {
    fn default() -> Self {
        BlinkConfig {
            closed_fraction: 0.7,
            max_blink_s: 0.5,
            open_smoothing: 0.05,
        }
    }
}

#[derive(Debug, Default)]
pub(crate) struct BlinkCounter {
    open_ear: Option<f64>,
    closed_since: Option<f64>,
    count: u32,
}

impl BlinkCounter {
    /// One frame's eye aspect ratio, or None without a face.
    pub fn push(&mut self, config: &BlinkConfig, t: f64, ear: Option<f64>) {
        let Some(ear) = ear else {
            self.closed_since = None;
            return;
        };
        let open = *self.open_ear.get_or_insert(ear);
        if ear < open * config.closed_fraction {
            self.closed_since.get_or_insert(t);
            return;
        }
        if let Some(since) = self.closed_since.take() {
            if t - since <= config.max_blink_s + 1e-9 {
                self.count += 1;
            }
        }
        self.open_ear = Some(open + config.open_smoothing * (ear - open));
    }

    pub fn finish(self, face_seconds: f64) -> Blinks {
        Blinks {
            count: self.count,
            per_minute: if face_seconds > 0.0 {
                f64::from(self.count) * 60.0 / face_seconds
            } else {
                0.0
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dips_of_the_eye_aspect_ratio_count_as_blinks_and_long_closures_do_not() {
        let config = BlinkConfig::default();
        let mut counter = BlinkCounter::default();
        let mut ears = vec![0.3; 10];
        ears.extend([0.12, 0.3, 0.31, 0.29, 0.1, 0.15, 0.3]); // two blinks
        ears.extend([0.1; 10]); // eyes shut for 2 s
        ears.extend([0.3; 5]);
        for (i, &e) in ears.iter().enumerate() {
            counter.push(&config, i as f64 * 0.2, Some(e));
        }
        let blinks = counter.finish(60.0);
        assert_eq!(blinks.count, 2);
        assert!((blinks.per_minute - 2.0).abs() < 1e-9);
    }
}
