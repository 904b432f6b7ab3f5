//! Words and their times from CTranslate2's token alignment.
//!
//! `align` runs dynamic time warping over the decoder's cross-attention (the
//! alignment heads in config.json) and returns a path of (token, encoder
//! frame) steps; a token starts at the first frame the path reaches it. We
//! group tokens into words as openai/whisper does: a new word starts at a
//! token that begins with a space or is punctuation, punctuation is then glued
//! back to its neighbour, and a word's probability is the mean of its tokens'.

use ct2rs::sys::WhisperAlignmentResult;

use crate::vocab::Vocabulary;

/// Encoder frames per second: 100 mel frames/s, halved by the encoder's stride.
const TOKENS_PER_SECOND: f64 = 50.0;
/// Glued to the following word (openai/whisper `prepend_punctuations`).
const PREPEND: &str = "\"'“¿([{-";
/// Glued to the preceding word (openai/whisper `append_punctuations`).
const APPEND: &str = "\"'.。,，!！?？:：”)]}、";
/// A word this long after a sentence end is a pause swallowed by the word.
const SENTENCE_END: &str = ".。!！?？";

/// A word with times in seconds from the start of its window.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TimedWord {
    pub text: String,
    /// How many of the window's text tokens this word spans.
    pub n_tokens: usize,
    pub start: f64,
    pub end: f64,
    pub probability: f32,
}

/// Languages written without spaces: every character (complete UTF-8 run of
/// tokens) is a word (openai/whisper's list).
pub(crate) fn splits_on_characters(language: &str) -> bool {
    matches!(language, "zh" | "ja" | "th" | "lo" | "my" | "yue")
}

/// Runs of tokens that decode to complete UTF-8 text (a multi-byte character
/// may be split across tokens).
fn subwords(vocab: &Vocabulary, tokens: &[usize]) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    let (mut bytes, mut count) = (Vec::new(), 0);
    for &t in tokens {
        bytes.extend(vocab.bytes(t));
        count += 1;
        if let Ok(s) = std::str::from_utf8(&bytes) {
            out.push((s.to_owned(), count));
            bytes.clear();
            count = 0;
        }
    }
    if count > 0 {
        out.push((String::from_utf8_lossy(&bytes).into_owned(), count));
    }
    out
}

fn is_punctuation(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_punctuation())
}

/// Splits text tokens into words: (text, token count).
pub(crate) fn split_words(
    vocab: &Vocabulary,
    tokens: &[usize],
    by_character: bool,
) -> Vec<(String, usize)> {
    let subs = subwords(vocab, tokens);
    if by_character {
        return subs;
    }
    let mut words: Vec<(String, usize)> = Vec::new();
    for (text, n) in subs {
        let starts_new = text.starts_with(' ') || is_punctuation(text.trim());
        match words.last_mut() {
            Some(last) if !starts_new => {
                last.0.push_str(&text);
                last.1 += n;
            }
            _ => words.push((text, n)),
        }
    }
    words
}

/// Times each word of `tokens` from the alignment of `tokens` (+ the implicit
/// end-of-text token, whose start closes the last word).
pub(crate) fn time_words(
    vocab: &Vocabulary,
    tokens: &[usize],
    alignment: &WhisperAlignmentResult,
    by_character: bool,
) -> Vec<TimedWord> {
    let n = tokens.len();
    let mut first_frame: Vec<Option<i64>> = vec![None; n + 1];
    for step in &alignment.alignments {
        if let Some(slot) = usize::try_from(step.token_x)
            .ok()
            .and_then(|i| first_frame.get_mut(i))
        {
            slot.get_or_insert(step.frame_x);
        }
    }
    // A token the path never reached inherits its predecessor's time.
    let mut times = Vec::with_capacity(n + 1);
    let mut last = 0i64;
    for f in first_frame {
        last = f.unwrap_or(last);
        times.push(last as f64 / TOKENS_PER_SECOND);
    }
    let mut words = Vec::new();
    let mut at = 0;
    for (text, count) in split_words(vocab, tokens, by_character) {
        let probs = alignment
            .text_token_probs
            .get(at..at + count)
            .unwrap_or(&[]);
        let probability = if probs.is_empty() {
            0.0
        } else {
            probs.iter().sum::<f32>() / probs.len() as f32
        };
        words.push(TimedWord {
            text,
            n_tokens: count,
            start: times[at],
            end: times[at + count],
            probability,
        });
        at += count;
    }
    merge_punctuation(words)
}

fn merge_punctuation(words: Vec<TimedWord>) -> Vec<TimedWord> {
    // Opening marks join the word after them …
    let mut merged: Vec<TimedWord> = Vec::with_capacity(words.len());
    let mut pending: Option<TimedWord> = None;
    for mut w in words {
        if let Some(p) = pending.take() {
            w.text = p.text + &w.text;
            w.n_tokens += p.n_tokens;
        }
        let trimmed = w.text.trim();
        if w.text.starts_with(' ')
            && !trimmed.is_empty()
            && trimmed.chars().all(|c| PREPEND.contains(c))
        {
            pending = Some(w);
        } else {
            merged.push(w);
        }
    }
    merged.extend(pending);
    // … closing marks join the word before them.
    let mut out: Vec<TimedWord> = Vec::with_capacity(merged.len());
    for w in merged {
        match out.last_mut() {
            Some(prev)
                if !prev.text.ends_with(' ')
                    && !w.text.is_empty()
                    && w.text.chars().all(|c| APPEND.contains(c)) =>
            {
                prev.text.push_str(&w.text);
                prev.n_tokens += w.n_tokens;
            }
            _ => out.push(w),
        }
    }
    out
}

/// Median word duration, capped at 0.7 s (openai/whisper), over words with
/// non-zero duration; 0 when there are none.
pub(crate) fn median_duration(words: &[TimedWord]) -> f64 {
    let mut d: Vec<f64> = words
        .iter()
        .map(|w| w.end - w.start)
        .filter(|&d| d > 0.0)
        .collect();
    if d.is_empty() {
        return 0.0;
    }
    d.sort_by(f64::total_cmp);
    let m = if d.len() % 2 == 1 {
        d[d.len() / 2]
    } else {
        (d[d.len() / 2 - 1] + d[d.len() / 2]) / 2.0
    };
    m.min(0.7)
}

/// Words longer than twice the median at a sentence boundary have swallowed a
/// pause: trim sentence-final punctuation words from the end and
/// sentence-initial words from the start (openai/whisper's heuristic).
pub(crate) fn trim_long_words_at_sentence_ends(words: &mut [TimedWord], median: f64) {
    if median <= 0.0 {
        return;
    }
    let max = 2.0 * median;
    for i in 1..words.len() {
        if words[i].end - words[i].start <= max {
            continue;
        }
        let ends_sentence = |w: &TimedWord| {
            w.text
                .trim()
                .chars()
                .last()
                .is_some_and(|c| SENTENCE_END.contains(c))
        };
        if ends_sentence(&words[i]) {
            words[i].end = words[i].start + max;
        } else if ends_sentence(&words[i - 1]) {
            words[i].start = words[i].end - max;
        }
    }
}
