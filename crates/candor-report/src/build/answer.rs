//! The answer as an answer: does it address the question, is it a
//! reasonable length for the kind of question, and is it built the way that
//! kind of question wants (STAR for a behavioural question, with quantified
//! results).

use candor_content::{LengthFit, QuestionFit, QuestionKind, StarPart};

use super::speech::worded;
use super::{dimension, metric, not_scored, referenced, scored, Analyses, ReportConfig};
use crate::model::{Dimension, Evidence};
use crate::render::number;

const LENGTH_SOURCE: &str =
    "career-coaching guidance: one to two minutes for a STAR answer; other kinds are Candor heuristics";

pub(super) fn relevance(a: &Analyses, config: &ReportConfig) -> Dimension {
    const TITLE: &str = "Answers the question";
    if let Err(reason) = worded(a, config) {
        return dimension("relevance", TITLE, not_scored(reason));
    }
    let Some(fit) = &a.question else {
        return dimension(
            "relevance",
            TITLE,
            not_scored("no question was given with the recording"),
        );
    };
    let length_score = length_score(fit, config);
    let score = match fit.coverage {
        // Saying what was asked matters more than the length.
        Some(c) => (0.6 * f64::from(config.question_coverage.score(c))
            + 0.4 * f64::from(length_score))
        .round() as u8,
        None => length_score,
    };
    let missing: Vec<&str> = fit
        .key_terms
        .iter()
        .filter(|t| t.said_at.is_none())
        .map(|t| t.term.as_str())
        .collect();
    let [min, max] = fit.expected_s;
    let length = match fit.length {
        LengthFit::Short => format!("short for a {} question", fit.kind.label()),
        LengthFit::Within => "a good length".to_string(),
        LengthFit::Long => format!("long for a {} question", fit.kind.label()),
    };
    let verdict = match (fit.coverage, missing.is_empty()) {
        (Some(c), true) => format!(
            "Says every key term of the question ({:.0} %); {}s, {length}.",
            c * 100.0,
            number(fit.answer_s)
        ),
        (Some(c), false) => format!(
            "Says {:.0} % of the question's key terms (not: {}); {}s, {length}.",
            c * 100.0,
            missing.join(", "),
            number(fit.answer_s)
        ),
        (None, _) => format!("{}s, {length}.", number(fit.answer_s)),
    };
    let tip = if fit.coverage.is_some_and(|c| c < 0.5) {
        format!(
            "Tie the answer to what was asked: name {} early, and come back to it in the close.",
            missing.join(" and ")
        )
    } else {
        match fit.length {
            LengthFit::Short => format!(
                "Aim for {}–{} s: add the context, your own actions and the result.",
                number(min),
                number(max)
            ),
            LengthFit::Long => format!(
                "Aim for {}–{} s: keep the context to two sentences and finish on the result.",
                number(min),
                number(max)
            ),
            LengthFit::Within => "On topic and to time: keep it that way.".to_string(),
        }
    };
    let mut d = dimension("relevance", TITLE, scored(score, verdict, &tip));
    if let Some(c) = fit.coverage {
        d.metrics.push(referenced(
            "key_term_coverage",
            "Key terms of the question said",
            c * 100.0,
            "%",
            if fit.matched_by_meaning {
                "80% or more reads as on the point; a term counts when the answer says it or a word WordNet relates to it"
            } else {
                "80% or more reads as on the point; a term counts only when the answer says a form of it"
            },
            "Candor heuristic; WordNet 3.0 (Princeton University)",
        ));
    }
    d.metrics.push(referenced(
        "answer_s",
        "Answer length",
        fit.answer_s,
        "s",
        &format!(
            "{}–{} s for a {} question",
            number(min),
            number(max),
            fit.kind.label()
        ),
        LENGTH_SOURCE,
    ));
    d.evidence = fit
        .key_terms
        .iter()
        .filter_map(|t| {
            let said = match &t.said_as {
                Some(word) => format!("says \"{word}\" for \"{}\"", t.term),
                None => format!("says \"{}\"", t.term),
            };
            t.said_at.map(|span| Evidence::example(span, said))
        })
        .collect();
    d.evidence.sort_by(|x, y| x.start.total_cmp(&y.start));
    d
}

/// 100 within the range that suits the question's kind, less the further
/// outside it.
fn length_score(fit: &QuestionFit, config: &ReportConfig) -> u8 {
    let [min, max] = fit.expected_s;
    match fit.length {
        LengthFit::Short if min > 0.0 => config.answer_short_ratio.score(fit.answer_s / min),
        LengthFit::Long if max > 0.0 => config.answer_long_ratio.score(fit.answer_s / max),
        _ => 100,
    }
}

/// STAR parts a kind of question calls for; none means structure is not
/// judged. Without a question, the answer is judged as a behavioural one,
/// the most common kind in interviews.
fn star_parts_expected(question: Option<&QuestionFit>) -> &'static [StarPart] {
    match question.map(|q| q.kind) {
        None | Some(QuestionKind::Behavioural) => &StarPart::ALL,
        // A plan: what you would do and what it would achieve.
        Some(QuestionKind::Situational) => &[StarPart::Action, StarPart::Result],
        Some(QuestionKind::Motivational | QuestionKind::General) => &[],
    }
}

pub(super) fn structure(a: &Analyses, config: &ReportConfig) -> Dimension {
    const TITLE: &str = "Structure (STAR)";
    let content = match worded(a, config) {
        Ok(c) => c,
        Err(reason) => return dimension("structure", TITLE, not_scored(reason)),
    };
    let expected = star_parts_expected(a.question.as_ref());
    if expected.is_empty() {
        let kind = a.question.as_ref().map_or("general", |q| q.kind.label());
        return dimension(
            "structure",
            TITLE,
            not_scored(format!(
                "STAR structure is for behavioural and situational questions; this was a {kind} question"
            )),
        );
    }
    let star = &content.star;
    let quantified = content.numbers.quantified_count;
    let found = expected.iter().filter(|p| star.found.contains(p)).count();
    let missing: Vec<&str> = expected
        .iter()
        .filter(|p| !star.found.contains(p))
        .map(|p| p.name())
        .collect();
    // The expected parts share 80 points; a quantified result earns 20 more.
    let score = (80 * found / expected.len() + if quantified > 0 { 20 } else { 0 }).min(100) as u8;
    let verdict = if missing.is_empty() {
        format!(
            "All {} expected STAR parts are there, with {quantified} quantified results.",
            expected.len()
        )
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
    let mut d = dimension("structure", TITLE, scored(score, verdict, tip));
    d.metrics.push(metric(
        "star_parts",
        "STAR parts found",
        found as f64,
        &format!("of {}", expected.len()),
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
        .filter(|p| expected.contains(&p.part))
        .map(|p| Evidence::example(p.first, format!("{} starts", p.part.name())))
        .chain(
            content
                .numbers
                .hits
                .iter()
                .filter(|n| n.quantified)
                .map(|n| Evidence::example(n.span, format!("quantified: \"{}\"", n.text))),
        )
        .collect();
    d.evidence.sort_by(|x, y| x.start.total_cmp(&y.start));
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fit(kind: QuestionKind, answer_s: f64) -> QuestionFit {
        let expected_s = candor_content::AnswerLengths::default().of(kind);
        QuestionFit {
            question: "q".into(),
            kind,
            key_terms: vec![],
            matched_by_meaning: false,
            negative_words: vec![],
            coverage: None,
            answer_s,
            expected_s,
            length: LengthFit::of(answer_s, expected_s),
        }
    }

    #[test]
    fn length_scores_100_inside_the_range_and_falls_off_outside_it() {
        let config = ReportConfig::default();
        let score = |s| length_score(&fit(QuestionKind::Behavioural, s), &config);
        assert_eq!(score(60.0), 100);
        assert_eq!(score(120.0), 100);
        // Half the 60-s minimum; a quarter and less.
        assert_eq!(score(30.0), 40);
        assert_eq!(score(15.0), 10);
        assert_eq!(score(0.0), 10);
        // 1.5 and 2.5 times the 120-s maximum, and beyond.
        assert_eq!(score(180.0), 60);
        assert_eq!(score(300.0), 20);
        assert_eq!(score(3600.0), 20);
    }

    #[test]
    fn star_is_expected_in_full_for_behavioural_answers_only() {
        let expected = |kind| star_parts_expected(Some(&fit(kind, 60.0))).len();
        assert_eq!(star_parts_expected(None).len(), 4);
        assert_eq!(expected(QuestionKind::Behavioural), 4);
        assert_eq!(expected(QuestionKind::Situational), 2);
        assert_eq!(expected(QuestionKind::Motivational), 0);
        assert_eq!(expected(QuestionKind::General), 0);
    }
}
