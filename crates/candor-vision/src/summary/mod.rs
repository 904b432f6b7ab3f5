//! The streaming summary of a recording's frames: presence, motion, eye
//! contact, head movement, blinks, framing, lighting and smiles,
//! accumulated frame by frame in memory that does not grow with the
//! recording.

mod blinks;
mod eye_contact;
mod framing;
mod head;
mod lighting;
mod motion;
mod smiles;
mod spans;
mod stats;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use blinks::BlinkConfig;
pub use candor_domain::vision::{
    Blinks, Exposure, EyeContact, Framing, FramingVerdict, HeadMovement, Lighting, Motion,
    Presence, Smiles, VisionAnalysis, WindowShare,
};
pub use eye_contact::{gaze_from_lens, EyeContactConfig};
pub use framing::FramingConfig;
pub use head::HeadConfig;
pub use lighting::LightingConfig;
pub use motion::MotionConfig;
pub use smiles::SmileConfig;

use crate::config::TrackerConfig;
use crate::frame::{Frame, Grey};
use crate::tracker::{FaceTracker, FrameObservation};
use crate::VisionError;
use blinks::BlinkCounter;
use eye_contact::EyeContactTracker;
use framing::FramingTracker;
use head::HeadTracker;
use lighting::{LightingSample, LightingTracker};
use motion::MotionTracker;
use spans::SpanTracker;

/// Everything the vision analysis can be tuned by.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct VisionConfig {
    pub tracker: TrackerConfig,
    pub presence: PresenceConfig,
    pub motion: MotionConfig,
    pub eye_contact: EyeContactConfig,
    pub head: HeadConfig,
    pub blinks: BlinkConfig,
    pub framing: FramingConfig,
    pub lighting: LightingConfig,
    pub smiles: SmileConfig,
}

/// The quality gate and presence spans.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct PresenceConfig {
    /// Face-derived measures (eye contact, head, blinks, framing, smiles,
    /// face lighting) are "not scored" when the face is visible in fewer
    /// than this share of frames (Candor heuristic, after HireVue's
    /// "insufficient data" gate).
    pub min_face_visible_ratio: f64,
    /// No-face or multiple-face stretches shorter than this are not
    /// reported (a missed detection, a passing reflection).
    pub min_span_s: f64,
    /// Gaps up to this long do not split a stretch (one missed frame at
    /// 5 fps).
    pub bridge_s: f64,
    /// Report at most this many stretches of each kind (the longest).
    pub max_spans: usize,
    /// Frame interval assumed when there is only one frame (5 fps).
    pub default_frame_interval_s: f64,
}

impl Default for PresenceConfig {
    fn default() -> Self {
        PresenceConfig {
            min_face_visible_ratio: 0.3,
            min_span_s: 1.0,
            bridge_s: 0.25,
            max_spans: 50,
            default_frame_interval_s: 0.2,
        }
    }
}

/// The analysis fails when it failed on more than this share of the frames
/// (a Candor heuristic: with most frames skipped, what remains cannot stand
/// for the recording; a few skipped frames cost a few samples at 5 fps).
pub const MAX_FAILED_FRAME_SHARE: f64 = 0.5;

/// Summarises a stream of frames (in time order, ~5 fps) as they come.
/// Cost per frame, measured on this 2-core machine: the tracker's ~11 ms
/// plus ~1.5 ms of summary (image measures) at 640x360 and at 1280x720
/// (`cargo nextest run --release -p candor-vision --run-ignored only cost
/// --no-capture`).
pub struct VisionAnalyzer {
    config: VisionConfig,
    tracker: FaceTracker,
    frames: u64,
    first_t: Option<f64>,
    last_t: f64,
    face_frames: u64,
    cut_off_frames: u64,
    smile_frames: u64,
    no_face: SpanTracker,
    multiple_faces: SpanTracker,
    smiles: SpanTracker,
    eye_contact: EyeContactTracker,
    head: HeadTracker,
    motion: MotionTracker,
    blinks: BlinkCounter,
    framing: FramingTracker,
    lighting: LightingTracker,
    frames_failed: u64,
    /// The error of the first failed frame, for the error when most fail.
    first_failure: Option<String>,
}

impl VisionAnalyzer {
    /// Loads the models; fails on an invalid configuration or a missing
    /// model.
    pub fn new(config: &VisionConfig) -> Result<Self, VisionError> {
        config.validate()?;
        let p = &config.presence;
        Ok(VisionAnalyzer {
            tracker: FaceTracker::new(&config.tracker)?,
            frames: 0,
            first_t: None,
            last_t: 0.0,
            face_frames: 0,
            cut_off_frames: 0,
            smile_frames: 0,
            no_face: SpanTracker::new(p.min_span_s, p.bridge_s, p.max_spans),
            multiple_faces: SpanTracker::new(p.min_span_s, p.bridge_s, p.max_spans),
            smiles: SpanTracker::new(config.smiles.min_moment_s, p.bridge_s, 20),
            eye_contact: EyeContactTracker::new(&config.eye_contact),
            head: HeadTracker::new(&config.head),
            motion: MotionTracker::default(),
            blinks: BlinkCounter::default(),
            framing: FramingTracker::default(),
            lighting: LightingTracker::default(),
            frames_failed: 0,
            first_failure: None,
            config: config.clone(),
        })
    }

    /// Takes the next frame; frames must come in time order.
    ///
    /// A frame the analysis fails on — an invalid frame (its buffer does
    /// not match its size, its time is not finite or earlier than the last
    /// frame's) or an OpenCV or dlib error on it (e.g. `solvePnP`) — is
    /// skipped: nothing of it enters the summary, it is counted
    /// ([`VisionAnalyzer::frames_failed`]) and its error returned for the
    /// caller to log; the analyzer takes the next frame as if this one had
    /// not come. Whether too many failed is decided by
    /// [`VisionAnalyzer::finish`].
    pub fn push(&mut self, frame: &Frame) -> Result<(), VisionError> {
        match self.observe(frame) {
            Ok((obs, lighting, thumbnail)) => {
                self.add(frame, &obs, lighting, thumbnail);
                Ok(())
            }
            Err(e) => {
                self.frames_failed += 1;
                self.first_failure.get_or_insert_with(|| e.to_string());
                Err(e)
            }
        }
    }

    /// Frames skipped because the analysis failed on them.
    pub fn frames_failed(&self) -> u64 {
        self.frames_failed
    }

    /// Frames analysed (not counting the failed ones).
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// Everything about `frame` that can fail, before anything is counted.
    /// The tracker does move on (it remembers the face it found), which
    /// only helps it find the face in the next frame.
    fn observe(
        &mut self,
        frame: &Frame,
    ) -> Result<(FrameObservation, LightingSample, Vec<u8>), VisionError> {
        frame.validate()?;
        if self.first_t.is_some() && frame.t < self.last_t {
            return Err(VisionError::InvalidFrame(format!(
                "frame at {} s after one at {} s: frames must come in time order",
                frame.t, self.last_t
            )));
        }
        let grey = frame.grey()?;
        let obs = self.tracker.push_grey(frame, &grey)?;
        let lighting = LightingSample::measure(
            &self.config.lighting,
            frame,
            &grey,
            obs.face.as_ref().map(|f| f.face_box),
        )?;
        let region = self.motion.region(
            obs.face.as_ref().map(|f| f.face_box),
            frame.width,
            frame.height,
        );
        let thumbnail = motion::thumbnail(&Grey::from_mat(&grey)?, region);
        Ok((obs, lighting, thumbnail))
    }

    /// Counts one observed frame; cannot fail.
    fn add(
        &mut self,
        frame: &Frame,
        obs: &FrameObservation,
        lighting: LightingSample,
        thumbnail: Vec<u8>,
    ) {
        let t = frame.t;
        let first_t = *self.first_t.get_or_insert(t);
        self.last_t = t;
        self.frames += 1;

        let face = obs.face.as_ref();
        self.no_face.push(t, face.is_none());
        self.multiple_faces.push(t, obs.face_count > 1);
        self.motion.push(thumbnail);
        self.eye_contact.push(t, first_t, face);
        self.head.push(
            &self.config.head,
            t,
            face.and_then(|f| f.pose).map(|p| p.pose),
        );
        self.blinks.push(
            &self.config.blinks,
            t,
            face.map(|f| f64::from(f.landmarks.eye_aspect_ratio())),
        );
        let smiling = face.is_some_and(|f| self.config.smiles.is_smile(&f.landmarks));
        self.smiles.push(t, smiling);
        if let Some(f) = face {
            self.face_frames += 1;
            self.cut_off_frames += u64::from(f.cut_off);
            self.smile_frames += u64::from(smiling);
            self.framing
                .push(t, f, frame.width, frame.height, self.config.head.max_step_s);
        }
        self.lighting.add(lighting);
    }

    /// The summary of every frame analysed, or [`VisionError::FramesFailed`]
    /// when the analysis failed on more than [`MAX_FAILED_FRAME_SHARE`] of
    /// the frames pushed: a summary of the few left would stand for a
    /// recording it did not see.
    pub fn finish(self) -> Result<VisionAnalysis, VisionError> {
        let total = self.frames + self.frames_failed;
        if self.frames_failed > 0
            && self.frames_failed as f64 > MAX_FAILED_FRAME_SHARE * total as f64
        {
            return Err(VisionError::FramesFailed {
                failed: self.frames_failed,
                total,
                first: self.first_failure.unwrap_or_default(),
            });
        }
        Ok(self.summary())
    }

    fn summary(self) -> VisionAnalysis {
        let c = &self.config;
        let first_t = self.first_t.unwrap_or(0.0);
        let interval = if self.frames > 1 {
            (self.last_t - first_t) / (self.frames - 1) as f64
        } else {
            c.presence.default_frame_interval_s
        };
        let end_t = if self.frames > 0 {
            self.last_t + interval
        } else {
            first_t
        };
        let ratio = |n: u64, of: u64| if of > 0 { n as f64 / of as f64 } else { 0.0 };
        let face_visible_ratio = ratio(self.face_frames, self.frames);
        let cut_off_ratio = ratio(self.cut_off_frames, self.face_frames);
        let scored =
            self.face_frames > 0 && face_visible_ratio >= c.presence.min_face_visible_ratio;
        let face_seconds = self.face_frames as f64 * interval;
        VisionAnalysis {
            frames: self.frames,
            duration_s: end_t - first_t,
            presence: Presence {
                face_visible_ratio,
                no_face: self.no_face.finish_in_order(end_t),
                multiple_faces: self.multiple_faces.finish_in_order(end_t),
                cut_off_ratio,
            },
            motion: self.motion.finish(&c.motion),
            eye_contact: scored.then(|| self.eye_contact.finish(first_t, end_t)),
            head: scored.then(|| self.head.finish(&c.head, end_t)),
            blinks: scored.then(|| self.blinks.finish(face_seconds)),
            framing: if scored {
                self.framing.finish(&c.framing, cut_off_ratio)
            } else {
                None
            },
            lighting: self.lighting.finish(&c.lighting, scored),
            smiles: scored.then(|| Smiles {
                ratio: ratio(self.smile_frames, self.face_frames),
                moments: self.smiles.finish_in_order(end_t),
            }),
        }
    }
}

impl VisionConfig {
    pub fn validate(&self) -> Result<(), VisionError> {
        self.tracker.validate()?;
        let bad = |m: &str| Err(VisionError::InvalidConfig(m.into()));
        if !(0.0..=1.0).contains(&self.presence.min_face_visible_ratio) {
            return bad("presence.min_face_visible_ratio must be in [0, 1]");
        }
        if self.eye_contact.window_s.is_nan() || self.eye_contact.window_s <= 0.0 {
            return bad("eye_contact.window_s must be positive");
        }
        let positive = |x: f64| x.is_finite() && x > 0.0;
        if !positive(self.head.smoothing_s) || !positive(self.eye_contact.smoothing_s) {
            return bad("head.smoothing_s and eye_contact.smoothing_s must be positive");
        }
        if !(self.head.noise_floor_deg.is_finite() && self.head.noise_floor_deg >= 0.0) {
            return bad("head.noise_floor_deg must be zero or more");
        }
        if !(0.0..=1.0).contains(&self.motion.static_quantile) {
            return bad("motion.static_quantile must be in [0, 1]");
        }
        if self.presence.default_frame_interval_s.is_nan()
            || self.presence.default_frame_interval_s <= 0.0
        {
            return bad("presence.default_frame_interval_s must be positive");
        }
        if self.lighting.focus_width < 8 {
            return bad("lighting.focus_width must be at least 8");
        }
        Ok(())
    }
}
