//! Stretches of time where a per-frame condition holds, built as frames
//! stream in, keeping only the longest few so memory stays flat.

use candor_domain::Span;

/// Turns a stream of (time, condition) into spans. A frame's condition
/// holds until the next frame's time; gaps of at most `bridge_s` (a missed
/// detection, a stray frame) do not split a span.
#[derive(Debug, Clone)]
pub(crate) struct SpanTracker {
    min_duration_s: f64,
    bridge_s: f64,
    keep: usize,
    open: Option<Span>,
    previous_true: bool,
    /// The longest spans so far, at most `keep`.
    kept: Vec<Span>,
}

impl SpanTracker {
    pub fn new(min_duration_s: f64, bridge_s: f64, keep: usize) -> Self {
        SpanTracker {
            min_duration_s,
            bridge_s,
            keep,
            open: None,
            previous_true: false,
            kept: Vec::new(),
        }
    }

    pub fn push(&mut self, t: f64, holds: bool) {
        if self.previous_true {
            if let Some(open) = self.open.as_mut() {
                open.end = t;
            }
        }
        self.previous_true = holds;
        match self.open {
            Some(open) if holds && t - open.end > self.bridge_s => {
                self.close();
                self.open = Some(Span::new(t, t));
            }
            Some(open) if !holds && t - open.end > self.bridge_s => self.close(),
            None if holds => self.open = Some(Span::new(t, t)),
            _ => {}
        }
    }

    fn close(&mut self) {
        let Some(span) = self.open.take() else {
            return;
        };
        self.add(span);
    }

    /// Takes a finished span (kept when long enough, and while among the
    /// longest `keep`).
    pub fn add(&mut self, span: Span) {
        if span.duration() < self.min_duration_s {
            return;
        }
        self.kept.push(span);
        if self.kept.len() > self.keep {
            self.kept
                .sort_by(|a, b| b.duration().total_cmp(&a.duration()));
            self.kept.truncate(self.keep);
        }
    }

    /// The spans, longest first; `end_t` is when the last frame ends.
    pub fn finish_longest_first(mut self, end_t: f64) -> Vec<Span> {
        self.push(end_t, false);
        self.close();
        self.kept
            .sort_by(|a, b| b.duration().total_cmp(&a.duration()));
        self.kept
    }

    /// The spans in time order; `end_t` is when the last frame ends.
    pub fn finish_in_order(self, end_t: f64) -> Vec<Span> {
        let mut spans = self.finish_longest_first(end_t);
        spans.sort_by(|a, b| a.start.total_cmp(&b.start));
        spans
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(flags: &[bool], tracker: SpanTracker) -> Vec<Span> {
        let mut tracker = tracker;
        for (i, &f) in flags.iter().enumerate() {
            tracker.push(i as f64 * 0.2, f);
        }
        tracker.finish_in_order(flags.len() as f64 * 0.2)
    }

    #[test]
    fn a_run_of_frames_becomes_one_span_ending_at_the_next_frame() {
        let flags = [false, true, true, true, false, false];
        let spans = run(&flags, SpanTracker::new(0.0, 0.0, 10));
        assert_eq!(spans.len(), 1);
        assert!((spans[0].start - 0.2).abs() < 1e-9 && (spans[0].end - 0.8).abs() < 1e-9);
    }

    #[test]
    fn a_single_missed_frame_is_bridged_and_short_spans_are_dropped() {
        let flags = [true, true, false, true, true, false, false, false, true];
        let spans = run(&flags, SpanTracker::new(0.3, 0.25, 10));
        assert_eq!(spans.len(), 1, "{spans:?}");
        assert!((spans[0].end - 1.0).abs() < 1e-9);
    }

    #[test]
    fn only_the_longest_spans_are_kept_and_a_span_open_at_the_end_is_closed() {
        let mut flags = Vec::new();
        for len in [2, 5, 3, 4] {
            flags.extend(std::iter::repeat_n(true, len));
            flags.extend([false, false]);
        }
        flags.extend([true; 6]);
        let mut tracker = SpanTracker::new(0.0, 0.0, 2);
        for (i, &f) in flags.iter().enumerate() {
            tracker.push(i as f64, f);
        }
        let spans = tracker.finish_longest_first(flags.len() as f64);
        let lengths: Vec<f64> = spans.iter().map(Span::duration).collect();
        assert_eq!(lengths, vec![6.0, 5.0]);
    }
}
