//! Turning Whisper's words (" Um,", " 80%.", " $40,000") into normalised
//! tokens that know whether a comma, a sentence end or a pause follows them.

use candor_domain::{Span, Transcript};

use crate::SpeechTiming;

/// One spoken word, normalised, with the evidence around it.
#[derive(Debug, Clone)]
pub(crate) struct Token {
    /// Lower case, leading/trailing punctuation removed, straight apostrophes.
    pub norm: String,
    /// The word as transcribed, whitespace trimmed.
    pub raw: String,
    pub span: Span,
    /// Index of the word in `Transcript::words()`.
    pub word_index: usize,
    /// A filler sound ("um", "uhh").
    pub sound: bool,
    /// Written with a currency sign ("$40,000").
    pub currency: bool,
    /// Written with a percent sign ("80%").
    pub percent: bool,
    /// Followed by ".", "?" or "!".
    pub sentence_end: bool,
    /// Followed by punctuation, a pause, a filler sound or the end of speech.
    pub break_after: bool,
    /// First word, or preceded by a break.
    pub break_before: bool,
    /// First word, or the previous sentence ended or a pause precedes it.
    pub sentence_start: bool,
}

/// The transcript as tokens: `spoken` has every word (for pace and filler
/// sounds); `words` leaves filler sounds out, so that phrases are matched
/// across them ("my task was to, uh, make" still holds "my task was").
#[derive(Debug, Default)]
pub(crate) struct Text {
    pub spoken: Vec<Token>,
    pub words: Vec<Token>,
}

/// What a raw word says once its punctuation is read.
#[derive(Debug, PartialEq)]
pub(crate) struct Normalized {
    pub norm: String,
    pub currency: bool,
    pub percent: bool,
    pub brk: bool,
    pub sentence_end: bool,
}

pub(crate) fn normalize(raw: &str) -> Normalized {
    let text = raw.trim().replace(['\u{2019}', '\u{2018}'], "'");
    let alnum = |c: char| c.is_alphanumeric();
    let (lead, core, trail) = match (text.find(alnum), text.rfind(alnum)) {
        (Some(a), Some(b)) => {
            let e = b + text[b..].chars().next().map_or(1, char::len_utf8);
            (&text[..a], &text[a..e], &text[e..])
        }
        // Bare punctuation (" ...", " %") is all trail: it marks the word before.
        _ => ("", "", text.as_str()),
    };
    let ellipsis = trail.contains("...") || trail.contains('\u{2026}');
    let sentence_end = !ellipsis && trail.contains(['.', '?', '!']);
    Normalized {
        norm: core.to_lowercase(),
        currency: lead.contains(['$', '\u{20ac}', '\u{a3}', '\u{a5}']),
        percent: trail.contains('%'),
        brk: sentence_end
            || ellipsis
            || trail.contains([',', ';', ':', '-', '\u{2013}', '\u{2014}']),
        sentence_end,
    }
}

/// Collapses runs of one letter ("ummm" → "um", "hmmm" → "hm") so that any
/// spelling of a filler sound matches its listed form.
pub(crate) fn collapse_repeats(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        if !out.ends_with(c) {
            out.push(c);
        }
    }
    out
}

/// A finite, non-negative time, or `fallback`.
pub(crate) fn finite_or(t: f64, fallback: f64) -> f64 {
    if t.is_finite() && t >= 0.0 {
        t
    } else {
        fallback
    }
}

impl Text {
    pub fn new(
        transcript: &Transcript,
        timing: &SpeechTiming,
        is_sound: impl Fn(&str) -> bool,
        break_pause_s: f64,
    ) -> Self {
        let mut spoken: Vec<Token> = Vec::new();
        for (word_index, word) in transcript.words().enumerate() {
            let n = normalize(&word.text);
            if let Some(prev) = spoken
                .last_mut()
                .filter(|p| continues_number(p, &word.text))
            {
                // " 40" ",000": one number split in two words.
                prev.norm.push_str(&n.norm);
                prev.raw.push_str(word.text.trim());
                prev.span.end = finite_or(word.end, prev.span.end).max(prev.span.end);
                prev.break_after = n.brk;
                prev.sentence_end = n.sentence_end;
                prev.percent |= n.percent;
                continue;
            }
            if n.norm.is_empty() {
                // Bare punctuation: it belongs to the word before it.
                if let Some(prev) = spoken.last_mut() {
                    prev.break_after |= n.brk;
                    prev.sentence_end |= n.sentence_end;
                    if n.percent {
                        // " 80", "%": the sign is the number's, shown with it.
                        prev.percent = true;
                        prev.raw.push('%');
                    }
                }
                continue;
            }
            let prev_end = spoken.last().map_or(0.0, |t| t.span.end);
            let start = finite_or(word.start, prev_end);
            let end = finite_or(word.end, start).max(start);
            spoken.push(Token {
                sound: is_sound(&n.norm),
                norm: n.norm,
                raw: word.text.trim().to_string(),
                span: Span::new(start, end),
                word_index,
                currency: n.currency,
                percent: n.percent,
                sentence_end: n.sentence_end,
                break_after: n.brk,
                break_before: false,
                sentence_start: false,
            });
        }
        let paused = pauses_between(&spoken, timing, break_pause_s);
        let last = spoken.len().saturating_sub(1);
        for i in 0..spoken.len() {
            let pause_before = i > 0 && paused[i - 1];
            let (prev_break, prev_end) = match i {
                0 => (true, true),
                _ => (
                    spoken[i - 1].break_after || paused[i - 1],
                    spoken[i - 1].sentence_end,
                ),
            };
            let t = &mut spoken[i];
            t.break_after |= i == last || paused.get(i).copied().unwrap_or(false);
            t.break_before = prev_break;
            t.sentence_start = prev_end || pause_before;
        }
        let words = without_sounds(&spoken);
        Self { spoken, words }
    }
}

/// Whether `raw` (",000", ".5") continues the number `prev` ended with: its
/// thousands or decimals, written as a word of its own.
fn continues_number(prev: &Token, raw: &str) -> bool {
    let raw = raw.trim();
    let digits = raw.strip_prefix([',', '.']).unwrap_or("");
    prev.norm.ends_with(|c: char| c.is_ascii_digit())
        && !prev.break_after
        && digits.starts_with(|c: char| c.is_ascii_digit())
}

/// For each gap between consecutive words, whether a pause of at least
/// `min_s` falls in it. Whisper's word times drift around silences, so a pause
/// belongs to the gap when its midpoint lies between the two words' midpoints.
fn pauses_between(spoken: &[Token], timing: &SpeechTiming, min_s: f64) -> Vec<bool> {
    let mut mids: Vec<f64> = timing
        .pauses
        .iter()
        .filter(|p| p.start.is_finite() && p.end.is_finite() && p.duration() >= min_s)
        .map(|p| (p.start + p.end) / 2.0)
        .collect();
    mids.sort_by(f64::total_cmp);
    let mid = |t: &Token| (t.span.start + t.span.end) / 2.0;
    spoken
        .windows(2)
        .map(|w| {
            let (a, b) = (mid(&w[0]), mid(&w[1]));
            let first = mids.partition_point(|&m| m < a);
            mids.get(first).is_some_and(|&m| m <= b)
        })
        .collect()
}

/// The words with filler sounds removed. A removed sound acts as a break on
/// both sides ("like, um, this" and "like um this" read alike), and a
/// sentence start or end carries over it.
fn without_sounds(spoken: &[Token]) -> Vec<Token> {
    let mut words: Vec<Token> = Vec::with_capacity(spoken.len());
    let mut run_start: Option<usize> = None; // first sound of the current run
    for (i, t) in spoken.iter().enumerate() {
        if t.sound {
            run_start.get_or_insert(i);
            if let Some(prev) = words.last_mut() {
                prev.break_after = true;
                prev.sentence_end |= t.sentence_end;
            }
            continue;
        }
        let mut w = t.clone();
        if let Some(j) = run_start.take() {
            w.break_before = true;
            w.sentence_start |= spoken[j].sentence_start;
        }
        words.push(w);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whisper_words_are_normalised_with_their_punctuation() {
        let n = normalize(" Um,");
        assert_eq!(
            (n.norm.as_str(), n.brk, n.sentence_end),
            ("um", true, false)
        );
        let n = normalize(" 80%.");
        assert_eq!(
            (n.norm.as_str(), n.percent, n.sentence_end),
            ("80", true, true)
        );
        let n = normalize(" $40,000");
        assert_eq!(
            (n.norm.as_str(), n.currency, n.brk),
            ("40,000", true, false)
        );
        let n = normalize(" Don\u{2019}t");
        assert_eq!(n.norm, "don't");
        let n = normalize(" so...");
        assert_eq!((n.brk, n.sentence_end), (true, false));
        let n = normalize(" ...");
        assert_eq!((n.norm.as_str(), n.brk), ("", true));
        assert!(normalize("%").percent);
        assert_eq!(normalize("").norm, "");
    }

    #[test]
    fn repeated_letters_collapse() {
        assert_eq!(collapse_repeats("ummmm"), "um");
        assert_eq!(collapse_repeats("hmm"), "hm");
        assert_eq!(collapse_repeats("uhh"), "uh");
    }
}
