//! The streaming summary against frame sequences with known truth.

use candor_vision::{
    head_pose, Exposure, FaceTracker, Frame, FramingVerdict, Landmarks, Point, SmileConfig,
    TrackerConfig, VisionAnalysis, VisionAnalyzer, VisionConfig, VisionError,
};

use crate::fixtures::{self, astronaut, scene, Image};

const FPS: f64 = 5.0;

/// Pushes `frames` (image, how many frames) in order at 5 fps.
fn analyse_with(config: &VisionConfig, frames: &[(&Image, usize)]) -> VisionAnalysis {
    let mut analyzer = VisionAnalyzer::new(config).unwrap();
    let mut i = 0;
    for &(image, n) in frames {
        for _ in 0..n {
            let frame = Frame::new(i as f64 / FPS, image.width, image.height, &image.bgr).unwrap();
            analyzer.push(&frame).unwrap();
            i += 1;
        }
    }
    analyzer.finish().unwrap()
}

fn analyse(frames: &[(&Image, usize)]) -> VisionAnalysis {
    analyse_with(&VisionConfig::default(), frames)
}

/// The photo at 360 px with the face centred horizontally, on `background`.
fn centred(background: [u8; 3], filter: &str) -> Image {
    let mut canvas = Image::filled(640, 360, background);
    canvas.paste(&astronaut(360, filter), 163, 0);
    canvas
}

fn map_pixels(image: &Image, f: impl Fn([u8; 3]) -> [u8; 3]) -> Image {
    let mut out = image.clone();
    for px in out.bgr.chunks_exact_mut(3) {
        let m = f([px[0], px[1], px[2]]);
        px.copy_from_slice(&m);
    }
    out
}

#[test]
fn a_steady_frontal_smiling_face_in_good_light_reads_as_such() {
    let image = centred([110, 120, 125], "");
    let a = analyse(&[(&image, 50)]);
    // The summary round-trips through JSON and has a schema for the report.
    let json = serde_json::to_string(&a).unwrap();
    let back: VisionAnalysis = serde_json::from_str(&json).unwrap();
    assert_eq!(
        serde_json::to_value(&back).unwrap(),
        serde_json::from_str::<serde_json::Value>(&json).unwrap()
    );
    // The same picture fifty times is a still picture.
    assert!(a.motion.static_picture, "{:?}", a.motion);
    let schema = serde_json::to_string(&schemars::schema_for!(VisionAnalysis)).unwrap();
    assert!(schema.contains("looking_away") && schema.contains("too_close"));
    assert_eq!(a.frames, 50);
    assert!((a.duration_s - 10.0).abs() < 1e-6);
    assert!(a.presence.face_visible_ratio > 0.95);
    assert!(a.presence.no_face.is_empty() && a.presence.multiple_faces.is_empty());
    let eye = a.eye_contact.unwrap();
    assert!(eye.ratio > 0.8, "{eye:?}");
    assert!(eye.looking_away.is_empty());
    assert_eq!(eye.windows.len(), 1);
    let head = a.head.unwrap();
    assert!(head.yaw_mean.abs() < 15.0 && head.movement_deg_per_s < 5.0);
    assert!(head.fidget_spans.is_empty());
    assert_eq!(a.blinks.unwrap().count, 0);
    let framing = a.framing.unwrap();
    assert_eq!(framing.verdict, FramingVerdict::Good, "{framing:?}");
    assert!(framing.stability_px_per_s < 5.0);
    let smiles = a.smiles.unwrap();
    assert!(smiles.ratio > 0.9, "{smiles:?}");
    assert_eq!(smiles.moments.len(), 1);
    let l = &a.lighting;
    assert_eq!(l.exposure, Exposure::Good);
    assert!(!l.backlit && !l.blurry && l.colour_cast.is_none(), "{l:?}");
    assert!(l.advice.is_empty(), "{:?}", l.advice);
}

#[test]
fn a_stretch_without_a_face_is_found_within_a_second() {
    let face = centred([110, 120, 125], "");
    let empty = Image::filled(640, 360, [110, 120, 125]);
    // Face 0–6 s, nobody 6–10 s, face 10–20 s.
    let a = analyse(&[(&face, 30), (&empty, 20), (&face, 50)]);
    let spans = &a.presence.no_face;
    assert_eq!(spans.len(), 1, "{spans:?}");
    assert!((spans[0].start - 6.0).abs() <= 1.0 && (spans[0].end - 10.0).abs() <= 1.0);
    assert!((a.presence.face_visible_ratio - 0.8).abs() < 0.05);
    // The frames without a face count as not looking at the lens.
    let eye = a.eye_contact.unwrap();
    assert!((eye.ratio - 0.8).abs() < 0.05, "{eye:?}");
    assert!((eye.lost_ratio - 0.2).abs() < 0.05, "{eye:?}");
    assert_eq!(eye.looking_away.len(), 1, "{:?}", eye.looking_away);
}

#[test]
fn framing_verdicts_match_how_the_face_was_placed() {
    let verdict = |config: &VisionConfig, image: &Image| {
        let a = analyse_with(config, &[(image, 5)]);
        a.framing.map(|f| {
            eprintln!("{f:?} cut off {}", a.presence.cut_off_ratio);
            f.verdict
        })
    };
    let default = VisionConfig::default();
    assert_eq!(
        verdict(&default, &scene(1100, -230, -120)),
        Some(FramingVerdict::TooClose)
    );
    assert_eq!(
        verdict(&default, &scene(360, 0, 0)),
        Some(FramingVerdict::OffCentre)
    );
    // Chin below the frame; face across the left edge.
    assert_eq!(
        verdict(&default, &scene(700, -100, 130)),
        Some(FramingVerdict::CutOff)
    );
    assert_eq!(
        verdict(&default, &scene(700, -250, 0)),
        Some(FramingVerdict::CutOff)
    );
    assert_eq!(
        verdict(&default, &centred([110, 120, 125], "")),
        Some(FramingVerdict::Good)
    );
    // A small face needs the detector to look for small faces.
    let mut small = VisionConfig::default();
    small.tracker.detector.detect_width = 640;
    small.tracker.detector.min_face_fraction = 0.05;
    assert_eq!(
        verdict(&small, &scene(200, 220, 80)),
        Some(FramingVerdict::TooFar)
    );
}

#[test]
fn lighting_problems_are_named_with_advice() {
    let good = centred([110, 120, 125], "");
    let dark = map_pixels(&good, |p| p.map(|v| v / 4));
    let a = analyse(&[(&dark, 5)]);
    assert_eq!(a.lighting.exposure, Exposure::Under, "{:?}", a.lighting);
    assert!(!a.lighting.advice.is_empty());

    let backlit = analyse(&[(&centred([250, 250, 250], ""), 5)]).lighting;
    assert!(backlit.backlit, "{backlit:?}");
    assert!(backlit.advice.iter().any(|s| s.contains("behind you")));

    let blurred = analyse(&[(&centred([110, 120, 125], "gblur=sigma=4"), 5)]).lighting;
    assert!(blurred.blurry, "{blurred:?}");
    assert!(blurred.advice.iter().any(|s| s.contains("focus")));

    let blue = map_pixels(&good, |[b, g, r]| {
        [b.saturating_add(60), g, (f32::from(r) * 0.6) as u8]
    });
    let tinted = analyse(&[(&blue, 5)]).lighting;
    assert_eq!(tinted.colour_cast.as_deref(), Some("blue"), "{tinted:?}");
    let warm = map_pixels(&good, |[b, g, r]| {
        [
            (f32::from(b) * 0.5) as u8,
            g.saturating_add(20),
            r.saturating_add(50),
        ]
    });
    let tinted = analyse(&[(&warm, 5)]).lighting;
    assert!(
        matches!(tinted.colour_cast.as_deref(), Some("yellow" | "red")),
        "{tinted:?}"
    );
}

#[test]
fn two_faces_in_the_picture_are_reported_as_a_stretch() {
    let one = scene(300, 170, 20);
    let mut two = Image::filled(640, 360, [110, 120, 125]);
    let photo = astronaut(300, "");
    two.paste(&photo, -20, 20);
    two.paste(&photo, 320, 20);
    // One face 0–2 s, two 2–6 s, one 6–8 s.
    let a = analyse(&[(&one, 10), (&two, 20), (&one, 10)]);
    let spans = &a.presence.multiple_faces;
    assert_eq!(spans.len(), 1, "{spans:?}");
    assert!((spans[0].start - 2.0).abs() <= 1.0 && (spans[0].end - 6.0).abs() <= 1.0);
}

#[test]
fn black_frames_only_give_presence_zero_and_nothing_scored() {
    let black = Image::filled(320, 240, [0, 0, 0]);
    let a = analyse(&[(&black, 10)]);
    assert_eq!(a.presence.face_visible_ratio, 0.0);
    assert_eq!(a.presence.no_face.len(), 1);
    assert!(a.eye_contact.is_none() && a.head.is_none() && a.framing.is_none());
    assert!(a.blinks.is_none() && a.smiles.is_none());
    assert!(a.lighting.face_brightness.is_none());
    assert_eq!(a.lighting.exposure, Exposure::Under);
    // No frames at all: an empty summary, no panic.
    let none = VisionAnalyzer::new(&VisionConfig::default())
        .unwrap()
        .finish()
        .unwrap();
    assert_eq!(none.frames, 0);
    assert!(none.eye_contact.is_none());
}

#[test]
fn frames_out_of_time_order_and_bad_configs_are_bad_input() {
    let black = Image::filled(16, 16, [0, 0, 0]);
    let mut analyzer = VisionAnalyzer::new(&VisionConfig::default()).unwrap();
    analyzer
        .push(&Frame::new(1.0, 16, 16, &black.bgr).unwrap())
        .unwrap();
    let err = analyzer
        .push(&Frame::new(0.5, 16, 16, &black.bgr).unwrap())
        .unwrap_err();
    assert!(matches!(err, VisionError::InvalidFrame(_)));
    // Skipped, not fatal: the analyzer goes on.
    assert_eq!((analyzer.frames(), analyzer.frames_failed()), (1, 1));

    let mut config = VisionConfig::default();
    config.eye_contact.window_s = 0.0;
    assert!(VisionAnalyzer::new(&config).err().unwrap().is_bad_input());
    let parsed: Result<VisionConfig, _> =
        serde_json::from_str(r#"{"framing": {"too_close_ratio": 0.5, "typo": 1}}"#);
    assert!(parsed.is_err());
    let parsed: VisionConfig =
        serde_json::from_str(r#"{"framing": {"too_close_ratio": 0.5}}"#).unwrap();
    assert_eq!(parsed.framing.too_close_ratio, 0.5);
}

#[test]
fn the_astronaut_smiles_and_the_same_face_with_a_neutral_mouth_does_not() {
    let image = centred([110, 120, 125], "");
    let mut tracker = FaceTracker::new(&TrackerConfig::default()).unwrap();
    let face = tracker
        .push(&Frame::new(0.0, image.width, image.height, &image.bgr).unwrap())
        .unwrap()
        .face
        .unwrap();
    let config = SmileConfig::default();
    assert!(config.is_smile(&face.landmarks));

    // Neutral proportions (Farkas 1994): mouth 0.8 of the inter-ocular
    // distance wide, corners on the lips' mid-line.
    let mut neutral = face.landmarks.clone();
    let p = &mut neutral.points;
    let (left, right) = (p[48], p[54]);
    let centre = Point::new((left.x + right.x) / 2.0, (p[51].y + p[57].y) / 2.0);
    let half = 0.4 * face.landmarks.interocular();
    p[48] = Point::new(centre.x - half, centre.y);
    p[54] = Point::new(centre.x + half, centre.y);
    assert!(neutral.mouth_width_ratio() < 0.85 && neutral.mouth_corner_lift().abs() < 0.02);
    assert!(!config.is_smile(&neutral));
    // Wide but not lifted (a grimace, speech) is not a smile either.
    let mut wide = face.landmarks.clone();
    wide.points[48].y = centre.y;
    wide.points[54].y = centre.y;
    assert!(!config.is_smile(&wide));
}

/// What the summary adds to the tracker's cost per frame. Run with
/// `cargo nextest run --release -p candor-vision --run-ignored only cost --no-capture`.
#[test]
#[ignore = "a measurement, not a check"]
fn cost_per_frame_of_the_analyzer_and_of_the_tracker_alone() {
    use std::time::Instant;
    for (width, height, size) in [(640u32, 360u32, 360u32), (1280, 720, 720)] {
        let mut canvas = Image::filled(width, height, [110, 120, 125]);
        canvas.paste(&astronaut(size, ""), (width / 2 - size / 2) as i32, 0);
        let frames = 100;
        let mut tracker = FaceTracker::new(&TrackerConfig::default()).unwrap();
        let start = Instant::now();
        for i in 0..frames {
            let frame = Frame::new(f64::from(i) / FPS, width, height, &canvas.bgr).unwrap();
            tracker.push(&frame).unwrap();
        }
        let tracker_ms = start.elapsed().as_secs_f64() * 1e3 / f64::from(frames);
        let mut analyzer = VisionAnalyzer::new(&VisionConfig::default()).unwrap();
        let start = Instant::now();
        for i in 0..frames {
            let frame = Frame::new(f64::from(i) / FPS, width, height, &canvas.bgr).unwrap();
            analyzer.push(&frame).unwrap();
        }
        let analyzer_ms = start.elapsed().as_secs_f64() * 1e3 / f64::from(frames);
        eprintln!("{width}x{height}: tracker {tracker_ms:.1} ms/frame, analyzer {analyzer_ms:.1} ms/frame");
    }
}

/// `image` (a [`centred`] astronaut at 360 px) with both eyes painted shut:
/// each eye covered by the skin of the cheek below it, shaded, with a dark
/// lash line across the middle, as a closed eyelid looks.
fn eyes_shut(image: &Image) -> Image {
    let (size, x, y) = (360, 163, 0);
    let mut out = image.clone();
    let half_width = 13.0 * size as f32 / 512.0;
    let half_height = 7.0 * size as f32 / 512.0;
    for eye in [fixtures::EYE_IMAGE_LEFT, fixtures::EYE_IMAGE_RIGHT] {
        let (cx, cy) = fixtures::placed(eye, size, x, y);
        let at = |px: f32, py: f32| ((py as u32 * image.width + px as u32) * 3) as usize;
        let cheek = at(cx, cy + 2.5 * half_height);
        // Lids in the shadow of the brow: darker than the cheek.
        let skin = [0, 1, 2].map(|c| (f32::from(image.bgr[cheek + c]) * 0.7) as u8);
        for py in (cy - half_height) as i32..=(cy + half_height) as i32 {
            for px in (cx - half_width) as i32..=(cx + half_width) as i32 {
                let (dx, dy) = (
                    (px as f32 - cx) / half_width,
                    (py as f32 - cy) / half_height,
                );
                if dx * dx + dy * dy <= 1.0 {
                    let i = at(px as f32, py as f32);
                    let lash = (py as f32 - cy).abs() < 1.5 && dx.abs() < 0.9;
                    out.bgr[i..i + 3].copy_from_slice(if lash { &[40, 40, 50] } else { &skin });
                }
            }
        }
    }
    out
}

#[test]
fn eyes_shut_for_one_or_two_frames_are_blinks_and_for_two_seconds_are_not() {
    let open = centred([110, 120, 125], "");
    let shut = eyes_shut(&open);
    let a = analyse(&[
        (&open, 10),
        (&shut, 1),
        (&open, 10),
        (&shut, 2),
        (&open, 10),
        (&shut, 10),
        (&open, 10),
    ]);
    let blinks = a.blinks.unwrap();
    assert_eq!(blinks.count, 2, "{blinks:?}");
    // 53 frames with a face at 5 fps: 10.6 s.
    assert!(
        (blinks.per_minute - 2.0 * 60.0 / 10.6).abs() < 0.5,
        "{blinks:?}"
    );
}

/// A frame the analysis fails on, and why it fails.
#[derive(Clone, Copy, Debug)]
enum Broken {
    /// The buffer holds one pixel less than the size says.
    ShortBuffer,
    /// The time is not a number.
    NanTime,
    /// The time is before the previous frame's.
    Backwards,
}

/// Pushes 20 frames of the face at 5 fps, breaking those in `broken`;
/// returns the analyzer and the errors `push` gave.
fn push_with_broken(image: &Image, broken: &[(usize, Broken)]) -> (VisionAnalyzer, Vec<String>) {
    let mut analyzer = VisionAnalyzer::new(&VisionConfig::default()).unwrap();
    let mut errors = Vec::new();
    for i in 0..20 {
        let good = Frame {
            t: i as f64 / FPS,
            width: image.width,
            height: image.height,
            bgr: &image.bgr,
        };
        let frame = match broken.iter().find(|(at, _)| *at == i).map(|b| b.1) {
            None => good,
            Some(Broken::ShortBuffer) => Frame {
                bgr: &image.bgr[..image.bgr.len() - 3],
                ..good
            },
            Some(Broken::NanTime) => Frame {
                t: f64::NAN,
                ..good
            },
            Some(Broken::Backwards) => Frame { t: 0.0, ..good },
        };
        if let Err(e) = analyzer.push(&frame) {
            assert!(matches!(e, VisionError::InvalidFrame(_)), "{e}");
            errors.push(e.to_string());
        }
    }
    (analyzer, errors)
}

/// The failure the skipping is for: `solvePnP` asserts on landmarks it
/// cannot solve (here non-finite ones) and `head_pose` returns that as an
/// error, which inside `VisionAnalyzer::push` skips the frame.
#[test]
fn head_pose_is_an_error_not_a_panic_on_landmarks_solve_pnp_cannot_solve() {
    let landmarks = Landmarks {
        points: [Point::new(f32::NAN, f32::NAN); 68],
    };
    let err = head_pose(&landmarks, 640, 360).unwrap_err();
    assert!(
        matches!(err, VisionError::OpenCv(_) | VisionError::InvalidFrame(_)),
        "{err}"
    );
}

#[test]
fn frames_the_analysis_fails_on_are_skipped_and_counted() {
    let face = centred([110, 120, 125], "");
    let broken = [
        (5, Broken::ShortBuffer),
        (9, Broken::NanTime),
        (13, Broken::Backwards),
    ];
    let (analyzer, errors) = push_with_broken(&face, &broken);
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert_eq!((analyzer.frames(), analyzer.frames_failed()), (17, 3));
    let with_failures = analyzer.finish().expect("3 of 20 failed: still a summary");
    assert_eq!(with_failures.frames, 17);

    // The failed frames left no trace: the summary is the one of the 17
    // good frames alone, at their times.
    let mut clean = VisionAnalyzer::new(&VisionConfig::default()).unwrap();
    for i in (0..20).filter(|i| broken.iter().all(|(at, _)| at != i)) {
        let frame = Frame::new(i as f64 / FPS, face.width, face.height, &face.bgr).unwrap();
        clean.push(&frame).unwrap();
    }
    let clean = clean.finish().unwrap();
    assert_eq!(
        serde_json::to_value(&with_failures).unwrap(),
        serde_json::to_value(&clean).unwrap()
    );
    assert_eq!(with_failures.presence.face_visible_ratio, 1.0);
    assert!(with_failures.eye_contact.is_some());
}

#[test]
fn the_analysis_fails_when_most_frames_fail() {
    let face = centred([110, 120, 125], "");
    // 11 of 20 frames broken (every other one, then the last): more than half.
    let broken: Vec<(usize, Broken)> = (0..10)
        .map(|i| (i * 2, Broken::ShortBuffer))
        .chain([(19, Broken::ShortBuffer)])
        .collect();
    let (analyzer, errors) = push_with_broken(&face, &broken);
    assert_eq!(errors.len(), 11);
    let err = analyzer.finish().unwrap_err();
    assert!(
        matches!(
            err,
            VisionError::FramesFailed {
                failed: 11,
                total: 20,
                ..
            }
        ),
        "{err}"
    );
    let message = err.to_string();
    assert!(
        message.contains("failed on 11 of 20 frames") && message.contains("bytes for 640x360"),
        "{message}"
    );
    assert!(!err.is_bad_input());
    assert_eq!(err.code(), "vision_frames_failed");
    // Exactly half is still a summary.
    let broken: Vec<(usize, Broken)> = (0..10).map(|i| (i * 2, Broken::ShortBuffer)).collect();
    let (analyzer, _) = push_with_broken(&face, &broken);
    assert_eq!(analyzer.finish().unwrap().frames, 10);
}
