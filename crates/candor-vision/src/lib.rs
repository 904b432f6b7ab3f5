//! How the candidate came across on camera: face detection and tracking,
//! 68-point landmarks (dlib, through an owned C++ shim that turns every
//! exception into an error value), head pose (OpenCV `solvePnP`), gaze
//! (gradient-based pupil centres), blinks, framing and lighting.

mod config;
mod detect;
mod dlib;
mod error;
mod frame;
mod gaze;
mod geometry;
mod landmarks;
mod pose;
mod tracker;

pub use config::{DetectorConfig, GeometryLimits, TrackerConfig};
pub use detect::{DetectorKind, FaceDetector};
pub use error::VisionError;
pub use frame::Frame;
pub use gaze::{EyeReading, Gaze};
pub use geometry::{FaceBox, Point};
pub use landmarks::Landmarks;
pub use pose::{head_pose, HeadPose};
pub use tracker::{FaceTracker, FrameObservation, TrackedFace};
