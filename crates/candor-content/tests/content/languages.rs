//! Each language's word lists against answers written in it, whose counts
//! were made by hand from those lists' rules (`crates/candor/tests/data/
//! answers/LANG.toml`, the answers the end-to-end tests also speak).

use std::path::Path;

use candor_content::{analyze, ContentConfig, Lexicons, StarPart};
use serde::Deserialize;

use crate::support::timed;

#[derive(Deserialize)]
struct Answers {
    answer: Vec<Answer>,
}

#[derive(Deserialize)]
struct Answer {
    text: String,
    fillers: usize,
    hedges: usize,
    power_words: usize,
    star: Vec<StarPart>,
    quantified: usize,
}

#[test]
fn every_language_counts_what_its_scripted_answers_hold() {
    let lexicons = Lexicons::default();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../candor/tests/data/answers");
    for code in ["en", "es", "de", "fr", "pt", "it"] {
        let text = std::fs::read_to_string(dir.join(format!("{code}.toml"))).unwrap();
        let answers: Answers = toml::from_str(&text).unwrap();
        let lexicon = lexicons.for_language(code);
        for (i, answer) in answers.answer.iter().enumerate() {
            let (transcript, timing) = timed(&answer.text, 150.0);
            let a = analyze(&transcript, &timing, &lexicon, &ContentConfig::default());
            let found = (
                a.fillers.count,
                a.hedges.count,
                a.power_words.count,
                a.numbers.quantified_count,
            );
            let scripted = (
                answer.fillers,
                answer.hedges,
                answer.power_words,
                answer.quantified,
            );
            assert_eq!(
                found, scripted,
                "{code} #{i} (fillers, hedges, power words, quantified)"
            );
            let mut parts = a.star.found.clone();
            parts.sort();
            assert_eq!(parts, answer.star, "{code} #{i} STAR");
        }
    }
}
