//! Key terms matched by meaning, measured on a labelled set of question and
//! answer pairs (`tests/data/key_terms.toml`): its "tune" half chooses how
//! many WordNet senses to follow, its "test" half, never looked at while
//! choosing, measures the result.

use std::collections::BTreeMap;
use std::path::Path;

use candor_content::{fit_question, ContentConfig, Lexicon, WordNet, DEFAULT_WORDNET_DIR};
use serde::Deserialize;

use crate::support::timed;

#[derive(Deserialize)]
struct LabelledSet {
    pair: Vec<Pair>,
}

#[derive(Deserialize)]
struct Pair {
    split: String,
    question: String,
    answer: String,
    terms: BTreeMap<String, bool>,
}

fn labelled() -> Vec<Pair> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/key_terms.toml");
    let set: LabelledSet = toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    set.pair
}

/// Agreement with the labels: (right, wrong, missed said terms, false
/// "said"), over the labelled terms the question's key terms include.
fn score(pairs: &[&Pair], wordnet: Option<&WordNet>, senses: usize) -> [usize; 4] {
    let lexicon = Lexicon::default();
    let config = ContentConfig {
        key_term_senses: senses,
        ..ContentConfig::default()
    };
    let mut counts = [0; 4];
    for pair in pairs {
        let (answer, _) = timed(&pair.answer, 150.0);
        let fit = fit_question(&pair.question, &answer, &lexicon, &config, wordnet);
        for term in &fit.key_terms {
            let Some(&label) = pair.terms.get(&term.term) else {
                continue;
            };
            if term.said_at.is_some() == label {
                counts[0] += 1;
            } else {
                counts[1] += 1;
                counts[if label { 2 } else { 3 }] += 1;
            }
        }
    }
    counts
}

fn accuracy([right, wrong, ..]: [usize; 4]) -> f64 {
    right as f64 / (right + wrong).max(1) as f64
}

#[test]
fn meaning_matches_beat_word_forms_on_held_out_pairs() {
    let wordnet = WordNet::open(DEFAULT_WORDNET_DIR).expect("wordnet-base is installed");
    let pairs = labelled();
    let half = |name: &str| pairs.iter().filter(|p| p.split == name).collect::<Vec<_>>();
    let (tune, test) = (half("tune"), half("test"));
    assert!(tune.len() >= 20 && test.len() >= 20);

    let on_tune: Vec<(usize, f64)> = (0..=4)
        .map(|senses| (senses, accuracy(score(&tune, Some(&wordnet), senses))))
        .collect();
    let best = on_tune
        .iter()
        .copied()
        // The fewest senses among the most accurate.
        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
        .unwrap();
    let forms = score(&test, None, 0);
    let meaning = score(&test, Some(&wordnet), best.0);
    println!(
        "tune accuracy by senses followed: {on_tune:.3?}\n\
         test: word forms {:.3} (missed {}, false {}), meaning with {} senses {:.3} (missed {}, false {})",
        accuracy(forms),
        forms[2],
        forms[3],
        best.0,
        accuracy(meaning),
        meaning[2],
        meaning[3],
    );
    assert_eq!(
        ContentConfig::default().key_term_senses,
        best.0,
        "the default should be what the tune half chose"
    );
    assert!(
        accuracy(meaning) >= accuracy(forms) + 0.05,
        "meaning {:.3} vs word forms {:.3}",
        accuracy(meaning),
        accuracy(forms)
    );
}

#[test]
fn the_cases_from_the_report_are_matched() {
    let wordnet = WordNet::open(DEFAULT_WORDNET_DIR).expect("wordnet-base is installed");
    let (answer, _) = timed(
        "I repaired the old importer and decided to make it reliable again. We ran tests daily.",
        150.0,
    );
    let fit = fit_question(
        "Tell me about a time you fixed an unreliable system and made a decision under pressure.",
        &answer,
        &Lexicon::default(),
        &ContentConfig::default(),
        Some(&wordnet),
    );
    let said: BTreeMap<&str, Option<&str>> = fit
        .key_terms
        .iter()
        .map(|t| {
            (
                t.term.as_str(),
                t.said_at.map(|_| t.said_as.as_deref().unwrap_or(&t.term)),
            )
        })
        .collect();
    assert_eq!(said["fixed"], Some("repaired"), "{said:?}");
    assert_eq!(said["unreliable"], Some("reliable"), "{said:?}");
    assert_eq!(said["decision"], Some("decided"), "{said:?}");
    assert_eq!(said["pressure"], None, "{said:?}");
    assert!(fit.matched_by_meaning);
}
