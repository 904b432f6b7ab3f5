use candor_content::{analyze, ContentConfig, Lexicon, PaceBand, SpeechTiming};
use candor_domain::Transcript;

use crate::support::{timed, LEAD_IN_S};

fn words(n: usize) -> String {
    (0..n)
        .map(|i| format!("word{}", i % 7))
        .collect::<Vec<_>>()
        .join(" ")
}

fn run(text: &str, wpm: f64) -> (Transcript, SpeechTiming, candor_content::ContentAnalysis) {
    let (t, timing) = timed(text, wpm);
    let a = analyze(&t, &timing, &Lexicon::default(), &ContentConfig::default());
    (t, timing, a)
}

#[test]
fn a_150_wpm_transcript_measures_150_wpm_within_one_percent() {
    let (_, _, a) = run(&words(300), 150.0);
    assert_eq!(a.word_count, 300);
    assert!(
        (a.pace.overall_wpm - 150.0).abs() / 150.0 < 0.01,
        "{}",
        a.pace.overall_wpm
    );
    assert!((a.pace.articulation_wpm - 150.0).abs() / 150.0 < 0.01);
    assert_eq!(a.pace.band, Some(PaceBand::Clear));
    let span = a.pace.speech_span.unwrap();
    assert!((span.start - LEAD_IN_S).abs() < 1e-9);
}

#[test]
fn pauses_lower_the_overall_pace_but_not_the_articulation_rate() {
    // 150 words at 150 wpm with 30 s of pauses: 150 words over ~90 s.
    let text = format!(
        "{} [pause 15] {} [pause 15] {}",
        words(50),
        words(50),
        words(50)
    );
    let (t, _, a) = run(&text, 150.0);
    let all: Vec<_> = t.words().collect();
    let span_min = (all[149].end - all[0].start) / 60.0;
    assert!((a.pace.overall_wpm - 150.0 / span_min).abs() < 1e-9);
    assert!(
        (a.pace.overall_wpm - 100.0).abs() < 1.0,
        "{}",
        a.pace.overall_wpm
    );
    assert!((a.pace.articulation_wpm - 150.0).abs() / 150.0 < 0.01);
    assert_eq!(a.pace.band, Some(PaceBand::Slow));
}

#[test]
fn rolling_windows_follow_a_change_of_pace() {
    // 60 s at 150 wpm, then 60 s at 100 wpm.
    let text = format!("{} [wpm 100] {}", words(150), words(100));
    let (_, _, a) = run(&text, 150.0);
    let w = &a.pace.windows;
    assert!(w.len() > 10);
    assert!(w.iter().all(|w| (w.span.duration() - 30.0).abs() < 1e-9));
    assert!(w.windows(2).all(|p| p[1].span.start > p[0].span.start));
    assert!((w[0].span.start - LEAD_IN_S).abs() < 1e-9);
    assert!((w[1].span.start - w[0].span.start - 5.0).abs() < 1e-9);
    assert!(
        (w[0].wpm - 150.0).abs() / 150.0 < 0.03,
        "first {}",
        w[0].wpm
    );
    let last = w.last().unwrap();
    assert!((last.wpm - 100.0).abs() / 100.0 < 0.03, "last {}", last.wpm);
    assert!((last.span.end - a.pace.speech_span.unwrap().end).abs() < 1e-9);
}

#[test]
fn longest_run_is_bounded_by_pauses_of_half_a_second_or_more() {
    let text = format!(
        "{} [pause 1.0] {} [pause 0.3] {}",
        words(20),
        words(40),
        words(10)
    );
    let (t, _, a) = run(&text, 150.0);
    let all: Vec<_> = t.words().collect();
    let run = a.pace.longest_run.unwrap();
    assert_eq!(run.words, 50);
    assert!((run.span.start - all[20].start).abs() < 1e-9);
    assert!((run.span.end - all[69].end).abs() < 1e-9);
    assert!((run.duration_s - (all[69].end - all[20].start)).abs() < 1e-9);
}

#[test]
fn an_empty_transcript_gives_a_zeroed_analysis() {
    let a = analyze(
        &Transcript::default(),
        &SpeechTiming::default(),
        &Lexicon::default(),
        &ContentConfig::default(),
    );
    assert_eq!(a.word_count, 0);
    assert_eq!(a.minutes, 0.0);
    assert_eq!(a.fillers.count, 0);
    assert_eq!(a.fillers.per_minute, 0.0);
    assert_eq!(a.pace.overall_wpm, 0.0);
    assert_eq!(a.pace.articulation_wpm, 0.0);
    assert!(a.pace.windows.is_empty() && a.pace.longest_run.is_none() && a.pace.band.is_none());
    assert_eq!(a.vocabulary.type_token_ratio, 0.0);
    assert_eq!(a.vocabulary.mattr, 0.0);
    assert!(a.star.found.is_empty() && !a.star.complete && !a.star.in_order);
    assert_eq!(a.numbers.count, 0);

    // Timing without words, and a duration without speech, stay zero too.
    let timing = SpeechTiming {
        duration_s: 30.0,
        speaking_time_s: 0.0,
        pauses: vec![],
    };
    let a = analyze(
        &Transcript::default(),
        &timing,
        &Lexicon::default(),
        &ContentConfig::default(),
    );
    assert_eq!(a.fillers.per_minute, 0.0);
    assert_eq!(a.hedges.per_minute, 0.0);
}

#[test]
fn broken_times_and_punctuation_only_words_do_not_panic() {
    let (mut t, mut timing) = timed("Um, so, we ... shipped it. [pause 1] Done", 150.0);
    t.segments[0].words[1].start = f64::NAN;
    t.segments[0].words[2].end = -3.0;
    t.segments[0].words[3].text = " ...".into();
    timing.pauses.push(candor_domain::Span::new(f64::NAN, 2.0));
    timing.duration_s = f64::INFINITY;
    let a = analyze(&t, &timing, &Lexicon::default(), &ContentConfig::default());
    let json = serde_json::to_string(&a).unwrap();
    assert!(!json.contains("NaN") && !json.contains("inf"));
    assert!(a.pace.overall_wpm.is_finite());
    assert_eq!(a.word_count, 6);
}
