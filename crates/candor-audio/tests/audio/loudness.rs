//! Loudness against FFmpeg's own EBU R 128 meter on the same 16 kHz file.

use candor_audio::QualityIssue;

use crate::support::{analyze, ffmpeg_integrated_lufs, sox_synth, speak};

#[test]
fn a_tone_measures_within_1_lu_of_ffmpeg_with_its_peak_and_a_flat_series() {
    let dir = tempfile::tempdir().unwrap();
    let samples = sox_synth(
        dir.path(),
        "tone.wav",
        &["synth", "10", "sine", "1000", "vol", "0.25"],
    );
    let loudness = analyze(&samples).loudness;
    let ffmpeg = ffmpeg_integrated_lufs(&dir.path().join("tone.wav"));
    let ours = loudness.integrated_lufs.expect("a tone has loudness");
    assert!(
        (ours - ffmpeg).abs() <= 1.0,
        "ours {ours:.2} LUFS, ffmpeg {ffmpeg:.2} LUFS"
    );
    // A 1 kHz sine at amplitude 0.25 is -12.04 dBFS peak and, by BS.1770's
    // calibration, -15.04 LUFS.
    assert!((ours + 15.04).abs() < 0.3, "{ours}");
    assert!((loudness.sample_peak_dbfs.unwrap() + 12.04).abs() < 0.1);
    assert_eq!(loudness.short_term.len(), 10);
    // Every second, including the first two (whose window is shorter).
    for (i, point) in loudness.short_term.iter().enumerate() {
        assert_eq!(point.t_s, (i + 1) as f64);
        assert!((point.lufs.unwrap() - ours).abs() < 0.2, "{point:?}");
    }
    assert!(
        loudness.loudness_range_lu < 0.5,
        "a steady tone has no range"
    );
    assert_eq!(loudness.clipping.clipped_samples, 0);
}

#[test]
fn speech_measures_within_1_lu_of_ffmpeg() {
    let dir = tempfile::tempdir().unwrap();
    let text = "The situation was that our delivery tracking system failed about twice a week. \
                We rewrote it in two weeks, and we added load tests for every release.";
    let samples = speak(dir.path(), text);
    let ours = analyze(&samples)
        .loudness
        .integrated_lufs
        .expect("speech has loudness");
    let ffmpeg = ffmpeg_integrated_lufs(&dir.path().join("espeak16k.wav"));
    assert!(
        (ours - ffmpeg).abs() <= 1.0,
        "ours {ours:.2} LUFS, ffmpeg {ffmpeg:.2} LUFS"
    );
}

#[test]
fn an_overdriven_tone_is_clipped_and_not_scorable() {
    let dir = tempfile::tempdir().unwrap();
    // Drive a full-scale tone 12 dB past full scale; sox clips it.
    let effects = ["synth", "3", "sine", "220", "gain", "12"];
    let analysis = analyze(&sox_synth(dir.path(), "hot.wav", &effects));
    let clipping = analysis.loudness.clipping;
    // Two runs per period of 220 Hz over 3 s.
    assert!(clipping.runs >= 1300, "{clipping:?}");
    assert!(clipping.run_sample_ratio > 0.3, "{clipping:?}");
    assert!(clipping.longest_run_samples >= 10, "{clipping:?}");
    let clipped = |i: &QualityIssue| matches!(i, QualityIssue::Clipped { .. });
    assert!(
        analysis.quality.issues.iter().any(clipped),
        "{:?}",
        analysis.quality
    );
}
