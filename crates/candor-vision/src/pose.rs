//! Head pose from six landmarks with OpenCV's `solvePnP` against a generic
//! 3-D face.

use opencv::calib3d;
use opencv::core::{Mat, Point2f, Point3f, Vector, CV_64F};
use opencv::prelude::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::landmarks::{idx, Landmarks};
use crate::VisionError;

/// Head rotation in degrees relative to facing the camera.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct HeadPose {
    /// Positive when the face turns towards the image's right (the
    /// subject's own left).
    pub yaw: f32,
    /// Positive when the face tilts down.
    pub pitch: f32,
    /// Positive when the head leans clockwise as seen in the image.
    pub roll: f32,
}

/// A generic adult face in millimetres, in the camera's axes (x right, y
/// down, z away from the camera) with the nose tip at the origin. Proportions
/// from average adult anthropometry (Farkas 1994): outer eye corners 90 mm
/// apart and ~38 mm above and behind the nose tip, mouth corners 52 mm apart
/// ~28 mm below it, the chin ~65 mm below.
const MODEL: [(usize, [f32; 3]); 6] = [
    (idx::NOSE_TIP, [0.0, 0.0, 0.0]),
    (idx::CHIN, [0.0, 65.0, 22.0]),
    (36, [-45.0, -38.0, 38.0]),
    (45, [45.0, -38.0, 38.0]),
    (idx::MOUTH_LEFT, [-26.0, 28.0, 30.0]),
    (idx::MOUTH_RIGHT, [26.0, 28.0, 30.0]),
];

/// Solves the head pose of `landmarks` in a `width` x `height` frame. The
/// camera is modelled with a focal length of one frame width (a ~53°
/// horizontal field of view, typical of webcams) and no lens distortion.
pub fn head_pose(landmarks: &Landmarks, width: u32, height: u32) -> Result<HeadPose, VisionError> {
    let object: Vector<Point3f> = MODEL
        .iter()
        .map(|(_, m)| Point3f::new(m[0], m[1], m[2]))
        .collect();
    let image: Vector<Point2f> = MODEL
        .iter()
        .map(|(i, _)| Point2f::new(landmarks.points[*i].x, landmarks.points[*i].y))
        .collect();
    let f = width as f64;
    let camera = Mat::from_slice_2d(&[
        [f, 0.0, width as f64 / 2.0],
        [0.0, f, height as f64 / 2.0],
        [0.0, 0.0, 1.0],
    ])?;
    let no_distortion = Mat::zeros(4, 1, CV_64F)?.to_mat()?;
    let (mut rvec, mut tvec) = (Mat::default(), Mat::default());
    calib3d::solve_pnp(
        &object,
        &image,
        &camera,
        &no_distortion,
        &mut rvec,
        &mut tvec,
        false,
        calib3d::SOLVEPNP_ITERATIVE,
    )?;
    let mut r = Mat::default();
    calib3d::rodrigues_def(&rvec, &mut r)?;
    let at = |row: i32, col: i32| -> Result<f64, VisionError> { Ok(*r.at_2d::<f64>(row, col)?) };
    // R = Rz(roll) * Ry(yaw') * Rx(pitch), the model's axes being the
    // camera's when the face looks straight into the lens.
    let pitch = at(2, 1)?.atan2(at(2, 2)?);
    let yaw = (-at(2, 0)?).clamp(-1.0, 1.0).asin();
    let roll = at(1, 0)?.atan2(at(0, 0)?);
    Ok(HeadPose {
        // A positive rotation about the camera's (downward) y axis turns the
        // face towards the image's left, hence the sign.
        yaw: -yaw.to_degrees() as f32,
        pitch: pitch.to_degrees() as f32,
        roll: roll.to_degrees() as f32,
    })
}
