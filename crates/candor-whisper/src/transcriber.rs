//! Streaming transcription: audio in as it is decoded, segments out window by
//! window, with at most one 30-s window plus one pushed chunk held in memory.

use std::sync::Arc;

use candor_domain::{Segment, Transcript, Word};
use ct2rs::sys::StorageView;

use crate::decode::{decode_with_fallback, parse_timestamps, Decoded, RawSegment};
use crate::energy::VoicedMask;
use crate::error::WhisperError;
use crate::mel::{HOP, SAMPLE_RATE, WINDOW_SAMPLES};
use crate::model::WhisperModel;
use crate::options::TranscribeOptions;
use crate::words::{
    median_duration, splits_on_characters, time_words, trim_long_words_at_sentence_ends, TimedWord,
};

/// Windows with less voiced signal than this are not decoded at all: there is
/// nothing to transcribe, and decoding silence is how Whisper hallucinates.
const MIN_VOICED_SECONDS: f64 = 0.1;
/// Samples louder than this are not normalised f32 audio (e.g. i16 values
/// cast to f32); real audio stays within ±1 with some codec overshoot.
const MAX_ABS_SAMPLE: f32 = 4.0;

/// Transcribes one recording. Create one per recording with
/// [`Transcriber::new`], [`push`](Self::push) 16 kHz mono samples as they are
/// decoded, then [`finish`](Self::finish).
pub struct Transcriber {
    model: Arc<WhisperModel>,
    options: TranscribeOptions,
    suppress_tokens: Vec<i32>,
    /// The disfluency prompt of the language as token strings (empty when
    /// turned off, when the language has none, or until it is known).
    disfluency: Vec<String>,
    /// Resolved language; `None` until detected on a multilingual model.
    language: Option<String>,
    /// The detection's probability; `None` when the language was given.
    language_probability: Option<f32>,
    /// Audio not yet consumed by seeking; `buffer[0]` is sample `buffer_start`.
    buffer: Vec<f32>,
    buffer_start: u64,
    /// Text tokens of previous windows, the decoder's context.
    previous: Vec<usize>,
    /// End of the last emitted segment, seconds.
    last_speech_end: f64,
    segments: Vec<Segment>,
}

impl std::fmt::Debug for Transcriber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transcriber")
            .field("language", &self.language)
            .field(
                "buffered_s",
                &(self.buffer.len() as f64 / SAMPLE_RATE as f64),
            )
            .field(
                "position_s",
                &(self.buffer_start as f64 / SAMPLE_RATE as f64),
            )
            .field("segments", &self.segments.len())
            .finish()
    }
}

/// The result of decoding a window with one prompt.
struct Attempt {
    decoded: Decoded,
    segments: Vec<Segment>,
    consumed_samples: usize,
    /// Voiced seconds the decode left without words (coverage check).
    uncovered: f64,
}

impl Transcriber {
    pub fn new(model: Arc<WhisperModel>, options: TranscribeOptions) -> Result<Self, WhisperError> {
        if options.temperatures.is_empty() {
            return Err(WhisperError::BadOptions(
                "temperatures must not be empty".into(),
            ));
        }
        let language = match &options.language {
            Some(code) if !model.supports_language(code) => {
                return Err(WhisperError::BadOptions(format!(
                    "this model does not transcribe language {code:?}"
                )));
            }
            Some(code) => Some(code.clone()),
            None if !model.is_multilingual() => Some("en".to_owned()),
            None => None,
        };
        let mut transcriber = Self {
            suppress_tokens: model.suppress_tokens(&options.suppress_tokens),
            model,
            options,
            disfluency: Vec::new(),
            language: None,
            language_probability: None,
            buffer: Vec::with_capacity(WINDOW_SAMPLES * 2),
            buffer_start: 0,
            previous: Vec::new(),
            last_speech_end: 0.0,
            segments: Vec::new(),
        };
        if let Some(code) = language {
            transcriber.set_language(code, None)?;
        }
        Ok(transcriber)
    }

    /// Fixes the language and, with it, the disfluency prompt: one written
    /// in that language, since a prompt in another language makes Whisper
    /// translate into it. A language without a prompt gets none.
    fn set_language(&mut self, code: String, probability: Option<f32>) -> Result<(), WhisperError> {
        let prompt = self
            .options
            .disfluency_prompts
            .get(&code)
            .filter(|text| self.options.disfluency_prompt && !text.trim().is_empty());
        if let Some(text) = prompt {
            let ids = self.model.vocab.encode(text);
            let ts = self.model.vocab.specials.timestamp_begin;
            self.disfluency = std::iter::once(ts)
                .chain(ids)
                .chain(std::iter::once(ts + 250))
                .filter_map(|id| self.model.vocab.token(id).map(str::to_owned))
                .collect();
        }
        self.language = Some(code);
        self.language_probability = probability;
        Ok(())
    }

    /// Adds audio (16 kHz mono, −1..1) and returns the segments of every
    /// window this completed. Segments come out in order and are final.
    pub fn push(&mut self, samples: &[f32]) -> Result<Vec<Segment>, WhisperError> {
        if let Some(bad) = samples
            .iter()
            .find(|s| !s.is_finite() || s.abs() > MAX_ABS_SAMPLE)
        {
            return Err(WhisperError::BadAudio(format!(
                "sample value {bad}; expected finite values within ±1 (were integer PCM samples passed as f32?)"
            )));
        }
        let mut out = Vec::new();
        let mut rest = samples;
        while !rest.is_empty() {
            let take = rest
                .len()
                .min(WINDOW_SAMPLES.saturating_sub(self.buffer.len()).max(1));
            self.buffer.extend_from_slice(&rest[..take]);
            rest = &rest[take..];
            while self.buffer.len() >= WINDOW_SAMPLES {
                out.extend(self.window()?);
            }
        }
        Ok(out)
    }

    /// Decodes the audio still buffered and returns the whole transcript.
    pub fn finish(mut self) -> Result<Transcript, WhisperError> {
        while !self.buffer.is_empty() {
            self.window()?;
        }
        Ok(Transcript {
            language: self.language.unwrap_or_else(|| "en".to_owned()),
            language_probability: self.language_probability,
            segments: self.segments,
        })
    }

    /// Decodes the window at the start of the buffer, emits its segments and
    /// drops the audio it consumed.
    fn window(&mut self) -> Result<Vec<Segment>, WhisperError> {
        let n = self.buffer.len().min(WINDOW_SAMPLES);
        let offset = self.buffer_start as f64 / SAMPLE_RATE as f64;
        let mask = VoicedMask::new(&self.buffer[..n], &self.options.guards);
        let duration = n as f64 / SAMPLE_RATE as f64;
        if mask.voiced_seconds(0.0, duration) < MIN_VOICED_SECONDS {
            self.consume(n);
            return Ok(Vec::new());
        }
        let mut mel = self.model.mel.window(&self.buffer[..n]);
        let encoded = self.model.encode(&mut mel)?;
        if self.language.is_none() {
            let (code, probability) = match self.model.detect_language(&encoded)? {
                Some((code, probability)) => (code, Some(probability)),
                None => ("en".to_owned(), None),
            };
            tracing::info!(language = %code, probability, "detected the spoken language");
            self.set_language(code, probability)?;
        }
        let full_prompt = self.prompt(true);
        let mut attempt = self.attempt(&encoded, &full_prompt, n, &mask, offset)?;
        let prompted = full_prompt.len() > self.sot_sequence().len();
        let gap = self.options.guards.coverage_gap as f64;
        if prompted && attempt.as_ref().is_none_or(|a| a.uncovered >= gap) {
            // Speech left without words: the prompt may have made the decoder
            // skip it. Try once without any prompt and keep the better cover.
            let bare = self.prompt(false);
            let retry = self.attempt(&encoded, &bare, n, &mask, offset)?;
            let uncovered = |a: &Option<Attempt>| a.as_ref().map_or(f64::INFINITY, |a| a.uncovered);
            tracing::debug!(
                offset,
                before = uncovered(&attempt),
                after = uncovered(&retry),
                "coverage re-decode"
            );
            if uncovered(&retry) < uncovered(&attempt) {
                attempt = retry;
            }
        }
        let Some(attempt) = attempt else {
            // No speech: the whole window is consumed, context is kept.
            self.consume(n);
            return Ok(Vec::new());
        };
        if self.options.condition_on_previous_text
            && attempt.decoded.temperature <= self.options.prompt_reset_on_temperature
        {
            let eot = self.model.vocab.specials.eot;
            self.previous
                .extend(attempt.decoded.tokens.iter().copied().filter(|&t| t != eot));
            let excess = self
                .previous
                .len()
                .saturating_sub(self.options.max_previous_tokens);
            self.previous.drain(..excess);
        } else {
            self.previous.clear();
        }
        if let Some(last) = attempt.segments.last() {
            self.last_speech_end = last.end;
        }
        self.consume(attempt.consumed_samples.clamp(1, n));
        self.segments.extend(attempt.segments.iter().cloned());
        Ok(attempt.segments)
    }

    fn consume(&mut self, n: usize) {
        self.buffer.drain(..n);
        self.buffer_start += n as u64;
    }

    fn sot_sequence(&self) -> Vec<usize> {
        let s = &self.model.vocab.specials;
        match (&self.language, self.model.is_multilingual()) {
            (Some(lang), true) => {
                let lang = self.model.vocab.id(&format!("<|{lang}|>")).unwrap_or(s.sot);
                vec![s.sot, lang, s.transcribe]
            }
            _ => vec![s.sot],
        }
    }

    /// `<|startofprev|>` + disfluency prompt + previous text + start of
    /// transcript; with `with_context` false, the start of transcript alone.
    fn prompt(&self, with_context: bool) -> Vec<String> {
        let vocab = &self.model.vocab;
        let token = |id: usize| vocab.token(id).unwrap_or_default().to_owned();
        let mut prompt = Vec::new();
        if with_context && (!self.disfluency.is_empty() || !self.previous.is_empty()) {
            prompt.push(token(vocab.specials.sot_prev));
            prompt.extend(self.disfluency.iter().cloned());
            prompt.extend(self.previous.iter().map(|&t| token(t)));
        }
        prompt.extend(self.sot_sequence().into_iter().map(token));
        prompt
    }

    /// Decodes the window with `prompt`; `None` when it is silence.
    fn attempt(
        &self,
        encoded: &StorageView<'_>,
        prompt: &[String],
        n: usize,
        mask: &VoicedMask,
        offset: f64,
    ) -> Result<Option<Attempt>, WhisperError> {
        let options = &self.options;
        let prompt_refs: Vec<&str> = prompt.iter().map(String::as_str).collect();
        let mut decoded = decode_with_fallback(
            &self.model,
            encoded,
            &prompt_refs,
            options,
            &self.suppress_tokens,
        )?;
        if decoded.no_speech_prob > options.no_speech_threshold
            && decoded.avg_logprob < options.log_prob_threshold
        {
            return Ok(None);
        }
        let vocab = &self.model.vocab;
        decoded
            .tokens
            .retain(|&t| t < vocab.specials.eot || vocab.is_timestamp(t));
        let content_frames = n.div_ceil(HOP);
        let parsed = parse_timestamps(
            |t| vocab.is_timestamp(t),
            |t| vocab.timestamp_seconds(t),
            &decoded.tokens,
            content_frames,
        );
        let mut consumed = parsed.consumed_frames * HOP;
        let duration = n as f64 / SAMPLE_RATE as f64;
        let mut segments = if options.word_timestamps {
            self.timed_segments(encoded, &parsed.segments, content_frames, mask, duration)?
        } else {
            parsed
                .segments
                .iter()
                .map(|s| self.plain_segment(s, duration))
                .collect()
        };
        if options.word_timestamps && !parsed.complete {
            // Seek to the last word's end rather than the segment timestamp,
            // which tends to run late (faster-whisper does the same).
            if let Some(end) = segments
                .iter()
                .flat_map(|s| s.words.last())
                .map(|w| w.end)
                .next_back()
            {
                consumed = ((end * SAMPLE_RATE as f64) as usize).clamp(1, consumed.max(1));
            }
        }
        let consumed_s = consumed as f64 / SAMPLE_RATE as f64;
        let mut covered: Vec<(f64, f64)> = segments
            .iter()
            .flat_map(|s| {
                if s.words.is_empty() {
                    vec![(s.start, s.end)]
                } else {
                    s.words.iter().map(|w| (w.start, w.end)).collect()
                }
            })
            .collect();
        covered.sort_by(|a, b| a.0.total_cmp(&b.0));
        let uncovered = mask.largest_uncovered_voicing(0.0, consumed_s.min(duration), &covered);
        for s in &mut segments {
            s.start += offset;
            s.end += offset;
            for w in &mut s.words {
                w.start += offset;
                w.end += offset;
            }
        }
        Ok(Some(Attempt {
            decoded,
            segments,
            consumed_samples: consumed,
            uncovered,
        }))
    }

    fn plain_segment(&self, raw: &RawSegment, duration: f64) -> Segment {
        Segment {
            start: raw.start.min(duration),
            end: raw.end.min(duration),
            text: self.model.vocab.decode(&raw.tokens),
            words: Vec::new(),
        }
    }

    /// Segments with aligned words, window-relative. Segments whose words lie
    /// on silence are dropped (hallucination guard).
    fn timed_segments(
        &self,
        encoded: &StorageView<'_>,
        raw: &[RawSegment],
        content_frames: usize,
        mask: &VoicedMask,
        duration: f64,
    ) -> Result<Vec<Segment>, WhisperError> {
        let text_tokens: Vec<usize> = raw.iter().flat_map(|s| s.tokens.iter().copied()).collect();
        if text_tokens.is_empty() {
            return Ok(Vec::new());
        }
        let alignment = self.model.align(
            encoded,
            &self.sot_sequence(),
            text_tokens.clone(),
            content_frames,
        )?;
        let by_char = splits_on_characters(self.language.as_deref().unwrap_or("en"));
        let mut words = time_words(&self.model.vocab, &text_tokens, &alignment, by_char);
        let median = median_duration(&words);
        trim_long_words_at_sentence_ends(&mut words, median);
        let mut words = words.into_iter().peekable();
        let mut last_speech_end =
            (self.last_speech_end - self.buffer_start as f64 / SAMPLE_RATE as f64).max(0.0);
        let mut out = Vec::new();
        for seg in raw {
            let mut taken: Vec<TimedWord> = Vec::new();
            let mut tokens = 0;
            while tokens < seg.tokens.len() {
                let Some(w) = words.next() else { break };
                tokens += w.n_tokens;
                taken.push(w);
            }
            let mut segment = self.plain_segment(seg, duration);
            fix_boundary_words(&mut segment, &mut taken, median, last_speech_end);
            segment.words = taken
                .into_iter()
                .filter(|w| !w.text.trim().is_empty())
                .map(|w| {
                    let start = w.start.clamp(segment.start, segment.end);
                    Word {
                        text: w.text,
                        start,
                        end: w.end.clamp(start, segment.end),
                        probability: w.probability,
                    }
                })
                .collect();
            let voiced: f64 = segment
                .words
                .iter()
                .map(|w| mask.voiced_share(w.start, w.end) * (w.end - w.start))
                .sum();
            let spoken: f64 = segment.words.iter().map(|w| w.end - w.start).sum();
            let share = if spoken > 0.0 {
                voiced / spoken
            } else {
                mask.voiced_share(segment.start, segment.end)
            };
            if segment.words.is_empty() || share < self.options.guards.min_voiced_share as f64 {
                tracing::debug!(
                    text = segment.text,
                    share,
                    "dropped a segment decoded on silence"
                );
                continue;
            }
            last_speech_end = segment.end;
            out.push(segment);
        }
        Ok(out)
    }
}

/// openai/whisper's fixes for the first and last word of a segment, whose
/// alignment often swallows a preceding pause or trailing silence: a first
/// word after a pause is cut to twice the median word length, and the
/// segment's own timestamps win over an overlong first or last word.
fn fix_boundary_words(
    segment: &mut Segment,
    words: &mut [TimedWord],
    median: f64,
    last_speech_end: f64,
) {
    let max = 2.0 * median;
    let n = words.len();
    if n == 0 {
        return;
    }
    let first_too_long =
        words[0].end - words[0].start > max || (n > 1 && words[1].end - words[0].start > max * 2.0);
    if words[0].end - last_speech_end > median * 4.0 && first_too_long {
        if n > 1 && words[1].end - words[1].start > max {
            let boundary = (words[1].end / 2.0).max(words[1].end - max);
            words[0].end = boundary;
            words[1].start = boundary;
        }
        words[0].start = (words[0].end - max).max(0.0);
    }
    if segment.start < words[0].end && segment.start - 0.5 > words[0].start {
        words[0].start = (words[0].end - median).min(segment.start).max(0.0);
    } else {
        segment.start = words[0].start;
    }
    if segment.end > words[n - 1].start && segment.end + 0.5 < words[n - 1].end {
        words[n - 1].end = (words[n - 1].start + median).max(segment.end);
    } else {
        segment.end = words[n - 1].end;
    }
}
