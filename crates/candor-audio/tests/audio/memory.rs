//! Memory stays flat in the recording's length.

use candor_audio::{AudioAnalyzer, AudioConfig};

use crate::support::interview;

/// Peak resident memory of this process so far, kB (Linux).
fn peak_rss_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("procfs");
    let line = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .expect("VmHWM");
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[test]
fn thirty_minutes_of_speech_analyse_in_flat_memory() {
    let dir = tempfile::tempdir().unwrap();
    let (samples, _) = interview(dir.path());
    let mut analyzer = AudioAnalyzer::new(AudioConfig::default()).unwrap();
    let started = std::time::Instant::now();
    let before = peak_rss_kb();
    for _ in 0..30 {
        for chunk in samples.chunks(16_000) {
            analyzer.push(chunk).unwrap();
        }
    }
    let analysis = analyzer.finish().unwrap();
    let grown_kb = peak_rss_kb() - before;
    eprintln!(
        "{:.1} min in {:?}, peak RSS grew {grown_kb} kB",
        analysis.duration_s / 60.0,
        started.elapsed()
    );
    assert!(grown_kb < 8_000, "peak RSS grew {grown_kb} kB");
    assert_eq!(analysis.speech.pauses.len(), 30 * 10 - 1);
}
