//! Pupil/iris centre inside each eye, and the eye's rotation in the head
//! that the centre's offset implies.
//!
//! The centre is found by the gradient method of Timm & Barth (2011, "Accurate
//! eye centre localisation by means of gradients"): the centre of a dark
//! circular iris is the point that most image gradients point away from.
//! Gradients are kept above an adaptive threshold (mean + 0.3 σ of this eye's
//! own gradient magnitudes, as in the paper), so there is no fixed intensity
//! threshold to break under other lighting, and every eye is resampled to a
//! fixed width so that a 25-px eye and a 100-px eye are measured alike.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::frame::Grey;
use crate::geometry::Point;
use crate::landmarks::{idx, Landmarks};

/// Width in pixels every eye patch is resampled to: enough to resolve an
/// iris (about a third of the eye width, ~10 px) at a cost of ~0.2 ms.
const PATCH_WIDTH: usize = 32;
/// Gradient magnitude threshold in standard deviations above the mean
/// (Timm & Barth 2011).
const GRADIENT_SIGMAS: f32 = 0.3;

/// Eye opening (corner to corner) over eyeball radius: an adult palpebral
/// fissure is ~30 mm long (Farkas 1994) and the eyeball's radius ~12 mm, so
/// an iris centre `d` eye-widths off the eye's centre is an eye rotated by
/// asin(2.5 d).
const EYE_WIDTH_OVER_EYEBALL_RADIUS: f32 = 2.5;

/// Where the iris centre sits, in eye widths below the centre of the eye
/// opening, when the eye looks straight ahead: above it, since the upper
/// lid covers the top of the iris while the lower lid meets its bottom,
/// and the lashes pull the gradient centre up further. Measured on the
/// astronaut photo looking into the lens (-0.10); Grace Hopper's photo,
/// not used to set it, reads -0.08 (median of the `diagnostics` table of
/// the `turning` tests on her still, silent video).
const STRAIGHT_AHEAD_VERTICAL: f32 = -0.10;

/// The eyes' rotation in the head (mean of both eyes), degrees.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct Gaze {
    /// Positive when the eyes turn towards the image's right.
    pub eye_yaw: f32,
    /// Positive when the eyes turn down.
    pub eye_pitch: f32,
}

/// The located pupils, in frame pixels, and the gaze they give.
#[derive(Debug, Clone, Copy, Default)]
pub struct EyeReading {
    pub pupils: [Point; 2],
    pub gaze: Gaze,
}

/// Locates both pupils of `landmarks` in `grey` and derives the gaze.
pub(crate) fn read_eyes(grey: &Grey, landmarks: &Landmarks) -> EyeReading {
    let mut pupils = [Point::default(); 2];
    let mut horizontal = 0.0;
    let mut vertical = 0.0;
    for (k, which) in [idx::EYE_IMAGE_LEFT, idx::EYE_IMAGE_RIGHT]
        .into_iter()
        .enumerate()
    {
        let eye = landmarks.eye(which);
        let pupil = pupil_centre(grey, &eye);
        // Corners ordered image-left to image-right for both eyes.
        let (a, b) = if eye[0].x <= eye[3].x {
            (eye[0], eye[3])
        } else {
            (eye[3], eye[0])
        };
        let axis = Point::new(b.x - a.x, b.y - a.y);
        let len2 = (axis.x * axis.x + axis.y * axis.y).max(1e-6);
        let t = ((pupil.x - a.x) * axis.x + (pupil.y - a.y) * axis.y) / len2;
        let centre = Point::mean(&eye);
        let normal = Point::new(-axis.y, axis.x);
        let v = ((pupil.x - centre.x) * normal.x + (pupil.y - centre.y) * normal.y) / len2;
        pupils[k] = pupil;
        horizontal += (t - 0.5) / 2.0;
        vertical += v / 2.0;
    }
    let rotation = |d: f32| {
        (d * EYE_WIDTH_OVER_EYEBALL_RADIUS)
            .clamp(-1.0, 1.0)
            .asin()
            .to_degrees()
    };
    EyeReading {
        pupils,
        gaze: Gaze {
            eye_yaw: rotation(horizontal),
            eye_pitch: rotation(vertical - STRAIGHT_AHEAD_VERTICAL),
        },
    }
}

/// The gradient-based pupil centre of one eye given its six landmarks.
fn pupil_centre(grey: &Grey, eye: &[Point; 6]) -> Point {
    let (mut x0, mut x1) = (f32::MAX, f32::MIN);
    let (mut y0, mut y1) = (f32::MAX, f32::MIN);
    for p in eye {
        x0 = x0.min(p.x);
        x1 = x1.max(p.x);
        y0 = y0.min(p.y);
        y1 = y1.max(p.y);
    }
    let width = (x1 - x0).max(2.0);
    // Lids hide part of the iris: extend the patch vertically so that its
    // outline (and its gradients) are inside.
    let cy = (y0 + y1) / 2.0;
    let half_h = ((y1 - y0) / 2.0).max(width * 0.25) * 1.3;
    let (px0, py0) = (x0 - width * 0.05, cy - half_h);
    let scale = (width * 1.1) / PATCH_WIDTH as f32;
    let ph = ((2.0 * half_h / scale).round() as usize).clamp(6, PATCH_WIDTH);
    let pw = PATCH_WIDTH;
    let patch: Vec<f32> = (0..ph * pw)
        .map(|i| grey.sample(px0 + (i % pw) as f32 * scale, py0 + (i / pw) as f32 * scale))
        .collect();

    // Gradients (central differences) and the adaptive threshold.
    let mut grads = Vec::with_capacity(pw * ph);
    for y in 1..ph - 1 {
        for x in 1..pw - 1 {
            let gx = (patch[y * pw + x + 1] - patch[y * pw + x - 1]) / 2.0;
            let gy = (patch[(y + 1) * pw + x] - patch[(y - 1) * pw + x]) / 2.0;
            grads.push((x as f32, y as f32, gx, gy, (gx * gx + gy * gy).sqrt()));
        }
    }
    let n = grads.len().max(1) as f32;
    let mean = grads.iter().map(|g| g.4).sum::<f32>() / n;
    let std = (grads.iter().map(|g| (g.4 - mean).powi(2)).sum::<f32>() / n).sqrt();
    let threshold = mean + GRADIENT_SIGMAS * std;
    let strong: Vec<(f32, f32, f32, f32)> = grads
        .iter()
        .filter(|g| g.4 > threshold && g.4 > 0.0)
        .map(|&(x, y, gx, gy, m)| (x, y, gx / m, gy / m))
        .collect();
    // Dark-centre prior: the iris is darker than the sclera (the paper's
    // weight), from a lightly smoothed patch.
    let max_v = patch.iter().cloned().fold(0.0f32, f32::max).max(1.0);
    let mut best = (f32::MIN, pw as f32 / 2.0, ph as f32 / 2.0);
    for cy in 1..ph - 1 {
        for cx in 1..pw - 1 {
            let (fx, fy) = (cx as f32, cy as f32);
            // Only candidates inside the eye's own outline.
            let (ix, iy) = (px0 + fx * scale, py0 + fy * scale);
            if ix < x0 || ix > x1 || iy < y0 - 1.0 || iy > y1 + 1.0 {
                continue;
            }
            let mut score = 0.0;
            for &(gx0, gy0, gx, gy) in &strong {
                let (dx, dy) = (gx0 - fx, gy0 - fy);
                let d = (dx * dx + dy * dy).sqrt();
                if d > 0.0 {
                    let dot = (dx * gx + dy * gy) / d;
                    if dot > 0.0 {
                        score += dot * dot;
                    }
                }
            }
            let local = (patch[cy * pw + cx]
                + patch[cy * pw + cx - 1]
                + patch[cy * pw + cx + 1]
                + patch[(cy - 1) * pw + cx]
                + patch[(cy + 1) * pw + cx])
                / 5.0;
            let weighted = score * (max_v - local + 1.0) / max_v;
            if weighted > best.0 {
                best = (weighted, fx, fy);
            }
        }
    }
    Point::new(px0 + best.1 * scale, py0 + best.2 * scale)
}
