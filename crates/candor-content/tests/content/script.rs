//! The spoken test answer of scripts/make-interview.py, as Whisper would
//! write it. Its truth: 6 fillers (um, uh, um, like, uh, you know) and none in
//! "I like this kind of problem".

use candor_content::{analyze, ContentConfig, Lexicon, NumberKind, StarPart};

use crate::support::{analyze_text, filler_texts, hit_texts, script, script_text, timed};

const FILLERS: [&str; 6] = ["um", "uh", "um", "like", "uh", "you know"];

#[test]
fn the_interview_script_has_exactly_its_six_fillers() {
    let a = analyze_text(&script_text());
    assert_eq!(filler_texts(&a), FILLERS);
    // The decoy sentence (index 3) contributes none.
    let decoy_start: usize = script()[..3]
        .iter()
        .map(|(s, _)| s.split_whitespace().count())
        .sum();
    let decoy_end = decoy_start + script()[3].0.split_whitespace().count();
    assert!(a
        .fillers
        .hits
        .iter()
        .all(|h| !(decoy_start..decoy_end).contains(&h.word_index)));
    assert_eq!(
        a.word_count,
        script()
            .iter()
            .map(|(s, _)| s.split_whitespace().count())
            .sum::<usize>()
    );
    // Six fillers about ten seconds apart: two clusters of three, each within 30 s.
    let clusters: Vec<usize> = a.fillers.clusters.iter().map(|c| c.count).collect();
    assert_eq!(clusters, [3, 3]);
    assert!(a.fillers.clusters.iter().all(|c| c.span.duration() <= 30.0));
}

#[test]
fn the_interview_script_without_commas_still_finds_fillers_from_pauses() {
    // Whisper may drop the commas; espeak-ng pauses ~0.3 s at each of them.
    let text = script_text()
        .replace(", ", " [pause 0.3] ")
        .replace(',', "");
    let a = analyze_text(&text);
    assert_eq!(filler_texts(&a), FILLERS);
}

#[test]
fn the_interview_script_as_whisper_writes_numbers() {
    let text = script_text()
        .replace("eighty percent", "80%")
        .replace("forty thousand dollars", "$40,000");
    let a = analyze_text(&text);
    assert_eq!(filler_texts(&a), FILLERS);
    let kinds: Vec<(&str, NumberKind)> = a
        .numbers
        .hits
        .iter()
        .map(|h| (h.text.as_str(), h.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            ("five engineers", NumberKind::Count),
            ("two weeks", NumberKind::Count),
            ("80%", NumberKind::Percent),
            ("$40,000", NumberKind::Currency),
            ("two", NumberKind::Plain),
        ]
    );
}

#[test]
fn the_interview_script_is_a_complete_star_answer_with_measured_results() {
    let (t, timing) = timed(&script_text(), 150.0);
    let a = analyze(&t, &timing, &Lexicon::default(), &ContentConfig::default());
    assert_eq!(
        a.star.found,
        [
            StarPart::Situation,
            StarPart::Task,
            StarPart::Action,
            StarPart::Result
        ]
    );
    assert!(a.star.complete && a.star.in_order);
    assert_eq!(hit_texts(&a.hedges), ["i think", "probably"]);
    assert_eq!(hit_texts(&a.negative_words), ["failed"]);
    assert_eq!(
        hit_texts(&a.power_words),
        ["led", "rewrote", "saved", "achieved"]
    );
    let values: Vec<f64> = a.numbers.hits.iter().map(|h| h.value).collect();
    assert_eq!(values, [5.0, 2.0, 80.0, 40000.0, 2.0]);
    // Outcomes only: "eighty percent" and "forty thousand dollars", not the
    // team of five engineers or the two weeks the rewrite took.
    assert_eq!(a.numbers.quantified_count, 2);
    // Every scripted pause is >= 0.5 s, so the longest run is the longest
    // sentence (16 words).
    let run = a.pace.longest_run.unwrap();
    assert_eq!(run.words, 16);
    assert!(timing.pauses.iter().all(|p| !run.span.overlaps(p)));
    assert!(
        (a.pace.articulation_wpm - 150.0).abs() / 150.0 < 0.02,
        "{}",
        a.pace.articulation_wpm
    );
}
