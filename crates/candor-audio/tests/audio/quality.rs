//! Quality gates: silence, noise, low level, and the SNR estimate.

use candor_audio::QualityIssue;

use crate::support::{analyze, interview, power};

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

/// Deterministic white noise (a linear congruential generator), unit power.
fn white_noise(n: usize) -> Vec<f32> {
    let mut state = 0x1234_5678u32;
    (0..n)
        .map(|_| {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            ((state >> 8) as f32 / (1 << 24) as f32 - 0.5) * 12f32.sqrt()
        })
        .collect()
}

/// Speech power over the truth's sentences: the active speech level.
fn sentence_power(samples: &[f32], truth: &serde_json::Value) -> f64 {
    let mut speech = Vec::new();
    for s in truth["sentences"].as_array().unwrap() {
        let at = |key: &str| (s[key].as_f64().unwrap() * 16_000.0) as usize;
        speech.extend_from_slice(&samples[at("start")..at("end").min(samples.len())]);
    }
    power(&speech)
}

#[test]
fn speech_in_white_noise_at_5_db_snr_is_measured_within_3_db_and_too_noisy() {
    let dir = tempfile::tempdir().unwrap();
    let (clean, truth) = interview(dir.path());
    let target_snr_db = 5.0;
    let gain = (sentence_power(&clean, &truth) / 10f64.powf(target_snr_db / 10.0)).sqrt() as f32;
    let noisy: Vec<f32> = clean
        .iter()
        .zip(white_noise(clean.len()))
        .map(|(s, n)| s + gain * n)
        .collect();
    let analysis = analyze(&noisy);
    let snr = analysis.noise.snr_db.expect("speech is still found");
    assert!(
        (snr - target_snr_db).abs() <= 3.0,
        "SNR {snr:.1} dB, truth {target_snr_db} dB"
    );
    let noise_dbfs = 20.0 * f64::from(gain).log10();
    assert!(
        (analysis.noise.noise_floor_dbfs - noise_dbfs).abs() < 1.0,
        "{:?} vs {noise_dbfs}",
        analysis.noise
    );
    assert!(analysis
        .quality
        .issues
        .iter()
        .any(|i| matches!(i, QualityIssue::TooNoisy { .. })));
}

#[test]
fn speech_in_white_noise_at_25_db_snr_is_measured_within_3_db_and_fine() {
    let dir = tempfile::tempdir().unwrap();
    let (clean, truth) = interview(dir.path());
    let target_snr_db = 25.0;
    let gain = (sentence_power(&clean, &truth) / 10f64.powf(target_snr_db / 10.0)).sqrt() as f32;
    let noisy: Vec<f32> = clean
        .iter()
        .zip(white_noise(clean.len()))
        .map(|(s, n)| s + gain * n)
        .collect();
    let analysis = analyze(&noisy);
    let snr = analysis.noise.snr_db.expect("speech is found");
    assert!(
        (snr - target_snr_db).abs() <= 3.0,
        "SNR {snr:.1} dB, truth {target_snr_db} dB"
    );
    assert!(analysis.quality.scorable, "{:?}", analysis.quality);
    assert!(
        analysis.speech.pauses.len() >= 7,
        "pauses still found in noise: {:?}",
        analysis.speech.pauses
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
    assert!(
        (analysis.speech.talk_time_s / talk_truth - 1.0).abs() < 0.05,
        "{}",
        analysis.speech.talk_time_s
    );
    assert!(
        matches!(
            analysis.quality.issues.as_slice(),
            [QualityIssue::TooQuiet { .. }]
        ),
        "{:?}",
        analysis.quality
    );
}
