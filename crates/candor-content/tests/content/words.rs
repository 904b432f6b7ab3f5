use candor_content::{analyze, ContentConfig, Lexicon};

use crate::support::{analyze_text, hit_texts, timed};

#[test]
fn hedges_are_found_and_noun_phrase_kind_of_is_not_one() {
    let a = analyze_text(
        "I think maybe we could probably just ship it. I guess it was sort of blue. \
         Perhaps it might work. I feel like it is fine. This kind of tool helps. \
         We might have missed one, and I just finished the rest.",
    );
    // Not "just" (timing) nor a plan's "it might": only the speaker's own
    // account put in doubt.
    assert_eq!(
        hit_texts(&a.hedges),
        [
            "i think",
            "maybe",
            "probably",
            "i guess",
            "sort of",
            "perhaps",
            "i feel like",
            "we might"
        ]
    );
    assert_eq!(a.fillers.count, 0);
}

#[test]
fn power_and_negative_words_are_counted() {
    let a = analyze_text(
        "I led the team, built the pipeline and delivered it early; we reduced costs and increased revenue. \
         I hate meetings, the plan was terrible, and it failed. Don't blame me.",
    );
    assert_eq!(
        hit_texts(&a.power_words),
        ["led", "built", "delivered", "reduced", "increased"]
    );
    assert_eq!(
        hit_texts(&a.negative_words),
        ["hate", "terrible", "failed", "blame"]
    );
    assert!(a.power_words.hits[0].span.start >= 0.5);
}

#[test]
fn repetitions_stumbles_and_overused_words_are_reported() {
    let a = analyze_text(
        "I I think the the plan is good. We need to ship fast. We need to ship fast. \
         We need to ship fast. I knew that that was wrong. Ship it.",
    );
    let immediate: Vec<(&str, usize)> = a
        .repetition
        .immediate
        .iter()
        .map(|r| (r.word.as_str(), r.times))
        .collect();
    assert_eq!(immediate, [("i", 2), ("the", 2)]);
    let phrases: Vec<(&str, usize)> = a
        .repetition
        .phrases
        .iter()
        .map(|p| (p.phrase.as_str(), p.count))
        .collect();
    assert_eq!(phrases, [("we need to ship", 3), ("need to ship fast", 3)]);
    assert_eq!(a.repetition.phrases[0].spans.len(), 3);
    let overused: Vec<(&str, usize)> = a
        .repetition
        .overused_words
        .iter()
        .map(|w| (w.word.as_str(), w.count))
        .collect();
    assert_eq!(overused, [("ship", 4)]);
}

#[test]
fn a_repeat_across_a_filler_sound_is_a_stumble_but_not_across_sentences() {
    let a = analyze_text("I, um, I think so. So so.");
    let immediate: Vec<&str> = a
        .repetition
        .immediate
        .iter()
        .map(|r| r.word.as_str())
        .collect();
    assert_eq!(immediate, ["i", "so"]);
}

#[test]
fn mattr_of_a_text_with_known_windows() {
    // 25 distinct words cycled four times: every 50-word window holds 25
    // distinct words, so MATTR is 0.5 while the plain ratio is 0.25.
    let vocab: Vec<String> = ('a'..='y').map(|c| format!("w{c}")).collect();
    let text = vec![vocab.join(" "); 4].join(" ");
    let a = analyze_text(&text);
    assert_eq!(a.vocabulary.words, 100);
    assert_eq!(a.vocabulary.unique_words, 25);
    assert!((a.vocabulary.type_token_ratio - 0.25).abs() < 1e-12);
    assert!((a.vocabulary.mattr - 0.5).abs() < 1e-12);
    assert_eq!(a.vocabulary.mattr_window, 50);

    // With a 10-word window every window is all distinct.
    let (t, timing) = timed(&text, 150.0);
    let config = ContentConfig {
        mattr_window: 10,
        ..ContentConfig::default()
    };
    let a = analyze(&t, &timing, &Lexicon::default(), &config);
    assert!((a.vocabulary.mattr - 1.0).abs() < 1e-12);
}
