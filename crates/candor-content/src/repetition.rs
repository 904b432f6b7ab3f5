//! Repetition: stumbles ("I I", "the the"), phrases leaned on ("at the end of
//! the day" three times) and content words used too often.

use std::collections::HashMap;

use candor_domain::Span;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::tokens::Token;
use crate::{ContentConfig, Lexicon};

/// The same word said twice or more in a row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ImmediateRepeat {
    pub word: String,
    /// How many times in a row (2 for "I I").
    pub times: usize,
    pub span: Span,
    /// Index of the first of the repeated words in `Transcript::words()`.
    pub word_index: usize,
}

/// A 2–4-word phrase (by default) used at least `phrase_min_count` times.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RepeatedPhrase {
    pub phrase: String,
    /// Occurrences that do not overlap each other.
    pub count: usize,
    pub spans: Vec<Span>,
}

/// A content word (not a stop word) used often enough to stand out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OverusedWord {
    pub word: String,
    pub count: usize,
    /// Share of all words, 0..1.
    pub share: f64,
    pub spans: Vec<Span>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Repetition {
    pub immediate: Vec<ImmediateRepeat>,
    /// Most used first.
    pub phrases: Vec<RepeatedPhrase>,
    /// Most used first.
    pub overused_words: Vec<OverusedWord>,
}

fn is_wordlike(norm: &str) -> bool {
    norm.chars().any(char::is_alphabetic)
}

pub(crate) fn analyze(words: &[Token], lexicon: &Lexicon, config: &ContentConfig) -> Repetition {
    Repetition {
        immediate: immediate(words, lexicon),
        phrases: phrases(words, lexicon, config),
        overused_words: overused(words, lexicon, config),
    }
}

/// Runs of one word, within a sentence, except grammatical doubles.
fn immediate(words: &[Token], lexicon: &Lexicon) -> Vec<ImmediateRepeat> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let mut j = i + 1;
        while j < words.len() && words[j].norm == words[i].norm && !words[j - 1].sentence_end {
            j += 1;
        }
        let w = &words[i];
        if j - i >= 2 && is_wordlike(&w.norm) && !lexicon.repeat_allowed.contains(&w.norm) {
            out.push(ImmediateRepeat {
                word: w.norm.clone(),
                times: j - i,
                span: Span::new(w.span.start, words[j - 1].span.end),
                word_index: w.word_index,
            });
        }
        i = j;
    }
    out
}

fn phrases(words: &[Token], lexicon: &Lexicon, config: &ContentConfig) -> Vec<RepeatedPhrase> {
    // (phrase, n, non-overlapping start positions)
    let mut found: Vec<(Vec<&str>, Vec<usize>)> = Vec::new();
    for n in config.phrase_min_words.max(1)..=config.phrase_max_words {
        let mut starts: HashMap<Vec<&str>, Vec<usize>> = HashMap::new();
        for (i, gram) in words.windows(n).enumerate() {
            let in_sentence = gram[..n - 1].iter().all(|t| !t.sentence_end);
            let has_content = gram
                .iter()
                .any(|t| is_wordlike(&t.norm) && !lexicon.stop_words.contains(&t.norm));
            if in_sentence && has_content {
                starts
                    .entry(gram.iter().map(|t| t.norm.as_str()).collect())
                    .or_default()
                    .push(i);
            }
        }
        for (gram, positions) in starts {
            let mut kept: Vec<usize> = Vec::new();
            for p in positions {
                if kept.last().is_none_or(|&k| p >= k + n) {
                    kept.push(p);
                }
            }
            if kept.len() >= config.phrase_min_count.max(2) {
                found.push((gram, kept));
            }
        }
    }
    // A phrase that only occurs inside a longer repeated phrase adds nothing.
    let contains = |long: &[&str], short: &[&str]| long.windows(short.len()).any(|w| w == short);
    let mut out: Vec<RepeatedPhrase> = found
        .iter()
        .filter(|(g, k)| {
            !found
                .iter()
                .any(|(h, hk)| h.len() > g.len() && hk.len() >= k.len() && contains(h, g))
        })
        .map(|(g, k)| RepeatedPhrase {
            phrase: g.join(" "),
            count: k.len(),
            spans: k
                .iter()
                .map(|&p| Span::new(words[p].span.start, words[p + g.len() - 1].span.end))
                .collect(),
        })
        .collect();
    out.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then(a.spans[0].start.total_cmp(&b.spans[0].start))
    });
    out
}

fn overused(words: &[Token], lexicon: &Lexicon, config: &ContentConfig) -> Vec<OverusedWord> {
    let mut uses: HashMap<&str, Vec<Span>> = HashMap::new();
    for t in words {
        if is_wordlike(&t.norm) && !lexicon.stop_words.contains(&t.norm) {
            uses.entry(&t.norm).or_default().push(t.span);
        }
    }
    let total = words.len().max(1) as f64;
    let mut out: Vec<OverusedWord> = uses
        .into_iter()
        .filter(|(_, s)| {
            s.len() >= config.overused_min_count
                && s.len() as f64 / total >= config.overused_min_share
        })
        .map(|(w, spans)| OverusedWord {
            word: w.to_string(),
            count: spans.len(),
            share: spans.len() as f64 / total,
            spans,
        })
        .collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then(a.word.cmp(&b.word)));
    out
}
