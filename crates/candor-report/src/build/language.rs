//! What was said: word choice.

use super::speech::worded;
use super::{dimension, metric, not_scored, scored, Analyses, ReportConfig};
use crate::model::{Dimension, Evidence};
use crate::render::{count_of, number};

/// Action words quoted as examples of confident wording.
const EXAMPLES: usize = 3;

pub(super) fn language(a: &Analyses, config: &ReportConfig) -> Dimension {
    let content = match worded(a, config) {
        Ok(c) => c,
        Err(reason) => return dimension("language", "Language", not_scored(reason)),
    };
    let hedges = &content.hedges;
    let score = config.hedges_per_minute.score(hedges.per_minute);
    let power = content.power_words.count;
    // "Tell me about a failure" asks for the word: saying it is on topic.
    let asked = a
        .question
        .as_ref()
        .map_or(&[][..], |q| &q.negative_words[..]);
    let negative: Vec<_> = content
        .negative_words
        .hits
        .iter()
        .filter(|h| !asked.iter().any(|w| same_family(w, &h.text)))
        .collect();
    let verdict = format!(
        "{} ({}/min), {}, {}.",
        count_of(hedges.count, "hedge", "hedges"),
        number(hedges.per_minute),
        count_of(power, "action word", "action words"),
        count_of(negative.len(), "negative word", "negative words"),
    );
    let tip = if hedges.per_minute > 3.0 {
        "Say what you did and what happened without softeners: \"I decided\" instead of \"I think I probably\"."
    } else if power < 3 {
        "Use more action verbs for your own part: led, built, decided, reduced."
    } else {
        "Confident, active wording: keep it."
    };
    let mut d = dimension("language", "Language", scored(score, verdict, tip));
    d.metrics.push(metric(
        "hedges_per_minute",
        "Hedges per minute",
        hedges.per_minute,
        "per min",
    ));
    d.metrics.push(metric(
        "power_words",
        "Action and power words",
        power as f64,
        "count",
    ));
    d.metrics.push(metric(
        "negative_words",
        "Negative words",
        negative.len() as f64,
        "count",
    ));
    d.metrics.push(metric(
        "immediate_repeats",
        "Repeated words (\"I I\")",
        content.repetition.immediate.len() as f64,
        "count",
    ));
    d.metrics.push(metric(
        "vocabulary_mattr",
        "Vocabulary richness",
        content.vocabulary.mattr,
        "ratio",
    ));
    d.evidence =
        hedges
            .hits
            .iter()
            .map(|h| Evidence::new(h.span, format!("hedge: \"{}\"", h.text)))
            .chain(
                negative
                    .iter()
                    .map(|h| Evidence::new(h.span, format!("negative: \"{}\"", h.text))),
            )
            .chain(
                content.repetition.immediate.iter().map(|r| {
                    Evidence::new(r.span, format!("repeated: \"{}\" ×{}", r.word, r.times))
                }),
            )
            .chain(
                content
                    .power_words
                    .hits
                    .iter()
                    .take(EXAMPLES)
                    .map(|h| Evidence::example(h.span, format!("action word: \"{}\"", h.text))),
            )
            .collect();
    d.evidence.sort_by(|x, y| x.start.total_cmp(&y.start));
    d
}

/// Whether two words share a family ("failure", "failed"): the same first
/// four letters, which is what the negative word lists' families share.
fn same_family(a: &str, b: &str) -> bool {
    let head = |w: &str| w.to_lowercase().chars().take(4).collect::<String>();
    head(a) == head(b)
}
