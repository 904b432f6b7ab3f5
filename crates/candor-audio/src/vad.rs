//! Voice activity per frame: an energy detector whose thresholds float on a
//! local noise floor, with two-threshold hysteresis and a short hangover.
//!
//! The noise floor of a frame is a low percentile of the frame levels in a
//! window centred on it, so a recording that starts mid-sentence or whose
//! room noise drifts is still judged against its own background. Decisions
//! therefore lag the input by half a window; the window is the only state
//! that scales with it, and not with the recording's length.

use std::collections::VecDeque;

use crate::frames::Frame;
use crate::{AudioConfig, HOP_S};

/// The noise floor is re-estimated every this many frames (100 ms): the
/// floor moves slowly, and the percentile is the costly part.
const NOISE_EVERY: u64 = 10;

/// A frame with its verdict.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Decision {
    pub(crate) frame: Frame,
    /// Speech, hangover included.
    pub(crate) speech: bool,
    /// Speech in its own right: above the thresholds, not hangover.
    pub(crate) core: bool,
    /// The local noise floor the frame was judged against, dBFS.
    pub(crate) noise_db: f64,
}

pub(crate) struct Vad {
    half: u64,
    percentile: f64,
    onset_db: f64,
    offset_db: f64,
    min_speech_db: f64,
    min_run: usize,
    hangover: u32,
    /// Frames from `next - half` to `next + half` (fewer at the edges).
    window: VecDeque<Frame>,
    next: u64,
    noise_db: f64,
    hang_left: u32,
    scratch: Vec<f64>,
}

impl Vad {
    pub(crate) fn new(config: &AudioConfig) -> Self {
        let frames = |s: f64| (s / HOP_S).round();
        let half = frames(config.noise_window_s) as u64;
        Self {
            half,
            percentile: config.noise_percentile,
            onset_db: config.vad_onset_db,
            offset_db: config.vad_offset_db,
            min_speech_db: config.vad_min_speech_dbfs,
            min_run: frames(config.vad_min_run_s).max(1.0) as usize,
            hangover: frames(config.vad_hangover_s) as u32,
            window: VecDeque::with_capacity(2 * half as usize + 2),
            next: 0,
            noise_db: config.level_floor_dbfs,
            hang_left: 0,
            scratch: Vec::with_capacity(2 * half as usize + 1),
        }
    }

    pub(crate) fn push(&mut self, frame: Frame, sink: &mut impl FnMut(Decision)) {
        let newest = frame.index;
        self.window.push_back(frame);
        if newest >= self.next + self.half {
            self.decide(sink);
        }
    }

    /// Decides the frames still waiting for their look-ahead.
    pub(crate) fn finish(&mut self, sink: &mut impl FnMut(Decision)) {
        while self
            .window
            .back()
            .is_some_and(|last| last.index >= self.next)
        {
            self.decide(sink);
        }
    }

    fn decide(&mut self, sink: &mut impl FnMut(Decision)) {
        while self
            .window
            .front()
            .is_some_and(|f| f.index + self.half < self.next)
        {
            self.window.pop_front();
        }
        let Some(front) = self.window.front() else {
            return;
        };
        let pos = (self.next - front.index) as usize;
        if self.next % NOISE_EVERY == 0 {
            self.noise_db = self.noise_floor();
        }
        let core = self.is_core(pos);
        let speech = if core {
            self.hang_left = self.hangover;
            true
        } else if self.hang_left > 0 {
            self.hang_left -= 1;
            true
        } else {
            false
        };
        sink(Decision {
            frame: self.window[pos],
            speech,
            core,
            noise_db: self.noise_db,
        });
        self.next += 1;
    }

    fn noise_floor(&mut self) -> f64 {
        self.scratch.clear();
        self.scratch.extend(self.window.iter().map(|f| f.level_db));
        let rank = ((self.percentile / 100.0) * (self.scratch.len() - 1) as f64).round() as usize;
        *self.scratch.select_nth_unstable_by(rank, f64::total_cmp).1
    }

    /// Two-threshold hysteresis: a frame is speech when it is above the
    /// lower threshold and belongs to a run of such frames that is long
    /// enough and rises above the upper threshold somewhere. The run is
    /// searched in both directions, so a word's weak onset is kept too.
    fn is_core(&self, pos: usize) -> bool {
        let low = (self.noise_db + self.offset_db).max(self.min_speech_db);
        let high = (self.noise_db + self.onset_db).max(self.min_speech_db);
        let above = |i: usize| self.window[i].level_db > low;
        if !above(pos) {
            return false;
        }
        let first = (0..pos)
            .rev()
            .take_while(|&i| above(i))
            .last()
            .unwrap_or(pos);
        let last = (pos + 1..self.window.len())
            .take_while(|&i| above(i))
            .last()
            .unwrap_or(pos);
        last - first + 1 >= self.min_run && (first..=last).any(|i| self.window[i].level_db > high)
    }
}
