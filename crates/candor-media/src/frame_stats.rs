//! The first, simplest consumer of sampled frames: how many, how bright.

use candor_domain::VideoSummary;
use serde::{Deserialize, Serialize};

use crate::decode::VideoFrame;

/// Thresholds of [`FrameStats`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FrameStatsConfig {
    /// Mean luma (0..255) under which a frame counts as too dark. 40 is
    /// roughly where a face stops being visible in webcam footage (a dim
    /// room renders at 30–50); keep it in step with `VideoSummary`'s doc.
    pub dark_luma: f64,
}

impl Default for FrameStatsConfig {
    fn default() -> Self {
        Self { dark_luma: 40.0 }
    }
}

/// Accumulates a [`VideoSummary`] over the frames of one pass, in constant memory.
#[derive(Debug, Clone)]
pub struct FrameStats {
    config: FrameStatsConfig,
    sample_fps: f64,
    frames: u64,
    luma_sum: f64,
    dark: u64,
    size: (u32, u32),
}

impl FrameStats {
    /// `sample_fps` is the rate the frames were sampled at ([`crate::DecodeOptions::fps`]).
    pub fn new(sample_fps: f64, config: FrameStatsConfig) -> Self {
        Self {
            config,
            sample_fps,
            frames: 0,
            luma_sum: 0.0,
            dark: 0,
            size: (0, 0),
        }
    }

    /// Adds a frame and returns its mean luma.
    pub fn push(&mut self, frame: &VideoFrame) -> f64 {
        let luma = mean_luma(frame);
        self.frames += 1;
        self.luma_sum += luma;
        self.dark += u64::from(luma < self.config.dark_luma);
        self.size = (frame.width, frame.height);
        luma
    }

    pub fn finish(&self) -> VideoSummary {
        let n = self.frames.max(1) as f64;
        VideoSummary {
            frames_sampled: self.frames,
            sample_fps: self.sample_fps,
            frame_width: self.size.0,
            frame_height: self.size.1,
            mean_brightness: self.luma_sum / n,
            dark_frame_ratio: self.dark as f64 / n,
        }
    }
}

/// Mean luma of a BGR24 frame with the ITU-R BT.601 weights
/// (Y = 0.299 R + 0.587 G + 0.114 B), 0..255; 0 for an empty frame.
pub fn mean_luma(frame: &VideoFrame) -> f64 {
    let pixels = frame.data.chunks_exact(3);
    let count = pixels.len();
    if count == 0 {
        return 0.0;
    }
    // Integer weights (x1000) keep the sum exact and fast.
    let sum: u64 = pixels
        .map(|p| 114 * u64::from(p[0]) + 587 * u64::from(p[1]) + 299 * u64::from(p[2]))
        .sum();
    sum as f64 / 1000.0 / count as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn solid(b: u8, g: u8, r: u8) -> VideoFrame {
        VideoFrame {
            t: 0.0,
            width: 4,
            height: 2,
            data: [b, g, r].repeat(8),
        }
    }

    #[test]
    fn luma_uses_bt601_weights_in_bgr_order() {
        assert!((mean_luma(&solid(0, 0, 255)) - 76.245).abs() < 1e-9);
        assert!((mean_luma(&solid(255, 0, 0)) - 29.07).abs() < 1e-9);
        assert!((mean_luma(&solid(128, 128, 128)) - 128.0).abs() < 1e-9);
    }

    #[test]
    fn summary_counts_dark_frames() {
        let mut stats = FrameStats::new(5.0, FrameStatsConfig::default());
        stats.push(&solid(10, 10, 10));
        stats.push(&solid(200, 200, 200));
        let summary = stats.finish();
        assert_eq!(summary.frames_sampled, 2);
        assert_eq!((summary.frame_width, summary.frame_height), (4, 2));
        assert!((summary.mean_brightness - 105.0).abs() < 1e-9);
        assert!((summary.dark_frame_ratio - 0.5).abs() < 1e-9);
    }
}
