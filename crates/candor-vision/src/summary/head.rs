//! Head orientation and movement over time.

use candor_domain::vision::HeadMovement;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::spans::SpanTracker;
use super::stats::Running;
use crate::pose::HeadPose;

/// Fidgeting thresholds (heuristic).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct HeadConfig {
    /// Smoothed head rotation speed above this reads as fidgeting
    /// (heuristic: a calm speaker's nods and turns average well under
    /// 20°/s over a second).
    pub fidget_deg_per_s: f64,
    /// Time constant of the speed smoothing.
    pub smoothing_s: f64,
    /// Fidgeting shorter than this is a gesture, not reported.
    pub min_fidget_s: f64,
    /// Consecutive face frames further apart than this are not compared
    /// (the face was lost in between).
    pub max_step_s: f64,
}

impl Default for HeadConfig {
    fn default() -> Self {
        HeadConfig {
            fidget_deg_per_s: 20.0,
            smoothing_s: 1.0,
            min_fidget_s: 2.0,
            max_step_s: 1.0,
        }
    }
}

#[derive(Debug)]
pub(crate) struct HeadTracker {
    yaw: Running,
    pitch: Running,
    roll: Running,
    moved_deg: f64,
    moved_s: f64,
    smoothed_speed: f64,
    previous: Option<(f64, HeadPose)>,
    fidget: SpanTracker,
}

impl HeadTracker {
    pub fn new(config: &HeadConfig) -> Self {
        HeadTracker {
            yaw: Running::default(),
            pitch: Running::default(),
            roll: Running::default(),
            moved_deg: 0.0,
            moved_s: 0.0,
            smoothed_speed: 0.0,
            previous: None,
            fidget: SpanTracker::new(config.min_fidget_s, config.smoothing_s / 2.0, 20),
        }
    }

    pub fn push(&mut self, config: &HeadConfig, t: f64, pose: Option<HeadPose>) {
        let Some(pose) = pose else {
            self.fidget.push(t, false);
            return;
        };
        self.yaw.push(f64::from(pose.yaw));
        self.pitch.push(f64::from(pose.pitch));
        self.roll.push(f64::from(pose.roll));
        if let Some((t0, p0)) = self.previous {
            let dt = t - t0;
            if dt > 0.0 && dt <= config.max_step_s {
                let d = f64::from(
                    ((pose.yaw - p0.yaw).powi(2)
                        + (pose.pitch - p0.pitch).powi(2)
                        + (pose.roll - p0.roll).powi(2))
                    .sqrt(),
                );
                self.moved_deg += d;
                self.moved_s += dt;
                let alpha = (dt / config.smoothing_s).min(1.0);
                self.smoothed_speed += alpha * (d / dt - self.smoothed_speed);
            }
        }
        self.previous = Some((t, pose));
        self.fidget
            .push(t, self.smoothed_speed > config.fidget_deg_per_s);
    }

    pub fn finish(self, end_t: f64) -> HeadMovement {
        HeadMovement {
            yaw_mean: self.yaw.mean(),
            pitch_mean: self.pitch.mean(),
            roll_mean: self.roll.mean(),
            yaw_std: self.yaw.std(),
            pitch_std: self.pitch.std(),
            roll_std: self.roll.std(),
            movement_deg_per_s: if self.moved_s > 0.0 {
                self.moved_deg / self.moved_s
            } else {
                0.0
            },
            fidget_spans: self.fidget.finish_in_order(end_t),
        }
    }
}
