//! Matching cue phrases against the token stream, with the context rules the
//! lexicon gives them.

use std::collections::{HashMap, HashSet};

use candor_domain::Span;

use crate::tokens::Token;

/// One compiled cue: its normalised words and context rules.
#[derive(Debug, Clone)]
pub(crate) struct Cue {
    pub words: Vec<String>,
    /// Words that, directly before the cue with no break between, make the
    /// cue something else ("I like", "this kind of").
    pub not_after: HashSet<String>,
    /// Only at the start of a sentence ("So, ..." but not "and so on").
    pub sentence_initial: bool,
}

/// A list of cues, looked up by first word, longest cue first.
#[derive(Debug, Clone, Default)]
pub(crate) struct CueSet {
    cues: Vec<Cue>,
    by_first: HashMap<String, Vec<usize>>,
}

/// Where a cue matched: `len` tokens from `first`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct CueMatch {
    pub first: usize,
    pub len: usize,
}

impl CueMatch {
    pub fn last(&self) -> usize {
        self.first + self.len - 1
    }

    /// The matched words, normalised, joined by spaces.
    pub fn text(&self, words: &[Token]) -> String {
        let parts: Vec<&str> = words[self.first..=self.last()]
            .iter()
            .map(|t| t.norm.as_str())
            .collect();
        parts.join(" ")
    }

    pub fn span(&self, words: &[Token]) -> Span {
        Span::new(words[self.first].span.start, words[self.last()].span.end)
    }
}

impl CueSet {
    pub fn new(mut cues: Vec<Cue>) -> Self {
        cues.sort_by_key(|c| std::cmp::Reverse(c.words.len()));
        let mut by_first: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, cue) in cues.iter().enumerate() {
            by_first.entry(cue.words[0].clone()).or_default().push(i);
        }
        Self { cues, by_first }
    }

    /// The length of the longest cue that matches at `i` in its context.
    /// With `need_break_after`, the cue must be followed by a comma, a pause,
    /// a filler sound or the end of speech: how discourse markers are set off.
    pub fn match_at(&self, words: &[Token], i: usize, need_break_after: bool) -> Option<usize> {
        let candidates = self.by_first.get(&words.get(i)?.norm)?;
        candidates.iter().map(|&c| &self.cues[c]).find_map(|cue| {
            let n = cue.words.len();
            let toks = words.get(i..i + n)?;
            let same = toks.iter().zip(&cue.words).all(|(t, w)| t.norm == *w);
            // A phrase never spans a sentence end ("... you. Know ..." is not "you know").
            let one_sentence = toks[..n - 1].iter().all(|t| !t.sentence_end);
            let governed =
                i > 0 && !toks[0].break_before && cue.not_after.contains(&words[i - 1].norm);
            let ok = same
                && one_sentence
                && !governed
                && (!cue.sentence_initial || toks[0].sentence_start)
                && (!need_break_after || toks[n - 1].break_after);
            ok.then_some(n)
        })
    }

    /// All matches, left to right, never overlapping each other or a position
    /// already marked in `taken` (which is updated).
    pub fn find_all(
        &self,
        words: &[Token],
        need_break_after: bool,
        taken: &mut [bool],
    ) -> Vec<CueMatch> {
        let mut found = Vec::new();
        let mut i = 0;
        while i < words.len() {
            let hit = self
                .match_at(words, i, need_break_after)
                .filter(|&len| !taken[i..i + len].iter().any(|&t| t));
            match hit {
                Some(len) => {
                    taken[i..i + len].iter_mut().for_each(|t| *t = true);
                    found.push(CueMatch { first: i, len });
                    i += len;
                }
                None => i += 1,
            }
        }
        found
    }
}
