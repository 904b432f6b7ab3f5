//! Open, inspect, check limits: a [`ProbedMedia`] exists only for input that
//! passed them ("parse, don't validate").

use candor_domain::{AudioStreamInfo, MediaInfo, VideoStreamInfo};
use ffmpeg::format::stream::Disposition;
use ffmpeg::media::Type;
use ffmpeg::{codec, Rational, Stream};
use ffmpeg_next as ffmpeg;

use crate::error::MediaError;
use crate::ffi::{Demuxer, PacketRead};
use crate::limits::MediaLimits;
use crate::source::MediaSource;

/// A recording whose format, streams, duration, size and resolution passed
/// [`MediaLimits`]; ready for its one decode pass.
pub struct ProbedMedia {
    pub(crate) info: MediaInfo,
    pub(crate) demuxer: Demuxer,
    pub(crate) audio: Option<usize>,
    pub(crate) video: Option<usize>,
    /// [`MediaLimits::max_duration_s`], enforced again on the decoded media.
    pub(crate) max_duration_s: f64,
}

impl std::fmt::Debug for ProbedMedia {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProbedMedia")
            .field("name", &self.demuxer.name())
            .field("info", &self.info)
            .finish()
    }
}

impl ProbedMedia {
    pub fn info(&self) -> &MediaInfo {
        &self.info
    }
}

/// Opens `source`, reads its stream information and checks `limits` before
/// anything is decoded.
///
/// When the container does not state a duration (a browser's MediaRecorder
/// WebM), the packets are scanned once, without decoding, to measure it —
/// stopping as soon as the limit is passed — and the demuxer is re-opened.
pub fn probe(source: MediaSource, limits: &MediaLimits) -> Result<ProbedMedia, MediaError> {
    let source = source.open()?;
    limits
        .check_size(source.size)
        .map_err(MediaError::LimitExceeded)?;
    let size = source.size;
    let mut demuxer = Demuxer::open(source)?;

    let input = demuxer.input();
    let audio = pick_stream(input, Type::Audio);
    let video = pick_stream(input, Type::Video);
    if audio.is_none() && video.is_none() {
        return Err(MediaError::NoStreams);
    }
    let audio_info = audio
        .and_then(|i| input.stream(i))
        .map(|s| audio_info(&s))
        .transpose()?;
    let video_info = video
        .and_then(|i| input.stream(i))
        .map(|s| video_info(&s))
        .transpose()?;
    if let Some(v) = &video_info {
        limits
            .check_resolution(v.width, v.height)
            .map_err(MediaError::LimitExceeded)?;
    }

    let duration_s = match stated_duration(input, [audio, video]) {
        Some(d) => d,
        None => {
            let measured = scan_duration(&mut demuxer, limits)?;
            demuxer = demuxer.reopen()?;
            measured
        }
    };
    limits
        .check_duration(duration_s)
        .map_err(MediaError::LimitExceeded)?;

    let info = MediaInfo {
        container: demuxer.input().format().name().to_string(),
        duration_s,
        size_bytes: Some(size),
        audio: audio_info,
        video: video_info,
    };
    Ok(ProbedMedia {
        info,
        demuxer,
        audio,
        video,
        max_duration_s: limits.max_duration_s,
    })
}

/// The stream of `kind` FFmpeg ranks best, ignoring cover art (an MP3's or
/// M4A's embedded picture is a one-frame "video" stream) and streams whose
/// parameters FFmpeg could not work out.
fn pick_stream(input: &ffmpeg::format::context::Input, kind: Type) -> Option<usize> {
    let usable = |s: &Stream| {
        let params = s.parameters();
        params.medium() == kind
            && !s.disposition().contains(Disposition::ATTACHED_PIC)
            && params.id() != codec::Id::None
    };
    match input.streams().best(kind) {
        Some(best) if usable(&best) => Some(best.index()),
        _ => input.streams().find(usable).map(|s| s.index()),
    }
}

fn decoder_context(stream: &Stream) -> Result<codec::Context, MediaError> {
    let id = stream.parameters().id();
    if ffmpeg::decoder::find(id).is_none() {
        return Err(MediaError::UnsupportedCodec {
            codec: id.name().to_string(),
        });
    }
    codec::Context::from_parameters(stream.parameters())
        .map_err(|e| MediaError::Internal(e.to_string()))
}

fn audio_info(stream: &Stream) -> Result<AudioStreamInfo, MediaError> {
    let ctx = decoder_context(stream)?;
    let codec = ctx.id().name().to_string();
    let audio = ctx
        .decoder()
        .audio()
        .map_err(|e| MediaError::Internal(e.to_string()))?;
    Ok(AudioStreamInfo {
        codec,
        sample_rate: audio.rate(),
        channels: audio.channels(),
    })
}

fn video_info(stream: &Stream) -> Result<VideoStreamInfo, MediaError> {
    let ctx = decoder_context(stream)?;
    let codec = ctx.id().name().to_string();
    let video = ctx
        .decoder()
        .video()
        .map_err(|e| MediaError::Internal(e.to_string()))?;
    let fps = rate_to_f64(stream.avg_frame_rate())
        .or_else(|| rate_to_f64(stream.rate()))
        .unwrap_or(0.0);
    Ok(VideoStreamInfo {
        codec,
        width: video.width(),
        height: video.height(),
        fps,
    })
}

pub(crate) fn rate_to_f64(rate: Rational) -> Option<f64> {
    (rate.numerator() > 0 && rate.denominator() > 0).then(|| f64::from(rate))
}

/// The duration the container or the chosen streams state, in seconds.
fn stated_duration(
    input: &ffmpeg::format::context::Input,
    streams: [Option<usize>; 2],
) -> Option<f64> {
    if input.duration() > 0 {
        return Some(input.duration() as f64 / f64::from(ffmpeg::ffi::AV_TIME_BASE));
    }
    streams
        .into_iter()
        .flatten()
        .filter_map(|i| input.stream(i))
        .filter(|s| s.duration() > 0)
        .map(|s| s.duration() as f64 * f64::from(s.time_base()))
        .reduce(f64::max)
}

/// Measures the duration by reading every packet (no decoding): the span
/// from the earliest timestamp to the latest packet end.
fn scan_duration(demuxer: &mut Demuxer, limits: &MediaLimits) -> Result<f64, MediaError> {
    let mut first = f64::INFINITY;
    let mut last = f64::NEG_INFINITY;
    loop {
        let packet = match demuxer.read_packet()? {
            PacketRead::Packet(packet) => packet,
            PacketRead::End => break,
            PacketRead::Damaged(e) => {
                // A damaged packet ends the scan; what was read still counts.
                tracing::debug!(error = %e, "packet scan stopped early");
                break;
            }
        };
        let Some(ts) = packet.pts().or(packet.dts()) else {
            continue;
        };
        let Some(stream) = demuxer.input().stream(packet.stream()) else {
            continue;
        };
        let tb = f64::from(stream.time_base());
        let start = ts as f64 * tb;
        first = first.min(start);
        last = last.max(start + packet.duration().max(0) as f64 * tb);
        limits
            .check_duration(last - first)
            .map_err(MediaError::LimitExceeded)?;
    }
    if last < first {
        return Err(MediaError::Corrupt {
            format: demuxer.input().format().name().to_string(),
            detail: "no timed packets".into(),
        });
    }
    Ok(last - first)
}
