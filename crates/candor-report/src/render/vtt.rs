//! WebVTT captions (W3C, "WebVTT: The Web Video Text Tracks Format") from
//! the transcript's word timings, for the report's player.
//!
//! A cue is at most two lines of about 42 characters (the usual broadcast
//! caption line) and lasts at most 6 s; a new cue starts with each of
//! Whisper's segments, so a cue never spans a sentence break the model saw.

use candor_domain::{Transcript, Word};

const LINE_CHARS: usize = 42;
const CUE_CHARS: usize = 2 * LINE_CHARS;
const CUE_SECONDS: f64 = 6.0;

/// The transcript as a WebVTT file.
pub fn vtt(transcript: &Transcript) -> String {
    let mut out = String::from("WEBVTT\n");
    for segment in &transcript.segments {
        let mut cue: Vec<&Word> = Vec::new();
        for word in &segment.words {
            if let Some(first) = cue.first() {
                let chars = text_of(&cue).chars().count() + word.text.chars().count();
                if chars > CUE_CHARS || word.end - first.start > CUE_SECONDS {
                    push_cue(&mut out, &cue);
                    cue.clear();
                }
            }
            cue.push(word);
        }
        push_cue(&mut out, &cue);
    }
    out
}

fn text_of(words: &[&Word]) -> String {
    words
        .iter()
        .map(|w| w.text.as_str())
        .collect::<String>()
        .trim()
        .to_owned()
}

fn push_cue(out: &mut String, words: &[&Word]) {
    let (Some(first), Some(last)) = (words.first(), words.last()) else {
        return;
    };
    let text = text_of(words);
    if text.is_empty() {
        return;
    }
    out.push_str(&format!(
        "\n{} --> {}\n{}\n",
        timestamp(first.start),
        timestamp(last.end.max(first.start)),
        escape(&two_lines(&text))
    ));
}

/// The text broken at the space nearest its middle when it is longer than
/// a line.
fn two_lines(text: &str) -> String {
    if text.chars().count() <= LINE_CHARS {
        return text.to_owned();
    }
    let middle = text.len() / 2;
    let split = text
        .match_indices(' ')
        .map(|(i, _)| i)
        .min_by_key(|&i| i.abs_diff(middle));
    match split {
        Some(i) => format!("{}\n{}", &text[..i], &text[i + 1..]),
        None => text.to_owned(),
    }
}

/// `&`, `<` and `>` as character references, so that cue text cannot
/// start a tag or end the timing line's arrow.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// `hh:mm:ss.ttt`.
fn timestamp(seconds: f64) -> String {
    let ms = (seconds.max(0.0) * 1000.0).round() as u64;
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        ms / 3_600_000,
        ms / 60_000 % 60,
        ms / 1000 % 60,
        ms % 1000
    )
}

#[cfg(test)]
mod tests {
    use candor_domain::Segment;

    use super::*;

    fn word(text: &str, start: f64, end: f64) -> Word {
        Word {
            text: text.into(),
            start,
            end,
            probability: 0.9,
        }
    }

    fn transcript(segments: Vec<Vec<Word>>) -> Transcript {
        Transcript {
            language: "en".into(),
            language_probability: None,
            segments: segments
                .into_iter()
                .map(|words| Segment {
                    start: words[0].start,
                    end: words.last().unwrap().end,
                    text: words.iter().map(|w| w.text.as_str()).collect(),
                    words,
                })
                .collect(),
        }
    }

    #[test]
    fn cues_follow_segments_and_word_times() {
        let t = transcript(vec![
            vec![
                word(" So", 0.5, 0.7),
                word(" I", 0.8, 0.9),
                word(" led", 1.0, 1.3),
            ],
            vec![
                word(" It", 3661.25, 3661.4),
                word(" <worked>", 3661.5, 3662.0),
            ],
        ]);
        assert_eq!(
            vtt(&t),
            "WEBVTT\n\n00:00:00.500 --> 00:00:01.300\nSo I led\n\n\
             01:01:01.250 --> 01:01:02.000\nIt &lt;worked&gt;\n"
        );
    }

    #[test]
    fn a_long_segment_is_cut_into_cues_of_two_short_lines_and_six_seconds() {
        let words: Vec<Word> = (0..60)
            .map(|i| word(" word", i as f64 * 0.4, i as f64 * 0.4 + 0.3))
            .collect();
        let text = vtt(&transcript(vec![words]));
        let cues: Vec<&str> = text.split("\n\n").skip(1).collect();
        assert!(cues.len() >= 4, "{text}");
        let mut words_seen = 0;
        for cue in cues {
            let mut lines = cue.lines();
            let timing = lines.next().unwrap();
            let (start, end) = timing.split_once(" --> ").unwrap();
            let secs = |s: &str| {
                let p: Vec<f64> = s.split(':').map(|x| x.parse().unwrap()).collect();
                p[0] * 3600.0 + p[1] * 60.0 + p[2]
            };
            assert!(secs(end) - secs(start) <= CUE_SECONDS, "{timing}");
            let text: Vec<&str> = lines.collect();
            assert!(text.len() <= 2, "{cue}");
            assert!(
                text.iter().all(|l| l.chars().count() <= LINE_CHARS),
                "{cue}"
            );
            words_seen += text
                .iter()
                .map(|l| l.split_whitespace().count())
                .sum::<usize>();
        }
        assert_eq!(words_seen, 60, "every word in a cue, once");
    }
}
