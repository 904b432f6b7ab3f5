//! Unusable or unusual input: a clear error (exit 2) or an honest "not
//! scored" report, never a panic or a hang.

use std::path::Path;

use serde_json::Value;

use crate::support::{analyze_json, candor, dimension, ffmpeg, fixtures, interview};

/// Asserts exit code 2 with one `error:` line and a `hint:` line; returns the error line.
fn refused(file: &Path, extra: &[&str]) -> String {
    let mut args = vec!["analyze", file.to_str().unwrap()];
    args.extend_from_slice(extra);
    let out = candor(&args);
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(2), "{}: {stderr}", file.display());
    assert!(!stderr.contains("panicked"), "{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 2, "one error line and one hint: {stderr}");
    assert!(
        lines[0].starts_with("error: ") && lines[1].starts_with("hint: "),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
    lines[0].to_string()
}

fn write(name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = fixtures().join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn not_scored_reason(report: &Value, id: &str) -> String {
    let a = &dimension(report, id)["assessment"];
    assert_eq!(a["status"], "not_scored", "{id}: {a}");
    a["reason"].as_str().unwrap().to_string()
}

#[test]
fn an_empty_file_is_refused() {
    let error = refused(&write("empty.mp4", b""), &[]);
    assert!(error.contains("empty"), "{error}");
}

#[test]
fn random_bytes_are_refused() {
    let bytes: Vec<u8> = (0..100_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    refused(&write("random.mp4", &bytes), &[]);
}

#[test]
fn a_truncated_mp4_is_refused() {
    let (media, _) = interview("answer.mp4", &["--video", "640x360@25"]);
    let bytes = std::fs::read(media).unwrap();
    refused(&write("truncated.mp4", &bytes[..bytes.len() / 2]), &[]);
}

#[test]
fn a_missing_file_is_refused() {
    let error = refused(Path::new("/nonexistent/answer.mp4"), &[]);
    assert!(error.contains("/nonexistent/answer.mp4"), "{error}");
}

#[test]
fn a_recording_over_the_duration_limit_is_refused_before_decoding() {
    let (media, _) = interview("short.wav", &["--sentences", "3"]);
    let error = refused(&media, &["--max-duration", "5"]);
    assert!(error.contains("exceeds the limit"), "{error}");
}

#[test]
fn a_missing_model_is_a_clear_error() {
    let (media, _) = interview("short.wav", &["--sentences", "3"]);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_candor"))
        .args([
            "analyze",
            media.to_str().unwrap(),
            "--model",
            "/nonexistent/model",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--model"), "{stderr}");
}

#[test]
fn silence_is_not_scored_and_nothing_is_transcribed() {
    let silence = ffmpeg(
        "silence.wav",
        &["-f", "lavfi", "-i", "anullsrc=r=16000:cl=mono", "-t", "20"],
    );
    let report = analyze_json(&silence, &[]);
    assert!(not_scored_reason(&report, "pace").contains("no speech"));
    assert!(
        not_scored_reason(&report, "clarity").contains("silent")
            || not_scored_reason(&report, "clarity").contains("no speech")
    );
    assert_eq!(report["overall"]["score"], Value::Null);
    let words = report["transcript"]["segments"].as_array().unwrap().len();
    assert_eq!(
        words, 0,
        "hallucinated text on silence: {}",
        report["transcript"]
    );
}

#[test]
fn a_video_without_audio_is_reported_as_not_scored() {
    let video = ffmpeg(
        "silent-film.mp4",
        &[
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=320x240:rate=15",
            "-t",
            "4",
        ],
    );
    let report = analyze_json(&video, &[]);
    assert!(not_scored_reason(&report, "pace").contains("no audio"));
    assert!(
        report["measurements"]["video"]["frames_sampled"]
            .as_u64()
            .unwrap()
            >= 19
    );
}

#[test]
fn a_one_frame_video_with_a_little_noise_does_not_break_anything() {
    let one_frame = ffmpeg(
        "one-frame.mp4",
        &[
            "-f",
            "lavfi",
            "-i",
            "color=c=gray:size=64x64:rate=1",
            "-f",
            "lavfi",
            "-i",
            "anoisesrc=a=0.01:r=16000",
            "-frames:v",
            "1",
            "-t",
            "1",
        ],
    );
    let report = analyze_json(&one_frame, &[]);
    assert_eq!(report["measurements"]["video"]["frames_sampled"], 1);
}

#[test]
fn reports_render_as_markdown_and_text_files() {
    let (media, _) = interview("short.wav", &["--sentences", "3"]);
    for (format, marker) in [("md", "## Scores"), ("text", "Candor feedback:")] {
        let out_path = fixtures().join(format!("report.{format}"));
        let out = candor(&[
            "analyze",
            media.to_str().unwrap(),
            "--format",
            format,
            "--out",
            out_path.to_str().unwrap(),
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = std::fs::read_to_string(&out_path).unwrap();
        assert!(text.contains(marker), "{format}: {text}");
        assert!(text.contains("Filler words"), "{format}: {text}");
    }
}

/// A 2-s clip of `source` (an ffmpeg lavfi video) with a quiet noise track,
/// encoded with `codec_args`.
fn odd_video(name: &str, source: &str, codec_args: &[&str]) -> std::path::PathBuf {
    let mut args = vec![
        "-f",
        "lavfi",
        "-i",
        source,
        "-f",
        "lavfi",
        "-i",
        "anoisesrc=a=0.01:r=16000",
        "-t",
        "2",
    ];
    args.extend_from_slice(codec_args);
    ffmpeg(name, &args)
}

#[test]
fn odd_videos_give_a_report_with_the_camera_not_scored() {
    let cases = [
        ("black.mp4", "color=c=black:size=640x360:rate=10", &[][..]),
        ("tiny.mp4", "testsrc2=size=16x16:rate=10", &[][..]),
        ("uhd.mp4", "color=c=gray:size=3840x2160:rate=5", &[][..]),
        (
            "grey.mkv",
            "testsrc2=size=320x240:rate=10",
            &["-c:v", "ffv1", "-pix_fmt", "gray"][..],
        ),
        (
            "odd-size-444.mkv",
            "testsrc2=size=641x361:rate=10",
            &["-c:v", "libx264", "-pix_fmt", "yuv444p"][..],
        ),
    ];
    for (name, source, codec) in cases {
        let report = analyze_json(&odd_video(name, source, codec), &[]);
        let sampled = report["measurements"]["video"]["frames_sampled"]
            .as_u64()
            .unwrap();
        assert!(sampled >= 9, "{name}: {sampled} frames sampled");
        let reason = not_scored_reason(&report, "eye_contact");
        assert!(reason.contains("face"), "{name}: {reason}");
    }
}

#[test]
fn a_video_larger_than_the_resolution_limit_is_refused_before_decoding() {
    let huge = odd_video("8k.mp4", "color=c=gray:size=7680x4320:rate=1", &[]);
    let error = refused(&huge, &[]);
    assert!(error.contains("7680"), "{error}");
}
