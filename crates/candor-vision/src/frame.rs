//! A borrowed view of one decoded frame, so that this crate does not depend
//! on the decoder (and builds without FFmpeg).

use opencv::core::{Mat, Vec3b};
use opencv::imgproc;
use opencv::prelude::*;

use crate::geometry::Point;
use crate::VisionError;

/// One sampled frame: packed BGR24, stride `width * 3` — the layout of
/// `candor_media::VideoFrame` (`Frame::new(f.t, f.width, f.height, &f.data)`).
#[derive(Debug, Clone, Copy)]
pub struct Frame<'a> {
    /// Presentation time in seconds from the start of the recording.
    pub t: f64,
    pub width: u32,
    pub height: u32,
    pub bgr: &'a [u8],
}

impl<'a> Frame<'a> {
    /// Checks that the buffer holds exactly `width * height` BGR pixels and
    /// that the time is finite.
    pub fn new(t: f64, width: u32, height: u32, bgr: &'a [u8]) -> Result<Self, VisionError> {
        let frame = Frame {
            t,
            width,
            height,
            bgr,
        };
        frame.validate()?;
        Ok(frame)
    }

    pub(crate) fn validate(&self) -> Result<(), VisionError> {
        if !self.t.is_finite() {
            return Err(VisionError::InvalidFrame(format!(
                "time {} is not finite",
                self.t
            )));
        }
        if self.width == 0 || self.height == 0 || self.width > 16_384 || self.height > 16_384 {
            return Err(VisionError::InvalidFrame(format!(
                "size {}x{} is outside 1..=16384",
                self.width, self.height
            )));
        }
        let expected = self.width as usize * self.height as usize * 3;
        if self.bgr.len() != expected {
            return Err(VisionError::InvalidFrame(format!(
                "{} bytes for {}x{} BGR24 (expected {expected})",
                self.bgr.len(),
                self.width,
                self.height
            )));
        }
        Ok(())
    }

    /// The packed 8-bit grey (luma) image of this frame.
    pub(crate) fn grey(&self) -> Result<Mat, VisionError> {
        let bgr = Mat::new_rows_cols_with_bytes::<Vec3b>(
            self.height as i32,
            self.width as i32,
            self.bgr,
        )?;
        let mut grey = Mat::default();
        imgproc::cvt_color_def(&bgr, &mut grey, imgproc::COLOR_BGR2GRAY)?;
        Ok(grey)
    }
}

/// A packed grey image borrowed from a continuous OpenCV matrix.
#[derive(Clone, Copy)]
pub(crate) struct Grey<'a> {
    pub width: usize,
    pub height: usize,
    pub data: &'a [u8],
}

impl<'a> Grey<'a> {
    pub fn from_mat(mat: &'a Mat) -> Result<Self, VisionError> {
        Ok(Grey {
            width: mat.cols() as usize,
            height: mat.rows() as usize,
            data: mat.data_bytes()?,
        })
    }

    /// Mean of the bilinear samples at `points` (0 for none).
    pub fn mean_at(&self, points: &[Point]) -> f32 {
        let n = points.len().max(1) as f32;
        points.iter().map(|p| self.sample(p.x, p.y)).sum::<f32>() / n
    }

    /// Bilinear sample at (x, y), clamped to the image.
    pub fn sample(&self, x: f32, y: f32) -> f32 {
        let x = x.clamp(0.0, (self.width - 1) as f32);
        let y = y.clamp(0.0, (self.height - 1) as f32);
        let (x0, y0) = (x.floor() as usize, y.floor() as usize);
        let (x1, y1) = ((x0 + 1).min(self.width - 1), (y0 + 1).min(self.height - 1));
        let (fx, fy) = (x - x0 as f32, y - y0 as f32);
        let at = |xx: usize, yy: usize| f32::from(self.data[yy * self.width + xx]);
        let top = at(x0, y0) * (1.0 - fx) + at(x1, y0) * fx;
        let bottom = at(x0, y1) * (1.0 - fx) + at(x1, y1) * fx;
        top * (1.0 - fy) + bottom * fy
    }
}
