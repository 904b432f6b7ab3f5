//! Filler detection. A false positive ("I *like* this") costs more than a
//! miss, so every filler word needs evidence that it is a discourse marker:
//!
//! * Filler sounds (um, uh, er, ah, hmm, mm and their spellings) always count.
//! * Filler words and phrases (like, you know, I mean, sort of, kind of,
//!   basically, actually, literally) count only when set off from what
//!   follows: a comma or other punctuation from Whisper, a pause of at least
//!   `break_pause_s` from the audio, a filler sound, or the end of speech.
//!   "I mean that ..." and "you know what I mean" are not set off, so they are
//!   content; "I mean, ..." and "you know, ..." are fillers.
//! * Each may name governing words (`not_after` in the lexicon) that, directly
//!   before it with no break between, make it content: "I like", "would like",
//!   "looks like", "just like" (verb / comparison); "this kind of", "a sort
//!   of", "what kind of" (noun phrase); "what I mean", "do you know".
//!   "like a ..." as a comparison has no break after "like", so it never counts.
//! * "so" and "well" count only at the start of a sentence (first word, after
//!   ".", "?", "!" or a pause) and set off ("So, ...", "Well, ...").

use candor_domain::Span;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::tokens::Text;
use crate::{per_minute, ContentConfig, Lexicon};

/// What kind of filler a hit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FillerCategory {
    /// A hesitation sound: "um", "uh", "hmm".
    Sound,
    /// A single filler word: "like", "basically", sentence-initial "so".
    Word,
    /// A filler phrase: "you know", "I mean", "sort of".
    Phrase,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FillerHit {
    /// The normalised filler, e.g. "um", "you know".
    pub text: String,
    pub category: FillerCategory,
    /// When it was said, seconds.
    pub span: Span,
    /// Index of its first word in `Transcript::words()`.
    pub word_index: usize,
}

/// At least `filler_cluster_min` fillers within one `filler_cluster_window_s`
/// window; clusters do not overlap.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FillerCluster {
    /// From the first filler's start to the last one's end, seconds.
    pub span: Span,
    pub count: usize,
}

/// How the filler rate compares with the reference rates in [`ContentConfig`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FillerBand {
    /// At or below `filler_fluent_per_min`.
    Fluent,
    /// Between the fluent and hesitant rates.
    Noticeable,
    /// At or above `filler_hesitant_per_min`.
    Hesitant,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FillerAnalysis {
    pub count: usize,
    /// Fillers per minute of recording (`SpeechTiming::duration_s`).
    pub per_minute: f64,
    pub band: FillerBand,
    /// In the order they were said.
    pub hits: Vec<FillerHit>,
    pub clusters: Vec<FillerCluster>,
}

/// Finds the fillers. Also returns which of `text.words` are fillers, so that
/// the same words are not counted again as hedges.
pub(crate) fn detect(
    text: &Text,
    lexicon: &Lexicon,
    config: &ContentConfig,
    minutes: f64,
) -> (FillerAnalysis, Vec<bool>) {
    let mut hits: Vec<FillerHit> = text
        .spoken
        .iter()
        .filter(|t| t.sound)
        .map(|t| FillerHit {
            text: t.norm.clone(),
            category: FillerCategory::Sound,
            span: t.span,
            word_index: t.word_index,
        })
        .collect();
    let mut taken = vec![false; text.words.len()];
    for m in lexicon.fillers.find_all(&text.words, true, &mut taken) {
        hits.push(FillerHit {
            text: m.text(&text.words),
            category: if m.len == 1 {
                FillerCategory::Word
            } else {
                FillerCategory::Phrase
            },
            span: m.span(&text.words),
            word_index: text.words[m.first].word_index,
        });
    }
    hits.sort_by_key(|h| h.word_index);
    let rate = per_minute(hits.len(), minutes);
    let band = if rate <= config.filler_fluent_per_min {
        FillerBand::Fluent
    } else if rate >= config.filler_hesitant_per_min {
        FillerBand::Hesitant
    } else {
        FillerBand::Noticeable
    };
    let analysis = FillerAnalysis {
        count: hits.len(),
        per_minute: rate,
        band,
        clusters: clusters(
            &hits,
            config.filler_cluster_min,
            config.filler_cluster_window_s,
        ),
        hits,
    };
    (analysis, taken)
}

/// Groups of at least `min` fillers that fit in one `window_s` window,
/// found greedily from the earliest filler so that clusters do not overlap
/// and none is longer than the window: each points at one moment to replay.
fn clusters(hits: &[FillerHit], min: usize, window_s: f64) -> Vec<FillerCluster> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < hits.len() {
        let limit = hits[i].span.start + window_s;
        let n = hits[i..].iter().take_while(|h| h.span.end <= limit).count();
        if n >= min.max(1) {
            out.push(FillerCluster {
                span: Span::new(hits[i].span.start, hits[i + n - 1].span.end),
                count: n,
            });
            i += n;
        } else {
            i += 1;
        }
    }
    out
}
