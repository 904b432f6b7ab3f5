use candor_vision::{FaceTracker, Frame, TrackerConfig, VisionError};

use crate::fixtures::{self, placed, scene, Image};

fn frame(image: &Image, t: f64) -> Frame<'_> {
    Frame::new(t, image.width, image.height, &image.bgr).unwrap()
}

#[test]
fn a_face_placed_at_known_positions_is_found_where_it_is() {
    let mut tracker = FaceTracker::new(&TrackerConfig::default()).unwrap();
    let placements = [
        (300, 40, 20),
        (300, 300, 30),
        (360, 150, 0),
        (320, 20, 40),
        (320, 320, 40),
    ];
    let mut found = 0;
    let mut total = 0;
    for (k, &(size, x, y)) in placements.iter().enumerate() {
        let image = scene(size, x, y);
        for i in 0..6 {
            total += 1;
            let obs = tracker
                .push(&frame(&image, (k * 6 + i) as f64 * 0.2))
                .unwrap();
            let Some(face) = obs.face else {
                eprintln!("missed placement {k} frame {i} count {}", obs.face_count);
                continue;
            };
            found += 1;
            let truth = placed(fixtures::FACE_CENTRE, size, x, y);
            let c = face.face_box.centre();
            let tol = size as f32 * 0.06;
            assert!(
                (c.x - truth.0).abs() < tol && (c.y - truth.1).abs() < tol,
                "centre {c:?} vs {truth:?}"
            );
            let expected_width = 95.0 * size as f32 / 512.0;
            assert!(
                (face.face_box.width / expected_width - 1.0).abs() < 0.25,
                "width {}",
                face.face_box.width
            );
            assert_eq!(obs.face_count, 1);
            assert!(!face.cut_off);
        }
    }
    assert!(
        found as f32 / total as f32 >= 0.9,
        "found {found} of {total}"
    );
}

#[test]
fn frames_without_a_face_or_of_odd_sizes_give_clear_results() {
    let mut tracker = FaceTracker::new(&TrackerConfig::default()).unwrap();
    for (w, h) in [(640, 360), (16, 16), (1, 1), (3840, 2160)] {
        let black = Image::filled(w, h, [0, 0, 0]);
        let obs = tracker.push(&frame(&black, 0.0)).unwrap();
        assert!(obs.face.is_none());
        assert_eq!(obs.face_count, 0);
    }
    // A 4K frame with the face still finds it.
    let mut big = Image::filled(3840, 2160, [100, 110, 120]);
    big.paste(&fixtures::astronaut(1600, ""), 1200, 300);
    assert!(tracker.push(&frame(&big, 1.0)).unwrap().face.is_some());
}

#[test]
fn a_frame_whose_buffer_does_not_match_its_size_is_bad_input() {
    let err = Frame::new(0.0, 10, 10, &[0u8; 299]).unwrap_err();
    assert!(matches!(err, VisionError::InvalidFrame(_)) && err.is_bad_input());
    assert!(Frame::new(f64::NAN, 1, 1, &[0u8; 3])
        .unwrap_err()
        .is_bad_input());
    assert!(Frame::new(0.0, 0, 0, &[]).unwrap_err().is_bad_input());
}

#[test]
fn a_missing_model_is_a_clear_error() {
    let config = TrackerConfig {
        shape_predictor: "/nonexistent/model.dat".into(),
        ..Default::default()
    };
    let err = FaceTracker::new(&config).err().unwrap();
    assert_eq!(err.code(), "vision_model_unavailable");
    assert!(!err.is_bad_input());
}

fn face_in(image: &Image) -> candor_vision::TrackedFace {
    let mut tracker = FaceTracker::new(&TrackerConfig::default()).unwrap();
    tracker
        .push(&frame(image, 0.0))
        .unwrap()
        .face
        .expect("a face")
}

#[test]
fn the_pupils_are_located_on_the_eyes() {
    let (size, x, y) = (360, 140, 0);
    let face = face_in(&scene(size, x, y));
    let eye_width = 20.0 * size as f32 / 512.0;
    for (pupil, truth) in face
        .eyes
        .pupils
        .iter()
        .zip([fixtures::EYE_IMAGE_LEFT, fixtures::EYE_IMAGE_RIGHT])
    {
        let truth = placed(truth, size, x, y);
        let err = ((pupil.x - truth.0).powi(2) + (pupil.y - truth.1).powi(2)).sqrt();
        assert!(err < eye_width * 0.35, "pupil {pupil:?} vs {truth:?}");
    }
    // Looking into the lens: eyes turned by less than the eye-contact cone.
    assert!(
        face.eyes.gaze.eye_yaw.abs() < 8.0 && face.eyes.gaze.eye_pitch.abs() < 12.0,
        "{:?}",
        face.eyes.gaze
    );
}

#[test]
fn head_pose_is_frontal_and_follows_mirroring_and_rotation() {
    let place = |photo: &Image| {
        let mut canvas = Image::filled(640, 360, [110, 120, 125]);
        canvas.paste(photo, 140, 0);
        canvas
    };
    let frontal = face_in(&place(&fixtures::astronaut(360, "")))
        .pose
        .expect("a pose")
        .pose;
    assert!(
        frontal.yaw.abs() < 15.0 && frontal.roll.abs() < 10.0 && frontal.pitch.abs() < 20.0,
        "{frontal:?}"
    );
    let mirrored = face_in(&place(&fixtures::astronaut(360, "hflip")))
        .pose
        .expect("a pose")
        .pose;
    assert!(
        (mirrored.yaw + frontal.yaw).abs() < 4.0,
        "{frontal:?} vs mirrored {mirrored:?}"
    );
    assert!(
        (mirrored.roll + frontal.roll).abs() < 3.0,
        "{frontal:?} vs mirrored {mirrored:?}"
    );
    // ffmpeg's rotate turns clockwise for a positive angle.
    let rotated = face_in(&place(&fixtures::astronaut(
        360,
        "rotate=10*PI/180:fillcolor=gray",
    )))
    .pose
    .expect("a pose")
    .pose;
    let turned = rotated.roll - frontal.roll;
    assert!(
        (turned - 10.0).abs() < 4.0,
        "roll {frontal:?} -> {rotated:?}"
    );
}
