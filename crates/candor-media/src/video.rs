//! Video half of the pass: decode, sample by presentation time, scale to
//! BGR24.

use ffmpeg::codec::decoder;
use ffmpeg::format::Pixel;
use ffmpeg::software::scaling;
use ffmpeg::Discard;
use ffmpeg::{frame, Packet, Rational, Stream};
use ffmpeg_next as ffmpeg;

use crate::decode::{
    decode_packet, flow, seconds, DecodeOptions, DecodeStats, MediaSink, TimeLimit, VideoFrame,
};
use crate::error::MediaError;
use crate::ffi;
use crate::probe::rate_to_f64;

/// Frame interval assumed when a stream states no frame rate (60 fps: the
/// smallest interval a camera is likely to use).
const FALLBACK_FRAME_INTERVAL_S: f64 = 1.0 / 60.0;

pub(crate) struct VideoPipeline {
    decoder: decoder::Video,
    frame: frame::Video,
    out: VideoOut,
    /// Why the first skipped frame could not be converted.
    first_failure: Option<String>,
}

struct VideoOut {
    time_base: f64,
    origin: f64,
    limit: TimeLimit,
    sampler: Sampler,
    frame_width: u32,
    /// Clockwise quarter turns applied after scaling, see [`ffi::quarter_turns`].
    quarter_turns: u8,
    /// Interval between the stream's frames, for frames without timestamp.
    source_interval: f64,
    last_decoded: Option<f64>,
    scaler: Option<Scaler>,
    scaled: frame::Video,
}

/// What a scaler was built for: format, width, height, sample aspect ratio.
type ScalerInput = (Pixel, u32, u32, Rational);

struct Scaler {
    input: ScalerInput,
    context: scaling::Context,
}

impl VideoPipeline {
    pub(crate) fn new(
        mut decoder: decoder::Video,
        stream: &Stream,
        origin: f64,
        options: &DecodeOptions,
        limit: TimeLimit,
    ) -> Self {
        let source_interval = rate_to_f64(stream.avg_frame_rate())
            .or_else(|| rate_to_f64(stream.rate()))
            .map_or(FALLBACK_FRAME_INTERVAL_S, |fps| 1.0 / fps);
        let interval = 1.0 / options.fps;
        if options.skip_nonref && interval >= 2.0 * source_interval {
            decoder.skip_frame(Discard::NonReference);
        }
        let out = VideoOut {
            time_base: f64::from(stream.time_base()),
            origin,
            limit,
            sampler: Sampler::new(interval, source_interval),
            frame_width: options.frame_width,
            quarter_turns: ffi::quarter_turns(stream),
            source_interval,
            last_decoded: None,
            scaler: None,
            scaled: frame::Video::empty(),
        };
        Self {
            decoder,
            frame: frame::Video::empty(),
            out,
            first_failure: None,
        }
    }

    /// Decodes `packet` (or flushes, with `None`) and delivers the frames the
    /// sampler picks. A sampled frame that cannot be converted is skipped
    /// and counted in [`DecodeStats::frames_failed`].
    pub(crate) fn push(
        &mut self,
        packet: Option<&Packet>,
        sink: &mut dyn MediaSink,
        stats: &mut DecodeStats,
    ) -> Result<(), MediaError> {
        let out = &mut self.out;
        let first_failure = &mut self.first_failure;
        let mut delivered = Vec::new();
        let (mut decoded, mut failed) = (0, 0);
        decode_packet(
            &mut self.decoder,
            packet,
            &mut self.frame,
            &mut stats.bad_packets,
            |f| {
                decoded += 1;
                match out.sample(f) {
                    Ok(Some(frame)) => delivered.push(frame),
                    Ok(None) => {}
                    Err(e @ MediaError::LimitExceeded(_)) => return Err(e),
                    Err(e) => {
                        tracing::debug!(error = %e, "skipping a frame that could not be converted");
                        failed += 1;
                        first_failure.get_or_insert_with(|| e.to_string());
                    }
                }
                Ok(())
            },
        )?;
        stats.video_frames_decoded += decoded;
        stats.frames_failed += failed;
        for frame in delivered {
            stats.frames += 1;
            flow(sink.frame(frame))?;
        }
        Ok(())
    }

    /// At the end of the pass: an error when more sampled frames failed to
    /// convert than were delivered (a few bad frames are skipped; a stream
    /// that mostly fails is our failure, not a recording without a face).
    pub(crate) fn check_failures(&self, stats: &DecodeStats) -> Result<(), MediaError> {
        match &self.first_failure {
            Some(first) if stats.frames_failed > stats.frames => {
                Err(MediaError::Internal(format!(
                    "{} of {} sampled video frames could not be converted (first: {first})",
                    stats.frames_failed,
                    stats.frames_failed + stats.frames
                )))
            }
            _ => Ok(()),
        }
    }
}

impl VideoOut {
    fn sample(&mut self, frame: &frame::Video) -> Result<Option<VideoFrame>, MediaError> {
        let t = match frame.timestamp() {
            Some(ts) => seconds(ts, self.time_base, self.origin),
            None => self
                .last_decoded
                .map_or(0.0, |last| last + self.source_interval),
        };
        self.limit.check(t)?;
        self.last_decoded = Some(t);
        if !self.sampler.accept(t) {
            return Ok(None);
        }
        self.scale(frame, t).map(Some)
    }

    fn scale(&mut self, frame: &frame::Video, t: f64) -> Result<VideoFrame, MediaError> {
        let key = (
            frame.format(),
            frame.width(),
            frame.height(),
            frame.aspect_ratio(),
        );
        let mut scaler = match self.scaler.take() {
            Some(scaler) if scaler.input == key => scaler,
            _ => self.new_scaler(frame, key)?,
        };
        let scaled = scaler.context.run(frame, &mut self.scaled);
        self.scaler = Some(scaler);
        scaled.map_err(|e| MediaError::Internal(format!("frame scaling failed: {e}")))?;
        let (width, height) = (self.scaled.width(), self.scaled.height());
        let row = width as usize * 3;
        let stride = self.scaled.stride(0);
        let plane = self.scaled.data(0);
        let mut data = Vec::with_capacity(row * height as usize);
        for y in 0..height as usize {
            data.extend_from_slice(&plane[y * stride..y * stride + row]);
        }
        let (width, height, data) = rotate_bgr(data, width, height, self.quarter_turns);
        Ok(VideoFrame {
            t,
            width,
            height,
            data,
        })
    }

    /// A scaler to BGR24 at the delivered size, chosen for the upright
    /// picture: a sideways one is scaled to the transposed size, then turned.
    fn new_scaler(&self, frame: &frame::Video, key: ScalerInput) -> Result<Scaler, MediaError> {
        let (width, height) = if self.quarter_turns % 2 == 1 {
            let (w, h) = output_size(
                frame.height(),
                frame.width(),
                Rational::new(0, 1),
                self.frame_width,
            );
            (h, w)
        } else {
            output_size(
                frame.width(),
                frame.height(),
                frame.aspect_ratio(),
                self.frame_width,
            )
        };
        let context = scaling::Context::get(
            frame.format(),
            frame.width(),
            frame.height(),
            Pixel::BGR24,
            width,
            height,
            scaling::Flags::BILINEAR,
        )
        .map_err(|e| {
            MediaError::Internal(format!("cannot scale {:?} frames: {e}", frame.format()))
        })?;
        Ok(Scaler {
            input: key,
            context,
        })
    }
}

/// Turns a packed BGR24 image clockwise by `quarter_turns` × 90°.
fn rotate_bgr(data: Vec<u8>, width: u32, height: u32, quarter_turns: u8) -> (u32, u32, Vec<u8>) {
    let (w, h) = (width as usize, height as usize);
    // The source pixel that lands at (x, y) of the turned image.
    let source: fn(usize, usize, usize, usize) -> (usize, usize) = match quarter_turns % 4 {
        0 => return (width, height, data),
        1 => |x, y, _w, h| (y, h - 1 - x),
        2 => |x, y, w, h| (w - 1 - x, h - 1 - y),
        _ => |x, y, w, _h| (w - 1 - y, x),
    };
    let (out_w, out_h) = if quarter_turns % 2 == 1 {
        (h, w)
    } else {
        (w, h)
    };
    let mut out = Vec::with_capacity(data.len());
    for y in 0..out_h {
        for x in 0..out_w {
            let (sx, sy) = source(x, y, w, h);
            let i = (sy * w + sx) * 3;
            out.extend_from_slice(&data[i..i + 3]);
        }
    }
    (out_w as u32, out_h as u32, out)
}

/// Size of the delivered frame: `max_width` wide at most (never wider than
/// the source's display width), the display aspect ratio kept (the sample
/// aspect ratio applied), both sides even and at least 2.
fn output_size(width: u32, height: u32, sample_aspect: Rational, max_width: u32) -> (u32, u32) {
    let display_width = f64::from(width) * rate_to_f64(sample_aspect).unwrap_or(1.0);
    let out_width = (display_width.min(f64::from(max_width)) as u32 & !1).max(2);
    let out_height =
        ((f64::from(height) * f64::from(out_width) / display_width / 2.0).round() as u32 * 2)
            .max(2);
    (out_width, out_height)
}

/// Picks frames at `interval` by presentation time: the first frame whose
/// time reaches a sampling instant (within half a source frame) is taken,
/// and the next instant is the first one after it. Times must increase;
/// anything else (a damaged timestamp) is skipped.
struct Sampler {
    interval: f64,
    tolerance: f64,
    next: f64,
    last: Option<f64>,
}

impl Sampler {
    fn new(interval: f64, source_interval: f64) -> Self {
        Self {
            interval,
            tolerance: (source_interval / 2.0).min(interval / 2.0),
            next: 0.0,
            last: None,
        }
    }

    fn accept(&mut self, t: f64) -> bool {
        if !t.is_finite()
            || self.last.is_some_and(|last| t <= last)
            || t + self.tolerance < self.next
        {
            return false;
        }
        self.last = Some(t);
        self.next = (((t + self.tolerance) / self.interval).floor() + 1.0) * self.interval;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_size_keeps_aspect_and_never_upscales() {
        assert_eq!(
            output_size(1920, 1080, Rational::new(1, 1), 640),
            (640, 360)
        );
        assert_eq!(output_size(320, 240, Rational::new(0, 1), 640), (320, 240));
        assert_eq!(
            output_size(1080, 1920, Rational::new(1, 1), 640),
            (640, 1138)
        );
        assert_eq!(output_size(16, 16, Rational::new(1, 1), 640), (16, 16));
        // Anamorphic 720x576 with 16:11 pixels shows as 1048x576.
        assert_eq!(
            output_size(720, 576, Rational::new(16, 11), 640),
            (640, 352)
        );
    }

    #[test]
    fn rotation_turns_clockwise() {
        // 2x1 image: pixel A left, B right; a quarter turn clockwise puts A on top.
        let (a, b) = ([1, 1, 1], [2, 2, 2]);
        let image = [a, b].concat();
        assert_eq!(rotate_bgr(image.clone(), 2, 1, 1), (1, 2, [a, b].concat()));
        assert_eq!(rotate_bgr(image.clone(), 2, 1, 2), (2, 1, [b, a].concat()));
        assert_eq!(rotate_bgr(image.clone(), 2, 1, 3), (1, 2, [b, a].concat()));
        assert_eq!(rotate_bgr(image.clone(), 2, 1, 0), (2, 1, image));
    }

    #[test]
    fn sampler_takes_one_frame_per_interval_from_a_25_fps_stream() {
        let mut sampler = Sampler::new(0.2, 0.04);
        let taken: Vec<f64> = (0..75)
            .map(|i| f64::from(i) * 0.04)
            .filter(|&t| sampler.accept(t))
            .collect();
        assert_eq!(taken.len(), 15);
        for (k, t) in taken.iter().enumerate() {
            assert!((t - k as f64 * 0.2).abs() < 0.021, "frame {k} at {t}");
        }
    }

    #[test]
    fn sampler_skips_backward_and_non_finite_times() {
        let mut sampler = Sampler::new(0.2, 0.04);
        assert!(sampler.accept(0.0));
        assert!(!sampler.accept(f64::NAN));
        assert!(sampler.accept(1.0));
        assert!(!sampler.accept(0.5));
        assert!(
            sampler.accept(1e12),
            "a far-future time is accepted once, in O(1)"
        );
        assert!(!sampler.accept(1e12 + 0.1));
    }
}
