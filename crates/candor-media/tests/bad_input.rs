//! Bad or unusual input gives a clear error or a valid result — never a
//! panic or a hang.

mod common;

use candor_media::{probe, DecodeOptions, Limit, MediaError, MediaLimits, MediaSource};
use common::*;

fn probe_path(path: &std::path::Path) -> Result<candor_media::ProbedMedia, MediaError> {
    probe(MediaSource::path(path), &MediaLimits::default())
}

fn decode(path: &std::path::Path) -> Result<(candor_media::DecodeStats, Recorder), MediaError> {
    let mut rec = Recorder::default();
    let stats = probe_path(path)?.decode(&DecodeOptions::default(), &mut rec)?;
    Ok((stats, rec))
}

#[test]
fn an_empty_file_is_reported_as_empty() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.mp4");
    std::fs::write(&path, b"").unwrap();
    let err = probe_path(&path).unwrap_err();
    assert!(matches!(err, MediaError::Empty), "{err}");
    assert!(err.is_bad_input());
}

#[test]
fn random_bytes_are_not_a_media_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("noise.mp4");
    // A fixed xorshift sequence: reproducible "random" bytes.
    let mut x = 0x2545_f491_4f6c_dd1d_u64;
    let bytes: Vec<u8> = (0..200_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    std::fs::write(&path, bytes).unwrap();
    let err = decode(&path).unwrap_err();
    assert!(err.is_bad_input(), "{err}");
    assert!(
        matches!(
            err,
            MediaError::UnrecognisedFormat { .. } | MediaError::NoStreams
        ),
        "{err}"
    );
}

#[test]
fn a_mp4_cut_in_half_is_truncated_or_corrupt() {
    let dir = tempfile::tempdir().unwrap();
    let full = gray_video_with_tone(dir.path(), "full.mp4", &[H264, &["-c:a", "aac"]].concat());
    let bytes = std::fs::read(&full).unwrap();
    let cut = dir.path().join("cut.mp4");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let err = decode(&cut).unwrap_err();
    assert!(matches!(err, MediaError::Corrupt { .. }), "{err}");
    assert!(err.to_string().contains("truncated or corrupt"), "{err}");
    assert!(err.is_bad_input());
}

#[test]
fn a_fragmented_mp4_cut_in_half_still_decodes_its_first_half() {
    let dir = tempfile::tempdir().unwrap();
    let codecs = [
        H264,
        &[
            "-c:a",
            "aac",
            "-movflags",
            "frag_keyframe+empty_moov",
            "-g",
            "10",
        ],
    ]
    .concat();
    let full = gray_video_with_tone(dir.path(), "frag.mp4", &codecs);
    let bytes = std::fs::read(&full).unwrap();
    let cut = dir.path().join("cut.mp4");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let (stats, rec) = decode(&cut).expect("the first fragments decode");
    assert!(stats.frames > 0 && !rec.audio.is_empty());
}

#[test]
fn a_video_without_audio_gives_frames_and_no_audio() {
    let dir = tempfile::tempdir().unwrap();
    let video = gray_input("960x540", SECONDS);
    let path = ffmpeg(
        dir.path(),
        "silent.mp4",
        &[&["-f", "lavfi", "-i", &video], H264].concat(),
    );
    let (stats, rec) = decode(&path).unwrap();
    assert_eq!(stats.audio_samples, 0);
    assert_close("frames", rec.frames.len() as f64, SECONDS * 5.0, 1.0);
}

#[test]
fn audio_without_video_needs_no_video_options() {
    let dir = tempfile::tempdir().unwrap();
    let path = tone(dir.path(), "tone.m4a", &["-c:a", "aac"]);
    let mut rec = Recorder::default();
    let options = DecodeOptions {
        video: false,
        ..Default::default()
    };
    let stats = probe_path(&path)
        .unwrap()
        .decode(&options, &mut rec)
        .unwrap();
    assert_eq!(stats.frames, 0);
    assert_close(
        "audio samples",
        rec.audio.len() as f64,
        SECONDS * 16000.0,
        SECONDS * 160.0,
    );
}

#[test]
fn video_only_input_with_video_disabled_has_nothing_to_decode() {
    let dir = tempfile::tempdir().unwrap();
    let video = gray_input("320x240", 1.0);
    let path = ffmpeg(
        dir.path(),
        "silent.mkv",
        &[&["-f", "lavfi", "-i", &video], H264].concat(),
    );
    let options = DecodeOptions {
        video: false,
        ..Default::default()
    };
    let err = probe_path(&path)
        .unwrap()
        .decode(&options, &mut Recorder::default())
        .unwrap_err();
    assert!(matches!(err, MediaError::NoStreams), "{err}");
}

#[test]
fn a_one_frame_video_gives_one_frame() {
    let dir = tempfile::tempdir().unwrap();
    let path = ffmpeg(
        dir.path(),
        "one.mp4",
        &[
            &[
                "-f",
                "lavfi",
                "-i",
                "testsrc2=size=640x480:rate=25",
                "-frames:v",
                "1",
            ],
            H264,
        ]
        .concat(),
    );
    let (stats, rec) = decode(&path).unwrap();
    assert_eq!(stats.frames, 1);
    assert_eq!((rec.frames[0].1, rec.frames[0].2), (640, 480));
}

#[test]
fn a_tiny_16x16_video_is_not_upscaled() {
    let dir = tempfile::tempdir().unwrap();
    let path = ffmpeg(
        dir.path(),
        "tiny.mp4",
        &[&["-f", "lavfi", "-i", &gray_input("16x16", 1.0)], H264].concat(),
    );
    let (_, rec) = decode(&path).unwrap();
    assert_close("frames", rec.frames.len() as f64, 5.0, 1.0);
    assert!(rec.frames.iter().all(|f| (f.1, f.2) == (16, 16)));
}

#[test]
fn a_recording_over_the_duration_limit_is_refused_before_decoding() {
    let dir = tempfile::tempdir().unwrap();
    let path = tone(dir.path(), "tone.mp3", &["-c:a", "libmp3lame"]);
    let limits = MediaLimits {
        max_duration_s: 1.0,
        ..Default::default()
    };
    let err = probe(MediaSource::path(&path), &limits).unwrap_err();
    assert!(
        matches!(err, MediaError::LimitExceeded(Limit::Duration { max, .. }) if max == 1.0),
        "{err}"
    );
    assert!(
        err.to_string().contains("exceeds the limit of 1.0 s"),
        "{err}"
    );
    assert!(err.is_bad_input());
}

#[test]
fn a_video_over_the_resolution_limit_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = ffmpeg(
        dir.path(),
        "big.mp4",
        &[&["-f", "lavfi", "-i", &gray_input("960x540", 0.2)], H264].concat(),
    );
    let limits = MediaLimits {
        max_width: 640,
        max_height: 480,
        ..Default::default()
    };
    let err = probe(MediaSource::path(&path), &limits).unwrap_err();
    assert!(
        matches!(
            err,
            MediaError::LimitExceeded(Limit::Resolution {
                width: 960,
                height: 540,
                ..
            })
        ),
        "{err}"
    );
    // Portrait within the limits turned sideways is accepted.
    let portrait = ffmpeg(
        dir.path(),
        "portrait.mp4",
        &[&["-f", "lavfi", "-i", &gray_input("480x640", 0.2)], H264].concat(),
    );
    probe(MediaSource::path(&portrait), &limits).expect("portrait fits");
}

#[test]
fn a_file_over_the_size_limit_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = tone(dir.path(), "tone.wav", &["-c:a", "pcm_s16le"]);
    let limits = MediaLimits {
        max_bytes: Some(1000),
        ..Default::default()
    };
    let err = probe(MediaSource::path(&path), &limits).unwrap_err();
    assert!(
        matches!(
            err,
            MediaError::LimitExceeded(Limit::Size { max: 1000, .. })
        ),
        "{err}"
    );
}

#[test]
fn a_webm_without_stated_duration_is_measured() {
    // Written to a pipe, as a browser's MediaRecorder does: no duration, no cues.
    let dir = tempfile::tempdir().unwrap();
    let (video, audio) = (gray_input("960x540", SECONDS), tone_input(SECONDS));
    let out = std::process::Command::new("ffmpeg")
        .args([
            "-v", "error", "-nostdin", "-f", "lavfi", "-i", &video, "-f", "lavfi", "-i", &audio,
        ])
        .args([
            "-c:v",
            "libvpx-vp9",
            "-deadline",
            "realtime",
            "-cpu-used",
            "8",
            "-c:a",
            "libopus",
            "-f",
            "webm",
            "-",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let path = dir.path().join("recorder.webm");
    std::fs::write(&path, &out.stdout).unwrap();
    let media = probe_path(&path).unwrap();
    assert_close("measured duration", media.info().duration_s, SECONDS, 0.1);
    let mut rec = Recorder::default();
    media.decode(&DecodeOptions::default(), &mut rec).unwrap();
    assert_close("frames", rec.frames.len() as f64, SECONDS * 5.0, 1.0);
    assert_close(
        "audio samples",
        rec.audio.len() as f64,
        SECONDS * 16000.0,
        SECONDS * 160.0,
    );
    // The scan stops at the limit.
    let limits = MediaLimits {
        max_duration_s: 1.0,
        ..Default::default()
    };
    let err = probe(MediaSource::path(&path), &limits).unwrap_err();
    assert!(
        matches!(err, MediaError::LimitExceeded(Limit::Duration { .. })),
        "{err}"
    );
}

#[test]
fn a_sink_can_stop_the_pass() {
    let dir = tempfile::tempdir().unwrap();
    let path = gray_video_with_tone(dir.path(), "v.mp4", &[H264, &["-c:a", "aac"]].concat());
    let mut rec = Recorder {
        stop_after_frames: Some(3),
        ..Default::default()
    };
    let err = probe_path(&path)
        .unwrap()
        .decode(&DecodeOptions::default(), &mut rec)
        .unwrap_err();
    assert!(matches!(err, MediaError::Stopped), "{err}");
    assert!(!err.is_bad_input());
    assert_eq!(rec.frames.len(), 3);
}

#[test]
fn invalid_options_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = tone(dir.path(), "tone.flac", &["-c:a", "flac"]);
    let options = DecodeOptions {
        fps: 0.0,
        ..Default::default()
    };
    let err = probe_path(&path)
        .unwrap()
        .decode(&options, &mut Recorder::default())
        .unwrap_err();
    assert!(matches!(err, MediaError::InvalidOptions(_)), "{err}");
}

#[test]
fn damaged_packets_mid_stream_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let full = gray_video_with_tone(
        dir.path(),
        "v.mkv",
        &[H264, &["-c:a", "aac", "-g", "10"]].concat(),
    );
    let mut bytes = std::fs::read(&full).unwrap();
    let middle = bytes.len() / 2;
    for (i, b) in bytes[middle..middle + 4000].iter_mut().enumerate() {
        *b = (i * 131 % 251) as u8;
    }
    let damaged = dir.path().join("damaged.mkv");
    std::fs::write(&damaged, &bytes).unwrap();
    let (_, rec) = decode(&damaged).expect("the undamaged parts decode");
    assert!(rec.frames.len() >= 10, "{} frames", rec.frames.len());
    assert!(
        rec.audio.len() as f64 >= SECONDS * 16000.0 * 0.8,
        "{} samples",
        rec.audio.len()
    );
    for w in rec.frames.windows(2) {
        assert!(w[1].0 > w[0].0);
    }
}
