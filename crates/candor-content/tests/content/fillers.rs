use candor_content::{analyze, ContentConfig, FillerBand, FillerCategory, Lexicon};

use crate::support::{analyze_text, filler_texts, timed};

#[test]
fn only_the_set_off_like_counts_among_decoys() {
    let a = analyze_text("I like this kind of tool, and I would like to, like, improve it.");
    assert_eq!(filler_texts(&a), ["like"]);
    assert_eq!(a.fillers.hits[0].word_index, 11);
    assert_eq!(a.fillers.hits[0].category, FillerCategory::Word);
}

#[test]
fn content_uses_of_filler_words_are_not_fillers() {
    let a = analyze_text(
        "It looks like a good plan. You know what I mean? I mean that we should ship. \
         It was sort of blue. What kind of tool is it? A kind of hammer. So we decided to move on. \
         Well done. It went well, so we shipped. I actually think it works. It feels like home. \
         Things like that matter. I'd like, if possible, a break. We had, like a lot of teams, no tests.",
    );
    assert_eq!(filler_texts(&a), Vec::<&str>::new());
}

#[test]
fn set_off_discourse_markers_are_fillers() {
    let a = analyze_text(
        "So, we started. Well, it was hard. You know, it was basically, um, a rewrite. \
         I mean, we literally, like, rebuilt it. It was, kind of, messy.",
    );
    assert_eq!(
        filler_texts(&a),
        [
            "so",
            "well",
            "you know",
            "basically",
            "um",
            "i mean",
            "literally",
            "like",
            "kind of"
        ]
    );
    let categories: Vec<FillerCategory> = a.fillers.hits.iter().map(|h| h.category).collect();
    assert_eq!(categories[2], FillerCategory::Phrase);
    assert_eq!(categories[4], FillerCategory::Sound);
    // "kind of" used as a filler is not also a hedge.
    assert_eq!(a.hedges.count, 0);
}

#[test]
fn sound_spellings_are_all_fillers() {
    let a = analyze_text("Umm, ok. Uhh, hmm. Er, erm, ah. Mm. Ummmm.");
    assert_eq!(filler_texts(&a).len(), 8, "{:?}", filler_texts(&a));
    assert!(a
        .fillers
        .hits
        .iter()
        .all(|h| h.category == FillerCategory::Sound));
}

#[test]
fn a_pause_from_the_audio_stands_in_for_a_missing_comma() {
    // Whisper often writes no commas; the voice-activity pauses still set "like" off.
    assert_eq!(
        filler_texts(&analyze_text(
            "we rewrote it [pause 0.4] like [pause 0.4] in two weeks"
        )),
        ["like"]
    );
    assert_eq!(
        filler_texts(&analyze_text("we rewrote it like in two weeks")),
        Vec::<&str>::new()
    );
    // A pause after a governed "like" does not make it a filler.
    assert_eq!(
        filler_texts(&analyze_text("I would like [pause 0.6] to help")),
        Vec::<&str>::new()
    );
    // A pause shorter than break_pause_s is not evidence.
    assert_eq!(
        filler_texts(&analyze_text("we rewrote it like [pause 0.1] in two weeks")),
        Vec::<&str>::new()
    );
}

#[test]
fn fillers_are_rated_per_minute_and_clustered() {
    // 4 fillers within ~3 s, then one 40 s later: one cluster of 4.
    let text = format!(
        "Um, we, uh, tried, um, again, uh, then. {} Um, done.",
        "and we kept working on it ".repeat(16)
    );
    let (transcript, timing) = timed(&text, 150.0);
    let a = analyze(
        &transcript,
        &timing,
        &Lexicon::default(),
        &ContentConfig::default(),
    );
    assert_eq!(a.fillers.count, 5);
    // Per minute of the answer, from its first word to its last.
    let words: Vec<_> = transcript.words().collect();
    let span_s = words.last().unwrap().end - words[0].start;
    let expected_rate = 5.0 / (span_s / 60.0);
    assert!((a.fillers.per_minute - expected_rate).abs() < 1e-9);
    assert_eq!(a.fillers.clusters.len(), 1);
    assert_eq!(a.fillers.clusters[0].count, 4);
    assert_eq!(
        a.fillers.clusters[0].span.start,
        a.fillers.hits[0].span.start
    );
    assert_eq!(a.fillers.clusters[0].span.end, a.fillers.hits[3].span.end);
    assert_eq!(a.fillers.band, FillerBand::Hesitant);

    // A wider cluster setting takes in the late filler too.
    let wide = ContentConfig {
        filler_cluster_window_s: 60.0,
        ..ContentConfig::default()
    };
    let a = analyze(&transcript, &timing, &Lexicon::default(), &wide);
    assert_eq!(a.fillers.clusters.len(), 1);
    assert_eq!(a.fillers.clusters[0].count, 5);
}
