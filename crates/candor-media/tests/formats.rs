//! Every supported format decodes to the right duration, audio and frames.

mod common;

use candor_media::{probe, DecodeOptions, MediaLimits, MediaSource};
use common::*;

/// Probes and decodes `path`, checking the audio of the 440 Hz tone.
fn decode_tone(path: &std::path::Path) -> (candor_domain::MediaInfo, Recorder) {
    let media = probe(MediaSource::path(path), &MediaLimits::default()).expect("probe");
    let info = media.info().clone();
    assert_close("duration", info.duration_s, SECONDS, 0.1);
    let mut rec = Recorder::default();
    let stats = media
        .decode(&DecodeOptions::default(), &mut rec)
        .expect("decode");
    assert_eq!(stats.audio_samples, rec.audio.len() as u64);
    assert_close(
        "audio samples",
        rec.audio.len() as f64,
        info.duration_s * 16000.0,
        info.duration_s * 160.0,
    );
    assert_close(
        "tone frequency",
        zero_crossing_hz(&rec.audio, 16000.0),
        TONE_HZ,
        TONE_HZ * 0.02,
    );
    assert!(rec.max_chunk <= 16000, "chunks are bounded");
    let peak = rec.audio.iter().fold(0f32, |m, s| m.max(s.abs()));
    assert!(peak > 0.05 && peak <= 1.0, "peak {peak}");
    assert!(
        rec.progress
            .last()
            .is_some_and(|&t| (t - info.duration_s).abs() < 0.2),
        "{:?}",
        rec.progress.last()
    );
    (info, rec)
}

fn check_gray_frames(rec: &Recorder) {
    assert_close("frames", rec.frames.len() as f64, SECONDS * 5.0, 1.0);
    for w in rec.frames.windows(2) {
        assert!(w[1].0 > w[0].0, "times increase: {:?}", (w[0].0, w[1].0));
    }
    for (k, &(t, width, height, luma)) in rec.frames.iter().enumerate() {
        assert_close("frame time", t, k as f64 / 5.0, 0.05);
        assert_eq!((width, height), (640, 360));
        assert_close("brightness", luma, GRAY_LUMA, 3.0);
    }
    let summary = rec.summary();
    assert_close("mean brightness", summary.mean_brightness, GRAY_LUMA, 3.0);
    assert_eq!(summary.dark_frame_ratio, 0.0);
}

#[test]
fn a_tone_decodes_from_every_audio_format() {
    let dir = tempfile::tempdir().unwrap();
    for (name, codec) in [
        ("tone.wav", &["-c:a", "pcm_s16le"][..]),
        ("tone.mp3", &["-c:a", "libmp3lame", "-b:a", "128k"]),
        ("tone.m4a", &["-c:a", "aac"]),
        ("tone.ogg", &["-c:a", "libvorbis"]),
        ("tone.flac", &["-c:a", "flac"]),
    ] {
        let path = tone(dir.path(), name, codec);
        let (info, rec) = decode_tone(&path);
        let audio = info.audio.expect("audio stream");
        assert_eq!(audio.channels, 2, "{name}");
        assert!(info.video.is_none(), "{name}");
        assert!(rec.frames.is_empty(), "{name}");
    }
}

#[test]
fn video_containers_give_audio_and_sampled_frames() {
    let dir = tempfile::tempdir().unwrap();
    let mp4 = [H264, &["-c:a", "aac"]].concat();
    let webm = [
        "-c:v",
        "libvpx-vp9",
        "-deadline",
        "realtime",
        "-cpu-used",
        "8",
        "-c:a",
        "libopus",
    ];
    let mkv = ["-c:v", "mpeg4", "-c:a", "libmp3lame"];
    for (name, codecs, video_codec, audio_codec) in [
        ("v.mp4", &mp4[..], "h264", "aac"),
        ("v.webm", &webm[..], "vp9", "opus"),
        ("v.mov", &mp4[..], "h264", "aac"),
        ("v.mkv", &mkv[..], "mpeg4", "mp3"),
    ] {
        let path = gray_video_with_tone(dir.path(), name, codecs);
        let (info, rec) = decode_tone(&path);
        let video = info.video.as_ref().expect("video stream");
        assert_eq!(
            (video.codec.as_str(), video.width, video.height),
            (video_codec, 960, 540),
            "{name}"
        );
        assert_close("fps", video.fps, 25.0, 0.01);
        assert_eq!(info.audio.as_ref().unwrap().codec, audio_codec, "{name}");
        check_gray_frames(&rec);
    }
}

#[test]
fn skipping_non_reference_frames_decodes_less_and_samples_nearly_the_same_times() {
    let dir = tempfile::tempdir().unwrap();
    // 30 fps with B-frames: the B-frames are the non-reference ones.
    let args = [
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=640x360:rate=30:duration=3",
        "-c:v",
        "libx264",
        "-bf",
        "3",
        "-g",
        "30",
    ];
    let path = ffmpeg(dir.path(), "bframes.mp4", &args);
    let run = |skip_nonref| {
        let mut rec = Recorder::default();
        let options = DecodeOptions {
            skip_nonref,
            ..Default::default()
        };
        let stats = probe(MediaSource::path(&path), &MediaLimits::default())
            .unwrap()
            .decode(&options, &mut rec)
            .unwrap();
        (stats, rec)
    };
    let (all, all_frames) = run(false);
    let (skipped, skipped_frames) = run(true);
    assert_eq!(all.video_frames_decoded, 90);
    assert!(
        skipped.video_frames_decoded < 60,
        "decoded {}",
        skipped.video_frames_decoded
    );
    assert_eq!(all.frames, 15);
    assert_eq!(skipped.frames, 15);
    for (k, (a, s)) in all_frames
        .frames
        .iter()
        .zip(&skipped_frames.frames)
        .enumerate()
    {
        assert_close("exact sampling", a.0, k as f64 / 5.0, 0.001);
        // At most two source frames late (the B-frames of a group).
        assert!(
            s.0 >= a.0 - 0.001 && s.0 <= a.0 + 2.0 / 30.0 + 0.001,
            "frame {k}: {} vs {}",
            s.0,
            a.0
        );
    }
}

#[test]
fn a_sideways_phone_video_is_delivered_upright_like_the_ffmpeg_cli_shows_it() {
    let dir = tempfile::tempdir().unwrap();
    let plain = ffmpeg(
        dir.path(),
        "plain.mp4",
        &[
            &[
                "-f",
                "lavfi",
                "-i",
                "testsrc2=size=320x240:rate=25:duration=1",
            ],
            H264,
        ]
        .concat(),
    );
    let plain = plain.to_str().unwrap();
    for degrees in ["90", "180", "270"] {
        let name = format!("rot{degrees}.mp4");
        let rotated = ffmpeg(
            dir.path(),
            &name,
            &[
                "-i",
                plain,
                "-c",
                "copy",
                "-metadata:s:v:0",
                &format!("rotate={degrees}"),
            ],
        );
        let mut rec = Recorder::default();
        let mut first = None;
        struct First<'a>(&'a mut Recorder, &'a mut Option<Vec<u8>>);
        impl candor_media::MediaSink for First<'_> {
            fn audio(&mut self, chunk: candor_media::AudioChunk) -> std::ops::ControlFlow<()> {
                self.0.audio(chunk)
            }
            fn frame(&mut self, frame: candor_media::VideoFrame) -> std::ops::ControlFlow<()> {
                self.1.get_or_insert_with(|| frame.data.clone());
                self.0.frame(frame)
            }
        }
        let media = probe(MediaSource::path(&rotated), &MediaLimits::default()).unwrap();
        media
            .decode(&DecodeOptions::default(), &mut First(&mut rec, &mut first))
            .unwrap();
        let expected_size = if degrees == "180" {
            (320, 240)
        } else {
            (240, 320)
        };
        assert_eq!(
            (rec.frames[0].1, rec.frames[0].2),
            expected_size,
            "{degrees}"
        );
        // The ffmpeg CLI autorotates; its first frame must match ours.
        let cli = std::process::Command::new("ffmpeg")
            .args([
                "-v",
                "error",
                "-nostdin",
                "-i",
                rotated.to_str().unwrap(),
                "-frames:v",
                "1",
                "-f",
                "rawvideo",
                "-pix_fmt",
                "bgr24",
                "-",
            ])
            .output()
            .unwrap();
        let ours = first.unwrap();
        assert_eq!(cli.stdout.len(), ours.len(), "{degrees}");
        let diff = ours
            .iter()
            .zip(&cli.stdout)
            .map(|(a, b)| f64::from(a.abs_diff(*b)))
            .sum::<f64>()
            / ours.len() as f64;
        assert!(diff < 6.0, "{degrees}: mean difference {diff}");
    }
}
