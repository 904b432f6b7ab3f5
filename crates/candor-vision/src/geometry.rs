//! Small geometric types shared by the detectors, landmarks and measures.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A point in frame pixels.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Point {
    pub x: f32,
    pub y: f32,
}

impl Point {
    pub fn new(x: f32, y: f32) -> Self {
        Point { x, y }
    }

    pub fn dist(self, o: Point) -> f32 {
        ((self.x - o.x).powi(2) + (self.y - o.y).powi(2)).sqrt()
    }

    pub fn mean(points: &[Point]) -> Point {
        let n = points.len().max(1) as f32;
        Point::new(
            points.iter().map(|p| p.x).sum::<f32>() / n,
            points.iter().map(|p| p.y).sum::<f32>() / n,
        )
    }
}

/// An integer box with inclusive corners (dlib's convention).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BoxI {
    pub left: i32,
    pub top: i32,
    pub right: i32,
    pub bottom: i32,
}

/// A face box in frame pixels (may extend past the frame when the face is
/// cut off).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FaceBox {
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
}

impl FaceBox {
    pub fn centre(&self) -> Point {
        Point::new(self.x + self.width / 2.0, self.y + self.height / 2.0)
    }

    pub fn area(&self) -> f32 {
        self.width.max(0.0) * self.height.max(0.0)
    }

    /// Intersection over union.
    pub fn iou(&self, o: &FaceBox) -> f32 {
        let w = (self.x + self.width).min(o.x + o.width) - self.x.max(o.x);
        let h = (self.y + self.height).min(o.y + o.height) - self.y.max(o.y);
        let inter = w.max(0.0) * h.max(0.0);
        let union = self.area() + o.area() - inter;
        if union > 0.0 {
            inter / union
        } else {
            0.0
        }
    }

    pub fn to_dlib(self) -> BoxI {
        BoxI {
            left: self.x.round() as i32,
            top: self.y.round() as i32,
            right: (self.x + self.width).round() as i32 - 1,
            bottom: (self.y + self.height).round() as i32 - 1,
        }
    }

    pub fn from_dlib(b: BoxI) -> FaceBox {
        FaceBox {
            x: b.left as f32,
            y: b.top as f32,
            width: (b.right - b.left + 1) as f32,
            height: (b.bottom - b.top + 1) as f32,
        }
    }

    /// The part of this box inside a `width` x `height` frame, in whole
    /// pixels (x0, y0, x1, y1), or None when nothing is inside.
    pub fn clip(&self, width: usize, height: usize) -> Option<(usize, usize, usize, usize)> {
        let x0 = self.x.max(0.0).floor() as usize;
        let y0 = self.y.max(0.0).floor() as usize;
        let x1 = ((self.x + self.width).min(width as f32).ceil().max(0.0)) as usize;
        let y1 = ((self.y + self.height).min(height as f32).ceil().max(0.0)) as usize;
        (x1 > x0 && y1 > y0).then_some((x0, y0, x1.min(width), y1.min(height)))
    }
}
