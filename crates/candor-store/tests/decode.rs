//! A whole FFmpeg probe and decode pass through the ranged reader: the
//! decoder gets every byte it needs while each byte is fetched about once.

mod common;

use std::ops::ControlFlow;
use std::process::Command;

use candor_media::{
    probe, AudioChunk, DecodeOptions, MediaLimits, MediaSink, MediaSource, VideoFrame,
    AUDIO_SAMPLE_RATE,
};
use common::TestStore;

const SECONDS: f64 = 30.0;

/// Counts what the pass delivers.
#[derive(Default)]
struct Counter {
    audio_samples: u64,
    frames: u64,
}

impl MediaSink for Counter {
    fn audio(&mut self, chunk: AudioChunk) -> ControlFlow<()> {
        self.audio_samples += chunk.samples.len() as u64;
        ControlFlow::Continue(())
    }

    fn frame(&mut self, frame: VideoFrame) -> ControlFlow<()> {
        assert_eq!((frame.width, frame.height), (640, 360));
        self.frames += 1;
        ControlFlow::Continue(())
    }
}

/// A 30-s 640x360 H.264 + AAC MP4 as the ffmpeg CLI writes it by default:
/// the index (`moov`) after the media data, so the demuxer has to jump to
/// the end and back.
fn interview_mp4() -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("interview.mp4");
    let video = format!("testsrc2=size=640x360:rate=25:duration={SECONDS}");
    let audio = format!("sine=frequency=440:sample_rate=44100:duration={SECONDS}");
    let status = Command::new("ffmpeg")
        .args(["-y", "-v", "error", "-nostdin", "-f", "lavfi", "-i", &video])
        .args(["-f", "lavfi", "-i", &audio])
        .args([
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
        ])
        .args(["-c:a", "aac"])
        .arg(&out)
        .status()
        .expect("the ffmpeg CLI runs (run scripts/setup.sh)");
    assert!(status.success(), "ffmpeg could not make the fixture");
    std::fs::read(&out).unwrap()
}

async fn an_mp4_decodes_from_the_store_fetching_each_byte_about_once(t: &TestStore) {
    let data = interview_mp4();
    let key = t.key("interviews/answer.mp4");
    t.put(&key, &data).await;

    let reader = t.store.reader(&key, &Default::default()).await.unwrap();
    let meter = reader.meter();
    let size = reader.size();
    let name = key.to_string();
    let (counter, duration_s) = tokio::task::spawn_blocking(move || {
        let source = MediaSource::reader(reader, Some(size), name);
        let media = probe(source, &MediaLimits::default()).unwrap();
        let duration_s = media.info().duration_s;
        let mut counter = Counter::default();
        media
            .decode(&DecodeOptions::default(), &mut counter)
            .unwrap();
        (counter, duration_s)
    })
    .await
    .unwrap();

    assert!((duration_s - SECONDS).abs() < 0.1, "probed {duration_s} s");
    let audio_s = counter.audio_samples as f64 / f64::from(AUDIO_SAMPLE_RATE);
    assert!(
        (audio_s - SECONDS).abs() < 0.1,
        "decoded {audio_s} s of audio"
    );
    assert!(
        (counter.frames as f64 - SECONDS * 5.0).abs() <= 2.0,
        "{} frames at 5 fps",
        counter.frames
    );
    let fetched = meter.bytes_fetched();
    assert!(
        fetched as f64 <= 1.1 * data.len() as f64,
        "{fetched} bytes fetched for a {}-byte object",
        data.len()
    );
}
on_both_backends!(an_mp4_decodes_from_the_store_fetching_each_byte_about_once);
