//! The answer scripts/make-interview.py synthesises, rebuilt as a transcript
//! from its `.truth.json` (sentence spans, pauses, speaking time), so that the
//! analysis is checked against the truth the end-to-end tests use.

use std::path::Path;
use std::process::Command;

use candor_content::{analyze, ContentConfig, Lexicon, SpeechTiming};
use candor_domain::{Segment, Span, Transcript, Word};
use serde_json::Value;

fn truth() -> Value {
    let dir = tempfile::tempdir().unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/make-interview.py");
    let wav = dir.path().join("answer.wav");
    let status = Command::new("python3")
        .arg(&script)
        .arg(&wav)
        .output()
        .expect("python3 runs");
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let text = std::fs::read_to_string(dir.path().join("answer.truth.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Each sentence's words spread evenly over its measured span.
fn transcript(truth: &Value) -> Transcript {
    let segments = truth["sentences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let (start, end) = (s["start"].as_f64().unwrap(), s["end"].as_f64().unwrap());
            let text = s["text"].as_str().unwrap();
            let parts: Vec<&str> = text.split_whitespace().collect();
            let slot = (end - start) / parts.len() as f64;
            let words = parts
                .iter()
                .enumerate()
                .map(|(k, w)| Word {
                    text: format!(" {w}"),
                    start: start + k as f64 * slot,
                    end: start + (k as f64 + 0.9) * slot,
                    probability: 0.9,
                })
                .collect();
            Segment {
                start,
                end,
                text: format!(" {text}"),
                words,
            }
        })
        .collect();
    Transcript {
        language: "en".into(),
        language_probability: None,
        segments,
    }
}

#[test]
fn the_synthesised_interview_matches_its_truth_file() {
    let truth = truth();
    let transcript = transcript(&truth);
    let f = |k: &str| truth[k].as_f64().unwrap();
    let pauses: Vec<Span> = truth["pauses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| Span::new(p["start"].as_f64().unwrap(), p["end"].as_f64().unwrap()))
        .collect();
    let timing = SpeechTiming {
        duration_s: f("duration_s"),
        speaking_time_s: f("speaking_time_s"),
        pauses,
    };
    let a = analyze(
        &transcript,
        &timing,
        &Lexicon::default(),
        &ContentConfig::default(),
    );

    // Fillers: the same words at the same places.
    let sentence_words: Vec<usize> = truth["sentences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["words"].as_u64().unwrap() as usize)
        .collect();
    let expected: Vec<(String, usize)> = truth["fillers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            let sentence = h["sentence"].as_u64().unwrap() as usize;
            let before: usize = sentence_words[..sentence].iter().sum();
            (
                h["word"].as_str().unwrap().to_string(),
                before + h["index"].as_u64().unwrap() as usize,
            )
        })
        .collect();
    let found: Vec<(String, usize)> = a
        .fillers
        .hits
        .iter()
        .map(|h| (h.text.clone(), h.word_index))
        .collect();
    assert_eq!(found, expected);
    assert_eq!(found.len(), 6);
    // Rates are per minute of the speech span, the span pace is over.
    let sentences = truth["sentences"].as_array().unwrap();
    let span = sentences.last().unwrap()["end"].as_f64().unwrap()
        - sentences[0]["start"].as_f64().unwrap();
    assert!((a.fillers.per_minute - 6.0 / (span / 60.0)).abs() / a.fillers.per_minute < 0.01);

    // Pace from the truth's word count, speech span and speaking time.
    let words = truth["word_count"].as_u64().unwrap() as usize;
    assert_eq!(a.word_count, words);
    let overall = words as f64 / (span / 60.0);
    assert!(
        (a.pace.overall_wpm - overall).abs() / overall < 0.01,
        "{} vs {overall}",
        a.pace.overall_wpm
    );
    let articulation = words as f64 / (f("speaking_time_s") / 60.0);
    assert!((a.pace.articulation_wpm - articulation).abs() < 1e-9);

    // Every scripted pause is >= 0.5 s: the longest run is the longest sentence.
    let longest = sentences
        .iter()
        .map(|s| s["end"].as_f64().unwrap() - s["start"].as_f64().unwrap())
        .fold(0.0, f64::max);
    let run = a.pace.longest_run.unwrap();
    assert!(
        (run.duration_s - longest).abs() < 1e-6,
        "{} vs {longest}",
        run.duration_s
    );
}
