//! Fixtures made with the ffmpeg CLI in a temporary directory, and a sink
//! that records everything a decode pass delivers.
#![allow(dead_code)] // each test binary uses a different subset

use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::process::Command;

use candor_media::{AudioChunk, FrameStats, FrameStatsConfig, MediaSink, VideoFrame};

pub const TONE_HZ: f64 = 440.0;
pub const SECONDS: f64 = 3.0;
/// `color=gray` is RGB 128,128,128: BT.601 luma 128.
pub const GRAY_LUMA: f64 = 128.0;

/// Runs `ffmpeg -y -v error <args> <out>` and returns `out`.
pub fn ffmpeg(dir: &Path, name: &str, args: &[&str]) -> PathBuf {
    let out = dir.join(name);
    let status = Command::new("ffmpeg")
        .args(["-y", "-v", "error", "-nostdin"])
        .args(args)
        .arg(&out)
        .status()
        .expect("ffmpeg runs");
    assert!(status.success(), "ffmpeg failed making {name}");
    out
}

pub fn tone_input(seconds: f64) -> String {
    format!("sine=frequency={TONE_HZ}:sample_rate=44100:duration={seconds}")
}

pub fn gray_input(size: &str, seconds: f64) -> String {
    format!("color=gray:size={size}:rate=25:duration={seconds}")
}

/// A 440 Hz tone, stereo 44.1 kHz (so the pass has to downmix and resample).
pub fn tone(dir: &Path, name: &str, codec: &[&str]) -> PathBuf {
    let mut args = vec!["-f", "lavfi"];
    let input = tone_input(SECONDS);
    args.extend(["-i", &input, "-ac", "2"]);
    args.extend(codec);
    ffmpeg(dir, name, &args)
}

/// A 960x540 gray video at 25 fps with the tone muxed in.
pub fn gray_video_with_tone(dir: &Path, name: &str, codecs: &[&str]) -> PathBuf {
    let (video, audio) = (gray_input("960x540", SECONDS), tone_input(SECONDS));
    let mut args = vec!["-f", "lavfi", "-i", &video, "-f", "lavfi", "-i", &audio];
    args.extend(codecs);
    ffmpeg(dir, name, &args)
}

pub const H264: &[&str] = &[
    "-c:v",
    "libx264",
    "-preset",
    "ultrafast",
    "-pix_fmt",
    "yuv420p",
];

/// Records what a decode pass delivers; optionally asks to stop after some frames.
#[derive(Debug, Default)]
pub struct Recorder {
    pub audio: Vec<f32>,
    pub chunk_starts: Vec<u64>,
    pub max_chunk: usize,
    pub frames: Vec<(f64, u32, u32, f64)>,
    pub progress: Vec<f64>,
    pub stats: Option<FrameStats>,
    pub stop_after_frames: Option<usize>,
}

impl Recorder {
    pub fn summary(&self) -> candor_domain::VideoSummary {
        self.stats.as_ref().expect("frames were pushed").finish()
    }
}

impl MediaSink for Recorder {
    fn audio(&mut self, chunk: AudioChunk) -> ControlFlow<()> {
        assert_eq!(
            chunk.start_sample,
            self.audio.len() as u64,
            "chunks are contiguous"
        );
        self.chunk_starts.push(chunk.start_sample);
        self.max_chunk = self.max_chunk.max(chunk.samples.len());
        self.audio.extend_from_slice(&chunk.samples);
        ControlFlow::Continue(())
    }

    fn frame(&mut self, frame: VideoFrame) -> ControlFlow<()> {
        assert_eq!(
            frame.data.len(),
            frame.width as usize * frame.height as usize * 3
        );
        let stats = self
            .stats
            .get_or_insert_with(|| FrameStats::new(5.0, FrameStatsConfig::default()));
        let luma = stats.push(&frame);
        self.frames.push((frame.t, frame.width, frame.height, luma));
        match self.stop_after_frames {
            Some(n) if self.frames.len() >= n => ControlFlow::Break(()),
            _ => ControlFlow::Continue(()),
        }
    }

    fn progress(&mut self, media_time_s: f64) -> ControlFlow<()> {
        self.progress.push(media_time_s);
        ControlFlow::Continue(())
    }
}

/// Frequency from zero crossings over the middle of the signal (edges skipped:
/// fades and encoder padding).
pub fn zero_crossing_hz(samples: &[f32], rate: f64) -> f64 {
    let skip = samples.len() / 10;
    let middle = &samples[skip..samples.len() - skip];
    let crossings = middle
        .windows(2)
        .filter(|w| (w[0] < 0.0) != (w[1] < 0.0))
        .count();
    crossings as f64 / 2.0 / (middle.len() as f64 / rate)
}

pub fn assert_close(what: &str, value: f64, expected: f64, tolerance: f64) {
    assert!(
        (value - expected).abs() <= tolerance,
        "{what}: {value} is not within {tolerance} of {expected}"
    );
}
