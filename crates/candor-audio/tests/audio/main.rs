//! Known-truth tests of the audio analysis. Every fixture is generated in
//! the test, in a temporary directory, with espeak-ng, sox and ffmpeg.

mod json;
mod loudness;
mod memory;
mod pauses;
mod pitch;
mod quality;
mod streaming;
mod support;
