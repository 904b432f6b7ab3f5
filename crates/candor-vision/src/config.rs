//! Every threshold of the vision analysis, with where it comes from.

use std::path::PathBuf;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::detect::DetectorKind;
use crate::VisionError;

/// Face detection settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct DetectorConfig {
    /// Which detector runs. Default Haar: see the crate docs for the
    /// measurement (recall and ms per frame at 640 px) behind the choice.
    pub kind: DetectorKind,
    /// Debian `opencv-data`'s frontal Haar cascade.
    pub haar_cascade: PathBuf,
    /// Debian `opencv-data`'s improved frontal LBP cascade.
    pub lbp_cascade: PathBuf,
    /// Run dlib's HOG detector around every face found, so that the
    /// landmarks are fitted from dlib's own box (from any other they drift
    /// once the head turns), and on the whole frame (at most 640 px wide)
    /// where the cascade finds no face. Measured in the crate docs.
    pub turned_faces: bool,
    /// Frames are downscaled to this width before detection: a face worth
    /// analysing is at least ~1/10 of a 640-px frame, still 32 px at 320.
    pub detect_width: u32,
    /// Smallest face searched for, as a fraction of the frame's shorter
    /// side (a face smaller than this is too far away to read eyes from).
    pub min_face_fraction: f32,
    /// Between detections, the crop around the tracked face is scaled so
    /// the face is this wide: twice the cascades' 24-px window, enough to
    /// confirm a face cheaply.
    pub track_face_width: u32,
    /// Cascade `minNeighbors`: OpenCV's documented default of 3 plus one to
    /// cut false positives on textured backgrounds.
    pub min_neighbors: i32,
}

impl Default for DetectorConfig {
    fn default() -> Self {
        DetectorConfig {
            kind: DetectorKind::Haar,
            haar_cascade: "/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml"
                .into(),
            lbp_cascade: "/usr/share/opencv4/lbpcascades/lbpcascade_frontalface_improved.xml"
                .into(),
            turned_faces: true,
            detect_width: 320,
            min_face_fraction: 0.1,
            track_face_width: 48,
            min_neighbors: 4,
        }
    }
}

/// Proportions a set of landmarks must have to count as a face, in units of
/// the inter-ocular distance. Ranges are wide around the mean adult face
/// (Farkas 1994: eye-centre-to-mouth ≈ 1.1, mouth width ≈ 0.8 of the
/// inter-pupil distance) to allow pose and expression.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct GeometryLimits {
    /// Eye line steeper than this is not an upright face.
    pub max_roll_degrees: f32,
    /// Eye-to-mouth distance over inter-ocular distance.
    pub eye_to_mouth: (f32, f32),
    /// Mouth width over inter-ocular distance.
    pub mouth_width: (f32, f32),
    /// Landmark box width over height.
    pub box_aspect: (f32, f32),
    /// The eyes must be at least this fraction darker than the nose bridge.
    pub eye_darkness_min: f32,
}

impl Default for GeometryLimits {
    fn default() -> Self {
        GeometryLimits {
            max_roll_degrees: 45.0,
            eye_to_mouth: (0.6, 1.9),
            mouth_width: (0.4, 1.5),
            box_aspect: (0.6, 1.7),
            eye_darkness_min: 0.03,
        }
    }
}

/// Detection, tracking and landmark settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct TrackerConfig {
    pub detector: DetectorConfig,
    /// dlib's 68-point model (Debian `libdlib-data`). Its training data
    /// (iBUG 300-W) excludes commercial use: configurable for that reason.
    pub shape_predictor: PathBuf,
    /// Run the detector every this many frames (1 s at 5 fps) and track by
    /// landmarks in between; also whenever tracking is lost. Detection
    /// dominates the cost, and a new person entering the frame is noticed
    /// within a second.
    pub redetect_every: u32,
    /// A detection overlapping the tracked face by at least this
    /// intersection-over-union is the same face (0.3: the usual
    /// association threshold of multi-object trackers).
    pub same_face_iou: f32,
    pub geometry: GeometryLimits,
}

impl Default for TrackerConfig {
    fn default() -> Self {
        TrackerConfig {
            detector: DetectorConfig::default(),
            shape_predictor: "/usr/share/dlib/shape_predictor_68_face_landmarks.dat".into(),
            redetect_every: 5,
            same_face_iou: 0.3,
            geometry: GeometryLimits::default(),
        }
    }
}

impl TrackerConfig {
    pub fn validate(&self) -> Result<(), VisionError> {
        let bad = |m: &str| Err(VisionError::InvalidConfig(m.into()));
        if self.redetect_every == 0 {
            return bad("tracker.redetect_every must be at least 1");
        }
        if self.detector.detect_width < 64 {
            return bad("detector.detect_width must be at least 64");
        }
        if !(0.0..1.0).contains(&self.detector.min_face_fraction) {
            return bad("detector.min_face_fraction must be in [0, 1)");
        }
        Ok(())
    }
}
