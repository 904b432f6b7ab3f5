//! Pitch against tones of known frequency, a sweep and synthetic speech.

use crate::support::{analyze, sox_synth, speak, speak_ssml};

#[test]
fn steady_tones_have_their_frequency_as_median_and_are_monotone() {
    let dir = tempfile::tempdir().unwrap();
    for hz in [220.0, 150.0] {
        let samples = sox_synth(
            dir.path(),
            "tone.wav",
            &[
                "synth",
                "4",
                "sine",
                &hz.to_string(),
                "vol",
                "0.3",
                "pad",
                "0.5",
                "0.5",
            ],
        );
        let pitch = analyze(&samples).pitch;
        let median = pitch.median_hz.expect("a tone is voiced");
        assert!(
            (median / hz - 1.0).abs() < 0.03,
            "{hz} Hz tone: median {median:.1} Hz"
        );
        assert!(
            pitch.voiced_ratio > 0.95,
            "{hz} Hz: voiced ratio {}",
            pitch.voiced_ratio
        );
        assert!(
            pitch.std_semitones.unwrap() < 0.2,
            "{hz} Hz: std {:?}",
            pitch.std_semitones
        );
        assert_eq!(pitch.monotone, Some(true));
        assert!(pitch.track.iter().all(|p| (p.hz / hz - 1.0).abs() < 0.03));
        // One track point per 0.2 s of the 4 s tone.
        assert!(
            (19..=21).contains(&pitch.track.len()),
            "{}",
            pitch.track.len()
        );
    }
}

#[test]
fn an_exponential_sweep_has_its_median_spread_and_is_not_monotone() {
    let dir = tempfile::tempdir().unwrap();
    let samples = sox_synth(
        dir.path(),
        "sweep.wav",
        &[
            "synth", "4", "sine", "100-300", "vol", "0.3", "pad", "0.5", "0.5",
        ],
    );
    let pitch = analyze(&samples).pitch;
    // sox sweeps exponentially: 19.02 semitones at a steady rate, so the
    // median is the geometric mean, 173.2 Hz, p10-p90 spans 80 % of 19.02
    // semitones (15.22) and the std is 19.02 / sqrt(12) = 5.49 semitones.
    let median = pitch.median_hz.unwrap();
    assert!((median / 173.2 - 1.0).abs() < 0.03, "median {median}");
    let range = pitch.p10_p90_range_semitones.unwrap();
    assert!((range - 15.22).abs() < 0.5, "range {range}");
    let std = pitch.std_semitones.unwrap();
    assert!((std - 5.49).abs() < 0.3, "std {std}");
    assert_eq!(pitch.monotone, Some(false));
}

/// Plain espeak-ng speech varies its pitch by about 1.7 semitones (std),
/// which the default 2-semitone bound calls monotone; it does sound
/// robotic. Lively speech is made by widening espeak-ng's pitch range (SSML
/// `prosody range`) and moving its pitch from phrase to phrase.
#[test]
fn plain_synthetic_speech_is_monotone_and_lively_synthetic_speech_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let plain = "In my last role I led a team of five engineers at a logistics company. \
                 Overall I am proud of what we achieved, and I use the same approach today.";
    let pitch = analyze(&speak(dir.path(), plain)).pitch;
    let median = pitch.median_hz.expect("speech is voiced");
    assert!((70.0..250.0).contains(&median), "median {median}");
    assert!(
        pitch.voiced_ratio > 0.4 && pitch.voiced_ratio < 1.0,
        "voiced ratio {}",
        pitch.voiced_ratio
    );
    let std = pitch.std_semitones.unwrap();
    assert!(
        (1.0..2.0).contains(&std) && pitch.monotone == Some(true),
        "plain std {std}"
    );

    let lively = "<speak><prosody range=\"x-high\" pitch=\"low\">In my last role I led a team of five engineers.</prosody> \
                  <prosody range=\"x-high\" pitch=\"x-high\">Overall I am proud of what we achieved!</prosody></speak>";
    let pitch = analyze(&speak_ssml(dir.path(), lively)).pitch;
    assert_eq!(
        pitch.monotone,
        Some(false),
        "lively std {:?}",
        pitch.std_semitones
    );
}
