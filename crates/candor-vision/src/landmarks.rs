//! The 68 iBUG 300-W landmarks of one face and the measures read off them:
//! plausibility (rejecting non-faces), eye aspect ratio, mouth shape.

use crate::config::GeometryLimits;
use crate::dlib::LANDMARKS;
use crate::frame::Grey;
use crate::geometry::{FaceBox, Point};

/// Index ranges of the iBUG 300-W scheme (0-based).
pub(crate) mod idx {
    use std::ops::RangeInclusive;
    pub const JAW: RangeInclusive<usize> = 0..=16;
    pub const CHIN: usize = 8;
    pub const BROWS: RangeInclusive<usize> = 17..=26;
    pub const NOSE_BRIDGE: RangeInclusive<usize> = 27..=30;
    pub const NOSE_TIP: usize = 30;
    /// The eye on the image's left (the subject's right eye).
    pub const EYE_IMAGE_LEFT: [usize; 6] = [36, 37, 38, 39, 40, 41];
    /// The eye on the image's right (the subject's left eye).
    pub const EYE_IMAGE_RIGHT: [usize; 6] = [42, 43, 44, 45, 46, 47];
    pub const MOUTH_OUTER: RangeInclusive<usize> = 48..=59;
    pub const MOUTH_LEFT: usize = 48;
    pub const MOUTH_RIGHT: usize = 54;
    pub const LIP_TOP_OUTER: usize = 51;
    pub const LIP_BOTTOM_OUTER: usize = 57;
}

/// The 68 landmarks of one face, in frame pixels.
#[derive(Debug, Clone)]
pub struct Landmarks {
    pub points: [Point; LANDMARKS],
}

impl Landmarks {
    pub fn eye(&self, which: [usize; 6]) -> [Point; 6] {
        which.map(|i| self.points[i])
    }

    fn eye_centre(&self, which: [usize; 6]) -> Point {
        Point::mean(&self.eye(which))
    }

    /// Distance between the two eye centres: the face's natural unit.
    pub fn interocular(&self) -> f32 {
        self.eye_centre(idx::EYE_IMAGE_LEFT)
            .dist(self.eye_centre(idx::EYE_IMAGE_RIGHT))
    }

    /// Angle of the eye line in degrees (positive = clockwise in the image).
    pub fn eye_line_angle(&self) -> f32 {
        let (a, b) = (
            self.eye_centre(idx::EYE_IMAGE_LEFT),
            self.eye_centre(idx::EYE_IMAGE_RIGHT),
        );
        (b.y - a.y).atan2(b.x - a.x).to_degrees()
    }

    /// The box dlib's HOG detector would give this face (jaw width, brows to
    /// chin): what the shape predictor was trained on, so tracking by
    /// re-running the predictor on it converges.
    pub fn face_box(&self) -> FaceBox {
        let xs = idx::JAW.map(|i| self.points[i].x);
        let (x0, x1) = xs.fold((f32::MAX, f32::MIN), |(lo, hi), x| (lo.min(x), hi.max(x)));
        let y0 = idx::BROWS
            .map(|i| self.points[i].y)
            .fold(f32::MAX, f32::min);
        let y1 = idx::JAW.map(|i| self.points[i].y).fold(f32::MIN, f32::max);
        FaceBox {
            x: x0,
            y: y0,
            width: x1 - x0,
            height: y1 - y0,
        }
    }

    /// The box dlib's HOG detector gives this face, predicted from the
    /// rigid landmarks so that it holds through turns: square, 1.57 face
    /// scales wide, centred 0.11 scales below the eyes-and-nose centroid,
    /// where the scale is the outer eye corners' spread or, when the head
    /// is turned and that spread shrinks, twice the height from the eye
    /// line to the nose base (the ratios measured on dlib's boxes of the
    /// astronaut photo). The shape predictor was trained on such boxes;
    /// fitted on its own landmark box it drifts once the head turns.
    pub fn predictor_box(&self) -> FaceBox {
        let p = &self.points;
        let rigid = [27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 39, 42, 45].map(|i| p[i]);
        let centre = Point::mean(&rigid);
        let eyes = Point::mean(&[p[36], p[39], p[42], p[45]]);
        let scale = p[36].dist(p[45]).max(2.05 * eyes.dist(p[33]));
        let side = 1.57 * scale;
        FaceBox {
            x: centre.x - side / 2.0,
            y: centre.y + 0.11 * scale - side / 2.0,
            width: side,
            height: side,
        }
    }

    /// Mean eye aspect ratio of both eyes (Soukupová & Čech 2016): lid
    /// opening over eye width; ~0.3 open, under ~0.2 closed.
    pub fn eye_aspect_ratio(&self) -> f32 {
        let ear =
            |e: [Point; 6]| (e[1].dist(e[5]) + e[2].dist(e[4])) / (2.0 * e[0].dist(e[3]).max(1e-3));
        (ear(self.eye(idx::EYE_IMAGE_LEFT)) + ear(self.eye(idx::EYE_IMAGE_RIGHT))) / 2.0
    }

    /// Mouth width over inter-ocular distance: a smile widens the mouth
    /// (neutral ~0.8, smiling ~1.0 and more).
    pub fn mouth_width_ratio(&self) -> f32 {
        self.points[idx::MOUTH_LEFT].dist(self.points[idx::MOUTH_RIGHT])
            / self.interocular().max(1e-3)
    }

    /// How far the mouth corners sit above the mid-line of the lips, over
    /// inter-ocular distance, measured along the face's own vertical axis:
    /// positive when the corners are raised (a smile).
    pub fn mouth_corner_lift(&self) -> f32 {
        let p = &self.points;
        let angle = self.eye_line_angle().to_radians();
        let down = Point::new(-angle.sin(), angle.cos());
        let along = |q: Point| q.x * down.x + q.y * down.y;
        let lips_mid = (along(p[idx::LIP_TOP_OUTER]) + along(p[idx::LIP_BOTTOM_OUTER])) / 2.0;
        let corners = (along(p[idx::MOUTH_LEFT]) + along(p[idx::MOUTH_RIGHT])) / 2.0;
        (lips_mid - corners) / self.interocular().max(1e-3)
    }

    /// Whether these landmarks describe a plausible upright face: the shape
    /// predictor always returns a face-like shape, so what is checked is the
    /// proportions along the face's own axes and that the eyes are darker
    /// than the nose bridge (a round object such as a helmet ring passes a
    /// cascade but has no dark eyes).
    pub(crate) fn is_plausible(&self, grey: &Grey, limits: &GeometryLimits) -> bool {
        let p = &self.points;
        let d = self.interocular();
        if !d.is_finite() || d < 4.0 {
            return false;
        }
        let angle = self.eye_line_angle();
        if angle.abs() > limits.max_roll_degrees {
            return false;
        }
        let a = angle.to_radians();
        let down = Point::new(-a.sin(), a.cos());
        let along = |q: Point| q.x * down.x + q.y * down.y;
        let eyes = (along(self.eye_centre(idx::EYE_IMAGE_LEFT))
            + along(self.eye_centre(idx::EYE_IMAGE_RIGHT)))
            / 2.0;
        let nose = along(p[idx::NOSE_TIP]);
        let mouth = along(Point::mean(&p[idx::MOUTH_OUTER]));
        let chin = along(p[idx::CHIN]);
        if !(eyes < nose && nose < mouth && mouth < chin) {
            return false;
        }
        let eye_mouth = (mouth - eyes) / d;
        let mouth_width = self.mouth_width_ratio();
        let b = self.face_box();
        let aspect = b.width / b.height.max(1e-3);
        let in_range = |v: f32, (lo, hi): (f32, f32)| v >= lo && v <= hi;
        in_range(eye_mouth, limits.eye_to_mouth)
            && in_range(mouth_width, limits.mouth_width)
            && in_range(aspect, limits.box_aspect)
            && self.eyes_darker_than_bridge(grey, limits.eye_darkness_min)
    }

    fn eyes_darker_than_bridge(&self, grey: &Grey, min_ratio: f32) -> bool {
        // Eyes: the lid points and the centre of each eye (iris, lashes).
        let mut eye_pts: Vec<Point> = Vec::with_capacity(14);
        for which in [idx::EYE_IMAGE_LEFT, idx::EYE_IMAGE_RIGHT] {
            eye_pts.extend_from_slice(&self.eye(which)[1..3]);
            eye_pts.extend_from_slice(&self.eye(which)[4..6]);
            eye_pts.push(self.eye_centre(which));
        }
        let bridge: Vec<Point> = idx::NOSE_BRIDGE.map(|i| self.points[i]).collect();
        let (eyes, bridge) = (grey.mean_at(&eye_pts), grey.mean_at(&bridge));
        bridge <= 1.0 || eyes <= bridge * (1.0 - min_ratio)
    }
}
