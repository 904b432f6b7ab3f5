//! Running the binary and making fixtures.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use serde_json::Value;

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

pub fn candor(args: &[&str]) -> Output {
    let model = model_dir();
    Command::new(env!("CARGO_BIN_EXE_candor"))
        .args(args)
        .arg("--model")
        .arg(&model)
        .output()
        .expect("the candor binary runs")
}

/// Runs `candor analyze FILE --format json` and parses the report.
pub fn analyze_json(file: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["analyze", file.to_str().unwrap(), "--format", "json"];
    args.extend_from_slice(extra);
    let out = candor(&args);
    assert!(
        out.status.success(),
        "candor analyze {} failed ({:?}): {}",
        file.display(),
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the report is JSON")
}

/// Where fixtures are kept between runs: cargo's scratch directory for
/// integration tests, in a folder named after the generator script's content
/// so that a changed script makes fresh fixtures.
pub fn fixtures() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let script = std::fs::read(workspace().join("scripts/make-interview.py")).unwrap();
        let mut hasher = std::hash::DefaultHasher::new();
        std::hash::Hash::hash(&script, &mut hasher);
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
            "cli-fixtures-{:016x}",
            std::hash::Hasher::finish(&hasher)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    })
}

/// The fixture `name`, made by `make(path)` unless an earlier run made it.
/// Tests run in parallel processes, so it is made aside and moved in place;
/// `companions` are extensions of further files `make` writes beside it.
pub fn make_once(name: &str, companions: &[&str], make: impl FnOnce(&Path)) -> PathBuf {
    let path = fixtures().join(name);
    let last = companions
        .last()
        .map_or_else(|| path.clone(), |ext| path.with_extension(ext));
    if !last.exists() {
        let scratch = tempfile::tempdir_in(fixtures()).unwrap();
        let made = scratch.path().join(name);
        make(&made);
        std::fs::rename(&made, &path).unwrap();
        for ext in companions {
            std::fs::rename(made.with_extension(ext), path.with_extension(ext)).unwrap();
        }
    }
    path
}

/// A recording made by scripts/make-interview.py, and its truth.
pub fn interview(name: &str, args: &[&str]) -> (PathBuf, Value) {
    let path = make_once(name, &["truth.json"], |out| {
        let status = Command::new("python3")
            .arg(workspace().join("scripts/make-interview.py"))
            .arg(out)
            .args(args)
            .status()
            .expect("python3 runs");
        assert!(status.success(), "make-interview.py {name} failed");
    });
    let truth = std::fs::read_to_string(path.with_extension("truth.json")).unwrap();
    (path, serde_json::from_str(&truth).unwrap())
}

/// A fixture made by ffmpeg with `args` (then the output path).
pub fn ffmpeg(output: &str, args: &[&str]) -> PathBuf {
    make_once(output, &[], |out| {
        let status = Command::new("ffmpeg")
            .args(["-v", "error", "-y"])
            .args(args)
            .arg(out)
            .status()
            .expect("ffmpeg runs");
        assert!(status.success(), "ffmpeg {output} failed");
    })
}

/// The dimension with this id in a JSON report.
pub fn dimension<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["dimensions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == id)
        .unwrap_or_else(|| panic!("no dimension {id}"))
}

/// Lower-case words without punctuation.
pub fn words(text: &str) -> Vec<String> {
    text.split_whitespace()
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'')
                .to_lowercase()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

/// Share of the script's words (numbers aside: Whisper writes them as digits)
/// found in the transcript, each transcript word used once.
pub fn word_recall(truth: &Value, report: &Value) -> f64 {
    const NUMBER_WORDS: [&str; 6] = ["five", "eighty", "percent", "forty", "thousand", "two"];
    let mut heard = words(
        report["transcript"]["segments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["text"].as_str().unwrap())
            .collect::<Vec<_>>()
            .join(" ")
            .as_str(),
    );
    let script: Vec<String> = truth["sentences"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| words(s["text"].as_str().unwrap()))
        .filter(|w| !NUMBER_WORDS.contains(&w.as_str()))
        .collect();
    let found = script
        .iter()
        .filter(|w| match heard.iter().position(|h| h == *w) {
            Some(i) => {
                heard.swap_remove(i);
                true
            }
            None => false,
        })
        .count();
    found as f64 / script.len() as f64
}
