//! Face detection on a downscaled grey frame: OpenCV's Haar or LBP cascade,
//! or dlib's HOG detector (chosen by measurement, see the crate docs).

use opencv::core::{self, Mat, Rect, Size, Vector};
use opencv::imgproc;
use opencv::objdetect::CascadeClassifier;
use opencv::prelude::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::config::DetectorConfig;
use crate::dlib::HogDetector;
use crate::geometry::FaceBox;
use crate::VisionError;

/// Which face detector runs on the detection frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DetectorKind {
    /// OpenCV `haarcascade_frontalface_default.xml`.
    Haar,
    /// OpenCV `lbpcascade_frontalface_improved.xml`.
    Lbp,
    /// dlib's HOG frontal face detector.
    DlibHog,
}

enum Engine {
    Cascade(CascadeClassifier),
    Hog(HogDetector),
}

/// A face detector that works on frames downscaled to
/// [`DetectorConfig::detect_width`] and returns boxes in frame pixels.
pub struct FaceDetector {
    engine: Engine,
    /// OpenCV's profile cascade, for confirming a tracked face that has
    /// turned past what the frontal detector finds.
    profile: Option<CascadeClassifier>,
    config: DetectorConfig,
    small: Mat,
    flipped: Mat,
}

impl FaceDetector {
    pub fn new(config: &DetectorConfig) -> Result<FaceDetector, VisionError> {
        let cascade = |path: &std::path::Path| -> Result<Engine, VisionError> {
            let model_error = |reason: String| VisionError::Model {
                path: path.display().to_string(),
                reason,
            };
            if !path.is_file() {
                return Err(model_error("no such file".into()));
            }
            let classifier =
                CascadeClassifier::new(path).map_err(|e| model_error(e.to_string()))?;
            if classifier.empty().map_err(|e| model_error(e.to_string()))? {
                return Err(model_error("not a cascade".into()));
            }
            Ok(Engine::Cascade(classifier))
        };
        let engine = match config.kind {
            DetectorKind::Haar => cascade(&config.haar_cascade)?,
            DetectorKind::Lbp => cascade(&config.lbp_cascade)?,
            DetectorKind::DlibHog => Engine::Hog(HogDetector::new()?),
        };
        let profile = match &config.profile_cascade {
            Some(path) => match cascade(path)? {
                Engine::Cascade(c) => Some(c),
                Engine::Hog(_) => unreachable!("cascade() loads cascades"),
            },
            None => None,
        };
        Ok(FaceDetector {
            engine,
            profile,
            config: config.clone(),
            small: Mat::default(),
            flipped: Mat::default(),
        })
    }

    /// Face boxes in a frame's pixels.
    pub fn detect_frame(&mut self, frame: &crate::Frame) -> Result<Vec<FaceBox>, VisionError> {
        frame.validate()?;
        self.detect(&frame.grey()?)
    }

    /// Face boxes in the grey frame's pixels.
    pub(crate) fn detect(&mut self, grey: &Mat) -> Result<Vec<FaceBox>, VisionError> {
        let (width, height) = (grey.cols(), grey.rows());
        let scale = (self.config.detect_width as f64 / width as f64).min(1.0);
        let min_side = self.config.min_face_fraction * width.min(height) as f32 * scale as f32;
        self.detect_scaled(grey, Rect::new(0, 0, width, height), scale, min_side)
    }

    /// Face boxes near `face` (a box tracked in the previous frame): the
    /// detector runs on a crop twice the face's size, scaled so the face is
    /// [`DetectorConfig::track_face_width`] pixels wide — a fraction of the
    /// cost of a full-frame detection, and it confirms the tracked region
    /// still holds a face.
    pub(crate) fn detect_near(
        &mut self,
        grey: &Mat,
        face: &FaceBox,
    ) -> Result<Vec<FaceBox>, VisionError> {
        let (width, height) = (grey.cols(), grey.rows());
        let side = face.width.max(face.height) * 2.0;
        let c = face.centre();
        let x0 = ((c.x - side / 2.0).floor() as i32).clamp(0, width - 1);
        let y0 = ((c.y - side / 2.0).floor() as i32).clamp(0, height - 1);
        let x1 = ((c.x + side / 2.0).ceil() as i32).clamp(x0 + 1, width);
        let y1 = ((c.y + side / 2.0).ceil() as i32).clamp(y0 + 1, height);
        let scale = (self.config.track_face_width as f64 / face.width.max(1.0) as f64).min(1.0);
        let min_side = self.config.track_face_width as f32 * 0.6;
        let region = Rect::new(x0, y0, x1 - x0, y1 - y0);
        let found = self.detect_scaled(grey, region, scale, min_side)?;
        if !found.is_empty() {
            return Ok(found);
        }
        self.detect_profile(region, scale, min_side)
    }

    /// Profile faces (turned either way) in the crop `detect_scaled` left
    /// in `self.small`.
    fn detect_profile(
        &mut self,
        region: Rect,
        scale: f64,
        min_side: f32,
    ) -> Result<Vec<FaceBox>, VisionError> {
        let Some(profile) = self.profile.as_mut() else {
            return Ok(Vec::new());
        };
        let min = Size::new((min_side.round() as i32).max(12), (min_side.round() as i32).max(12));
        let mut boxes = Vec::new();
        // The cascade finds faces turned one way; the mirrored crop gives
        // the other.
        core::flip(&self.small, &mut self.flipped, 1)?;
        let width = self.small.cols() as f32;
        for (image, mirrored) in [(&self.small, false), (&self.flipped, true)] {
            let mut found = Vector::<Rect>::new();
            profile.detect_multi_scale(image, &mut found, 1.1, self.config.min_neighbors, 0, min, Size::new(0, 0))?;
            boxes.extend(found.iter().map(|r| FaceBox {
                x: if mirrored { width - (r.x + r.width) as f32 } else { r.x as f32 },
                y: r.y as f32,
                width: r.width as f32,
                height: r.height as f32,
            }));
        }
        Ok(to_frame(boxes, region, scale))
    }

    fn detect_scaled(
        &mut self,
        grey: &Mat,
        region: Rect,
        scale: f64,
        min_side: f32,
    ) -> Result<Vec<FaceBox>, VisionError> {
        let roi = Mat::roi(grey, region)?;
        let small_size = Size::new(
            ((region.width as f64 * scale).round() as i32).max(1),
            ((region.height as f64 * scale).round() as i32).max(1),
        );
        imgproc::resize(
            &roi,
            &mut self.small,
            small_size,
            0.0,
            0.0,
            imgproc::INTER_AREA,
        )?;
        let image = &self.small;
        let min_side = min_side.round() as i32;
        let boxes = match &mut self.engine {
            Engine::Cascade(classifier) => {
                let mut found = Vector::<Rect>::new();
                classifier.detect_multi_scale(
                    image,
                    &mut found,
                    1.1,
                    self.config.min_neighbors,
                    0,
                    Size::new(min_side.max(12), min_side.max(12)),
                    Size::new(0, 0),
                )?;
                found
                    .iter()
                    .map(|r| FaceBox {
                        x: r.x as f32,
                        y: r.y as f32,
                        width: r.width as f32,
                        height: r.height as f32,
                    })
                    .collect::<Vec<_>>()
            }
            Engine::Hog(hog) => {
                // dlib's HOG window is 80 px: smaller images hold no face.
                if image.cols() < 80 || image.rows() < 80 {
                    Vec::new()
                } else {
                    hog.detect(
                        image.data_bytes()?,
                        image.cols() as usize,
                        image.rows() as usize,
                    )?
                    .into_iter()
                    .map(FaceBox::from_dlib)
                    .filter(|b| b.width >= min_side as f32)
                    .collect()
                }
            }
        };
        Ok(to_frame(boxes, region, scale))
    }
}

/// Boxes found in `region` scaled by `scale`, in frame pixels.
fn to_frame(boxes: Vec<FaceBox>, region: Rect, scale: f64) -> Vec<FaceBox> {
    let inv = (1.0 / scale) as f32;
    boxes
        .into_iter()
        .map(|b| FaceBox {
            x: region.x as f32 + b.x * inv,
            y: region.y as f32 + b.y * inv,
            width: b.width * inv,
            height: b.height * inv,
        })
        .collect()
}
