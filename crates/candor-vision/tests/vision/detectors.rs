//! The measurement behind the default detector: recall and time per
//! 640x360 frame of each detector at two detection widths. Run with
//! `cargo nextest run --release -p candor-vision --run-ignored only detectors --no-capture`.

use std::time::Instant;

use candor_vision::{DetectorConfig, DetectorKind, FaceDetector, Frame};

use crate::fixtures::{self, placed, Image};

#[test]
#[ignore = "a measurement, not a check"]
fn detectors_recall_and_speed_on_downscaled_frames() {
    let mut scenes = Vec::new();
    for (variant, filter) in [
        ("plain", ""),
        ("mirrored", "hflip"),
        ("dark", "eq=brightness=-0.25"),
    ] {
        for size in [240u32, 300, 360, 420, 480] {
            let photo = fixtures::astronaut(size, filter);
            for x in [0i32, 150, 640 - size as i32] {
                let mut canvas = Image::filled(640, 360, [110, 120, 125]);
                canvas.paste(&photo, x, 0);
                let truth = placed(fixtures::FACE_CENTRE, size, x, 0);
                let truth = if variant == "mirrored" {
                    (2.0 * x as f32 + size as f32 - truth.0, truth.1)
                } else {
                    truth
                };
                scenes.push((canvas, truth));
            }
        }
    }
    for kind in [DetectorKind::Haar, DetectorKind::Lbp, DetectorKind::DlibHog] {
        for detect_width in [320u32, 640] {
            let mut detector = FaceDetector::new(&DetectorConfig {
                kind,
                detect_width,
                turned_faces: false,
                ..Default::default()
            })
            .unwrap();
            let (mut hits, mut false_boxes) = (0, 0);
            let start = Instant::now();
            for (image, truth) in &scenes {
                let boxes = detector
                    .detect_frame(&Frame::new(0.0, image.width, image.height, &image.bgr).unwrap())
                    .unwrap()
                    .boxes;
                let hit = |b: &candor_vision::FaceBox| {
                    truth.0 > b.x
                        && truth.0 < b.x + b.width
                        && truth.1 > b.y
                        && truth.1 < b.y + b.height
                };
                hits += usize::from(boxes.iter().any(hit));
                false_boxes += boxes.iter().filter(|b| !hit(b)).count();
            }
            let ms = start.elapsed().as_secs_f64() * 1000.0 / scenes.len() as f64;
            println!(
                "{kind:?} at {detect_width} px: recall {hits}/{} ({:.0} %), {false_boxes} false boxes, {ms:.1} ms/frame",
                scenes.len(),
                100.0 * hits as f64 / scenes.len() as f64
            );
        }
    }
}

#[test]
#[ignore = "a measurement, not a check"]
fn tracker_time_per_frame_with_redetection_every_fifth_frame() {
    let image = fixtures::scene(360, 140, 0);
    let mut tracker = candor_vision::FaceTracker::new(&Default::default()).unwrap();
    let frames = 100;
    let start = Instant::now();
    let mut found = 0;
    for i in 0..frames {
        let frame = Frame::new(i as f64 * 0.2, image.width, image.height, &image.bgr).unwrap();
        found += usize::from(tracker.push(&frame).unwrap().face.is_some());
    }
    let ms = start.elapsed().as_secs_f64() * 1000.0 / frames as f64;
    println!("tracker: {found}/{frames} frames with a face, {ms:.1} ms/frame (landmarks, pose, pupils included)");
}
