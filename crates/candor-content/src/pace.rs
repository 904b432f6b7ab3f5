//! Speaking pace: overall, while speaking, over time, and the longest stretch
//! without a pause.

use candor_domain::Span;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::tokens::{finite_or, Token};
use crate::{ContentConfig, SpeechTiming};

/// Pace of one rolling window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PaceWindow {
    pub span: Span,
    /// Words whose midpoint falls in the window.
    pub words: usize,
    /// Words per minute of window length.
    pub wpm: f64,
}

/// A stretch of speech between two pauses of at least `run_break_pause_s`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SpeechRun {
    pub span: Span,
    pub duration_s: f64,
    pub words: usize,
}

/// How a pace compares with the reference ranges in [`ContentConfig`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PaceBand {
    /// Below `pace_drags_below_wpm`.
    Drags,
    /// Between dragging and clear.
    Slow,
    /// Within `pace_clear_min_wpm..=pace_clear_max_wpm`.
    Clear,
    /// Between clear and rushing.
    Fast,
    /// Above `pace_rushes_above_wpm`.
    Rushes,
}

impl PaceBand {
    pub fn of(wpm: f64, c: &ContentConfig) -> Self {
        if wpm < c.pace_drags_below_wpm {
            PaceBand::Drags
        } else if wpm < c.pace_clear_min_wpm {
            PaceBand::Slow
        } else if wpm <= c.pace_clear_max_wpm {
            PaceBand::Clear
        } else if wpm <= c.pace_rushes_above_wpm {
            PaceBand::Fast
        } else {
            PaceBand::Rushes
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Pace {
    /// Words said, filler sounds included.
    pub word_count: usize,
    /// From the first word's start to the last word's end; none without words.
    pub speech_span: Option<Span>,
    /// Words per minute over `speech_span`.
    pub overall_wpm: f64,
    /// Words per minute of speaking time (`SpeechTiming::speaking_time_s`,
    /// pauses excluded): how fast the words themselves come.
    pub articulation_wpm: f64,
    /// Band of `overall_wpm` against the language's ranges; none without words.
    pub band: Option<PaceBand>,
    /// Rolling windows of `pace_window_s`, every `pace_step_s`, covering the
    /// speech span (one shorter window when the speech is shorter).
    pub windows: Vec<PaceWindow>,
    /// The longest stretch without a pause of `run_break_pause_s` or more.
    pub longest_run: Option<SpeechRun>,
}

fn wpm(words: usize, seconds: f64) -> f64 {
    if seconds > 0.0 {
        words as f64 * 60.0 / seconds
    } else {
        0.0
    }
}

/// Word midpoints, sorted, for counting words in a time range.
struct Midpoints(Vec<f64>);

impl Midpoints {
    fn count(&self, span: Span) -> usize {
        self.0.partition_point(|&m| m <= span.end) - self.0.partition_point(|&m| m < span.start)
    }
}

/// `wpm_factor`: the language's typical rate as a multiple of English's, by
/// which the reference ranges in `config` (English) are scaled.
pub(crate) fn analyze(
    spoken: &[Token],
    timing: &SpeechTiming,
    config: &ContentConfig,
    wpm_factor: f64,
) -> Pace {
    let (Some(first), Some(last)) = (spoken.first(), spoken.last()) else {
        return Pace::default();
    };
    let speech = Span::new(first.span.start, last.span.end.max(first.span.start));
    let mut mids: Vec<f64> = spoken
        .iter()
        .map(|t| (t.span.start + t.span.end) / 2.0)
        .collect();
    mids.sort_by(f64::total_cmp);
    let mids = Midpoints(mids);
    let overall = wpm(spoken.len(), speech.duration());
    Pace {
        word_count: spoken.len(),
        speech_span: Some(speech),
        overall_wpm: overall,
        articulation_wpm: wpm(spoken.len(), finite_or(timing.speaking_time_s, 0.0)),
        band: Some(PaceBand::of(overall / wpm_factor, config)),
        windows: windows(speech, config.pace_window_s, config.pace_step_s)
            .into_iter()
            .map(|span| {
                let words = mids.count(span);
                PaceWindow {
                    span,
                    words,
                    wpm: wpm(words, span.duration()),
                }
            })
            .collect(),
        longest_run: longest_run(speech, &timing.pauses, config.run_break_pause_s).map(|span| {
            SpeechRun {
                span,
                duration_s: span.duration(),
                words: mids.count(span),
            }
        }),
    }
}

/// Full-length windows every `step` from the start, plus one ending exactly
/// at the end of speech so the last seconds are covered.
fn windows(speech: Span, window: f64, step: f64) -> Vec<Span> {
    if !(window > 0.0 && step > 0.0) || speech.duration() <= window {
        return vec![speech];
    }
    let mut out = Vec::new();
    let mut start = speech.start;
    while start + window <= speech.end + 1e-9 {
        out.push(Span::new(start, start + window));
        start += step;
    }
    if out.last().is_some_and(|w| w.end < speech.end - 1e-9) {
        out.push(Span::new(speech.end - window, speech.end));
    }
    out
}

/// The longest gap between pauses of at least `min_pause_s` inside `speech`.
fn longest_run(speech: Span, pauses: &[Span], min_pause_s: f64) -> Option<Span> {
    let mut cuts: Vec<Span> = pauses
        .iter()
        .filter(|p| p.start.is_finite() && p.end.is_finite() && p.duration() >= min_pause_s)
        .map(|p| Span::new(p.start.max(speech.start), p.end.min(speech.end)))
        .filter(|p| p.end > p.start)
        .collect();
    cuts.sort_by(|a, b| a.start.total_cmp(&b.start));
    let mut best: Option<Span> = None;
    let mut cursor = speech.start;
    let ends = cuts
        .iter()
        .map(|c| (c.start, c.end))
        .chain([(speech.end, speech.end)]);
    for (cut_start, cut_end) in ends {
        let run = Span::new(cursor, cut_start);
        if cut_start > cursor && best.is_none_or(|b| run.duration() > b.duration()) {
            best = Some(run);
        }
        cursor = cursor.max(cut_end);
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_cover_the_speech_with_full_length_windows() {
        let w = windows(Span::new(0.0, 62.0), 30.0, 5.0);
        assert_eq!(w.first(), Some(&Span::new(0.0, 30.0)));
        assert_eq!(w.last(), Some(&Span::new(32.0, 62.0)));
        assert!(w.iter().all(|s| (s.duration() - 30.0).abs() < 1e-9));
        assert_eq!(
            windows(Span::new(1.0, 11.0), 30.0, 5.0),
            vec![Span::new(1.0, 11.0)]
        );
    }

    #[test]
    fn longest_run_ignores_short_pauses_and_merges_overlaps() {
        let pauses = [
            Span::new(10.0, 10.3),
            Span::new(20.0, 21.0),
            Span::new(20.5, 22.0),
        ];
        let run = longest_run(Span::new(0.0, 30.0), &pauses, 0.5);
        assert_eq!(run, Some(Span::new(0.0, 20.0)));
    }
}
