//! The analysis depends on the samples, not on how they were chunked, and
//! bad input is an error value.

use candor_audio::{AudioAnalyzer, AudioConfig, AudioError};

use crate::support::{analyze_chunked, speak};

#[test]
fn one_sample_333_sample_and_whole_file_chunks_give_the_same_analysis() {
    let dir = tempfile::tempdir().unwrap();
    let text = "I think, uh, I would probably start the load tests even earlier next time.";
    let mut samples = speak(dir.path(), text);
    // A second of silence and the speech again, so there is a pause.
    samples.extend(std::iter::repeat_n(0.0, 16_000).chain(samples.clone()));
    let whole = analyze_chunked(&samples, samples.len());
    assert!(!whole.speech.pauses.is_empty() && whole.pitch.median_hz.is_some());
    assert_eq!(analyze_chunked(&samples, 333), whole);
    assert_eq!(analyze_chunked(&samples, 1), whole);
}

#[test]
fn a_chunk_with_nan_is_refused_and_the_analyzer_goes_on() {
    let mut analyzer = AudioAnalyzer::new(AudioConfig::default()).unwrap();
    let err = analyzer.push(&[0.1, f32::NAN, 0.2]).unwrap_err();
    assert!(
        matches!(err, AudioError::NonFiniteSample { index: 1, .. }),
        "{err}"
    );
    assert!(err.is_bad_input());
    analyzer.push(&[0.0; 1600]).unwrap();
    assert_eq!(analyzer.finish().unwrap().duration_s, 0.1);
}

#[test]
fn an_inconsistent_config_is_refused() {
    let config = AudioConfig {
        pitch_min_hz: 500.0,
        pitch_max_hz: 400.0,
        ..AudioConfig::default()
    };
    let err = AudioAnalyzer::new(config).err().expect("refused");
    assert!(
        err.is_bad_input() && err.code() == "audio_invalid_config",
        "{err}"
    );
    let from_toml: Result<AudioConfig, _> =
        serde_json::from_str(r#"{"min_pause_s": 0.3, "no_such_key": 1}"#);
    assert!(from_toml.is_err(), "unknown keys are refused");
    let partial: AudioConfig = serde_json::from_str(r#"{"min_pause_s": 0.3}"#).unwrap();
    assert_eq!(partial.min_pause_s, 0.3);
    assert_eq!(partial.long_pause_s, AudioConfig::default().long_pause_s);
}

#[test]
fn empty_input_is_an_empty_analysis_not_a_panic() {
    let analysis = AudioAnalyzer::new(AudioConfig::default())
        .unwrap()
        .finish()
        .unwrap();
    assert_eq!(analysis.duration_s, 0.0);
    assert!(analysis.speech.segments.is_empty() && analysis.loudness.short_term.is_empty());
}
