//! The one streaming pass: read each packet once, decode the audio and the
//! video stream, and hand the consumer bounded pieces as they come — memory
//! stays flat however long the recording is.

use std::ops::{ControlFlow, DerefMut};

use ffmpeg::codec::{self, decoder, threading};
use ffmpeg::{Frame, Packet, Stream};
use ffmpeg_next as ffmpeg;
use serde::{Deserialize, Serialize};

use crate::audio::AudioPipeline;
use crate::error::{Limit, MediaError};
use crate::ffi::PacketRead;
use crate::probe::ProbedMedia;
use crate::video::VideoPipeline;

/// Sample rate of the delivered audio: what Whisper and the voice analyses expect.
pub const AUDIO_SAMPLE_RATE: u32 = 16_000;

/// A run of 16 kHz mono samples, in -1..1.
#[derive(Debug, Clone, PartialEq)]
pub struct AudioChunk {
    /// Index of the first sample since the start of the recording; chunks
    /// are contiguous. Short gaps in the input are filled with silence so
    /// that `start_sample / 16000` stays aligned with the video's times;
    /// long ones are left out (see [`AudioGap`]), after which the audio
    /// runs behind the timestamps by the time skipped.
    pub start_sample: u64,
    pub samples: Vec<f32>,
}

impl AudioChunk {
    /// Start time of the chunk in seconds.
    pub fn start_s(&self) -> f64 {
        self.start_sample as f64 / f64::from(AUDIO_SAMPLE_RATE)
    }
}

/// One sampled, scaled video frame: packed BGR24 (OpenCV's order), row
/// stride `width * 3`, no padding.
#[derive(Debug, Clone, PartialEq)]
pub struct VideoFrame {
    /// Presentation time in seconds since the start of the recording.
    pub t: f64,
    pub width: u32,
    pub height: u32,
    pub data: Vec<u8>,
}

/// The consumer of a decode pass. Each call may ask the pass to stop
/// (`ControlFlow::Break`), e.g. on cancellation or when the consumer failed;
/// [`ProbedMedia::decode`] then returns [`MediaError::Stopped`] and the
/// consumer keeps its own reason.
pub trait MediaSink {
    fn audio(&mut self, chunk: AudioChunk) -> ControlFlow<()>;
    fn frame(&mut self, frame: VideoFrame) -> ControlFlow<()>;
    /// Media time reached so far, in seconds, about every
    /// [`PROGRESS_INTERVAL_S`] and once at the end; compare with
    /// `MediaInfo::duration_s` for a progress bar. Also a cancellation point
    /// where nothing else is delivered (long stretches between samples).
    fn progress(&mut self, media_time_s: f64) -> ControlFlow<()> {
        let _ = media_time_s;
        ControlFlow::Continue(())
    }
}

/// How often, in media seconds, [`MediaSink::progress`] is called.
pub const PROGRESS_INTERVAL_S: f64 = 0.5;

/// What the pass delivers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DecodeOptions {
    /// Video frames sampled per second of media. 5 fps catches blinks
    /// (100–400 ms) and head movement while costing a fraction of 25–30 fps.
    pub fps: f64,
    /// Width of the delivered frames (height keeps the aspect ratio, rounded
    /// to even). 640 px is plenty for face landmarks; smaller sources are
    /// never upscaled.
    pub frame_width: u32,
    /// Samples per audio chunk; 16000 = one second.
    pub audio_chunk_samples: usize,
    /// Decode the video stream at all (false: an audio-only pass).
    pub video: bool,
    /// Decoder threads; 0 lets FFmpeg choose from the number of cores. The
    /// default is 1: each frame thread keeps its own 720p frames (~9 MB of
    /// the 300-MB budget), and a sampled decode waits on the analysis
    /// anyway (10-minute benchmark: 38.5 s wall with 1 thread, 40.3 s with 3).
    pub threads: usize,
    /// Let the video decoder skip frames no other frame depends on, when the
    /// stream's rate is at least twice `fps` (the skipped frames could
    /// rarely be sampled anyway).
    pub skip_nonref: bool,
}

impl Default for DecodeOptions {
    fn default() -> Self {
        Self {
            fps: 5.0,
            frame_width: 640,
            audio_chunk_samples: 16_000,
            video: true,
            threads: 1,
            skip_nonref: true,
        }
    }
}

impl DecodeOptions {
    fn check(&self) -> Result<(), MediaError> {
        let bad = |what: &str| Err(MediaError::InvalidOptions(what.to_string()));
        if !(self.fps.is_finite() && self.fps > 0.0 && self.fps <= 240.0) {
            return bad("fps must be in (0, 240]");
        }
        if self.frame_width < 2 {
            return bad("frame_width must be at least 2");
        }
        if self.audio_chunk_samples == 0 {
            return bad("audio_chunk_samples must be positive");
        }
        Ok(())
    }
}

/// A jump in the audio timestamps too long to fill with silence: the audio
/// after it was delivered straight after the audio before it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AudioGap {
    /// Where the jump is in the delivered audio, seconds (the start of the
    /// first sample after it, divided by the sample rate).
    pub at_s: f64,
    /// The time the timestamps skip, left out of the delivered audio.
    pub skipped_s: f64,
}

/// At most this many [`AudioGap`]s are listed in [`DecodeStats::audio_gaps`]
/// (a crafted file can have one per packet); all are counted.
pub const MAX_LISTED_AUDIO_GAPS: usize = 16;

/// What one pass did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DecodeStats {
    /// 16 kHz samples delivered (including silence filled into gaps).
    pub audio_samples: u64,
    /// Silence filled into short gaps in the audio, seconds.
    pub audio_silence_filled_s: f64,
    /// The first long jumps in the audio timestamps, in order (at most
    /// [`MAX_LISTED_AUDIO_GAPS`]).
    pub audio_gaps: Vec<AudioGap>,
    /// All long jumps left out, and the time they skip in all.
    pub audio_gaps_collapsed: u64,
    pub audio_skipped_s: f64,
    /// Sampled frames delivered.
    pub frames: u64,
    /// Sampled frames that could not be converted (scaling failed) and were
    /// skipped; the pass fails only when they outnumber the delivered ones.
    pub frames_failed: u64,
    /// Frames the video decoder produced (before sampling).
    pub video_frames_decoded: u64,
    /// Packets the demuxer or a decoder rejected and that were skipped.
    pub bad_packets: u64,
    /// Latest media time read, seconds.
    pub media_time_s: f64,
}

/// Demuxer errors in a row after which the rest of the input is given up.
const MAX_CONSECUTIVE_READ_ERRORS: u32 = 32;

/// How far decoded media may run past the duration limit before the pass
/// stops: encoder priming and padding and frame-duration rounding make the
/// decoded media a frame or two longer than the duration a file states, and
/// a recording the probe accepted must not be refused for that.
const DECODED_SLACK_S: f64 = 1.0;

/// The duration limit, enforced on decoded media time: the end of the audio
/// delivered so far (filled silence included, left-out gaps not) and the
/// time of every decoded video frame. The probe checks the duration the
/// file states; this bounds the work (and, in the vision summary, memory
/// that grows with the time span) when the statement is false.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TimeLimit {
    max_s: f64,
    stated_s: f64,
}

impl TimeLimit {
    pub(crate) fn check(&self, decoded_s: f64) -> Result<(), MediaError> {
        if decoded_s > self.max_s + DECODED_SLACK_S {
            Err(MediaError::LimitExceeded(Limit::DecodedDuration {
                max: self.max_s,
                stated: self.stated_s,
            }))
        } else {
            Ok(())
        }
    }
}

impl ProbedMedia {
    /// Runs the one decode pass, delivering audio chunks and sampled frames
    /// to `sink` in media order. Damaged packets are skipped and counted; an
    /// input that yields no audio and no frame at all is an error, and so is
    /// decoded media that runs past the duration limit the probe was given
    /// ([`Limit::DecodedDuration`]; the pass stops there).
    pub fn decode(
        self,
        options: &DecodeOptions,
        sink: &mut dyn MediaSink,
    ) -> Result<DecodeStats, MediaError> {
        options.check()?;
        let ProbedMedia {
            info,
            mut demuxer,
            audio,
            video,
            max_duration_s,
        } = self;
        let limit = TimeLimit {
            max_s: max_duration_s,
            stated_s: info.duration_s,
        };
        let video = video.filter(|_| options.video);
        if audio.is_none() && video.is_none() {
            return Err(MediaError::NoStreams);
        }
        let input = demuxer.input();
        let origin = [audio, video]
            .into_iter()
            .flatten()
            .filter_map(|i| input.stream(i))
            .filter(|s| s.start_time() != ffmpeg::ffi::AV_NOPTS_VALUE)
            .map(|s| s.start_time() as f64 * f64::from(s.time_base()))
            .reduce(f64::min)
            .unwrap_or(0.0);
        let corrupt = |detail: String| MediaError::Corrupt {
            format: info.container.clone(),
            detail,
        };
        let mut audio_pipe = match audio.and_then(|i| input.stream(i)) {
            Some(s) => Some(AudioPipeline::new(
                open_decoder(&s, None)?
                    .audio()
                    .map_err(|e| corrupt(e.to_string()))?,
                &s,
                origin,
                options,
                limit,
            )),
            None => None,
        };
        let mut video_pipe = match video.and_then(|i| input.stream(i)) {
            Some(s) => Some(VideoPipeline::new(
                open_decoder(&s, Some(options.threads))?
                    .video()
                    .map_err(|e| corrupt(e.to_string()))?,
                &s,
                origin,
                options,
                limit,
            )),
            None => None,
        };
        let unused: Vec<usize> = input
            .streams()
            .map(|s| s.index())
            .filter(|&i| Some(i) != audio && Some(i) != video)
            .collect();
        for index in unused {
            demuxer.discard_stream(index);
        }

        let mut stats = DecodeStats::default();
        let mut reported = f64::NEG_INFINITY;
        let mut read_errors = 0;
        loop {
            let packet = match demuxer.read_packet()? {
                PacketRead::Packet(packet) => packet,
                PacketRead::End => break,
                PacketRead::Damaged(e) => {
                    tracing::debug!(error = %e, "skipping unreadable packet");
                    stats.bad_packets += 1;
                    read_errors += 1;
                    if read_errors > MAX_CONSECUTIVE_READ_ERRORS {
                        break;
                    }
                    continue;
                }
            };
            read_errors = 0;
            let index = packet.stream();
            if let Some(t) = packet
                .pts()
                .or(packet.dts())
                .zip(demuxer.input().stream(index))
                .map(|(ts, s)| {
                    (ts + packet.duration().max(0)) as f64 * f64::from(s.time_base()) - origin
                })
            {
                stats.media_time_s = stats.media_time_s.max(t);
            }
            match (&mut audio_pipe, &mut video_pipe) {
                (Some(a), _) if Some(index) == audio => a.push(Some(&packet), sink, &mut stats)?,
                (_, Some(v)) if Some(index) == video => v.push(Some(&packet), sink, &mut stats)?,
                _ => {}
            }
            if stats.media_time_s >= reported + PROGRESS_INTERVAL_S {
                reported = stats.media_time_s;
                flow(sink.progress(reported))?;
            }
        }
        if let Some(a) = &mut audio_pipe {
            a.push(None, sink, &mut stats)?;
        }
        if let Some(v) = &mut video_pipe {
            v.push(None, sink, &mut stats)?;
            v.check_failures(&stats)?;
        }
        flow(sink.progress(stats.media_time_s))?;
        if stats.audio_samples == 0 && stats.frames == 0 {
            return Err(corrupt("no audio or video could be decoded".into()));
        }
        Ok(stats)
    }
}

/// A decoder for `stream`, not yet opened; `threads` enables frame threading.
fn open_decoder(stream: &Stream, threads: Option<usize>) -> Result<decoder::Decoder, MediaError> {
    let mut ctx = codec::Context::from_parameters(stream.parameters())
        .map_err(|e| MediaError::Internal(e.to_string()))?;
    if let Some(count) = threads {
        ctx.set_threading(threading::Config {
            kind: threading::Type::Frame,
            count,
            ..Default::default()
        });
    }
    let mut decoder = ctx.decoder();
    decoder.set_packet_time_base(stream.time_base());
    Ok(decoder)
}

pub(crate) fn flow(control: ControlFlow<()>) -> Result<(), MediaError> {
    match control {
        ControlFlow::Continue(()) => Ok(()),
        ControlFlow::Break(()) => Err(MediaError::Stopped),
    }
}

/// Sends one packet (or, with `None`, end of stream) to `decoder` and passes
/// every frame that comes out to `on_frame`. A packet the decoder rejects is
/// counted in `bad_packets` and skipped.
pub(crate) fn decode_packet<D, F>(
    decoder: &mut D,
    packet: Option<&Packet>,
    frame: &mut F,
    bad_packets: &mut u64,
    mut on_frame: impl FnMut(&mut F) -> Result<(), MediaError>,
) -> Result<(), MediaError>
where
    D: DerefMut<Target = decoder::Opened>,
    F: DerefMut<Target = Frame>,
{
    let sent = match packet {
        Some(p) => decoder.send_packet(p),
        None => decoder.send_eof(),
    };
    if let Err(e) = sent {
        tracing::debug!(error = %e, "decoder rejected a packet");
        *bad_packets += 1;
        return Ok(());
    }
    loop {
        match decoder.receive_frame(frame) {
            Ok(()) => on_frame(frame)?,
            Err(ffmpeg::Error::Eof) => return Ok(()),
            Err(ffmpeg::Error::Other { errno }) if errno == libc::EAGAIN => return Ok(()),
            Err(e) => {
                tracing::debug!(error = %e, "decoder failed on a frame");
                *bad_packets += 1;
                return Ok(());
            }
        }
    }
}

/// Seconds since the recording's start for a timestamp in `time_base` units.
pub(crate) fn seconds(ts: i64, time_base: f64, origin: f64) -> f64 {
    ts as f64 * time_base - origin
}
