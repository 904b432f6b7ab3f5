//! One recording, one decoding pass: the decoder thread feeds audio chunks to
//! the audio analyzer and, through a bounded channel, to the transcriber on
//! its own thread; sampled frames go to the frame statistics and, through
//! another bounded channel, to the vision analysis on a third thread. Content
//! analysis runs on the finished transcript.

use std::ops::ControlFlow;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Arc;
use std::time::{Duration, Instant};

use candor_audio::{AudioAnalysis, AudioAnalyzer, AudioConfig, AudioError};
use candor_content::{ContentAnalysis, ContentConfig, Lexicons, SpeechTiming};
use candor_domain::{MediaInfo, Transcript, VideoSummary};
use candor_media::{
    AudioChunk, DecodeOptions, DecodeStats, FrameStats, FrameStatsConfig, MediaError, MediaSink,
    ProbedMedia, VideoFrame,
};
use candor_vision::{Frame, VisionAnalysis, VisionAnalyzer, VisionConfig, VisionError};
use candor_whisper::{TranscribeOptions, Transcriber, WhisperError, WhisperModel};

/// Audio chunks (about 1 s, 64 KB each) the decoder may run ahead of the
/// transcriber: more than the 30-s window Whisper needs before it can start,
/// so that decoding and the vision analysis go on while it works on one. At
/// 16 they stalled every window (10-min full pass with base: 59 s at 16,
/// 54 s at 64); memory stays flat at 4 MB.
const TRANSCRIBER_QUEUE_CHUNKS: usize = 64;
/// Sampled frames (~0.7 MB each at 640 px) the decoder may run ahead of the
/// vision analysis. Few: the analysis takes ~13 ms of the 200 ms between
/// samples, and every queued frame counts against the 300-MB budget.
const VISION_QUEUE_FRAMES: usize = 3;

#[derive(Debug, Clone)]
pub struct PipelineConfig {
    pub decode: DecodeOptions,
    pub audio: AudioConfig,
    pub transcribe: TranscribeOptions,
    pub content: ContentConfig,
    pub lexicons: Lexicons,
    pub vision: VisionConfig,
}

/// Everything measured about one recording.
pub struct Analysis {
    pub media: MediaInfo,
    /// What the decoding pass did: audio gaps filled or left out, frames
    /// that could not be converted.
    pub decode: DecodeStats,
    /// Sampled frames the visual analysis failed on and skipped (fewer
    /// than half of them, or the analysis would have failed).
    pub vision_frames_failed: u64,
    pub audio: Option<AudioAnalysis>,
    pub transcript: Option<Transcript>,
    pub content: Option<ContentAnalysis>,
    pub video: Option<VideoSummary>,
    pub vision: Option<VisionAnalysis>,
    pub timings: StageTimings,
}

/// Busy time of each stage, seconds. The stages overlap, so they add up to
/// more than the wall time.
#[derive(Debug, Default, serde::Serialize)]
pub struct StageTimings {
    pub decode_s: f64,
    pub audio_analysis_s: f64,
    pub frames_s: f64,
    pub vision_s: f64,
    pub transcribe_s: f64,
    pub content_s: f64,
    pub wall_s: f64,
}

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Media(#[from] MediaError),
    #[error("audio analysis failed: {0}")]
    Audio(#[from] AudioError),
    #[error(transparent)]
    Whisper(#[from] WhisperError),
    #[error("visual analysis failed: {0}")]
    Vision(#[from] VisionError),
}

impl PipelineError {
    pub fn is_bad_input(&self) -> bool {
        match self {
            PipelineError::Media(e) => e.is_bad_input(),
            PipelineError::Audio(_) => false,
            PipelineError::Whisper(e) => e.is_bad_input(),
            PipelineError::Vision(e) => e.is_bad_input(),
        }
    }
}

/// Analyses a probed recording. `on_progress` receives the media time
/// reached by the slowest stage, in seconds.
pub fn analyze(
    media: ProbedMedia,
    model: &Arc<WhisperModel>,
    config: &PipelineConfig,
    on_progress: &(dyn Fn(f64) + Sync),
) -> Result<Analysis, PipelineError> {
    let started = Instant::now();
    let info = media.info().clone();
    let has_audio = info.audio.is_some();
    let mut timings = StageTimings::default();

    let (audio, transcript, video, vision, decode) = std::thread::scope(|scope| {
        let (audio_tx, audio_rx) = sync_channel(TRANSCRIBER_QUEUE_CHUNKS);
        let transcriber = Transcriber::new(Arc::clone(model), config.transcribe.clone())?;
        let transcribing =
            has_audio.then(|| scope.spawn(move || transcribe(transcriber, audio_rx, on_progress)));
        let has_video = info.video.is_some() && config.decode.video;
        let (frame_tx, frame_rx) = sync_channel(VISION_QUEUE_FRAMES);
        let analyzer = has_video
            .then(|| VisionAnalyzer::new(&config.vision))
            .transpose()?;
        let watching = analyzer.map(|a| scope.spawn(move || watch(a, frame_rx)));

        let mut sink = Sink {
            audio: has_audio
                .then(|| AudioAnalyzer::new(config.audio.clone()))
                .transpose()?,
            audio_error: None,
            to_transcriber: has_audio.then_some(audio_tx),
            frames: FrameStats::new(config.decode.fps, FrameStatsConfig::default()),
            to_vision: has_video.then_some(frame_tx),
            audio_time: Duration::ZERO,
            frames_time: Duration::ZERO,
            on_progress,
        };
        let decode_started = Instant::now();
        let decoded = media.decode(&config.decode, &mut sink);
        let decode_wall = decode_started.elapsed();
        // Closing the channels tells the other threads the stream has ended.
        sink.to_transcriber = None;
        sink.to_vision = None;
        let transcribed =
            transcribing.map(|t| t.join().expect("the transcriber thread does not panic"));
        let watched = watching.map(|t| t.join().expect("the vision thread does not panic"));

        timings.audio_analysis_s = sink.audio_time.as_secs_f64();
        timings.frames_s = sink.frames_time.as_secs_f64();
        timings.decode_s = (decode_wall - sink.audio_time - sink.frames_time).as_secs_f64();
        // A failure of either thread is why the decoder stopped: report it.
        let transcript = transcribed.transpose()?.map(|(transcript, busy)| {
            timings.transcribe_s = busy.as_secs_f64();
            transcript
        });
        let vision = watched.transpose()?.map(|(vision, busy)| {
            timings.vision_s = busy.as_secs_f64();
            vision
        });
        if let Some(e) = sink.audio_error {
            return Err(e.into());
        }
        let decode = decoded?;
        let audio = sink.audio.map(AudioAnalyzer::finish).transpose()?;
        let video = has_video.then(|| sink.frames.finish());
        Ok::<_, PipelineError>((audio, transcript, video, vision, decode))
    })?;
    let (vision, vision_frames_failed) = vision.unzip();

    let content_started = Instant::now();
    let content = transcript.as_ref().map(|t| {
        let timing = audio
            .as_ref()
            .map_or_else(SpeechTiming::default, speech_timing);
        let lexicon = config.lexicons.for_language(&t.language);
        candor_content::analyze(t, &timing, &lexicon, &config.content)
    });
    timings.content_s = content_started.elapsed().as_secs_f64();
    timings.wall_s = started.elapsed().as_secs_f64();
    Ok(Analysis {
        media: info,
        decode,
        vision_frames_failed: vision_frames_failed.unwrap_or(0),
        audio,
        transcript,
        content,
        video,
        vision,
        timings,
    })
}

/// Runs on its own thread until the decoder closes the channel; returns the
/// transcript and the time spent transcribing.
fn transcribe(
    mut transcriber: Transcriber,
    chunks: Receiver<Vec<f32>>,
    on_progress: &(dyn Fn(f64) + Sync),
) -> Result<(Transcript, Duration), WhisperError> {
    let mut busy = Duration::ZERO;
    let mut samples = 0usize;
    for chunk in chunks {
        let started = Instant::now();
        transcriber.push(&chunk)?;
        busy += started.elapsed();
        samples += chunk.len();
        on_progress(samples as f64 / candor_whisper::SAMPLE_RATE as f64);
    }
    let started = Instant::now();
    let transcript = transcriber.finish()?;
    Ok((transcript, busy + started.elapsed()))
}

/// Runs on its own thread until the decoder closes the channel; returns the
/// visual analysis, the frames it failed on (skipped, see
/// [`VisionAnalyzer::push`]) and the time spent on it. Fails only when the
/// analysis failed on most frames.
fn watch(
    mut analyzer: VisionAnalyzer,
    frames: Receiver<VideoFrame>,
) -> Result<((VisionAnalysis, u64), Duration), VisionError> {
    let mut busy = Duration::ZERO;
    for frame in frames {
        let started = Instant::now();
        // Not `Frame::new`: an invalid frame is one more skipped frame.
        let pushed = analyzer.push(&Frame {
            t: frame.t,
            width: frame.width,
            height: frame.height,
            bgr: &frame.data,
        });
        busy += started.elapsed();
        if let Err(e) = pushed {
            tracing::debug!(t = frame.t, error = %e, "skipped a frame the visual analysis failed on");
        }
    }
    let started = Instant::now();
    let failed = analyzer.frames_failed();
    let vision = analyzer.finish()?;
    Ok(((vision, failed), busy + started.elapsed()))
}

/// The timing the content analysis needs, from voice activity.
fn speech_timing(audio: &AudioAnalysis) -> SpeechTiming {
    SpeechTiming {
        duration_s: audio.duration_s,
        speaking_time_s: audio.speech.talk_time_s,
        pauses: audio.speech.pauses.iter().map(|p| p.span).collect(),
    }
}

/// Receives the decoded stream on the decoder's thread.
struct Sink<'a> {
    audio: Option<AudioAnalyzer>,
    audio_error: Option<AudioError>,
    to_transcriber: Option<SyncSender<Vec<f32>>>,
    frames: FrameStats,
    to_vision: Option<SyncSender<VideoFrame>>,
    audio_time: Duration,
    frames_time: Duration,
    on_progress: &'a (dyn Fn(f64) + Sync),
}

impl MediaSink for Sink<'_> {
    fn audio(&mut self, chunk: AudioChunk) -> ControlFlow<()> {
        let started = Instant::now();
        if let Some(analyzer) = &mut self.audio {
            if let Err(e) = analyzer.push(&chunk.samples) {
                self.audio_error = Some(e);
                return ControlFlow::Break(());
            }
        }
        self.audio_time += started.elapsed();
        match &self.to_transcriber {
            // A closed channel means the transcriber failed; its error is
            // collected when the pass ends.
            Some(tx) if tx.send(chunk.samples).is_err() => ControlFlow::Break(()),
            _ => ControlFlow::Continue(()),
        }
    }

    fn frame(&mut self, frame: VideoFrame) -> ControlFlow<()> {
        let started = Instant::now();
        self.frames.push(&frame);
        self.frames_time += started.elapsed();
        match &self.to_vision {
            // A closed channel means the vision analysis failed.
            Some(tx) if tx.send(frame).is_err() => ControlFlow::Break(()),
            _ => ControlFlow::Continue(()),
        }
    }

    fn progress(&mut self, media_time_s: f64) -> ControlFlow<()> {
        // Without audio there is no transcriber to follow: report decoding.
        if self.to_transcriber.is_none() {
            (self.on_progress)(media_time_s);
        }
        ControlFlow::Continue(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A plain grey 64x48 frame at `t`.
    fn grey_frame(t: f64) -> VideoFrame {
        VideoFrame {
            t,
            width: 64,
            height: 48,
            data: vec![128; 64 * 48 * 3],
        }
    }

    /// Runs the vision thread's loop over `frames`.
    fn watch_frames(frames: Vec<VideoFrame>) -> Result<(VisionAnalysis, u64), VisionError> {
        let (tx, rx) = sync_channel(frames.len());
        for frame in frames {
            tx.send(frame).unwrap();
        }
        drop(tx);
        let analyzer = VisionAnalyzer::new(&VisionConfig::default()).unwrap();
        watch(analyzer, rx).map(|(watched, _busy)| watched)
    }

    /// 10 frames at 5 fps, the first `broken` of them with a buffer that
    /// does not match their size.
    fn frames_with_broken(broken: usize) -> Vec<VideoFrame> {
        let mut frames: Vec<VideoFrame> = (0..10).map(|i| grey_frame(f64::from(i) / 5.0)).collect();
        for frame in frames.iter_mut().take(broken) {
            frame.data.truncate(100);
        }
        frames
    }

    #[test]
    fn a_frame_the_visual_analysis_fails_on_is_skipped_not_fatal() {
        let (vision, failed) =
            watch_frames(frames_with_broken(1)).expect("one bad frame does not fail the analysis");
        assert_eq!((vision.frames, failed), (9, 1));
    }

    #[test]
    fn the_visual_analysis_fails_when_most_frames_fail() {
        let err = watch_frames(frames_with_broken(6)).unwrap_err();
        assert!(
            matches!(
                err,
                VisionError::FramesFailed {
                    failed: 6,
                    total: 10,
                    ..
                }
            ),
            "{err}"
        );
    }
}
