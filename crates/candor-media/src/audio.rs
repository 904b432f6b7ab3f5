//! Audio half of the pass: decode, resample to 16 kHz mono f32, cut into
//! chunks of a fixed size.
//!
//! # Gaps in the timestamps
//!
//! Audio whose timestamps jump forward is handled in two ways, by length:
//!
//! - A short gap (over [`GAP_FILL_THRESHOLD_S`], up to [`MAX_FILLED_GAP_S`])
//!   is filled with silence, so that sample positions keep matching media
//!   time: a dropped packet, a stalled microphone, audio starting a moment
//!   after the video. The silence is streamed chunk by chunk like decoded
//!   audio; nothing is allocated in proportion to the gap.
//! - A longer gap is left out: the audio after it follows the audio before
//!   it directly, and the jump is counted in [`DecodeStats`] (where, how
//!   long) so that a report can say "the audio skips 2998 s at 0:02".
//!   Filling it would turn a 45-KB file into 50 minutes of silence for
//!   every later stage to chew (the transcriber, the voice analysis); a
//!   real pause in an interview answer is never minutes long, so a jump
//!   that long is a recording paused and resumed, concatenated files, or a
//!   crafted input, and none of them has anything to analyse in the gap.
//!
//! Alignment with the video: the video's frame times are its own
//! timestamps, never shifted. After a left-out gap the delivered audio runs
//! behind the timestamps by the time skipped. When only the audio jumped
//! (its timestamps are wrong, the video's continuous) that keeps the two in
//! step; when both jumped (a paused recording), audio positions after the
//! gap are earlier than the frames they were recorded with, by the listed
//! `skipped_s`. The decoded-duration limit applies to each stream's own
//! delivered time.

use std::ops::ControlFlow;

use ffmpeg::format::{sample::Type as SampleType, Sample};
use ffmpeg::software::resampling;
use ffmpeg::{codec::decoder, frame, ChannelLayout, Packet, Stream};
use ffmpeg_next as ffmpeg;

use crate::decode::{
    decode_packet, flow, seconds, AudioChunk, AudioGap, DecodeOptions, DecodeStats, MediaSink,
    TimeLimit, AUDIO_SAMPLE_RATE, MAX_LISTED_AUDIO_GAPS,
};
use crate::error::MediaError;
use crate::ffi;

/// A forward jump in the audio timestamps larger than this is a gap;
/// smaller jitter (encoder priming, rounding) is left alone.
pub const GAP_FILL_THRESHOLD_S: f64 = 0.1;

/// Gaps up to this long are filled with silence, longer ones left out (see
/// the module docs). Longer than any pause a candidate makes while
/// answering (a pause over ~2.5 s already reads as long: the Candor
/// heuristic behind the pauses dimension), so a
/// real pause that lost its packets still shows as one.
pub const MAX_FILLED_GAP_S: f64 = 5.0;

pub(crate) struct AudioPipeline {
    decoder: decoder::Audio,
    frame: frame::Audio,
    out: AudioOut,
}

/// Everything after the decoder: resampling, gap handling, chunking.
struct AudioOut {
    time_base: f64,
    origin: f64,
    limit: TimeLimit,
    resampler: Option<Resampler>,
    /// Samples not yet delivered: fewer than one chunk between frames, plus
    /// at most one resampled frame while a frame is being handled.
    pending: Vec<f32>,
    /// Index of the first sample in `pending`.
    next_sample: u64,
    chunk_samples: usize,
    /// Seconds of timestamp jumps left out so far: subtracted from later
    /// timestamps so that they line up with the delivered samples again.
    collapsed_s: f64,
}

struct Resampler {
    input: (Sample, u16, u32),
    context: resampling::Context,
}

impl AudioPipeline {
    pub(crate) fn new(
        decoder: decoder::Audio,
        stream: &Stream,
        origin: f64,
        options: &DecodeOptions,
        limit: TimeLimit,
    ) -> Self {
        let out = AudioOut {
            time_base: f64::from(stream.time_base()),
            origin,
            limit,
            resampler: None,
            pending: Vec::with_capacity(options.audio_chunk_samples * 2),
            next_sample: 0,
            chunk_samples: options.audio_chunk_samples,
            collapsed_s: 0.0,
        };
        Self {
            decoder,
            frame: frame::Audio::empty(),
            out,
        }
    }

    /// Decodes `packet` (or flushes, with `None`) and delivers every full
    /// chunk; at the end of the stream also the last, shorter one.
    pub(crate) fn push(
        &mut self,
        packet: Option<&Packet>,
        sink: &mut dyn MediaSink,
        stats: &mut DecodeStats,
    ) -> Result<(), MediaError> {
        let out = &mut self.out;
        let mut bad_packets = 0;
        let decoded = decode_packet(
            &mut self.decoder,
            packet,
            &mut self.frame,
            &mut bad_packets,
            |f| out.convert(f, sink, stats),
        );
        stats.bad_packets += bad_packets;
        decoded?;
        if packet.is_none() {
            if let Some(r) = &mut out.resampler {
                ffi::resample(&mut r.context, None, &mut out.pending).map_err(internal)?;
            }
            out.limit.check(out.produced_s())?;
        }
        out.deliver(sink, stats, packet.is_none())
    }
}

impl AudioOut {
    /// Samples produced so far: delivered plus pending.
    fn produced(&self) -> u64 {
        self.next_sample + self.pending.len() as u64
    }

    fn produced_s(&self) -> f64 {
        self.produced() as f64 / f64::from(AUDIO_SAMPLE_RATE)
    }

    fn convert(
        &mut self,
        frame: &frame::Audio,
        sink: &mut dyn MediaSink,
        stats: &mut DecodeStats,
    ) -> Result<(), MediaError> {
        if frame.samples() == 0 {
            return Ok(());
        }
        if let Some(ts) = frame.timestamp() {
            let t = seconds(ts, self.time_base, self.origin) - self.collapsed_s;
            let at_s = self.produced_s();
            let gap_s = t - at_s;
            if gap_s > MAX_FILLED_GAP_S {
                self.collapsed_s += gap_s;
                stats.audio_gaps_collapsed += 1;
                stats.audio_skipped_s += gap_s;
                if stats.audio_gaps.len() < MAX_LISTED_AUDIO_GAPS {
                    stats.audio_gaps.push(AudioGap {
                        at_s,
                        skipped_s: gap_s,
                    });
                }
                tracing::debug!(at_s, gap_s, "audio timestamps jump; the gap is left out");
            } else if gap_s > GAP_FILL_THRESHOLD_S {
                let fill = (gap_s * f64::from(AUDIO_SAMPLE_RATE)).round() as u64;
                self.limit
                    .check((self.produced() + fill) as f64 / f64::from(AUDIO_SAMPLE_RATE))?;
                stats.audio_silence_filled_s += fill as f64 / f64::from(AUDIO_SAMPLE_RATE);
                self.silence(fill, sink, stats)?;
            }
        }
        let key = (frame.format(), frame.channels(), frame.rate());
        if self.resampler.as_ref().is_none_or(|r| r.input != key) {
            let layout = match frame.channel_layout() {
                l if l.channels() == i32::from(frame.channels()) => l,
                _ => ChannelLayout::default(i32::from(frame.channels())),
            };
            let context = resampling::Context::get(
                frame.format(),
                layout,
                frame.rate(),
                Sample::F32(SampleType::Packed),
                ChannelLayout::MONO,
                AUDIO_SAMPLE_RATE,
            )
            .map_err(internal)?;
            self.resampler = Some(Resampler {
                input: key,
                context,
            });
        }
        let Some(r) = &mut self.resampler else {
            return Ok(());
        };
        ffi::resample(&mut r.context, Some(frame), &mut self.pending).map_err(internal)?;
        self.limit.check(self.produced_s())?;
        self.deliver(sink, stats, false)
    }

    /// Appends `samples` of silence, delivering each chunk as it fills:
    /// `pending` never holds more than one chunk of it.
    fn silence(
        &mut self,
        mut samples: u64,
        sink: &mut dyn MediaSink,
        stats: &mut DecodeStats,
    ) -> Result<(), MediaError> {
        while samples > 0 {
            self.deliver(sink, stats, false)?;
            let room = self.chunk_samples - self.pending.len();
            let take = room.min(usize::try_from(samples).unwrap_or(usize::MAX));
            self.pending.resize(self.pending.len() + take, 0.0);
            samples -= take as u64;
        }
        self.deliver(sink, stats, false)
    }

    /// Hands full chunks to the sink; with `end` also the last, shorter one.
    /// Each chunk is copied out once and the rest moved down once, so the
    /// cost is linear in the samples however many chunks `pending` holds.
    fn deliver(
        &mut self,
        sink: &mut dyn MediaSink,
        stats: &mut DecodeStats,
        end: bool,
    ) -> Result<(), MediaError> {
        let mut start = 0;
        let mut control = ControlFlow::Continue(());
        while control.is_continue() {
            let left = self.pending.len() - start;
            if left == 0 || (left < self.chunk_samples && !end) {
                break;
            }
            let take = left.min(self.chunk_samples);
            let chunk = AudioChunk {
                start_sample: self.next_sample,
                samples: self.pending[start..start + take].to_vec(),
            };
            start += take;
            self.next_sample += take as u64;
            stats.audio_samples += take as u64;
            control = sink.audio(chunk);
        }
        self.pending.drain(..start);
        flow(control)
    }
}

fn internal(e: ffmpeg::Error) -> MediaError {
    MediaError::Internal(format!("audio resampling failed: {e}"))
}
