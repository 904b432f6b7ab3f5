//! Vocabulary richness.

use std::collections::HashMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::tokens::Token;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Vocabulary {
    /// Words counted (filler sounds and bare numbers left out).
    pub words: usize,
    pub unique_words: usize,
    /// unique / words, 0..1. Falls as an answer gets longer, so it only
    /// compares answers of similar length.
    pub type_token_ratio: f64,
    /// Moving-average type-token ratio (Covington & McFall 2010): the mean
    /// ratio over every `mattr_window`-word window, 0..1; independent of
    /// length. Equals `type_token_ratio` when the answer is shorter than one
    /// window.
    pub mattr: f64,
    /// The window used, words.
    pub mattr_window: usize,
}

pub(crate) fn analyze(tokens: &[Token], window: usize) -> Vocabulary {
    let words: Vec<&str> = tokens
        .iter()
        .map(|t| t.norm.as_str())
        .filter(|w| w.chars().any(char::is_alphabetic))
        .collect();
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for w in &words {
        *counts.entry(w).or_default() += 1;
    }
    let ttr = if words.is_empty() {
        0.0
    } else {
        counts.len() as f64 / words.len() as f64
    };
    Vocabulary {
        words: words.len(),
        unique_words: counts.len(),
        type_token_ratio: ttr,
        mattr: if window == 0 || words.len() <= window {
            ttr
        } else {
            mattr(&words, window)
        },
        mattr_window: window,
    }
}

/// Slides a `window`-word window one word at a time, keeping the count of
/// distinct words in it up to date (O(n)).
fn mattr(words: &[&str], window: usize) -> f64 {
    let mut in_window: HashMap<&str, usize> = HashMap::new();
    for w in &words[..window] {
        *in_window.entry(w).or_default() += 1;
    }
    let mut sum = in_window.len() as f64;
    for i in window..words.len() {
        *in_window.entry(words[i]).or_default() += 1;
        let out = words[i - window];
        if let Some(c) = in_window.get_mut(out) {
            *c -= 1;
            if *c == 0 {
                in_window.remove(out);
            }
        }
        sum += in_window.len() as f64;
    }
    let windows = (words.len() - window + 1) as f64;
    sum / windows / window as f64
}
