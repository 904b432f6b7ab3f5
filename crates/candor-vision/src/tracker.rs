//! Streaming face tracking: detect every N frames, follow the face by its
//! landmarks in between, pick the main face, reject non-faces.

use std::sync::Arc;

use opencv::prelude::*;

use crate::config::TrackerConfig;
use crate::detect::FaceDetector;
use crate::dlib::ShapePredictor;
use crate::frame::{Frame, Grey};
use crate::gaze::{read_eyes, EyeReading};
use crate::geometry::FaceBox;
use crate::landmarks::Landmarks;
use crate::pose::{PoseFit, PoseSolver};
use crate::VisionError;

/// What the tracker saw in one frame.
#[derive(Debug, Clone)]
pub struct FrameObservation {
    pub t: f64,
    /// The main face, when one is visible.
    pub face: Option<TrackedFace>,
    /// Faces visible at the last detection (landmark-verified).
    pub face_count: usize,
    /// Whether this frame ran the detector (otherwise the face was tracked).
    pub detected: bool,
}

/// The main face of a frame.
#[derive(Debug, Clone)]
pub struct TrackedFace {
    /// The face box (jaw width, brows to chin), in frame pixels; may extend
    /// past the frame.
    pub face_box: FaceBox,
    pub landmarks: Landmarks,
    /// Some landmarks fall outside the frame.
    pub cut_off: bool,
    /// The head pose, when one facing the camera fits the landmarks.
    pub pose: Option<PoseFit>,
    /// Pupil centres and the eyes' rotation.
    pub eyes: EyeReading,
    /// Mean grey level (0–255) under the landmarks: how lit the face is.
    pub brightness: f32,
}

/// Where a landmark fit starts.
#[derive(Debug, Clone, Copy)]
enum Start {
    /// A box to fit from as it is: dlib's detector's, or (where dlib finds
    /// no face) the one predicted from the last frame's landmarks.
    Exact(FaceBox),
    /// A box from a cascade.
    Cascade(FaceBox),
}

/// Follows the main face through a stream of frames.
pub struct FaceTracker {
    config: TrackerConfig,
    detector: FaceDetector,
    predictor: Arc<ShapePredictor>,
    /// The last face's landmark box and the detector-style box to fit the
    /// next frame from.
    last: Option<(FaceBox, FaceBox)>,
    since_detection: u32,
    face_count: usize,
    poses: PoseSolver,
}

impl FaceTracker {
    /// Loads the detector and (once per process) the shape predictor.
    pub fn new(config: &TrackerConfig) -> Result<FaceTracker, VisionError> {
        config.validate()?;
        Ok(FaceTracker {
            detector: FaceDetector::new(&config.detector)?,
            predictor: ShapePredictor::shared(&config.shape_predictor)?,
            config: config.clone(),
            last: None,
            since_detection: 0,
            face_count: 0,
            poses: PoseSolver::default(),
        })
    }

    /// Tracks one frame (already converted to grey, see [`FaceTracker::push`]).
    pub(crate) fn push_grey(
        &mut self,
        frame: &Frame,
        grey_mat: &Mat,
    ) -> Result<FrameObservation, VisionError> {
        let grey = Grey::from_mat(grey_mat)?;
        let due = self.since_detection + 1 >= self.config.redetect_every;
        let tracked = match self.last {
            Some((previous, start)) if !due => self.track(&grey, grey_mat, previous, start)?,
            _ => None,
        };
        let detected = tracked.is_none();
        let face = if detected {
            self.since_detection = 0;
            // A detection re-anchors the face; on a scheduled detection a
            // face the detector misses (turned past what it finds) is
            // tracked instead.
            self.detect(&grey, grey_mat, due)?
        } else {
            self.since_detection += 1;
            tracked
        };
        if face.is_none() {
            self.face_count = 0;
            self.poses.reset();
        }
        self.last = face
            .as_ref()
            .map(|f: &TrackedFace| (f.face_box, f.landmarks.predictor_box()));
        let face = match face {
            Some(mut f) => {
                f.cut_off = f.landmarks.points.iter().any(|p| {
                    p.x < 0.0
                        || p.y < 0.0
                        || p.x >= frame.width as f32
                        || p.y >= frame.height as f32
                });
                f.pose = self.poses.solve(&f.landmarks, frame.width, frame.height)?;
                f.eyes = read_eyes(&grey, &f.landmarks);
                f.brightness = grey.mean_at(&f.landmarks.points);
                Some(f)
            }
            None => None,
        };
        Ok(FrameObservation {
            t: frame.t,
            face,
            face_count: self.face_count,
            detected,
        })
    }

    /// Tracks one frame.
    pub fn push(&mut self, frame: &Frame) -> Result<FrameObservation, VisionError> {
        frame.validate()?;
        let grey = frame.grey()?;
        self.push_grey(frame, &grey)
    }

    /// Landmarks of the face around `start`, or None when they do not
    /// describe a face. The shape predictor should start from the box
    /// dlib's detector gives the face (what it was trained on): from any
    /// other box its fit drifts once the head turns. For a cascade's box
    /// that box is looked for around the box a first fit implies (as
    /// tracking looks for it around the box the last frame's fit implies),
    /// so that the same face gets the same box whichever way it was found.
    /// Where dlib finds no face (one smaller than its window) the first fit
    /// stands.
    fn fit(
        &mut self,
        grey: &Grey,
        grey_mat: &Mat,
        start: Start,
    ) -> Result<Option<TrackedFace>, VisionError> {
        let fit_from = match start {
            Start::Exact(b) => b,
            Start::Cascade(b) => {
                // A cascade's box is larger than the predictor's: a first
                // fit on it places the face.
                let rough = self.landmarks(grey, b)?.predictor_box();
                self.detector
                    .predictor_box_near(grey_mat, &rough)?
                    .unwrap_or(rough)
            }
        };
        let landmarks = self.landmarks(grey, fit_from)?;
        if !landmarks.is_plausible(grey, &self.config.geometry) {
            return Ok(None);
        }
        Ok(Some(TrackedFace {
            face_box: landmarks.face_box(),
            landmarks,
            cut_off: false,
            pose: None,
            eyes: EyeReading::default(),
            brightness: 0.0,
        }))
    }

    /// The face continuing `previous` (its landmark box), or None when it
    /// is lost. dlib's detector looks for it around `start`, the box the
    /// last landmarks imply, and its box both confirms the face and is
    /// what the landmarks are fitted from. Where dlib finds nothing (a
    /// face under its window) the cascade alone confirms the face in a crop
    /// around it and the landmarks are fitted from `start`.
    fn track(
        &mut self,
        grey: &Grey,
        grey_mat: &Mat,
        previous: FaceBox,
        start: FaceBox,
    ) -> Result<Option<TrackedFace>, VisionError> {
        if let Some(found) = self.detector.predictor_box_near(grey_mat, &start)? {
            return self.fit(grey, grey_mat, Start::Exact(found));
        }
        // Every other tracked frame is confirmed by the cascade in a crop;
        // in between, the landmark fit's plausibility check alone keeps the
        // face (the confirmation is the costliest step of tracking).
        let c = previous.centre();
        let confirmed = self.since_detection % 2 == 1
            || self
                .detector
                .detect_near(grey_mat, &previous)?
                .iter()
                .any(|b| c.x > b.x && c.x < b.x + b.width && c.y > b.y && c.y < b.y + b.height);
        if confirmed {
            self.fit(grey, grey_mat, Start::Exact(start))
        } else {
            Ok(None)
        }
    }

    fn landmarks(&self, grey: &Grey, face: FaceBox) -> Result<Landmarks, VisionError> {
        let points = self
            .predictor
            .run(grey.data, grey.width, grey.height, face.to_dlib())?;
        Ok(Landmarks { points })
    }

    /// Runs the detector, verifies every candidate by its landmarks and
    /// picks the main face: the one continuing the last face (with
    /// `or_track`, that face tracked when the detector misses it), else the
    /// largest.
    fn detect(
        &mut self,
        grey: &Grey,
        grey_mat: &Mat,
        or_track: bool,
    ) -> Result<Option<TrackedFace>, VisionError> {
        let mut faces = Vec::new();
        let found = self.detector.detect(grey_mat)?;
        for candidate in found.boxes {
            let start = if found.hog {
                Start::Exact(candidate)
            } else {
                Start::Cascade(candidate)
            };
            if let Some(face) = self.fit(grey, grey_mat, start)? {
                // A cascade may fire twice on one face at different scales.
                if !faces.iter().any(|f: &TrackedFace| {
                    f.face_box.iou(&face.face_box) > self.config.same_face_iou
                }) {
                    faces.push(face);
                }
            }
        }
        let continuing = self.last.map(|l| l.0).and_then(|last| {
            faces
                .iter()
                .enumerate()
                .map(|(i, f)| (i, f.face_box.iou(&last)))
                .filter(|&(_, iou)| iou >= self.config.same_face_iou)
                .max_by(|a, b| a.1.total_cmp(&b.1))
                .map(|(i, _)| i)
        });
        if let (None, true, Some((previous, start))) = (continuing, or_track, self.last) {
            if let Some(tracked) = self.track(grey, grey_mat, previous, start)? {
                self.face_count = faces.len() + 1;
                return Ok(Some(tracked));
            }
        }
        self.face_count = faces.len();
        let main = continuing.or_else(|| {
            faces
                .iter()
                .enumerate()
                .max_by(|a, b| a.1.face_box.area().total_cmp(&b.1.face_box.area()))
                .map(|(i, _)| i)
        });
        Ok(main.map(|i| faces.swap_remove(i)))
    }
}
