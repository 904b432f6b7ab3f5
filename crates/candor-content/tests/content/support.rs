//! Builds word-timed transcripts from written text with known timing.

use candor_content::{analyze, ContentAnalysis, ContentConfig, Lexicon, SpeechTiming};
use candor_domain::{Segment, Span, Transcript, Word};

/// Silence before the first word, seconds.
pub const LEAD_IN_S: f64 = 0.5;

/// Turns "Um, I led [pause 1.2] a team [wpm 100] of five" into Whisper-style
/// words (" Um,", " I", ...) spoken at a steady rate: each word takes 80 % of
/// its 60/wpm slot, the rest is an ordinary gap (not a pause).
/// `[pause S]` inserts S seconds of silence (listed in the timing's pauses);
/// `[wpm N]` changes the rate from there on.
pub fn timed(text: &str, wpm: f64) -> (Transcript, SpeechTiming) {
    let mut slot = 60.0 / wpm;
    let mut t = LEAD_IN_S;
    let mut pauses = Vec::new();
    let mut segments: Vec<Segment> = Vec::new();
    let mut words: Vec<Word> = Vec::new();
    let mut parts = text.split_whitespace();
    let mut prev_end: Option<f64> = None;
    while let Some(part) = parts.next() {
        if part == "[pause" || part == "[wpm" {
            let value: f64 = parts
                .next()
                .expect("marker value")
                .trim_end_matches(']')
                .parse()
                .unwrap();
            if part == "[wpm" {
                slot = 60.0 / value;
                continue;
            }
            let end = prev_end.expect("a pause follows a word");
            pauses.push(Span::new(end, end + value));
            t = end + value;
            flush(&mut segments, &mut words);
            continue;
        }
        let (start, end) = (t, t + 0.8 * slot);
        words.push(Word {
            text: format!(" {part}"),
            start,
            end,
            probability: 0.9,
        });
        prev_end = Some(end);
        t = start + slot;
    }
    flush(&mut segments, &mut words);
    let all: Vec<&Word> = segments.iter().flat_map(|s| &s.words).collect();
    let (first, last) = (
        all.first().map_or(0.0, |w| w.start),
        all.last().map_or(0.0, |w| w.end),
    );
    let paused: f64 = pauses.iter().map(Span::duration).sum();
    let timing = SpeechTiming {
        duration_s: last + 0.5,
        speaking_time_s: (last - first - paused).max(0.0),
        pauses,
    };
    (
        Transcript {
            language: "en".into(),
            language_probability: None,
            segments,
        },
        timing,
    )
}

fn flush(segments: &mut Vec<Segment>, words: &mut Vec<Word>) {
    if words.is_empty() {
        return;
    }
    let words = std::mem::take(words);
    segments.push(Segment {
        start: words[0].start,
        end: words[words.len() - 1].end,
        text: words.iter().map(|w| w.text.as_str()).collect(),
        words,
    });
}

/// Analyses `text` at 150 wpm with the default lexicon and configuration.
pub fn analyze_text(text: &str) -> ContentAnalysis {
    let (transcript, timing) = timed(text, 150.0);
    analyze(
        &transcript,
        &timing,
        &Lexicon::default(),
        &ContentConfig::default(),
    )
}

/// The script of scripts/make-interview.py: (sentence, pause after it, s),
/// as the generator itself prints it.
pub fn script() -> &'static [(String, f64)] {
    static SCRIPT: std::sync::OnceLock<Vec<(String, f64)>> = std::sync::OnceLock::new();
    SCRIPT.get_or_init(|| {
        let generator = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../scripts/make-interview.py"
        );
        let out = std::process::Command::new("python3")
            .args([generator, "--print-script"])
            .output()
            .expect("python3 runs");
        assert!(
            out.status.success(),
            "make-interview.py --print-script failed"
        );
        serde_json::from_slice(&out.stdout).expect("the script is JSON")
    })
}

/// The script as `timed` text, with its pauses (the last one is trailing
/// silence, not a pause, as in make-interview.py).
pub fn script_text() -> String {
    let script = script();
    let n = script.len();
    script
        .iter()
        .enumerate()
        .map(|(i, (s, p))| {
            if i + 1 < n {
                format!("{s} [pause {p}]")
            } else {
                s.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn filler_texts(a: &ContentAnalysis) -> Vec<&str> {
    a.fillers.hits.iter().map(|h| h.text.as_str()).collect()
}

pub fn hit_texts(hits: &candor_content::PhraseHits) -> Vec<&str> {
    hits.hits.iter().map(|h| h.text.as_str()).collect()
}
