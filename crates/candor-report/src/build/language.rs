//! What was said: word choice and structure.

use candor_content::StarPart;

use super::speech::spoken;
use super::{dimension, metric, not_scored, scored, Analyses, ReportConfig};
use crate::model::{Dimension, Evidence};
use crate::render::number;

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
            .collect();
    d.evidence.sort_by(|x, y| x.start.total_cmp(&y.start));
    d
}

pub(super) fn structure(a: &Analyses, config: &ReportConfig) -> Dimension {
    let content = match spoken(a, config) {
        Ok(c) => c,
        Err(reason) => return dimension("structure", "Structure (STAR)", not_scored(reason)),
    };
    let star = &content.star;
    let quantified = content.numbers.quantified_count;
    // Each STAR part is worth 20 points; a quantified result 20 more.
    let score = (star.found.len() * 20 + if quantified > 0 { 20 } else { 0 }).min(100) as u8;
    let missing: Vec<&str> = star.missing.iter().map(|p| part_name(*p)).collect();
    let verdict = if missing.is_empty() {
        format!("All four STAR parts are there, with {quantified} quantified results.")
    } else {
        format!(
            "Missing STAR parts: {}; {quantified} quantified results.",
            missing.join(", ")
        )
    };
    let tip = match (missing.first(), quantified) {
        (Some(part), _) => match *part {
            "result" => "End with the result: what changed, by how much, and what you learned.",
            "situation" => "Open with one or two sentences of context: where, when, what was at stake.",
            "task" => "Say what your own responsibility was before describing what you did.",
            _ => "Describe the actions you took yourself, step by step, with \"I\" rather than \"we\".",
        },
        (None, 0) => "Put a number on the result: a percentage, time or money saved.",
        (None, _) => "A well-built answer: keep this shape.",
    };
    let mut d = dimension("structure", "Structure (STAR)", scored(score, verdict, tip));
    d.metrics.push(metric(
        "star_parts",
        "STAR parts found",
        star.found.len() as f64,
        "of 4",
    ));
    d.metrics.push(metric(
        "quantified_results",
        "Quantified results",
        quantified as f64,
        "count",
    ));
    d.evidence = star
        .parts
        .iter()
        .map(|p| Evidence::new(p.first, format!("{} starts", part_name(p.part))))
        .chain(
            content
                .numbers
                .hits
                .iter()
                .filter(|n| n.quantified)
                .map(|n| Evidence::new(n.span, format!("quantified: \"{}\"", n.text))),
        )
        .collect();
    d.evidence.sort_by(|x, y| x.start.total_cmp(&y.start));
    d
}

fn part_name(part: StarPart) -> &'static str {
    match part {
        StarPart::Situation => "situation",
        StarPart::Task => "task",
        StarPart::Action => "action",
        StarPart::Result => "result",
    }
}
