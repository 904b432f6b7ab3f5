//! Numbers and quantified results: digits ("80%", "$40,000", "2") and
//! number words ("eighty percent", "forty thousand dollars", "two weeks"),
//! with the unit, percent sign or currency that makes them a measurement.

use candor_domain::Span;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::tokens::Token;
use crate::Lexicon;

/// What a number measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum NumberKind {
    /// A bare number ("in 2019", "two of them").
    Plain,
    /// A number with a unit ("five engineers", "two weeks").
    Count,
    /// "eighty percent", "80%".
    Percent,
    /// "$40,000", "forty thousand dollars".
    Currency,
    /// "three times", "10x".
    Multiplier,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct NumberHit {
    /// The words as said, e.g. "forty thousand dollars", "$40,000".
    pub text: String,
    /// The number's value (40000 for "forty thousand dollars").
    pub value: f64,
    pub kind: NumberKind,
    /// The unit word, normalised ("weeks", "percent", "dollars"), if any.
    pub unit: Option<String>,
    /// It measures an outcome: a percentage, an amount of money, a
    /// multiplier, or an amount with a unit shortly after an outcome word
    /// ("saved two weeks", "cut it to 3 hours"). Plain counts ("five
    /// engineers", "two weeks later") describe the situation as often as
    /// the result, so they do not count.
    pub quantified: bool,
    pub span: Span,
    /// Index of the first word in `Transcript::words()`.
    pub word_index: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Numbers {
    pub count: usize,
    /// Hits with `quantified` set.
    pub quantified_count: usize,
    pub hits: Vec<NumberHit>,
}

fn small(word: &str) -> Option<f64> {
    const ONES: [&str; 20] = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
    ];
    const TENS: [&str; 8] = [
        "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    ];
    if let Some(i) = ONES.iter().position(|w| *w == word) {
        return Some(i as f64);
    }
    TENS.iter()
        .position(|w| *w == word)
        .map(|i| (i as f64 + 2.0) * 10.0)
}

fn scale(word: &str) -> Option<f64> {
    match word {
        "hundred" => Some(1e2),
        "thousand" => Some(1e3),
        "million" => Some(1e6),
        "billion" => Some(1e9),
        _ => None,
    }
}

/// A number written in digits: "40,000", "1.5", "40k", "10x". Ordinals
/// ("3rd") are not quantities and give `None`.
fn digits(norm: &str) -> Option<(f64, bool)> {
    let (body, multiplier, factor) = match norm.char_indices().last()? {
        (i, 'k') => (&norm[..i], false, 1e3),
        (i, 'x') => (&norm[..i], true, 1.0),
        _ => (norm, false, 1.0),
    };
    let value: f64 = body.replace(',', "").parse().ok()?;
    value.is_finite().then_some((value * factor, multiplier))
}

/// Running total of a spoken number ("two hundred and fifty thousand").
#[derive(Default)]
struct WordNumber {
    total: f64,
    current: f64,
    parts: usize,
}

impl WordNumber {
    /// Takes one word (or hyphenated "forty-five"); false if it is not part of
    /// a number.
    fn push(&mut self, word: &str) -> bool {
        let parts: Vec<&str> = word.split('-').collect();
        if !parts
            .iter()
            .all(|p| small(p).is_some() || scale(p).is_some())
        {
            return false;
        }
        for p in parts {
            if let Some(v) = small(p) {
                self.current += v;
            } else if p == "hundred" {
                self.current = self.current.max(1.0) * 100.0;
            } else if let Some(s) = scale(p) {
                self.total += self.current.max(1.0) * s;
                self.current = 0.0;
            }
            self.parts += 1;
        }
        true
    }

    fn value(&self) -> f64 {
        self.total + self.current
    }
}

/// The number starting at `i`: (value, tokens used, written as a multiplier,
/// can stand alone). "one" and "a hundred"-style starts only count with a
/// unit, since "one" is mostly a pronoun ("the one that ...").
fn number_at(words: &[Token], i: usize) -> Option<(f64, usize, bool, bool)> {
    let first = &words[i];
    if first.norm.starts_with(|c: char| c.is_ascii_digit()) {
        let (mut value, multiplier) = digits(&first.norm)?;
        let mut len = 1;
        // "40 thousand", "1.5 million"
        if let Some(s) = words.get(i + 1).and_then(|t| scale(&t.norm)) {
            if !first.break_after {
                value *= s;
                len = 2;
            }
        }
        return Some((value, len, multiplier, true));
    }
    let mut n = WordNumber::default();
    let mut len = 0;
    // "a hundred", "a thousand"
    if first.norm == "a" && words.get(i + 1).is_some_and(|t| scale(&t.norm).is_some()) {
        n.current = 1.0;
        len = 1;
    }
    while let Some(t) = words.get(i + len) {
        // "two hundred and fifty", but not "two and three".
        let joins = t.norm == "and"
            && len > 0
            && scale(&words[i + len - 1].norm).is_some()
            && words
                .get(i + len + 1)
                .is_some_and(|next| small(&next.norm).is_some());
        if joins {
            len += 1;
            continue;
        }
        if !n.push(&t.norm) {
            break;
        }
        len += 1;
        if t.break_after {
            break;
        }
    }
    // A trailing "and" belongs to the sentence, not the number.
    while len > 0 && words[i + len - 1].norm == "and" {
        len -= 1;
    }
    let standalone = n.parts > 1 || (n.parts == 1 && first.norm != "one" && first.norm != "a");
    (n.parts > 0).then_some((n.value(), len, false, standalone))
}

/// Words before an amount that make it an outcome, at most this far back
/// ("reduced the build time to 5 minutes") ...
const OUTCOME_REACH: usize = 4;
/// ... or this far after it, where the verb follows ("three hours were
/// saved", German "2 Wochen gespart").
const OUTCOME_REACH_AFTER: usize = 2;

/// Whether an outcome word comes shortly before the amount `first..end` or
/// shortly after it, in its sentence.
fn near_outcome_word(words: &[Token], first: usize, end: usize, lexicon: &Lexicon) -> bool {
    let outcome = |j: usize| lexicon.outcome_words.match_at(words, j, false).is_some();
    let before = (first.saturating_sub(OUTCOME_REACH)..first)
        .rev()
        .take_while(|&j| !words[j].sentence_end)
        .any(outcome);
    let after = (end..(end + OUTCOME_REACH_AFTER).min(words.len()))
        .take_while(|&j| !words[j - 1].sentence_end)
        .any(outcome);
    before || after
}

pub(crate) fn find(words: &[Token], lexicon: &Lexicon) -> Numbers {
    let mut hits = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let Some((value, len, multiplier, standalone)) = number_at(words, i) else {
            i += 1;
            continue;
        };
        let last = &words[i + len - 1];
        let after = i + len;
        let unit_at = |cues: &crate::cues::CueSet, at: usize| {
            (!words[at - 1].sentence_end)
                .then(|| cues.match_at(words, at, false))
                .flatten()
        };
        // (kind, unit first token, unit length)
        let mut unit: Option<(NumberKind, usize, usize)> = None;
        if after < words.len() {
            let typed = [
                (NumberKind::Percent, &lexicon.percent_words),
                (NumberKind::Currency, &lexicon.currency_words),
                (NumberKind::Multiplier, &lexicon.multiplier_words),
                (NumberKind::Count, &lexicon.units),
            ];
            unit = typed
                .iter()
                .find_map(|(k, cues)| unit_at(cues, after).map(|n| (*k, after, n)));
            // "five senior engineers": one describing word between.
            let between = &words[after];
            if unit.is_none()
                && !last.break_after
                && after + 1 < words.len()
                && !between.break_after
                && !lexicon.stop_words.contains(&between.norm)
                && number_at(words, after).is_none()
            {
                unit =
                    unit_at(&lexicon.units, after + 1).map(|n| (NumberKind::Count, after + 1, n));
            }
        }
        let kind = if last.percent {
            Some(NumberKind::Percent)
        } else if words[i].currency {
            Some(NumberKind::Currency)
        } else if multiplier {
            Some(NumberKind::Multiplier)
        } else {
            unit.map(|u| u.0)
        };
        if kind.is_none() && !standalone {
            i += len;
            continue;
        }
        let end = unit.map_or(i + len, |(_, at, n)| at + n);
        let quantified = match kind {
            Some(NumberKind::Percent | NumberKind::Currency | NumberKind::Multiplier) => true,
            Some(NumberKind::Count) => near_outcome_word(words, i, end, lexicon),
            _ => false,
        };
        let raw: Vec<&str> = words[i..end].iter().map(|t| t.raw.as_str()).collect();
        hits.push(NumberHit {
            text: raw
                .join(" ")
                .trim_end_matches(['.', ',', ';', ':', '!', '?'])
                .to_string(),
            value,
            kind: kind.unwrap_or(NumberKind::Plain),
            unit: unit.map(|(_, at, n)| {
                let unit_words: Vec<&str> =
                    words[at..at + n].iter().map(|t| t.norm.as_str()).collect();
                unit_words.join(" ")
            }),
            quantified,
            span: Span::new(words[i].span.start, words[end - 1].span.end),
            word_index: words[i].word_index,
        });
        i = end;
    }
    Numbers {
        count: hits.len(),
        quantified_count: hits.iter().filter(|h| h.quantified).count(),
        hits,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_read_thousands_separators_and_suffixes() {
        assert_eq!(digits("40,000"), Some((40000.0, false)));
        assert_eq!(digits("1.5"), Some((1.5, false)));
        assert_eq!(digits("40k"), Some((40000.0, false)));
        assert_eq!(digits("10x"), Some((10.0, true)));
        assert_eq!(digits("3rd"), None);
    }

    #[test]
    fn spoken_numbers_add_up() {
        let mut n = WordNumber::default();
        for w in ["two", "hundred", "fifty", "thousand"] {
            assert!(n.push(w));
        }
        assert_eq!(n.value(), 250_000.0);
        let mut n = WordNumber::default();
        assert!(n.push("forty-five"));
        assert!(!n.push("engineers"));
        assert_eq!(n.value(), 45.0);
    }
}
