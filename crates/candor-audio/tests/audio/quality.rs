//! Quality gates: silence, noise, low level, and the SNR estimate.

use candor_audio::QualityIssue;

use crate::support::{add_white_noise, analyze, interview, missed_pauses, truth_pauses};

#[test]
fn silence_has_no_speech_and_says_so() {
    let analysis = analyze(&vec![0.0; 10 * 16_000]);
    assert!(analysis.speech.segments.is_empty());
    assert_eq!(analysis.speech.talk_time_s, 0.0);
    assert_eq!(analysis.loudness.integrated_lufs, None);
    assert_eq!(analysis.pitch.median_hz, None);
    assert_eq!(analysis.pitch.monotone, None);
    assert_eq!(analysis.quality.issues, vec![QualityIssue::NoSpeech]);
    assert!(!analysis.quality.scorable);
    assert_eq!(analysis.duration_s, 10.0);
}

#[test]
fn clean_speech_is_scorable_with_a_high_snr() {
    let dir = tempfile::tempdir().unwrap();
    let (samples, _) = interview(dir.path());
    let analysis = analyze(&samples);
    assert!(analysis.quality.scorable, "{:?}", analysis.quality);
    assert!(
        analysis.noise.snr_db.unwrap() > 40.0,
        "{:?}",
        analysis.noise
    );
}

#[test]
fn speech_in_white_noise_at_5_db_snr_is_measured_within_3_db_and_too_noisy() {
    let dir = tempfile::tempdir().unwrap();
    let (clean, truth) = interview(dir.path());
    let (noisy, noise_dbfs) = add_white_noise(&clean, &truth, 5.0);
    let analysis = analyze(&noisy);
    let snr = analysis.noise.snr_db.expect("speech is still found");
    assert!((snr - 5.0).abs() <= 3.0, "SNR {snr:.1} dB, truth 5 dB");
    let floor = analysis.noise.noise_floor_dbfs;
    assert!(
        (floor - noise_dbfs).abs() < 1.0,
        "noise {floor:.1} dBFS, truth {noise_dbfs:.1}"
    );
    let noisy_issue = |i: &QualityIssue| matches!(i, QualityIssue::TooNoisy { .. });
    assert!(
        analysis.quality.issues.iter().any(noisy_issue),
        "{:?}",
        analysis.quality
    );
}

#[test]
fn speech_in_white_noise_at_15_db_snr_keeps_its_pauses_and_is_scorable() {
    let dir = tempfile::tempdir().unwrap();
    let (clean, truth) = interview(dir.path());
    let (noisy, _) = add_white_noise(&clean, &truth, 15.0);
    let analysis = analyze(&noisy);
    let snr = analysis.noise.snr_db.expect("speech is found");
    assert!((snr - 15.0).abs() <= 3.0, "SNR {snr:.1} dB, truth 15 dB");
    assert!(analysis.quality.scorable, "{:?}", analysis.quality);
    let truth_pauses = truth_pauses(&truth);
    let missed = missed_pauses(&analysis.speech.pauses, &truth_pauses);
    assert!(missed.is_empty(), "missed {missed:?}");
    assert_eq!(analysis.speech.pauses.len(), truth_pauses.len());
    let talk_truth = truth["speaking_time_s"].as_f64().unwrap();
    let talk = analysis.speech.talk_time_s;
    assert!(
        (talk / talk_truth - 1.0).abs() < 0.05,
        "talk {talk:.2} s vs {talk_truth:.2} s"
    );
}

#[test]
fn very_quiet_speech_is_found_but_too_quiet() {
    let dir = tempfile::tempdir().unwrap();
    let (clean, truth) = interview(dir.path());
    // 30 dB down: espeak's -20-ish LUFS becomes about -50 LUFS.
    let quiet: Vec<f32> = clean.iter().map(|s| s * 0.0316).collect();
    let analysis = analyze(&quiet);
    let lufs = analysis.loudness.integrated_lufs.unwrap();
    assert!(lufs < -40.0, "{lufs}");
    let talk_truth = truth["speaking_time_s"].as_f64().unwrap();
    let talk = analysis.speech.talk_time_s;
    assert!(
        (talk / talk_truth - 1.0).abs() < 0.05,
        "talk {talk:.2} s vs {talk_truth:.2} s"
    );
    let issues = analysis.quality.issues.as_slice();
    assert!(
        matches!(issues, [QualityIssue::TooQuiet { .. }]),
        "{issues:?}"
    );
}
