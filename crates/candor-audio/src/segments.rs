//! Speech segments and the pauses between them, from frame decisions, and
//! the energy of the speech (for the SNR).
//!
//! A silence shorter than the minimum pause joins the speech around it; a
//! longer one closes the segment and, once speech resumes, is a pause.
//! Silence before the first and after the last segment is never a pause.
//!
//! A short burst without voicing between silences is a breath, a click or a
//! rustle, not speech: it is dropped, so that a breath in the middle of a
//! long pause does not split it into two short ones.

use candor_domain::Span;

use crate::analysis::{Pause, PauseKind, SpeechActivity};
use crate::vad::Decision;
use crate::{frame_time, AudioConfig, HOP_S};

/// Fewer voiced frames than this (50 ms) is no voiced sound at all: a
/// vowel lasts longer, and a noise may pass YIN's test in a frame or two.
const MIN_VOICED_FRAMES: u64 = 5;

struct Open {
    start: u64,
    /// One past the last speech frame.
    end: u64,
    power: f64,
    voiced: u64,
    /// End of the segment before, if any: the pause before this one starts
    /// there (known to be a pause once this segment proves to be speech).
    after: Option<u64>,
}

pub(crate) struct Segmenter {
    min_pause: u64,
    max_breath: u64,
    hesitation_s: f64,
    long_s: f64,
    open: Option<Open>,
    gap_frames: u64,
    gap_power: f64,
    closed_end: Option<u64>,
    segments: Vec<Span>,
    pauses: Vec<Pause>,
    speech: PowerSum,
}

/// A sum of frame block powers and the number of frames summed.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct PowerSum {
    pub(crate) power: f64,
    pub(crate) frames: u64,
}

impl PowerSum {
    /// Mean power per frame, `None` for no frames.
    pub(crate) fn mean(&self) -> Option<f64> {
        (self.frames > 0).then(|| self.power / self.frames as f64)
    }
}

impl Segmenter {
    pub(crate) fn new(config: &AudioConfig) -> Self {
        Self {
            min_pause: (config.min_pause_s / HOP_S).round() as u64,
            max_breath: (config.max_breath_s / HOP_S).round() as u64,
            hesitation_s: config.hesitation_pause_s,
            long_s: config.long_pause_s,
            open: None,
            gap_frames: 0,
            gap_power: 0.0,
            closed_end: None,
            segments: Vec::new(),
            pauses: Vec::new(),
            speech: PowerSum::default(),
        }
    }

    pub(crate) fn add(&mut self, decision: &Decision) {
        let (index, power) = (decision.frame.index, decision.frame.block_power);
        if !decision.speech {
            self.gap_frames += 1;
            self.gap_power += power;
            if self.gap_frames >= self.min_pause {
                self.close();
            }
            return;
        }
        let voiced = u64::from(decision.core && decision.frame.f0_hz.is_some());
        match &mut self.open {
            Some(open) => {
                // A short silence inside speech: breath, stop, comma.
                open.power += self.gap_power + power;
                open.end = index + 1;
                open.voiced += voiced;
            }
            None => {
                self.open = Some(Open {
                    start: index,
                    end: index + 1,
                    power,
                    voiced,
                    after: self.closed_end,
                });
            }
        }
        self.gap_frames = 0;
        self.gap_power = 0.0;
    }

    /// Ends the open segment, unless it was a breath: then the silence
    /// before it simply goes on.
    fn close(&mut self) {
        let Some(open) = self.open.take() else { return };
        let breath = open.voiced < MIN_VOICED_FRAMES && open.end - open.start <= self.max_breath;
        if !breath {
            if let Some(end) = open.after {
                self.pauses.push(self.pause(end, open.start));
            }
            self.segments
                .push(Span::new(frame_time(open.start), frame_time(open.end)));
            self.speech.power += open.power;
            self.speech.frames += open.end - open.start;
            self.closed_end = Some(open.end);
        }
    }

    fn pause(&self, from: u64, to: u64) -> Pause {
        let span = Span::new(frame_time(from), frame_time(to));
        let duration_s = frame_time(to - from);
        let kind = if duration_s >= self.long_s {
            PauseKind::Long
        } else if duration_s >= self.hesitation_s {
            PauseKind::Hesitation
        } else {
            PauseKind::Short
        };
        Pause {
            span,
            duration_s,
            kind,
        }
    }

    /// The speech found, and the power of its segments.
    pub(crate) fn finish(mut self, duration_s: f64) -> (SpeechActivity, PowerSum) {
        self.close();
        // The last frame may reach past the end of the audio.
        if let Some(last) = self.segments.last_mut() {
            last.end = last.end.min(duration_s);
        }
        let talk_time_s: f64 = self.segments.iter().map(Span::duration).sum();
        let (first, last) = match (self.segments.first(), self.segments.last()) {
            (Some(first), Some(last)) => (first.start, last.end),
            _ => (duration_s, duration_s),
        };
        let answer_s = last - first;
        let activity = SpeechActivity {
            speaking_time_ratio: if answer_s > 0.0 {
                talk_time_s / answer_s
            } else {
                0.0
            },
            talk_time_s,
            leading_silence_s: if self.segments.is_empty() {
                duration_s
            } else {
                first
            },
            trailing_silence_s: if self.segments.is_empty() {
                0.0
            } else {
                duration_s - last
            },
            segments: self.segments,
            pauses: self.pauses,
        };
        (activity, self.speech)
    }
}
