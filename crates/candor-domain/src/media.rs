use serde::{Deserialize, Serialize};

/// What probing a recording found, before any decoding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct MediaInfo {
    /// Container format as FFmpeg names it, e.g. "mov,mp4,m4a,3gp,3g2,mj2".
    pub container: String,
    pub duration_s: f64,
    /// Size of the input in bytes, when the source knows it.
    pub size_bytes: Option<u64>,
    pub audio: Option<AudioStreamInfo>,
    pub video: Option<VideoStreamInfo>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AudioStreamInfo {
    pub codec: String,
    pub sample_rate: u32,
    pub channels: u16,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct VideoStreamInfo {
    pub codec: String,
    pub width: u32,
    pub height: u32,
    /// Average frame rate, frames per second.
    pub fps: f64,
}

/// What the first, simple consumer of sampled frames measured. The vision
/// analysis (faces, gaze, framing) builds on the same frame stream.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct VideoSummary {
    pub frames_sampled: u64,
    /// The rate frames were sampled at, frames per second.
    pub sample_fps: f64,
    /// Size of the sampled (scaled) frames.
    pub frame_width: u32,
    pub frame_height: u32,
    /// Mean luma over all sampled frames, 0..255.
    pub mean_brightness: f64,
    /// Share of sampled frames whose mean luma is under 40 (too dark to judge).
    pub dark_frame_ratio: f64,
}
