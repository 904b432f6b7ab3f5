//! The analysis travels as JSON (worker to parent, database, report) and
//! publishes a schema.

use candor_audio::{AudioAnalysis, AudioAnalyzer};

use crate::support::{analyze, speak};

#[test]
fn the_analysis_round_trips_through_json_with_units_in_its_names() {
    let dir = tempfile::tempdir().unwrap();
    let mut samples = speak(dir.path(), "We rewrote it in two weeks.");
    samples.extend(std::iter::repeat_n(0.0, 16_000).chain(samples.clone()));
    let analysis = analyze(&samples);
    let json = serde_json::to_string(&analysis).unwrap();
    for field in [
        "integrated_lufs",
        "noise_floor_dbfs",
        "snr_db",
        "talk_time_s",
        "median_hz",
    ] {
        assert!(json.contains(field), "{field} missing from {json}");
    }
    // serde_json parses decimals to within an ulp, so compare the reprint.
    let back: AudioAnalysis = serde_json::from_str(&json).unwrap();
    assert_eq!(back.speech.pauses.len(), 1);
    assert_eq!(back.quality, analysis.quality);
    assert_eq!(back.pitch.track.len(), analysis.pitch.track.len());
    assert!((back.speech.talk_time_s - analysis.speech.talk_time_s).abs() < 1e-12);
}

#[test]
fn the_schema_names_every_section_and_the_analyzer_can_move_to_a_worker_thread() {
    let schema = serde_json::to_value(schemars::schema_for!(AudioAnalysis)).unwrap();
    let properties = schema["properties"].as_object().expect("properties");
    for section in ["loudness", "noise", "speech", "pitch", "quality"] {
        assert!(properties.contains_key(section), "{section}");
    }
    fn is_send<T: Send + 'static>() {}
    is_send::<AudioAnalyzer>();
}
