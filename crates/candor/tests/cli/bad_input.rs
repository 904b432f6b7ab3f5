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
fn a_language_the_model_does_not_know_is_refused_before_decoding() {
    let (media, _) = interview("short.wav", &["--sentences", "3"]);
    // The tests' model is tiny.en, which knows English only.
    let error = refused(&media, &["--language", "de"]);
    assert!(
        error.contains("does not transcribe language \"de\""),
        "{error}"
    );
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

/// What one `candor analyze` run cost, measured on the child alone.
struct Run {
    code: Option<i32>,
    stderr: String,
    wall: std::time::Duration,
    peak_rss_mib: u64,
}

/// Runs `candor analyze FILE EXTRA… --format json --out …` and waits for it
/// with `wait4`, which reports the peak RSS of that child alone.
fn analyze_measured(file: &Path, extra: &[&str]) -> Run {
    let out = tempfile::tempdir().unwrap();
    let stderr_path = out.path().join("stderr");
    let started = std::time::Instant::now();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_candor"))
        .arg("analyze")
        .arg(file)
        .args(extra)
        .args(["--format", "json", "--out"])
        .arg(out.path().join("report.json"))
        .arg("--model")
        .arg(crate::support::model_dir())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(&stderr_path).unwrap())
        .spawn()
        .unwrap();
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: a zeroed rusage is a valid out-parameter; `pid` is our own
    // child, not yet waited for (the `Child` is never waited on after this).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid, "wait4: {}", std::io::Error::last_os_error());
    let wall = started.elapsed();
    drop(child);
    Run {
        code: libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status)),
        stderr: std::fs::read_to_string(stderr_path).unwrap(),
        wall,
        // ru_maxrss is in KiB on Linux.
        peak_rss_mib: usage.ru_maxrss as u64 / 1024,
    }
}

/// 2 s of AAC tone, then 2 s more stamped 50 minutes later (MPEG-TS, 45 KB).
fn audio_with_a_50_minute_jump() -> std::path::PathBuf {
    let path = fixtures().join("jump-3000.ts");
    if !path.exists() {
        let tone = |name: &str, offset: &str| {
            ffmpeg(
                name,
                &[
                    "-f",
                    "lavfi",
                    "-i",
                    "sine=f=440:d=2",
                    "-c:a",
                    "aac",
                    "-output_ts_offset",
                    offset,
                    "-f",
                    "mpegts",
                ],
            )
        };
        let bytes = [
            std::fs::read(tone("jump-first.ts", "0")).unwrap(),
            std::fs::read(tone("jump-second.ts", "3000")).unwrap(),
        ]
        .concat();
        let scratch = tempfile::NamedTempFile::new_in(fixtures()).unwrap();
        std::fs::write(scratch.path(), bytes).unwrap();
        scratch.persist(&path).unwrap();
    }
    path
}

#[test]
fn a_50_minute_jump_in_the_audio_timestamps_is_analysed_in_seconds_and_flat_memory() {
    let file = audio_with_a_50_minute_jump();
    let run = analyze_measured(&file, &[]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.wall < std::time::Duration::from_secs(60),
        "took {:?}",
        run.wall
    );
    assert!(run.peak_rss_mib < 600, "peak RSS {} MiB", run.peak_rss_mib);
    // The reader is told what was left out: ~2998 s (3000 s less the first
    // tone and its encoder padding) after the first tone.
    assert!(
        run.stderr.contains("the audio skips 299") && run.stderr.contains(" s at 0:02.0"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_header_that_understates_the_duration_is_refused_at_the_limit_while_decoding() {
    // 8 s of tone under a Matroska header that states 1 s.
    let file = ffmpeg(
        "understated.mka",
        &["-f", "lavfi", "-i", "sine=f=440:d=8", "-c:a", "aac"],
    );
    let mut bytes = std::fs::read(&file).unwrap();
    let at = bytes
        .windows(3)
        .position(|w| w == [0x44, 0x89, 0x88])
        .expect("a Duration element holding an 8-byte float");
    bytes[at + 3..at + 11].copy_from_slice(&1000.0f64.to_be_bytes());
    let liar = write("understated-1s.mka", &bytes);
    let error = refused(&liar, &["--max-duration", "4"]);
    assert!(
        error.contains("decoded media runs past the duration limit of 4.0 s")
            && error.contains("states 1.0 s"),
        "{error}"
    );
}
