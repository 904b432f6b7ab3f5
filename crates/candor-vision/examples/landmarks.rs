//! Prints the 68 landmarks of the main face in an image as JSON, for
//! scripts/make-turning-head.py (which builds its 3-D head on them).
//!
//!     cargo run --release -p candor-vision --example landmarks -- PHOTO
//!
//! The image is decoded by the `ffmpeg` command line tool.

use std::process::{exit, Command};

use candor_vision::{FaceTracker, Frame, TrackerConfig};

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: landmarks IMAGE");
        exit(2);
    };
    let probe = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "v:0", "-show_entries"])
        .args(["stream=width,height", "-of", "csv=p=0", &path])
        .output()
        .expect("ffprobe runs");
    let size = String::from_utf8_lossy(&probe.stdout);
    let Some((width, height)) = size
        .trim()
        .split_once(',')
        .and_then(|(w, h)| Some((w.parse::<u32>().ok()?, h.parse::<u32>().ok()?)))
    else {
        eprintln!("{path}: not an image ffprobe can read");
        exit(1);
    };
    let decoded = Command::new("ffmpeg")
        .args(["-v", "error", "-i", &path, "-frames:v", "1"])
        .args(["-f", "rawvideo", "-pix_fmt", "bgr24", "-"])
        .output()
        .expect("ffmpeg runs");
    let frame = Frame::new(0.0, width, height, &decoded.stdout).unwrap_or_else(|e| {
        eprintln!("{path}: {e}");
        exit(1);
    });
    let mut tracker = FaceTracker::new(&TrackerConfig::default()).unwrap_or_else(|e| {
        eprintln!("{e}");
        exit(1);
    });
    let seen = tracker.push(&frame).unwrap_or_else(|e| {
        eprintln!("{path}: {e}");
        exit(1);
    });
    let Some(face) = seen.face else {
        eprintln!("{path}: no face found");
        exit(1);
    };
    let points: Vec<[f32; 2]> = face.landmarks.points.iter().map(|p| [p.x, p.y]).collect();
    println!(
        "{}",
        serde_json::json!({ "width": width, "height": height, "points": points })
    );
}
