//! Known-truth fixtures and scoring, shared by the tests and the `transcribe`
//! example. Audio comes from scripts/make-interview.py (espeak-ng speech with
//! scripted sentences, fillers and pauses, and a .truth.json beside it).
#![allow(dead_code)] // each test binary and the example use a different subset

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, OnceLock};

use candor_domain::Transcript;
use candor_whisper::{ModelOptions, WhisperModel};
use serde::Deserialize;

pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// An installed model, by name: the tests transcribe with tiny.en (fast)
/// and use base for other languages. `scripts/setup.sh` installs both into
/// CANDOR_MODELS_DIR.
pub fn model_named(name: &str) -> PathBuf {
    std::env::var_os("CANDOR_MODELS_DIR")
        .map(|root| PathBuf::from(root).join(name))
        .expect("CANDOR_MODELS_DIR names the models directory: source scripts/setup.sh")
}

pub fn model_dir() -> PathBuf {
    model_named("tiny.en")
}

/// The model, loaded once per test process.
pub fn model() -> Arc<WhisperModel> {
    static MODEL: OnceLock<Arc<WhisperModel>> = OnceLock::new();
    MODEL
        .get_or_init(|| {
            Arc::new(
                WhisperModel::load(model_dir(), &ModelOptions::default())
                    .expect("load the Whisper model"),
            )
        })
        .clone()
}

#[derive(Debug, Deserialize)]
pub struct Truth {
    pub duration_s: f64,
    pub sentences: Vec<Sentence>,
    pub fillers: Vec<Filler>,
}

#[derive(Debug, Deserialize)]
pub struct Sentence {
    pub text: String,
    pub start: f64,
    pub end: f64,
}

#[derive(Debug, Deserialize)]
pub struct Filler {
    pub sentence: usize,
    pub word: String,
    pub index: usize,
}

/// Reads a 16 kHz mono WAV (16-bit PCM or float) as f32 samples.
pub fn read_wav(path: &Path) -> Vec<f32> {
    let mut r = hound::WavReader::open(path).expect("open wav");
    let spec = r.spec();
    assert_eq!(
        (spec.sample_rate, spec.channels),
        (16_000, 1),
        "{} must be 16 kHz mono",
        path.display()
    );
    match spec.sample_format {
        hound::SampleFormat::Int => r
            .samples::<i16>()
            .map(|s| s.expect("sample") as f32 / 32768.0)
            .collect(),
        hound::SampleFormat::Float => r.samples::<f32>().map(|s| s.expect("sample")).collect(),
    }
}

/// Resamples any audio file to a 16 kHz mono 16-bit WAV with sox.
pub fn to_16k(input: &Path, output: &Path) {
    let ok = Command::new("sox")
        .arg(input)
        .args(["-r", "16000", "-c", "1", "-b", "16"])
        .arg(output)
        .status()
        .expect("run sox");
    assert!(ok.success(), "sox failed on {}", input.display());
}

/// Makes an interview answer with make-interview.py in `dir`, returns its
/// 16 kHz samples and truth.
pub fn interview(dir: &Path, minutes: f64) -> (Vec<f32>, Truth) {
    let raw = dir.join("raw.wav");
    let mut cmd = Command::new("python3");
    cmd.arg(workspace().join("scripts/make-interview.py"))
        .arg(&raw);
    if minutes > 0.0 {
        cmd.args(["--minutes", &minutes.to_string()]);
    }
    assert!(cmd.status().expect("run make-interview.py").success());
    let wav = dir.join("speech16k.wav");
    to_16k(&raw, &wav);
    let truth =
        serde_json::from_str(&std::fs::read_to_string(dir.join("raw.truth.json")).expect("truth"))
            .expect("truth json");
    (read_wav(&wav), truth)
}

const ONES: [&str; 20] = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];
const TENS: [&str; 10] = [
    "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
];

fn number_words(n: u64) -> Vec<String> {
    let mut out = Vec::new();
    if n >= 1000 {
        out.extend(number_words(n / 1000));
        out.push("thousand".into());
        if n % 1000 == 0 {
            return out;
        }
    }
    let n = n % 1000;
    if n >= 100 {
        out.push(ONES[(n / 100) as usize].into());
        out.push("hundred".into());
    }
    let r = n % 100;
    if r >= 20 {
        out.push(TENS[(r / 10) as usize].into());
        if r % 10 > 0 {
            out.push(ONES[(r % 10) as usize].into());
        }
    } else if r > 0 || out.is_empty() {
        out.push(ONES[r as usize].into());
    }
    out
}

/// Lower-case words without punctuation; numbers, "%" and "$" spelled out,
/// hesitations spelled one way ("umm" → "um", "uhh"/"er" → "uh").
pub fn normalise(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for raw in text.split(|c: char| c.is_whitespace() || c == '-') {
        let dollars = raw.contains('$');
        let percent = raw.contains('%');
        let w: String = raw
            .chars()
            .filter(|c| c.is_alphanumeric() || *c == '\'')
            .collect::<String>()
            .to_lowercase();
        let w = w.trim_matches('\'').to_owned();
        if w.is_empty() {
            continue;
        }
        if let Ok(n) = w.parse::<u64>() {
            out.extend(number_words(n));
        } else {
            out.push(match w.as_str() {
                "umm" | "um" | "hmm" | "mm" => "um".into(),
                "uh" | "uhh" | "er" | "ah" => "uh".into(),
                _ => w,
            });
        }
        if percent {
            out.push("percent".into());
        }
        if dollars {
            out.push("dollars".into());
        }
    }
    out
}

/// Indices of `truth` words matched by a longest common subsequence with `hyp`,
/// paired with the index of the matching `hyp` word.
pub fn lcs_matches(truth: &[String], hyp: &[String]) -> Vec<(usize, usize)> {
    let (n, m) = (truth.len(), hyp.len());
    let mut t = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            t[i][j] = if truth[i] == hyp[j] {
                t[i + 1][j + 1] + 1
            } else {
                t[i + 1][j].max(t[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < n && j < m {
        if truth[i] == hyp[j] {
            out.push((i, j));
            i += 1;
            j += 1;
        } else if t[i + 1][j] >= t[i][j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

/// How a transcript compares with the truth.
#[derive(Debug)]
pub struct Score {
    /// Share of scripted words found, in order.
    pub coverage: f64,
    /// Share of scripted "um"/"uh" found.
    pub filler_recall: f64,
    pub fillers: usize,
    /// Share of matched words whose time lies in their sentence's span ± 0.5 s.
    pub timing: f64,
    /// Sentences of which not one word was found.
    pub sentences_lost: usize,
    /// Longest stretch of scripted speech, seconds, with no word in the transcript.
    pub longest_silent_speech: f64,
}

pub fn score(transcript: &Transcript, truth: &Truth) -> Score {
    // Truth words with their sentence; hypothesis words with their times.
    let mut tw: Vec<(String, usize)> = Vec::new();
    for (si, s) in truth.sentences.iter().enumerate() {
        tw.extend(normalise(&s.text).into_iter().map(|w| (w, si)));
    }
    let mut hw: Vec<(String, f64, f64)> = Vec::new();
    for w in transcript.words() {
        hw.extend(normalise(&w.text).into_iter().map(|n| (n, w.start, w.end)));
    }
    let tws: Vec<String> = tw.iter().map(|w| w.0.clone()).collect();
    let hws: Vec<String> = hw.iter().map(|w| w.0.clone()).collect();
    let matches = lcs_matches(&tws, &hws);
    let is_filler = |w: &str| w == "um" || w == "uh";
    let fillers = tws.iter().filter(|w| is_filler(w)).count();
    let found_fillers = matches.iter().filter(|&&(i, _)| is_filler(&tws[i])).count();
    let in_span = matches
        .iter()
        .filter(|&&(i, j)| {
            let s = &truth.sentences[tw[i].1];
            let mid = (hw[j].1 + hw[j].2) / 2.0;
            mid >= s.start - 0.5 && mid <= s.end + 0.5
        })
        .count();
    let mut found_per_sentence = vec![0usize; truth.sentences.len()];
    for &(i, _) in &matches {
        found_per_sentence[tw[i].1] += 1;
    }
    let mut times: Vec<f64> = hw.iter().map(|w| (w.1 + w.2) / 2.0).collect();
    times.sort_by(f64::total_cmp);
    let longest_silent_speech = speech_gaps(&times, truth).fold(0.0, f64::max);
    Score {
        coverage: matches.len() as f64 / tws.len().max(1) as f64,
        filler_recall: if fillers == 0 {
            1.0
        } else {
            found_fillers as f64 / fillers as f64
        },
        fillers,
        timing: if matches.is_empty() {
            0.0
        } else {
            in_span as f64 / matches.len() as f64
        },
        sentences_lost: found_per_sentence.iter().filter(|&&n| n == 0).count(),
        longest_silent_speech,
    }
}

/// For every gap between consecutive transcript words (and before the first
/// and after the last), the seconds of scripted speech inside it.
fn speech_gaps<'a>(times: &'a [f64], truth: &'a Truth) -> impl Iterator<Item = f64> + 'a {
    let mut edges = vec![0.0];
    edges.extend(times.iter().copied());
    edges.push(truth.duration_s);
    (1..edges.len()).map(move |k| {
        let (a, b) = (edges[k - 1], edges[k]);
        truth
            .sentences
            .iter()
            .map(|s| (s.end.min(b) - s.start.max(a)).max(0.0))
            .sum()
    })
}
