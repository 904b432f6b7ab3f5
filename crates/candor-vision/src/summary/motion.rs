//! Whether the picture moves: a still photo or a frozen camera gives the
//! same picture frame after frame, and camera feedback on it would praise a
//! face that never looked anywhere.
//!
//! Each frame is reduced to a small thumbnail of the face (or of the whole
//! frame when there is no face); the change between consecutive thumbnails
//! of the same region is their mean absolute difference. A live face changes with every blink,
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

/// A frame's thumbnail: THUMB x THUMB area samples of `region`.
pub(crate) fn thumbnail(grey: &Grey, region: FaceBox) -> Vec<u8> {
    let (sx, sy) = (region.width / THUMB as f32, region.height / THUMB as f32);
    (0..THUMB * THUMB)
        .map(|i| {
            let cx = region.x + ((i % THUMB) as f32 + 0.5) * sx;
            let cy = region.y + ((i / THUMB) as f32 + 0.5) * sy;
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
    /// The region compared: the face box, held while the face stays
    /// within a quarter of its size of it (a tracked box jitters by a few
    /// pixels on a still picture too), or the whole frame.
    region: Option<FaceBox>,
    previous: Option<Vec<u8>>,
    changes: Histogram,
}

impl Default for MotionTracker {
    fn default() -> Self {
        MotionTracker {
            region: None,
            previous: None,
            changes: Histogram::new(0.0, 64.0, 640),
        }
    }
}

impl MotionTracker {
    /// The region to take the next thumbnail of, given the frame's face box
    /// (None: no face) and size.
    pub fn region(&mut self, face: Option<FaceBox>, width: u32, height: u32) -> FaceBox {
        let whole = FaceBox {
            x: 0.0,
            y: 0.0,
            width: width as f32,
            height: height as f32,
        };
        let region = match (face, self.region) {
            (None, _) => whole,
            (Some(f), Some(r))
                if r != whole
                    && f.centre().dist(r.centre()) < 0.25 * r.width
                    && (f.width / r.width - 1.0).abs() < 0.25 =>
            {
                r
            }
            (Some(f), _) => f,
        };
        if self.region != Some(region) {
            // A new region: nothing to compare the next thumbnail with.
            self.previous = None;
            self.region = Some(region);
        }
        region
    }

    /// Takes the thumbnail of the region [`MotionTracker::region`] gave.
    pub fn push(&mut self, thumb: Vec<u8>) {
        if let Some(previous) = &self.previous {
            let change = previous
                .iter()
                .zip(&thumb)
                .map(|(a, b)| f64::from(a.abs_diff(*b)))
                .sum::<f64>()
                / thumb.len() as f64;
            self.changes.push(change);
        }
        self.previous = Some(thumb);
    }

    pub fn finish(&self, config: &MotionConfig) -> Motion {
        let high = self.changes.quantile(config.static_quantile);
        Motion {
            median_frame_change: self.changes.quantile(0.5).unwrap_or(0.0),
            // Without two comparable frames (no quantile) there is no
            // motion to judge.
            static_picture: high.is_some_and(|c| c < config.static_change),
        }
    }
}
