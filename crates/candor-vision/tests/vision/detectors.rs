//! The measurement behind the default detector: recall and time per
//! 640x360 frame of each detector at two detection widths. Run with
//! `cargo nextest run --release -p candor-vision --run-ignored only detectors --no-capture`.

use std::time::Instant;

use opencv::prelude::*;

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

/// The measurement behind tracking through turns: on the generated
/// astronaut and Grace Hopper videos (a 22° nod, a 30° turn, a 15°/8°
/// turn up), for each detector set-up the share of frames turned by 15° or
/// more where a face (and pose) is found, the yaw and pitch error on those
/// frames (relative to the frontal stretch), and the tracker's time per
/// frame. Run with
/// `cargo nextest run --release -p candor-vision --run-ignored only turning_heads --no-capture`.
#[test]
#[ignore = "a measurement, not a check"]
fn detectors_on_turning_heads() {
    type Setup = fn(&mut candor_vision::TrackerConfig);
    let setups: [(&str, Setup); 3] = [
        ("Haar only", |c| c.detector.turned_faces = false),
        ("Haar + dlib HOG boxes (default)", |_| {}),
        ("dlib HOG only, 640 px", |c| {
            c.detector.kind = DetectorKind::DlibHog;
            c.detector.detect_width = 640;
        }),
    ];
    for face in ["astronaut", "grace_hopper"] {
        let video = crate::turning::turning(
            &format!("turns-{face}"),
            face,
            &["--script", "turns", "--talk"],
            5.0,
        );
        for (name, setup) in setups {
            let mut config = candor_vision::TrackerConfig::default();
            setup(&mut config);
            let mut tracker = candor_vision::FaceTracker::new(&config).unwrap();
            let (mut turned, mut found, mut errors, mut frontal) = (0, 0, Vec::new(), Vec::new());
            let start = Instant::now();
            let mut readings = Vec::new();
            for (t, image) in &video.frames {
                let seen = tracker
                    .push(&Frame::new(*t, image.width, image.height, &image.bgr).unwrap())
                    .unwrap();
                readings.push((*t, seen.face.and_then(|f| f.pose).map(|p| p.pose)));
            }
            let ms = start.elapsed().as_secs_f64() * 1000.0 / video.frames.len() as f64;
            for (t, pose) in &readings {
                let truth = video.at(*t);
                let (yaw, pitch) = (
                    truth["yaw"].as_f64().unwrap(),
                    truth["pitch"].as_f64().unwrap(),
                );
                if let (true, Some(p)) = (*t < 7.0, pose) {
                    frontal.push((f64::from(p.yaw), f64::from(p.pitch)));
                }
                if yaw.abs().max(pitch.abs()) >= 15.0 {
                    turned += 1;
                    if let Some(p) = pose {
                        found += 1;
                        errors.push((f64::from(p.yaw) - yaw, f64::from(p.pitch) - pitch));
                    }
                }
            }
            let n = frontal.len().max(1) as f64;
            let offset = (
                frontal.iter().map(|f| f.0).sum::<f64>() / n,
                frontal.iter().map(|f| f.1).sum::<f64>() / n,
            );
            let m = errors.len().max(1) as f64;
            let (yaw_mae, pitch_mae) = (
                errors.iter().map(|e| (e.0 - offset.0).abs()).sum::<f64>() / m,
                errors.iter().map(|e| (e.1 - offset.1).abs()).sum::<f64>() / m,
            );
            println!(
                "{face}, {name}: face on {found}/{turned} turned frames, yaw MAE {yaw_mae:.1}°, pitch MAE {pitch_mae:.1}° there; {ms:.1} ms/frame"
            );
        }
        // OpenCV's profile cascade on its own, the frame and its mirror
        // image (it finds faces turned one way), on the frames turned 30°.
        let mut profile = opencv::objdetect::CascadeClassifier::new(
            "/usr/share/opencv4/haarcascades/haarcascade_profileface.xml",
        )
        .unwrap();
        let (mut turned, mut found) = (0, 0);
        for (t, image) in &video.frames {
            if video.at(*t)["yaw"].as_f64().unwrap() < 29.0 {
                continue;
            }
            turned += 1;
            let luma: Vec<u8> = image
                .bgr
                .chunks_exact(3)
                .map(|p| {
                    ((29 * u32::from(p[0]) + 150 * u32::from(p[1]) + 77 * u32::from(p[2])) >> 8)
                        as u8
                })
                .collect();
            let grey = opencv::core::Mat::from_slice(&luma)
                .unwrap()
                .reshape(1, image.height as i32)
                .unwrap()
                .try_clone()
                .unwrap();
            let mut mirrored = opencv::core::Mat::default();
            opencv::core::flip(&grey, &mut mirrored, 1).unwrap();
            let hit = [&grey, &mirrored].iter().any(|img| {
                let mut boxes = opencv::core::Vector::<opencv::core::Rect>::new();
                profile
                    .detect_multi_scale(
                        *img,
                        &mut boxes,
                        1.1,
                        3,
                        0,
                        opencv::core::Size::new(24, 24),
                        opencv::core::Size::new(0, 0),
                    )
                    .unwrap();
                !boxes.is_empty()
            });
            found += usize::from(hit);
        }
        println!(
            "{face}, OpenCV profile cascade alone: a face on {found}/{turned} frames turned 30°"
        );
    }
}
