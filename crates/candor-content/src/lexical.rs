//! Hedges, power words and negative words: cue lists matched as they are.

use candor_domain::Span;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::cues::{CueMatch, CueSet};
use crate::tokens::Token;

/// One matched word or phrase.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PhraseHit {
    /// The normalised words matched, e.g. "i think".
    pub text: String,
    /// When it was said, seconds.
    pub span: Span,
    /// Index of its first word in `Transcript::words()`.
    pub word_index: usize,
}

impl PhraseHit {
    pub(crate) fn new(m: &CueMatch, words: &[Token]) -> Self {
        Self {
            text: m.text(words),
            span: m.span(words),
            word_index: words[m.first].word_index,
        }
    }
}

/// All hits of one list.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PhraseHits {
    pub count: usize,
    /// Hits per minute of recording.
    pub per_minute: f64,
    pub hits: Vec<PhraseHit>,
}

impl PhraseHits {
    /// Matches `cues` outside the positions already `taken` (by fillers;
    /// positions past the end of `taken` are free).
    pub(crate) fn find(cues: &CueSet, words: &[Token], taken: &[bool], minutes: f64) -> Self {
        let mut taken = taken.to_vec();
        taken.resize(words.len(), false);
        let hits: Vec<PhraseHit> = cues
            .find_all(words, false, &mut taken)
            .iter()
            .map(|m| PhraseHit::new(m, words))
            .collect();
        Self {
            count: hits.len(),
            per_minute: crate::per_minute(hits.len(), minutes),
            hits,
        }
    }
}
