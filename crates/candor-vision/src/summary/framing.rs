//! Framing: how large the face is, where it sits, whether it is cut off,
//! how steady it is.

use candor_domain::vision::{Framing, FramingVerdict};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::stats::Histogram;
use crate::tracker::TrackedFace;

/// Framing thresholds. Face height is the landmark box (brows to chin),
/// about three quarters of the head's height.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct FramingConfig {
    /// Face taller than this share of the frame is too close (heuristic:
    /// the head then fills ~60 % of the frame, leaving no room for the
    /// shoulders of a head-and-shoulders shot).
    pub too_close_ratio: f64,
    /// Face shorter than this share is too far (heuristic: the head is
    /// under ~1/6 of the frame and the eyes too small to read).
    pub too_far_ratio: f64,
    /// Horizontal offset of the face centre (in frame widths) beyond which
    /// it is off-centre (heuristic).
    pub max_offset_x: f64,
    /// Vertical offset range (frame heights, negative = above centre): the
    /// face belongs a little above centre (rule of thirds, eyes on the upper
    /// third), so the range is asymmetric (heuristic).
    pub offset_y_range: (f64, f64),
    /// Share of face frames with landmarks outside the frame above which the
    /// face is cut off (heuristic).
    pub max_cut_off_ratio: f64,
}

impl Default for FramingConfig {
    fn default() -> Self {
        FramingConfig {
            too_close_ratio: 0.45,
            too_far_ratio: 0.13,
            max_offset_x: 0.15,
            offset_y_range: (-0.3, 0.15),
            max_cut_off_ratio: 0.3,
        }
    }
}

#[derive(Debug)]
pub(crate) struct FramingTracker {
    height: Histogram,
    offset_x: Histogram,
    offset_y: Histogram,
    moved_px: f64,
    moved_s: f64,
    previous: Option<(f64, f32, f32)>,
}

impl Default for FramingTracker {
    fn default() -> Self {
        FramingTracker {
            height: Histogram::new(0.0, 1.5, 300),
            offset_x: Histogram::new(-0.5, 0.5, 200),
            offset_y: Histogram::new(-0.5, 0.5, 200),
            moved_px: 0.0,
            moved_s: 0.0,
            previous: None,
        }
    }
}

impl FramingTracker {
    /// One face frame of a `width` x `height` frame; `max_step_s` as for the
    /// head movement.
    pub fn push(&mut self, t: f64, face: &TrackedFace, width: u32, height: u32, max_step_s: f64) {
        let b = face.face_box;
        let c = b.centre();
        self.height.push(f64::from(b.height) / f64::from(height));
        self.offset_x.push(f64::from(c.x) / f64::from(width) - 0.5);
        self.offset_y.push(f64::from(c.y) / f64::from(height) - 0.5);
        if let Some((t0, x0, y0)) = self.previous {
            let dt = t - t0;
            if dt > 0.0 && dt <= max_step_s {
                self.moved_px += f64::from(((c.x - x0).powi(2) + (c.y - y0).powi(2)).sqrt());
                self.moved_s += dt;
            }
        }
        self.previous = Some((t, c.x, c.y));
    }

    /// None when no face frame was seen.
    pub fn finish(self, config: &FramingConfig, cut_off_ratio: f64) -> Option<Framing> {
        let face_height_ratio = self.height.median()?;
        let centre_offset_x = self.offset_x.median()?;
        let centre_offset_y = self.offset_y.median()?;
        let (y_lo, y_hi) = config.offset_y_range;
        let verdict = if face_height_ratio > config.too_close_ratio {
            FramingVerdict::TooClose
        } else if cut_off_ratio > config.max_cut_off_ratio {
            FramingVerdict::CutOff
        } else if face_height_ratio < config.too_far_ratio {
            FramingVerdict::TooFar
        } else if centre_offset_x.abs() > config.max_offset_x
            || !(y_lo..=y_hi).contains(&centre_offset_y)
        {
            FramingVerdict::OffCentre
        } else {
            FramingVerdict::Good
        };
        Some(Framing {
            face_height_ratio,
            centre_offset_x,
            centre_offset_y,
            verdict,
            stability_px_per_s: if self.moved_s > 0.0 {
                self.moved_px / self.moved_s
            } else {
                0.0
            },
        })
    }
}
