//! Decodes a recording once and prints what the pass did, its wall time and
//! the process's peak resident memory — for measuring speed and checking
//! that memory stays flat as recordings get longer.
//!
//! `cargo run --release -p candor-media --example decode_stats -- FILE [fps] [skip_nonref: true|false]`

use std::ops::ControlFlow;
use std::time::Instant;

use candor_media::{
    probe, AudioChunk, DecodeOptions, FrameStats, FrameStatsConfig, MediaLimits, MediaSink,
    MediaSource, VideoFrame,
};

struct Summary {
    frames: FrameStats,
    audio_samples: u64,
}

impl MediaSink for Summary {
    fn audio(&mut self, chunk: AudioChunk) -> ControlFlow<()> {
        self.audio_samples += chunk.samples.len() as u64;
        ControlFlow::Continue(())
    }

    fn frame(&mut self, frame: VideoFrame) -> ControlFlow<()> {
        self.frames.push(&frame);
        ControlFlow::Continue(())
    }
}

/// Peak resident set size in KiB, from /proc (Linux only).
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .ok_or("usage: decode_stats FILE [fps] [skip_nonref]")?;
    let mut options = DecodeOptions::default();
    if let Some(fps) = args.next() {
        options.fps = fps.parse()?;
    }
    if let Some(skip) = args.next() {
        options.skip_nonref = skip.parse()?;
    }
    let started = Instant::now();
    let media = probe(MediaSource::path(&path), &MediaLimits::default())?;
    let info = media.info().clone();
    let mut sink = Summary {
        frames: FrameStats::new(options.fps, FrameStatsConfig::default()),
        audio_samples: 0,
    };
    let stats = media.decode(&options, &mut sink)?;
    let elapsed = started.elapsed().as_secs_f64();
    let summary = sink.frames.finish();
    println!(
        "duration {:.1} s, decoded in {elapsed:.2} s ({:.0}x real time); audio {} samples; frames sampled {} of {} decoded, mean luma {:.1}; bad packets {}; peak RSS {} MiB",
        info.duration_s,
        info.duration_s / elapsed,
        sink.audio_samples,
        stats.frames,
        stats.video_frames_decoded,
        summary.mean_brightness,
        stats.bad_packets,
        peak_rss_kib().map_or("?".into(), |k| (k / 1024).to_string()),
    );
    Ok(())
}
