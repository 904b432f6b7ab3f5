//! Whether the picture moves: a still photo or a frozen camera gives the
//! same picture frame after frame, and camera feedback on it would praise a
//! face that never looked anywhere.
//!
//! Each frame is reduced to a small thumbnail of the face (or of the whole
//! frame when there is no face); the change between consecutive thumbnails
//! is their mean absolute difference. A live face changes with every blink,
//! word and breath; a still picture changes only by compression noise.

use candor_domain::vision::Motion;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::stats::Histogram;
use crate::frame::Grey;
use crate::geometry::FaceBox;

const THUMB: usize = 24;

/// The static-picture test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct MotionConfig {
    /// The picture is static when even the most changing frames (the
    /// `static_quantile` of frame changes) change by less than this, in
    /// grey levels (Candor heuristic: H.264 noise on a still photo stays
    /// under 0.5; the generated talking head with its head still changes
    /// by 2 and more, see the `static_picture` tests).
    pub static_change: f64,
    pub static_quantile: f64,
}

impl Default for MotionConfig {
    fn default() -> Self {
        MotionConfig {
            static_change: 1.0,
            static_quantile: 0.9,
        }
    }
}

/// A frame's thumbnail: THUMB x THUMB area samples of the face box (or the
/// frame).
pub(crate) fn thumbnail(grey: &Grey, face: Option<FaceBox>) -> Vec<u8> {
    let (x0, y0, w, h) = match face {
        Some(b) => (b.x, b.y, b.width, b.height),
        None => (0.0, 0.0, grey.width as f32, grey.height as f32),
    };
    let (sx, sy) = (w / THUMB as f32, h / THUMB as f32);
    (0..THUMB * THUMB)
        .map(|i| {
            let (cx, cy) = (x0 + ((i % THUMB) as f32 + 0.5) * sx, y0 + ((i / THUMB) as f32 + 0.5) * sy);
            let v = [(-0.25, -0.25), (0.25, -0.25), (-0.25, 0.25), (0.25, 0.25)]
                .iter()
                .map(|(dx, dy)| grey.sample(cx + dx * sx, cy + dy * sy))
                .sum::<f32>()
                / 4.0;
            v.round() as u8
        })
        .collect()
}

#[derive(Debug)]
pub(crate) struct MotionTracker {
    previous: Option<(bool, Vec<u8>)>,
    changes: Histogram,
    count: u64,
}

impl Default for MotionTracker {
    fn default() -> Self {
        MotionTracker {
            previous: None,
            changes: Histogram::new(0.0, 64.0, 640),
            count: 0,
        }
    }
}

impl MotionTracker {
    /// Takes a frame's thumbnail and whether it is of a face.
    pub fn push(&mut self, face: bool, thumb: Vec<u8>) {
        if let Some((was_face, previous)) = &self.previous {
            // A face appearing or leaving is itself a change.
            let change = if *was_face != face {
                64.0
            } else {
                previous
                    .iter()
                    .zip(&thumb)
                    .map(|(a, b)| f64::from(a.abs_diff(*b)))
                    .sum::<f64>()
                    / thumb.len() as f64
            };
            self.changes.push(change);
            self.count += 1;
        }
        self.previous = Some((face, thumb));
    }

    pub fn finish(&self, config: &MotionConfig) -> Motion {
        let high = self.changes.quantile(config.static_quantile);
        Motion {
            median_frame_change: self.changes.quantile(0.5).unwrap_or(0.0),
            // One frame has no motion to judge.
            static_picture: self.count > 0 && high.is_some_and(|c| c < config.static_change),
        }
    }
}
