//! Cuts the sample stream into 10-ms frames and measures each: level and F0.
//!
//! Frame `k` owns the samples `[k·HOP, (k+1)·HOP)`; its level is measured
//! over 20 ms centred on them and its pitch over YIN's 30-ms window centred
//! on them. Frames depend only on sample positions, never on how the caller
//! chunked the stream, and the buffer holds one frame's context (under
//! 50 ms), whatever the recording's length.

use crate::pitch::Yin;
use crate::{AudioConfig, HOP};

/// Samples of context before a frame's own block: half of YIN's window
/// minus half a hop, so that YIN's window is centred on the block.
const LEAD: usize = Yin::WINDOW / 2 - HOP / 2;
/// The level window: the frame's block and half a hop either side.
const LEVEL_START: usize = LEAD - HOP / 2;
const LEVEL_LEN: usize = 2 * HOP;

/// What one frame measured.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Frame {
    pub(crate) index: u64,
    /// Level over the 20-ms window, dBFS, clamped to the configured floor.
    pub(crate) level_db: f64,
    /// Mean power of the frame's own 10-ms block (blocks tile the signal,
    /// so sums of it are energies).
    pub(crate) block_power: f64,
    /// F0, Hz, when the frame is loud enough to be speech and periodic.
    pub(crate) f0_hz: Option<f64>,
}

pub(crate) struct Framer {
    buf: Vec<f32>,
    need: usize,
    next: u64,
    yin: Yin,
    floor_db: f64,
    pitch_gate_db: f64,
}

impl Framer {
    pub(crate) fn new(config: &AudioConfig) -> Self {
        let yin = Yin::new(config);
        // YIN's window starts at the head of the buffer and is the longest read.
        let need = yin.span();
        let mut buf = Vec::with_capacity(need);
        // The stream starts mid-window for the first frames: pad with silence.
        buf.resize(LEAD, 0.0);
        Self {
            buf,
            need,
            next: 0,
            yin,
            floor_db: config.level_floor_dbfs,
            // YIN costs most of the CPU time; frames too quiet to be speech
            // are never voiced speech, so skip them.
            pitch_gate_db: config.vad_min_speech_dbfs,
        }
    }

    pub(crate) fn push(&mut self, mut samples: &[f32], sink: &mut impl FnMut(Frame)) {
        while !samples.is_empty() {
            let take = (self.need - self.buf.len()).min(samples.len());
            self.buf.extend_from_slice(&samples[..take]);
            samples = &samples[take..];
            if self.buf.len() == self.need {
                sink(self.measure());
            }
        }
    }

    /// Measures the frames that own the last samples, padding with silence.
    pub(crate) fn finish(&mut self, total_samples: u64, sink: &mut impl FnMut(Frame)) {
        let frames = total_samples.div_ceil(HOP as u64);
        while self.next < frames {
            self.buf.resize(self.need, 0.0);
            sink(self.measure());
        }
    }

    /// Measures the frame at the head of a full buffer and slides by a hop.
    fn measure(&mut self) -> Frame {
        let level = &self.buf[LEVEL_START..LEVEL_START + LEVEL_LEN];
        let block = &self.buf[LEAD..LEAD + HOP];
        let power = mean_square(level);
        let level_db = (10.0 * power.log10()).max(self.floor_db);
        let f0_hz = if level_db > self.pitch_gate_db {
            self.yin.estimate(&self.buf)
        } else {
            None
        };
        let frame = Frame {
            index: self.next,
            level_db,
            block_power: mean_square(block),
            f0_hz,
        };
        self.next += 1;
        self.buf.drain(..HOP);
        frame
    }
}

fn mean_square(x: &[f32]) -> f64 {
    x.iter().map(|&s| f64::from(s) * f64::from(s)).sum::<f64>() / x.len() as f64
}
