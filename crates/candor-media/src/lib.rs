//! Media in: probe a recording, check it against limits, then decode it in
//! one streaming pass that delivers 16 kHz mono audio chunks and sampled,
//! scaled BGR frames to a [`MediaSink`].
//!
//! ```no_run
//! # use candor_media::*;
//! # fn run(sink: &mut dyn MediaSink) -> Result<(), MediaError> {
//! let media = probe(MediaSource::path("answer.webm"), &MediaLimits::default())?;
//! println!("{:.1} s", media.info().duration_s);
//! let stats = media.decode(&DecodeOptions::default(), sink)?;
//! # Ok(()) }
//! ```
//!
//! FFmpeg is used in-process through `ffmpeg-next`; the few raw FFI calls
//! (custom AVIO over any `Read + Seek`) are confined to one module.

mod audio;
mod decode;
mod error;
mod ffi;
mod frame_stats;
mod limits;
mod probe;
mod source;
mod video;

pub use audio::{GAP_FILL_THRESHOLD_S, MAX_FILLED_GAP_S};
pub use decode::{
    AudioChunk, AudioGap, DecodeOptions, DecodeStats, MediaSink, VideoFrame, AUDIO_SAMPLE_RATE,
    MAX_LISTED_AUDIO_GAPS, PROGRESS_INTERVAL_S,
};
pub use error::{Limit, MediaError};
pub use frame_stats::{mean_luma, FrameStats, FrameStatsConfig};
pub use limits::MediaLimits;
pub use probe::{probe, ProbedMedia};
pub use source::{MediaSource, ReadSeek};
