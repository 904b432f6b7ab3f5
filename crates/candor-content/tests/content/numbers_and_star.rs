use candor_content::{NumberKind, StarEvidence, StarPart};

use crate::support::analyze_text;

fn numbers(text: &str) -> Vec<(String, f64, NumberKind, Option<String>)> {
    analyze_text(text)
        .numbers
        .hits
        .into_iter()
        .map(|h| (h.text, h.value, h.kind, h.unit))
        .collect()
}

fn n(
    text: &str,
    value: f64,
    kind: NumberKind,
    unit: Option<&str>,
) -> (String, f64, NumberKind, Option<String>) {
    (text.into(), value, kind, unit.map(Into::into))
}

#[test]
fn spoken_and_written_numbers_with_their_units() {
    use NumberKind::*;
    assert_eq!(
        numbers(
            "We cut costs by eighty percent, saved $40,000 in 2 weeks with five engineers. \
             Revenue grew 3x and latency fell 25% to 200 ms. One of them left in 2019."
        ),
        [
            n("eighty percent", 80.0, Percent, Some("percent")),
            n("$40,000", 40000.0, Currency, None),
            n("2 weeks", 2.0, Count, Some("weeks")),
            n("five engineers", 5.0, Count, Some("engineers")),
            n("3x", 3.0, Multiplier, None),
            n("25%", 25.0, Percent, None),
            n("200 ms", 200.0, Count, Some("ms")),
            n("2019", 2019.0, Plain, None),
        ]
    );
}

#[test]
fn compound_number_words_are_added_up() {
    use NumberKind::*;
    assert_eq!(
        numbers(
            "We saved forty thousand dollars and reached two hundred and fifty thousand users, \
             about forty-five percent more, with one team of three senior developers." // "one" alone is a pronoun
        ),
        [
            n("forty thousand dollars", 40000.0, Currency, Some("dollars")),
            n(
                "two hundred and fifty thousand users",
                250000.0,
                Count,
                Some("users")
            ),
            n("forty-five percent", 45.0, Percent, Some("percent")),
            n("three senior developers", 3.0, Count, Some("developers")),
        ]
    );
}

#[test]
fn a_percent_sign_written_as_its_own_word_still_counts() {
    assert_eq!(
        numbers("Churn fell 5 % this year."),
        [n("5%", 5.0, NumberKind::Percent, None)]
    );
}

#[test]
fn only_numbers_that_measure_an_outcome_are_quantified_results() {
    let a = analyze_text(
        "It took two weeks with five engineers. Two of them stayed. Sales rose 10 percent, \
         and we saved two weeks a quarter and cut the build to 5 minutes. \
         Three hours were saved on every release.",
    );
    let quantified: Vec<(&str, bool)> = a
        .numbers
        .hits
        .iter()
        .map(|h| (h.text.as_str(), h.quantified))
        .collect();
    assert_eq!(
        quantified,
        [
            ("two weeks", false),
            ("five engineers", false),
            ("Two", false),
            ("10 percent", true),
            ("two weeks", true),
            ("5 minutes", true),
            ("Three hours", true),
        ]
    );
    assert_eq!(a.numbers.quantified_count, 4);
}

#[test]
fn a_number_whisper_splits_at_its_thousands_is_one_number() {
    let a = analyze_text("We saved $40 ,000 dollars.");
    let hits: Vec<(&str, f64)> = a
        .numbers
        .hits
        .iter()
        .map(|h| (h.text.as_str(), h.value))
        .collect();
    assert_eq!(hits, [("$40,000 dollars", 40_000.0)]);
}

#[test]
fn a_well_formed_star_answer_has_all_parts_in_order() {
    let a = analyze_text(
        "At my last job we had a problem with slow releases. My goal was to cut release time. \
         I decided to automate the pipeline and I built a test suite. \
         As a result, releases went from two days to two hours, and failures dropped by 60%.",
    );
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
    assert!(a.star.missing.is_empty());
    let quantified = a
        .star
        .cues
        .iter()
        .filter(|c| c.evidence == StarEvidence::QuantifiedResult)
        .count();
    assert_eq!(quantified, 1);
    assert!(a.star.parts[0].first.start < a.star.parts[3].first.start);
}

#[test]
fn an_answer_without_structure_has_no_star_parts() {
    let a = analyze_text(
        "I really enjoy working with people and I am a hard worker who is passionate about \
         technology and learning new things every day.",
    );
    assert!(a.star.found.is_empty());
    assert_eq!(a.star.missing.len(), 4);
    assert!(!a.star.complete && !a.star.in_order);
}

#[test]
fn results_told_before_the_situation_are_out_of_order() {
    let a = analyze_text("As a result, we shipped on time. The situation was that we were late. I decided to cut scope.");
    assert_eq!(
        a.star.found,
        [StarPart::Result, StarPart::Situation, StarPart::Action]
    );
    assert!(!a.star.in_order && !a.star.complete);
    assert_eq!(a.star.missing, [StarPart::Task]);
}
