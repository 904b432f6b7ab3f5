//! What was said: word choice.

use super::speech::spoken;
use super::{dimension, metric, not_scored, scored, Analyses, ReportConfig};
use crate::model::{Dimension, Evidence};
use crate::render::number;

/// Action words quoted as examples of confident wording.
const EXAMPLES: usize = 3;

pub(super) fn language(a: &Analyses, config: &ReportConfig) -> Dimension {
    let content = match spoken(a, config) {
        Ok(c) => c,
        Err(reason) => return dimension("language", "Language", not_scored(reason)),
    };
    let hedges = &content.hedges;
    let score = config.hedges_per_minute.score(hedges.per_minute);
    let power = content.power_words.count;
    let verdict = format!(
        "{} hedges ({}/min), {} action words, {} negative words.",
        hedges.count,
        number(hedges.per_minute),
        power,
        content.negative_words.count
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
        content.negative_words.count as f64,
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
        "Vocabulary richness (MATTR)",
        content.vocabulary.mattr,
        "ratio",
    ));
    d.evidence =
        hedges
            .hits
            .iter()
            .map(|h| Evidence::new(h.span, format!("hedge: \"{}\"", h.text)))
            .chain(
                content
                    .negative_words
                    .hits
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
