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
