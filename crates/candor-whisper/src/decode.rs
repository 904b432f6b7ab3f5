//! One window through the decoder: temperature fallback, quality measures,
//! and the timestamp tokens turned into segments and a seek position.

use std::io::Write;

use ct2rs::sys::{StorageView, WhisperOptions};

use crate::error::WhisperError;
use crate::model::WhisperModel;
use crate::options::TranscribeOptions;

/// The accepted decode of a window.
#[derive(Debug, Clone)]
pub(crate) struct Decoded {
    /// Generated ids, prompt excluded: text and timestamp tokens.
    pub tokens: Vec<usize>,
    pub avg_logprob: f64,
    pub no_speech_prob: f32,
    pub temperature: f32,
    pub compression_ratio: f64,
}

/// gzip-style compression ratio of the text: repetition loops compress well.
pub(crate) fn compression_ratio(text: &str) -> f64 {
    if text.is_empty() {
        return 0.0;
    }
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    // Writing to a Vec cannot fail.
    let compressed = z
        .write_all(text.as_bytes())
        .and_then(|_| z.finish())
        .map_or(1, |v| v.len());
    text.len() as f64 / compressed as f64
}

/// Decodes at each temperature of the ladder until the result passes the
/// compression-ratio and log-probability checks (openai/whisper's
/// `decode_with_fallback`); a result that looks like silence also stops the
/// ladder. If none passes, the best one by mean log-prob among those that are
/// not repetition loops (else among all) is returned.
pub(crate) fn decode_with_fallback(
    model: &WhisperModel,
    encoded: &StorageView<'_>,
    prompt: &[&str],
    options: &TranscribeOptions,
    suppress_tokens: &[i32],
) -> Result<Decoded, WhisperError> {
    let mut tried: Vec<Decoded> = Vec::new();
    for &temperature in &options.temperatures {
        let sampling = temperature > 0.0;
        // Above 0, candidates are drawn one at a time and the first that
        // passes is kept: a batch of `best_of` made CTranslate2 hold that
        // many copies of the encoder's keys and values (about 190 MB more
        // peak memory for base) and decode them all when one usually does.
        let draws = if sampling { options.best_of.max(1) } else { 1 };
        for _ in 0..draws {
            let decoded = decode_once(
                model,
                encoded,
                prompt,
                options,
                suppress_tokens,
                temperature,
            )?;
            let looped = decoded.compression_ratio > options.compression_ratio_threshold;
            let unlikely = decoded.avg_logprob < options.log_prob_threshold;
            let silent = decoded.no_speech_prob > options.no_speech_threshold && unlikely;
            if silent || (!looped && !unlikely) {
                return Ok(decoded);
            }
            tried.push(decoded);
        }
    }
    let not_looped: Vec<&Decoded> = tried
        .iter()
        .filter(|d| d.compression_ratio <= options.compression_ratio_threshold)
        .collect();
    let pool: Vec<&Decoded> = if not_looped.is_empty() {
        tried.iter().collect()
    } else {
        not_looped
    };
    pool.into_iter()
        .max_by(|a, b| a.avg_logprob.total_cmp(&b.avg_logprob))
        .cloned()
        .ok_or_else(|| WhisperError::BadOptions("temperatures must not be empty".into()))
}

/// One decode of the window at `temperature` (greedy or beam at 0, one
/// sample above).
fn decode_once(
    model: &WhisperModel,
    encoded: &StorageView<'_>,
    prompt: &[&str],
    options: &TranscribeOptions,
    suppress_tokens: &[i32],
    temperature: f32,
) -> Result<Decoded, WhisperError> {
    let sampling = temperature > 0.0;
    let ct2 = WhisperOptions {
        beam_size: if sampling {
            1
        } else {
            options.beam_size.max(1)
        },
        num_hypotheses: 1,
        sampling_topk: if sampling { 0 } else { 1 },
        sampling_temperature: if sampling { temperature } else { 1.0 },
        return_scores: true,
        return_no_speech_prob: true,
        max_initial_timestamp_index: (options.max_initial_timestamp / 0.02).round() as usize,
        suppress_blank: options.suppress_blank,
        suppress_tokens: suppress_tokens.to_vec(),
        ..Default::default()
    };
    let result = model.generate(encoded, prompt, &ct2)?;
    let tokens = result.sequences_ids.into_iter().next().unwrap_or_default();
    let score = result.scores.first().copied().unwrap_or(f32::NEG_INFINITY) as f64;
    // CTranslate2's score is the cumulative log-prob divided by
    // length^length_penalty (1.0); openai/whisper divides by length + 1.
    let len = tokens.len() as f64;
    let avg_logprob = score * len / (len + 1.0);
    let text = model.vocab.decode(&tokens);
    let decoded = Decoded {
        compression_ratio: compression_ratio(&text),
        tokens,
        avg_logprob,
        no_speech_prob: result.no_speech_prob,
        temperature,
    };
    tracing::trace!(
        temperature,
        avg_logprob,
        ratio = decoded.compression_ratio,
        text,
        "decoded window"
    );
    Ok(decoded)
}

/// A segment as the timestamps delimit it, window-relative seconds.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RawSegment {
    pub start: f64,
    pub end: f64,
    /// Text tokens only.
    pub tokens: Vec<usize>,
}

/// Segments and how far the window was consumed, in mel frames.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Parsed {
    pub segments: Vec<RawSegment>,
    pub consumed_frames: usize,
    /// The decode ended on a lone timestamp: the window's speech is complete.
    pub complete: bool,
}

/// Splits the generated ids at consecutive timestamp pairs, as
/// openai/whisper does. When the output ends inside a segment (no closing
/// lone timestamp), the window is consumed only up to the last complete
/// segment, so the cut-off sentence is decoded again, whole, next window.
pub(crate) fn parse_timestamps(
    is_timestamp: impl Fn(usize) -> bool,
    seconds: impl Fn(usize) -> f64,
    tokens: &[usize],
    content_frames: usize,
) -> Parsed {
    let text = |ts: &[usize]| {
        ts.iter()
            .copied()
            .filter(|&t| !is_timestamp(t))
            .collect::<Vec<_>>()
    };
    let complete = tokens.len() >= 2
        && !is_timestamp(tokens[tokens.len() - 2])
        && is_timestamp(tokens[tokens.len() - 1]);
    let cuts: Vec<usize> = (1..tokens.len())
        .filter(|&i| is_timestamp(tokens[i]) && is_timestamp(tokens[i - 1]))
        .collect();
    if cuts.is_empty() {
        // One segment, from 0 to the last timestamp (or the whole window).
        let end = tokens
            .iter()
            .rev()
            .find(|&&t| is_timestamp(t))
            .map(|&t| seconds(t))
            .filter(|&s| s > 0.0)
            .unwrap_or(content_frames as f64 / 100.0);
        let text = text(tokens);
        let segments = if text.is_empty() {
            Vec::new()
        } else {
            vec![RawSegment {
                start: 0.0,
                end,
                tokens: text,
            }]
        };
        return Parsed {
            segments,
            consumed_frames: content_frames,
            complete: true,
        };
    }
    let mut bounds = cuts.clone();
    if complete {
        bounds.push(tokens.len());
    }
    let mut segments = Vec::new();
    let mut from = 0;
    for &to in &bounds {
        let part = &tokens[from..to];
        if let (Some(&first), Some(&last)) = (part.first(), part.last()) {
            let text = text(part);
            if !text.is_empty() && is_timestamp(first) && is_timestamp(last) {
                segments.push(RawSegment {
                    start: seconds(first),
                    end: seconds(last),
                    tokens: text,
                });
            }
        }
        from = to;
    }
    let consumed_frames = if complete {
        content_frames
    } else {
        // The end timestamp of the last complete segment, in mel frames.
        let last_end = tokens[cuts[cuts.len() - 1] - 1];
        // A last segment ending at 0.00 would make no progress: take it all.
        match ((seconds(last_end) * 100.0).round() as usize).min(content_frames) {
            0 => content_frames,
            frames => frames,
        }
    };
    Parsed {
        segments,
        consumed_frames,
        complete,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TS: usize = 1000;
    fn ts(s: f64) -> usize {
        TS + (s / 0.02).round() as usize
    }
    fn parse(tokens: &[usize], frames: usize) -> Parsed {
        parse_timestamps(|t| t >= TS, |t| (t - TS) as f64 * 0.02, tokens, frames)
    }

    #[test]
    fn an_unfinished_last_segment_is_left_for_the_next_window() {
        let tokens = [
            ts(0.0),
            1,
            2,
            ts(4.0),
            ts(4.5),
            3,
            4,
            ts(9.0),
            ts(9.5),
            5,
            6,
        ];
        let p = parse(&tokens, 3000);
        assert!(!p.complete);
        assert_eq!(p.segments.len(), 2);
        assert_eq!(
            p.segments[1],
            RawSegment {
                start: 4.5,
                end: 9.0,
                tokens: vec![3, 4]
            }
        );
        assert_eq!(p.consumed_frames, 900);
    }

    #[test]
    fn a_lone_final_timestamp_consumes_the_window() {
        let tokens = [ts(0.0), 1, 2, ts(4.0), ts(4.5), 3, ts(9.0)];
        let p = parse(&tokens, 2500);
        assert!(p.complete);
        assert_eq!(p.segments.len(), 2);
        assert_eq!(p.consumed_frames, 2500);
    }

    #[test]
    fn output_without_timestamp_pairs_is_one_segment() {
        let p = parse(&[ts(0.0), 1, 2, ts(3.0)], 3000);
        assert_eq!(
            p.segments,
            vec![RawSegment {
                start: 0.0,
                end: 3.0,
                tokens: vec![1, 2]
            }]
        );
        assert!(parse(&[], 3000).segments.is_empty());
    }

    #[test]
    fn repetition_compresses_well() {
        assert!(compression_ratio(&"I am here. ".repeat(20)) > 2.4);
        assert!(compression_ratio("In my last role I led a team of five engineers.") < 2.4);
    }
}
