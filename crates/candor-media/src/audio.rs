//! Audio half of the pass: decode, resample to 16 kHz mono f32, cut into
//! chunks of a fixed size.

use ffmpeg::format::{sample::Type as SampleType, Sample};
use ffmpeg::software::resampling;
use ffmpeg::{codec::decoder, frame, ChannelLayout, Packet, Stream};
use ffmpeg_next as ffmpeg;

use crate::decode::{
    decode_packet, flow, seconds, AudioChunk, DecodeOptions, DecodeStats, MediaSink,
    AUDIO_SAMPLE_RATE,
};
use crate::error::MediaError;
use crate::ffi;

/// A jump in the audio timestamps larger than this is filled with silence,
/// so that sample positions keep matching media time after a dropped packet
/// or when the audio starts after the video. Smaller jitter (encoder priming,
/// rounding) is left alone.
const GAP_FILL_THRESHOLD_S: f64 = 0.1;

pub(crate) struct AudioPipeline {
    decoder: decoder::Audio,
    frame: frame::Audio,
    out: AudioOut,
}

/// Everything after the decoder: resampling, gap filling, chunking.
struct AudioOut {
    time_base: f64,
    origin: f64,
    /// Gaps are only filled up to the probed duration, so a corrupt
    /// timestamp cannot make us emit hours of silence.
    duration_s: f64,
    resampler: Option<Resampler>,
    pending: Vec<f32>,
    /// Index of the first sample in `pending`.
    next_sample: u64,
    chunk_samples: usize,
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
        duration_s: f64,
    ) -> Self {
        let out = AudioOut {
            time_base: f64::from(stream.time_base()),
            origin,
            duration_s,
            resampler: None,
            pending: Vec::with_capacity(options.audio_chunk_samples * 2),
            next_sample: 0,
            chunk_samples: options.audio_chunk_samples,
        };
        Self {
            decoder,
            frame: frame::Audio::empty(),
            out,
        }
    }

    /// Decodes `packet` (or flushes, with `None`) and delivers every full chunk.
    pub(crate) fn push(
        &mut self,
        packet: Option<&Packet>,
        sink: &mut dyn MediaSink,
        stats: &mut DecodeStats,
    ) -> Result<(), MediaError> {
        let out = &mut self.out;
        decode_packet(
            &mut self.decoder,
            packet,
            &mut self.frame,
            &mut stats.bad_packets,
            |f| out.convert(f),
        )?;
        if packet.is_none() {
            if let Some(r) = &mut out.resampler {
                ffi::resample(&mut r.context, None, &mut out.pending).map_err(internal)?;
            }
        }
        out.deliver(sink, stats, packet.is_none())
    }
}

impl AudioOut {
    fn convert(&mut self, frame: &frame::Audio) -> Result<(), MediaError> {
        if frame.samples() == 0 {
            return Ok(());
        }
        if let Some(ts) = frame.timestamp() {
            let t = seconds(ts, self.time_base, self.origin).min(self.duration_s);
            let produced = self.next_sample + self.pending.len() as u64;
            let gap_s = t - produced as f64 / f64::from(AUDIO_SAMPLE_RATE);
            if gap_s > GAP_FILL_THRESHOLD_S {
                let fill = (gap_s * f64::from(AUDIO_SAMPLE_RATE)).round() as usize;
                self.pending.resize(self.pending.len() + fill, 0.0);
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
        ffi::resample(&mut r.context, Some(frame), &mut self.pending).map_err(internal)
    }

    /// Hands full chunks to the sink; at the end also the last, shorter one.
    fn deliver(
        &mut self,
        sink: &mut dyn MediaSink,
        stats: &mut DecodeStats,
        end: bool,
    ) -> Result<(), MediaError> {
        while self.pending.len() >= self.chunk_samples || (end && !self.pending.is_empty()) {
            let take = self.chunk_samples.min(self.pending.len());
            let rest = self.pending.split_off(take);
            let samples = std::mem::replace(&mut self.pending, rest);
            let chunk = AudioChunk {
                start_sample: self.next_sample,
                samples,
            };
            self.next_sample += take as u64;
            stats.audio_samples += take as u64;
            flow(sink.audio(chunk))?;
        }
        Ok(())
    }
}

fn internal(e: ffmpeg::Error) -> MediaError {
    MediaError::Internal(format!("audio resampling failed: {e}"))
}
