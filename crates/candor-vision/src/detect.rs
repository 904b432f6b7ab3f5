//! Face detection on a downscaled grey frame: OpenCV's Haar or LBP cascade,
//! or dlib's HOG detector (chosen by measurement, see the crate docs).

use opencv::core::{Mat, Rect, Size, Vector};
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
    /// dlib's HOG detector: run where the main detector finds nothing (its
    /// filters cover faces turned well past where frontal cascades stop,
    /// measured in the crate docs), and around each face to give the
    /// shape predictor the box it was trained on.
    hog: Option<HogDetector>,
    config: DetectorConfig,
    small: Mat,
}

/// Boxes found in a frame.
#[derive(Debug, Default)]
pub struct Detections {
    pub boxes: Vec<FaceBox>,
    /// The boxes are dlib HOG boxes (the shape predictor's own convention)
    /// rather than a cascade's.
    pub hog: bool,
}

/// dlib's HOG window: smaller faces are not found.
const HOG_WINDOW: f32 = 80.0;

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
        let hog = match config.kind {
            DetectorKind::Haar | DetectorKind::Lbp if config.turned_faces => {
                Some(HogDetector::new()?)
            }
            _ => None,
        };
        Ok(FaceDetector {
            engine,
            hog,
            config: config.clone(),
            small: Mat::default(),
        })
    }

    /// Face boxes in a frame's pixels.
    pub fn detect_frame(&mut self, frame: &crate::Frame) -> Result<Detections, VisionError> {
        frame.validate()?;
        self.detect(&frame.grey()?)
    }

    /// Face boxes in the grey frame's pixels.
    pub(crate) fn detect(&mut self, grey: &Mat) -> Result<Detections, VisionError> {
        let (width, height) = (grey.cols(), grey.rows());
        let scale = (self.config.detect_width as f64 / width as f64).min(1.0);
        let min_side = self.config.min_face_fraction * width.min(height) as f32 * scale as f32;
        let region = Rect::new(0, 0, width, height);
        let found = self.detect_scaled(grey, region, scale, min_side, false)?;
        if !found.boxes.is_empty() || self.hog.is_none() {
            return Ok(found);
        }
        // At most 640 px wide: faces under the 80-px window are for the
        // main detector anyway.
        let scale = (640.0 / width as f64).min(1.0);
        self.detect_scaled(grey, region, scale, HOG_WINDOW, true)
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
        let region = crop_around(grey, face, 2.0);
        let scale = (self.config.track_face_width as f64 / face.width.max(1.0) as f64).min(1.0);
        let min_side = self.config.track_face_width as f32 * 0.6;
        Ok(self
            .detect_scaled(grey, region, scale, min_side, false)?
            .boxes)
    }

    /// dlib's own box for the face around `face` (any box roughly on it),
    /// the one nearest its centre, or None when dlib finds no face there
    /// (too small for its window, or no HOG detector).
    pub(crate) fn predictor_box_near(
        &mut self,
        grey: &Mat,
        face: &FaceBox,
    ) -> Result<Option<FaceBox>, VisionError> {
        if self.hog.is_none() && !matches!(self.engine, Engine::Hog(_)) {
            return Ok(None);
        }
        // The face a little over the HOG window.
        let region = crop_around(grey, face, 2.0);
        let scale = (1.25 * f64::from(HOG_WINDOW) / face.width.max(1.0) as f64).clamp(0.25, 2.0);
        let found = self.detect_scaled(grey, region, scale, HOG_WINDOW, true)?;
        let c = face.centre();
        Ok(found
            .boxes
            .into_iter()
            .filter(|b| b.iou(face) > 0.3)
            .min_by(|a, b| a.centre().dist(c).total_cmp(&b.centre().dist(c))))
    }

    /// Runs the main detector (or, with `turned`, the HOG fallback) on
    /// `region` scaled by `scale`, faces at least `min_side` there.
    fn detect_scaled(
        &mut self,
        grey: &Mat,
        region: Rect,
        scale: f64,
        min_side: f32,
        turned: bool,
    ) -> Result<Detections, VisionError> {
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
        let hog = turned || matches!(self.engine, Engine::Hog(_));
        let boxes = match (turned, &mut self.engine) {
            (_, Engine::Hog(hog)) => hog_boxes(hog, image, min_side)?,
            (true, Engine::Cascade(_)) => match self.hog.as_mut() {
                Some(hog) => hog_boxes(hog, image, min_side)?,
                None => Vec::new(),
            },
            (false, Engine::Cascade(classifier)) => {
                let min_side = (min_side.round() as i32).max(12);
                let mut found = Vector::<Rect>::new();
                classifier.detect_multi_scale(
                    image,
                    &mut found,
                    1.1,
                    self.config.min_neighbors,
                    0,
                    Size::new(min_side, min_side),
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
                    .collect()
            }
        };
        let inv = (1.0 / scale) as f32;
        let boxes = boxes
            .into_iter()
            .map(|b| FaceBox {
                x: region.x as f32 + b.x * inv,
                y: region.y as f32 + b.y * inv,
                width: b.width * inv,
                height: b.height * inv,
            })
            .collect();
        Ok(Detections { boxes, hog })
    }
}

/// dlib HOG boxes at least `min_side` wide in a grey image (none when the
/// image is smaller than the detector's window).
fn hog_boxes(
    hog: &mut HogDetector,
    image: &Mat,
    min_side: f32,
) -> Result<Vec<FaceBox>, VisionError> {
    if image.cols() < HOG_WINDOW as i32 || image.rows() < HOG_WINDOW as i32 {
        return Ok(Vec::new());
    }
    Ok(hog
        .detect(
            image.data_bytes()?,
            image.cols() as usize,
            image.rows() as usize,
        )?
        .into_iter()
        .map(FaceBox::from_dlib)
        .filter(|b| b.width >= min_side)
        .collect())
}

/// The crop `times` the size of `face` around it, inside the image.
fn crop_around(grey: &Mat, face: &FaceBox, times: f32) -> Rect {
    let (width, height) = (grey.cols(), grey.rows());
    let side = face.width.max(face.height) * times;
    let c = face.centre();
    let x0 = ((c.x - side / 2.0).floor() as i32).clamp(0, width - 1);
    let y0 = ((c.y - side / 2.0).floor() as i32).clamp(0, height - 1);
    let x1 = ((c.x + side / 2.0).ceil() as i32).clamp(x0 + 1, width);
    let y1 = ((c.y + side / 2.0).ceil() as i32).clamp(y0 + 1, height);
    Rect::new(x0, y0, x1 - x0, y1 - y0)
}
