//! Types shared by every stage of the pipeline. No I/O lives here: these are
//! the values that flow from decoding to analysis to the report.

mod environment;
mod media;
mod transcript;
pub mod vision;

pub use environment::{Environment, InvalidEnvironment};
pub use media::{AudioStreamInfo, MediaInfo, VideoStreamInfo, VideoSummary};
pub use transcript::{Segment, Transcript, Word};

/// A stretch of the recording, in seconds from its start.
#[derive(
    Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct Span {
    pub start: f64,
    pub end: f64,
}

impl Span {
    pub fn new(start: f64, end: f64) -> Self {
        Self { start, end }
    }

    pub fn duration(&self) -> f64 {
        (self.end - self.start).max(0.0)
    }

    pub fn overlaps(&self, other: &Span) -> bool {
        self.start < other.end && other.start < self.end
    }
}
