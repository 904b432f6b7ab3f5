//! Head pose from the rigid landmarks (eye corners and nose) with OpenCV's
//! `solvePnP` against a generic 3-D face.
//!
//! Only points that talking does not move enter the fit: the chin and the
//! mouth corners, which a six-point fit usually includes, swing with the
//! jaw. Each fit starts from the previous frame's solution (or from facing
//! the camera), so the solver stays on the branch of a face looking towards
//! the camera instead of jumping to the mirror solution behind it.

use opencv::calib3d;
use opencv::core::{Mat, Point2f, Point3f, Vector, CV_64F};
use opencv::prelude::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::landmarks::Landmarks;
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

/// A solved head pose: the angles, the rotation they come from and where
/// the eyes are relative to the camera.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PoseFit {
    pub pose: HeadPose,
    /// Head-to-camera rotation (row-major): the identity when the face
    /// looks straight into the lens.
    pub rotation: [[f64; 3]; 3],
    /// The point between the eyes in camera coordinates (mm; x right, y
    /// down, z away from the camera).
    pub eyes_mm: [f64; 3],
}

/// A generic adult face in millimetres, in the camera's axes (x right, y
/// down, z away from the camera) with the nose tip at the origin: the top
/// of the nose bridge, nose tip, subnasale and nostril edges, inner and
/// outer eye corners. Widths from average adult anthropometry (Farkas
/// 1994: biocular width ~88 mm, intercanthal ~32 mm); heights where dlib's
/// 68-point scheme puts the points (its bridge point 27 sits at the eye
/// line, not at the anatomical nasion; the eye line is ~35 mm above the
/// nose tip on the astronaut photo); depths from facial profile
/// proportions, rounded.
const MODEL: [(usize, [f64; 3]); 9] = [
    (27, [0.0, -37.0, 14.0]),
    (30, [0.0, 0.0, 0.0]),
    (31, [-11.0, 5.0, 14.0]),
    (33, [0.0, 8.0, 13.0]),
    (35, [11.0, 5.0, 14.0]),
    (36, [-44.0, -35.0, 36.0]),
    (39, [-16.0, -35.0, 22.0]),
    (42, [16.0, -35.0, 22.0]),
    (45, [44.0, -35.0, 36.0]),
];
/// The point between the pupils in the model's coordinates.
const EYES: [f64; 3] = [0.0, -35.0, 24.0];
/// Outer eye corner to outer eye corner in the model (mm).
const BIOCULAR_MM: f64 = 88.0;
/// A fit whose face points further from the camera than this is rejected
/// (the mirror solution, or landmarks that are not a face).
const MAX_TURN_DEG: f64 = 75.0;

/// Solves head poses frame after frame, each fit starting from the last.
#[derive(Debug, Default)]
pub struct PoseSolver {
    last: Option<(Mat, Mat)>,
}

impl PoseSolver {
    /// Forgets the last solution (the face was lost).
    pub fn reset(&mut self) {
        self.last = None;
    }

    /// The head pose of `landmarks` in a `width` x `height` frame, or None
    /// when no pose facing the camera fits them. The camera is modelled
    /// with a focal length of one frame width (a ~53° horizontal field of
    /// view, typical of webcams) and no lens distortion.
    pub fn solve(
        &mut self,
        landmarks: &Landmarks,
        width: u32,
        height: u32,
    ) -> Result<Option<PoseFit>, VisionError> {
        let f = f64::from(width);
        let (cx, cy) = (f64::from(width) / 2.0, f64::from(height) / 2.0);
        let object: Vector<Point3f> = MODEL
            .iter()
            .map(|(_, m)| Point3f::new(m[0] as f32, m[1] as f32, m[2] as f32))
            .collect();
        let image: Vector<Point2f> = MODEL
            .iter()
            .map(|(i, _)| Point2f::new(landmarks.points[*i].x, landmarks.points[*i].y))
            .collect();
        let camera = Mat::from_slice_2d(&[[f, 0.0, cx], [0.0, f, cy], [0.0, 0.0, 1.0]])?;
        let no_distortion = Mat::zeros(4, 1, CV_64F)?.to_mat()?;
        let (mut rvec, mut tvec) = match self.last.take() {
            Some(last) => last,
            None => facing_camera(landmarks, f, cx, cy)?,
        };
        calib3d::solve_pnp(
            &object,
            &image,
            &camera,
            &no_distortion,
            &mut rvec,
            &mut tvec,
            true,
            calib3d::SOLVEPNP_ITERATIVE,
        )?;
        let mut r = Mat::default();
        calib3d::rodrigues_def(&rvec, &mut r)?;
        let mut rotation = [[0.0; 3]; 3];
        for (i, row) in rotation.iter_mut().enumerate() {
            for (j, v) in row.iter_mut().enumerate() {
                *v = *r.at_2d::<f64>(i as i32, j as i32)?;
            }
        }
        let t = [
            *tvec.at::<f64>(0)?,
            *tvec.at::<f64>(1)?,
            *tvec.at::<f64>(2)?,
        ];
        // The face's forward direction is the model's -z; r[2][2] is the
        // cosine of its angle with the direction to the camera.
        if !(rotation[2][2] >= MAX_TURN_DEG.to_radians().cos() && t[2] > 0.0) {
            return Ok(None);
        }
        self.last = Some((rvec, tvec));
        let eyes_mm =
            std::array::from_fn(|i| t[i] + (0..3).map(|j| rotation[i][j] * EYES[j]).sum::<f64>());
        Ok(Some(PoseFit {
            pose: angles(&rotation),
            rotation,
            eyes_mm,
        }))
    }
}

/// A starting pose: facing the camera, at the distance the outer eye
/// corners' spread implies, centred on the nose tip.
fn facing_camera(
    landmarks: &Landmarks,
    f: f64,
    cx: f64,
    cy: f64,
) -> Result<(Mat, Mat), VisionError> {
    let p = &landmarks.points;
    let spread = f64::from(p[36].dist(p[45])).max(1.0);
    let z = f * BIOCULAR_MM / spread;
    let nose = p[30];
    let tvec = Mat::from_slice(&[
        (f64::from(nose.x) - cx) * z / f,
        (f64::from(nose.y) - cy) * z / f,
        z,
    ])?
    .t()?
    .to_mat()?;
    Ok((Mat::zeros(3, 1, CV_64F)?.to_mat()?, tvec))
}

/// Yaw, pitch and roll of a rotation R = Rz(roll) · Ry(-yaw) · Rx(pitch):
/// pitch first (about the camera's x axis), then yaw, then roll in the
/// image plane. Near facing the camera none of them wraps.
pub(crate) fn angles(r: &[[f64; 3]; 3]) -> HeadPose {
    let pitch = r[2][1].atan2(r[2][2]);
    let yaw = r[2][0].clamp(-1.0, 1.0).asin();
    let roll = r[1][0].atan2(r[0][0]);
    HeadPose {
        yaw: yaw.to_degrees() as f32,
        pitch: pitch.to_degrees() as f32,
        roll: roll.to_degrees() as f32,
    }
}

/// The pose of `landmarks` solved on its own (no previous frame), as the
/// tracker's first frame would be.
pub fn head_pose(landmarks: &Landmarks, width: u32, height: u32) -> Result<HeadPose, VisionError> {
    let fit = PoseSolver::default().solve(landmarks, width, height)?;
    fit.map(|f| f.pose).ok_or_else(|| {
        VisionError::InvalidFrame("no head pose facing the camera fits these landmarks".into())
    })
}
