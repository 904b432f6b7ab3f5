//! Voice activity against scripts/make-interview.py, whose truth lists every
//! sentence and every inserted pause.
//!
//! espeak-ng's own comma pauses (about 0.2 s) lie inside the truth's
//! sentences and are shorter than the 0.5-s minimum pause, so they count as
//! talk time here, as the truth's `speaking_time_s` does.

use candor_audio::PauseKind;
use candor_domain::Span;

use crate::support::{analyze, interview, missed_pauses, sox_synth, speak, truth_pauses};

#[test]
fn inserted_pauses_are_found_within_150_ms_talk_time_within_5_percent_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let (samples, truth) = interview(dir.path());
    let speech = analyze(&samples).speech;

    let inserted: Vec<Span> = truth_pauses(&truth)
        .into_iter()
        .filter(|p| p.duration() >= 0.5)
        .collect();
    assert!(inserted.len() >= 5, "the script inserts pauses");
    let missed = missed_pauses(&speech.pauses, &inserted);
    assert!(
        missed.is_empty(),
        "missed {missed:?}; found {:?}",
        speech.pauses
    );
    for pause in speech.pauses.iter().filter(|p| p.duration_s >= 1.0) {
        assert!(
            inserted.iter().any(|want| pause.span.overlaps(want)),
            "spurious pause {:?}",
            pause.span
        );
    }

    let talk_truth = truth["speaking_time_s"].as_f64().unwrap();
    let error = (speech.talk_time_s - talk_truth).abs() / talk_truth;
    assert!(
        error < 0.05,
        "talk time {:.2} s vs truth {talk_truth:.2} s",
        speech.talk_time_s
    );

    // The 0.5-s lead-in and the end are silence, not pauses.
    assert!(
        (speech.leading_silence_s - 0.5).abs() < 0.1,
        "lead-in {}",
        speech.leading_silence_s
    );
    assert!(speech
        .pauses
        .iter()
        .all(|p| p.span.start > 1.0 && p.span.end < truth["duration_s"].as_f64().unwrap()));
    let ratio =
        speech.talk_time_s / (speech.segments.last().unwrap().end - speech.segments[0].start);
    assert!((speech.speaking_time_ratio - ratio).abs() < 1e-9);
}

#[test]
fn pauses_are_classified_by_the_design_bounds() {
    let dir = tempfile::tempdir().unwrap();
    let (samples, truth) = interview(dir.path());
    let speech = analyze(&samples).speech;
    let kind_near = |want: &Span| {
        speech
            .pauses
            .iter()
            .find(|p| p.span.overlaps(want))
            .map(|p| p.kind)
            .expect("pause found")
    };
    let inserted = truth_pauses(&truth);
    // The script's 2.6-s pause is long, its 1.5-s pause a hesitation, its
    // 0.8-s pause short.
    for (duration, kind) in [
        (2.6, PauseKind::Long),
        (1.5, PauseKind::Hesitation),
        (0.8, PauseKind::Short),
    ] {
        let want = inserted
            .iter()
            .find(|p| (p.duration() - duration).abs() < 0.01)
            .expect("scripted pause");
        assert_eq!(kind_near(want), kind, "the {duration}-s pause");
    }
}

/// A breath is a burst of unvoiced noise; in the middle of a pause it must
/// not split the pause in two.
#[test]
fn a_breath_inside_a_pause_does_not_split_it() {
    let dir = tempfile::tempdir().unwrap();
    let (mut samples, truth) = interview(dir.path());
    // 0.35 s of pink noise, faded in and out, about 25 dB under the speech.
    let effects = [
        "synth",
        "0.35",
        "pinknoise",
        "vol",
        "0.05",
        "fade",
        "0.1",
        "0.35",
        "0.12",
    ];
    let breath = sox_synth(dir.path(), "breath.wav", &effects);
    let inserted = truth_pauses(&truth);
    let long: Vec<_> = inserted
        .iter()
        .filter(|p| p.duration() >= 1.4)
        .copied()
        .collect();
    assert_eq!(long.len(), 2, "the 1.5-s and 2.6-s pauses");
    for pause in &long {
        let at = ((pause.start + pause.duration() / 2.0 - 0.175) * 16_000.0) as usize;
        samples[at..at + breath.len()].copy_from_slice(&breath);
    }
    let speech = analyze(&samples).speech;
    let missed = missed_pauses(&speech.pauses, &inserted);
    assert!(
        missed.is_empty(),
        "missed {missed:?}; found {:?}",
        speech.pauses
    );
    assert_eq!(speech.pauses.len(), inserted.len(), "{:?}", speech.pauses);
}

/// The breath rule must not drop short words: they are voiced.
#[test]
fn one_word_answers_between_pauses_are_speech() {
    let dir = tempfile::tempdir().unwrap();
    let word = speak(dir.path(), "Yes.");
    let silence = vec![0.0; 16_000];
    let samples = [&word[..], &silence, &word, &silence, &word].concat();
    let speech = analyze(&samples).speech;
    assert_eq!(speech.segments.len(), 3, "{:?}", speech.segments);
    assert_eq!(speech.pauses.len(), 2);
    // As short as a breath, so only voicing tells them apart.
    assert!(
        speech.segments.iter().all(|s| s.duration() <= 0.6),
        "{:?}",
        speech.segments
    );
}
