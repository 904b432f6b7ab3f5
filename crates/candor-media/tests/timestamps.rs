//! Timestamps that jump and headers that lie: the pass stays fast and flat
//! in memory, and the duration limit holds on the decoded media.
//!
//! This binary counts its own Rust heap (largest allocation, peak of live
//! bytes) and reads the process's peak RSS, so it holds only these tests.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use candor_media::{
    probe, AudioChunk, DecodeOptions, DecodeStats, Limit, MediaError, MediaLimits, MediaSink,
    MediaSource, VideoFrame,
};
use common::*;

/// The system allocator, counting: bytes live, their peak, and the largest
/// single request.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static LARGEST: AtomicUsize = AtomicUsize::new(0);

fn allocated(size: usize) {
    let live = LIVE.fetch_add(size, Ordering::Relaxed) + size;
    PEAK.fetch_max(live, Ordering::Relaxed);
    LARGEST.fetch_max(size, Ordering::Relaxed);
}

// SAFETY: every call is forwarded to `System` unchanged; only counters are
// updated besides.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        allocated(layout.size());
        System.alloc(layout)
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        allocated(layout.size());
        System.alloc_zeroed(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        System.dealloc(ptr, layout)
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        allocated(new_size);
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Peak resident set size of this process, KiB.
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// What a pass cost: wall time, Rust heap growth at its peak, the largest
/// single Rust allocation, and peak RSS growth.
#[derive(Debug)]
struct Cost {
    wall: Duration,
    heap_peak_growth: usize,
    largest_allocation: usize,
    rss_peak_growth_kib: u64,
}

fn measured<T>(run: impl FnOnce() -> T) -> (T, Cost) {
    // Writing 5 to clear_refs resets VmHWM to the current RSS (Linux ≥ 4.0);
    // where it is refused, growth is measured from the peak so far.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let rss_before = peak_rss_kib();
    let live_before = LIVE.load(Ordering::Relaxed);
    PEAK.store(live_before, Ordering::Relaxed);
    LARGEST.store(0, Ordering::Relaxed);
    let started = Instant::now();
    let result = run();
    let cost = Cost {
        wall: started.elapsed(),
        heap_peak_growth: PEAK.load(Ordering::Relaxed).saturating_sub(live_before),
        largest_allocation: LARGEST.load(Ordering::Relaxed),
        rss_peak_growth_kib: peak_rss_kib().saturating_sub(rss_before),
    };
    (result, cost)
}

/// Counts what the pass delivers without keeping it, except the audio
/// samples when asked (a few seconds).
#[derive(Default)]
struct Counter {
    samples: u64,
    max_chunk: usize,
    frames: u64,
    keep: bool,
    audio: Vec<f32>,
}

impl MediaSink for Counter {
    fn audio(&mut self, chunk: AudioChunk) -> ControlFlow<()> {
        assert_eq!(chunk.start_sample, self.samples, "chunks are contiguous");
        self.samples += chunk.samples.len() as u64;
        self.max_chunk = self.max_chunk.max(chunk.samples.len());
        if self.keep {
            self.audio.extend_from_slice(&chunk.samples);
        }
        ControlFlow::Continue(())
    }

    fn frame(&mut self, _frame: VideoFrame) -> ControlFlow<()> {
        self.frames += 1;
        ControlFlow::Continue(())
    }
}

/// Two 2-s AAC tones in MPEG-TS, the second stamped to start `offset_s`
/// seconds later than the first: one jump in the audio timestamps.
fn tone_with_jump(dir: &Path, offset_s: u32) -> PathBuf {
    let input = tone_input(2.0);
    let first = ffmpeg(
        dir,
        "first.ts",
        &["-f", "lavfi", "-i", &input, "-c:a", "aac", "-f", "mpegts"],
    );
    let offset = offset_s.to_string();
    let second = ffmpeg(
        dir,
        "second.ts",
        &[
            "-f",
            "lavfi",
            "-i",
            &input,
            "-c:a",
            "aac",
            "-output_ts_offset",
            &offset,
            "-f",
            "mpegts",
        ],
    );
    let joined = dir.join(format!("jump-{offset_s}.ts"));
    let bytes = [
        std::fs::read(first).unwrap(),
        std::fs::read(second).unwrap(),
    ]
    .concat();
    std::fs::write(&joined, bytes).unwrap();
    joined
}

fn decode_counting(path: &Path, keep: bool) -> (Result<DecodeStats, MediaError>, Counter) {
    let media = probe(MediaSource::path(path), &MediaLimits::default()).unwrap();
    let mut counter = Counter {
        keep,
        ..Default::default()
    };
    let stats = media.decode(&DecodeOptions::default(), &mut counter);
    (stats, counter)
}

#[test]
fn a_50_minute_jump_in_the_audio_is_left_out_in_seconds_and_flat_memory() {
    let dir = tempfile::tempdir().unwrap();
    let path = tone_with_jump(dir.path(), 3000);
    // The fixture really spans the jump: the container's duration covers it.
    let media = probe(MediaSource::path(&path), &MediaLimits::default()).unwrap();
    assert!(media.info().duration_s > 3000.0, "{:?}", media.info());
    drop(media);

    let ((stats, counter), cost) = measured(|| decode_counting(&path, false));
    let stats = stats.expect("the pass succeeds");
    eprintln!("{cost:?}; {stats:?}");
    assert!(cost.wall < Duration::from_secs(10), "{cost:?}");
    // 4 s of tone delivered, not 50 minutes of silence.
    let seconds = counter.samples as f64 / 16000.0;
    assert_close("delivered audio, s", seconds, 4.0, 0.2);
    assert_eq!(stats.audio_samples, counter.samples);
    assert!(counter.max_chunk <= 16000);
    // One jump, reported where it is and how long it is.
    assert_eq!(stats.audio_gaps_collapsed, 1, "{stats:?}");
    let gap = stats.audio_gaps[0];
    assert_close("gap position, s", gap.at_s, 2.0, 0.1);
    assert_close("gap length, s", gap.skipped_s, 2998.0, 0.1);
    assert_close(
        "skipped in all, s",
        stats.audio_skipped_s,
        gap.skipped_s,
        1e-9,
    );
    // Memory: no allocation grows with the gap (the chunk is 64 KB).
    assert!(cost.largest_allocation < 4 << 20, "{cost:?}");
    assert!(cost.heap_peak_growth < 32 << 20, "{cost:?}");
    assert!(cost.rss_peak_growth_kib < 64 << 10, "{cost:?}");
}

#[test]
fn the_audio_after_a_long_jump_follows_on_directly() {
    let dir = tempfile::tempdir().unwrap();
    let path = tone_with_jump(dir.path(), 600);
    let (stats, counter) = decode_counting(&path, true);
    let stats = stats.unwrap();
    let at = (stats.audio_gaps[0].at_s * 16000.0) as usize;
    // Tone on both sides of the join; no silence run longer than a few ms
    // (the tones' own fades aside) in between.
    for (name, part) in [
        ("before", &counter.audio[..at]),
        ("after", &counter.audio[at..]),
    ] {
        assert_close(
            name,
            zero_crossing_hz(part, 16000.0),
            TONE_HZ,
            TONE_HZ * 0.02,
        );
    }
    let longest_silence = counter
        .audio
        .split(|s| s.abs() > 1e-4)
        .map(<[f32]>::len)
        .max()
        .unwrap();
    assert!(longest_silence < 1600, "{longest_silence} silent samples");
}

#[test]
fn a_short_jump_in_the_audio_is_filled_with_silence() {
    let dir = tempfile::tempdir().unwrap();
    // The first tone ends at ~2.0 s; the second starts at 4.0 s.
    let path = tone_with_jump(dir.path(), 4);
    let (stats, counter) = decode_counting(&path, true);
    let stats = stats.unwrap();
    assert_eq!(stats.audio_gaps_collapsed, 0, "{stats:?}");
    assert_close("filled, s", stats.audio_silence_filled_s, 2.0, 0.1);
    assert_close(
        "delivered audio, s",
        counter.samples as f64 / 16000.0,
        6.0,
        0.2,
    );
    // The second tone is where its timestamps put it.
    let onset = counter
        .audio
        .iter()
        .skip(3 * 16000)
        .position(|s| s.abs() > 0.05)
        .unwrap() as f64
        / 16000.0
        + 3.0;
    assert_close("second tone starts, s", onset, 4.0, 0.1);
}

/// Rewrites the Matroska segment duration (an 8-byte float, in the default
/// 1-ms timestamp scale, as ffmpeg writes it) to `seconds`.
fn state_duration(path: &Path, seconds: f64) {
    let mut bytes = std::fs::read(path).unwrap();
    let at = bytes
        .windows(3)
        .position(|w| w == [0x44, 0x89, 0x88])
        .expect("a Duration element holding an 8-byte float");
    bytes[at + 3..at + 11].copy_from_slice(&(seconds * 1000.0).to_be_bytes());
    std::fs::write(path, bytes).unwrap();
}

fn assert_stopped_at_the_limit(path: &Path) -> Counter {
    let limits = MediaLimits {
        max_duration_s: 4.0,
        ..Default::default()
    };
    let media = probe(MediaSource::path(path), &limits).expect("the header passes");
    assert_close("stated duration", media.info().duration_s, 1.0, 0.01);
    let mut counter = Counter::default();
    let started = Instant::now();
    let err = media
        .decode(&DecodeOptions::default(), &mut counter)
        .unwrap_err();
    assert!(
        matches!(
            err,
            MediaError::LimitExceeded(Limit::DecodedDuration { max, stated })
                if max == 4.0 && (stated - 1.0).abs() < 0.01
        ),
        "{err}"
    );
    let message = err.to_string();
    assert!(
        message.contains("decoded") && message.contains("limit of 4.0 s"),
        "{message}"
    );
    assert!(err.is_bad_input());
    assert_eq!(err.error_code(), "media_too_long");
    assert!(started.elapsed() < Duration::from_secs(10));
    counter
}

#[test]
fn a_header_stating_less_than_the_file_holds_cannot_pass_the_duration_limit() {
    let dir = tempfile::tempdir().unwrap();
    // 8 s of audio under a header that says 1 s.
    let input = tone_input(8.0);
    let audio = ffmpeg(
        dir.path(),
        "liar.mka",
        &["-f", "lavfi", "-i", &input, "-c:a", "aac"],
    );
    state_duration(&audio, 1.0);
    let counter = assert_stopped_at_the_limit(&audio);
    // Stopped at the limit (plus the allowed slack and a chunk), not at 8 s.
    assert!(counter.samples <= 6 * 16000, "{} samples", counter.samples);

    // The same for video alone: frame times are decoded time too.
    let video = gray_input("320x240", 8.0);
    let video = ffmpeg(
        dir.path(),
        "liar.mkv",
        &[&["-f", "lavfi", "-i", &video], H264].concat(),
    );
    state_duration(&video, 1.0);
    let counter = assert_stopped_at_the_limit(&video);
    assert!(counter.frames <= 5 * 5 + 1, "{} frames", counter.frames);
}
