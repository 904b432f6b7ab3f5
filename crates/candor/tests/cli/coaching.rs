//! Feedback against the question and against an earlier take, on the
//! scripted answer (a behavioural story about a failing delivery tracking
//! system; see scripts/make-interview.py).

use serde_json::Value;

use crate::support::{analyze_json, candor, dimension, interview};

/// The scripted answer as audio only: quicker, and the question does not
/// depend on the camera.
fn answer() -> (std::path::PathBuf, Value) {
    interview("coaching.wav", &[])
}

#[test]
fn a_behavioural_question_is_matched_by_its_key_terms_length_and_star() {
    let (media, truth) = answer();
    let question = "Tell me about a time you improved a delivery tracking system \
                    that failed before the holiday peak.";
    let report = analyze_json(&media, &["--question", question]);
    let fit = &report["question"];
    assert_eq!(fit["kind"], "behavioural");
    let terms: Vec<(&str, bool)> = fit["key_terms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["term"].as_str().unwrap(), !t["said_at"].is_null()))
        .collect();
    // "before" is a stop word; the script says every other term but "improved".
    let expected = [
        "improved", "delivery", "tracking", "system", "failed", "holiday", "peak",
    ];
    assert_eq!(terms.iter().map(|t| t.0).collect::<Vec<_>>(), expected);
    assert!(!terms[0].1, "the script never says \"improved\"");
    let said = terms.iter().filter(|t| t.1).count();
    assert!(
        said >= 5,
        "only {said} of 6 said key terms heard: {terms:?}"
    );

    // The answer's length is the script's, first word to last.
    let sentences = truth["sentences"].as_array().unwrap();
    let spoken = sentences.last().unwrap()["end"].as_f64().unwrap()
        - sentences[0]["start"].as_f64().unwrap();
    let answer_s = fit["answer_s"].as_f64().unwrap();
    assert!(
        (answer_s - spoken).abs() < 2.0,
        "answer {answer_s:.1} s, script {spoken:.1} s"
    );
    let expected_length = if answer_s < 60.0 { "short" } else { "within" };
    assert_eq!(fit["length"], expected_length);

    let relevance = dimension(&report, "relevance");
    assert_eq!(relevance["assessment"]["status"], "scored");
    assert!(relevance["assessment"]["verdict"]
        .as_str()
        .unwrap()
        .contains("improved"));
    let structure = dimension(&report, "structure");
    assert_eq!(structure["metrics"][0]["unit"], "of 4");
    // Situation, task, action and result are all scripted.
    assert_eq!(structure["metrics"][0]["value"], 4.0);

    // Every strength and every thing to work on points at moments.
    for (list, kind) in [("strengths", "example"), ("work_on", "issue")] {
        for h in report["overall"][list].as_array().unwrap() {
            let moments = h["moments"].as_array().unwrap();
            assert!(!moments.is_empty(), "{list}: {h}");
            assert!(moments.iter().all(|m| m["kind"] == kind), "{list}: {h}");
        }
    }
}

#[test]
fn star_is_not_demanded_of_a_motivational_answer() {
    let (media, _) = answer();
    let report = analyze_json(&media, &["--question", "Why do you want to work here?"]);
    assert_eq!(report["question"]["kind"], "motivational");
    let structure = dimension(&report, "structure");
    assert_eq!(structure["assessment"]["status"], "not_scored");
    assert!(structure["assessment"]["reason"]
        .as_str()
        .unwrap()
        .contains("motivational"));
    // Without a question there is nothing to hold the answer to.
    let report = analyze_json(&media, &[]);
    assert!(report["question"].is_null());
    assert_eq!(
        dimension(&report, "relevance")["assessment"]["status"],
        "not_scored"
    );
}

#[test]
fn a_second_take_is_compared_with_the_first() {
    let (media, _) = answer();
    let first = analyze_json(&media, &[]);
    // The first take as if it had been worse at fillers and better at pace.
    let mut earlier = first.clone();
    let set_score = |report: &mut Value, id: &str, score: u64| {
        for d in report["dimensions"].as_array_mut().unwrap() {
            if d["id"] == id {
                d["assessment"]["score"] = score.into();
            }
        }
    };
    set_score(&mut earlier, "fillers", 20);
    set_score(&mut earlier, "pace", 100);
    earlier["overall"]["score"] = 40.into();
    earlier["source"] = "take-1.wav".into();
    let dir = tempfile::tempdir().unwrap();
    let previous = dir.path().join("take-1.json");
    std::fs::write(&previous, earlier.to_string()).unwrap();

    let report = analyze_json(&media, &["--compare", previous.to_str().unwrap()]);
    let progress = &report["progress"];
    assert_eq!(progress["previous_source"], "take-1.wav");
    assert_eq!(progress["overall_before"], 40);
    let score_now = |id: &str| {
        dimension(&report, id)["assessment"]["score"]
            .as_i64()
            .unwrap()
    };
    let change = |id: &str| {
        progress["dimensions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["id"] == id)
            .unwrap_or_else(|| panic!("no change for {id}"))
            .clone()
    };
    let fillers = change("fillers");
    assert_eq!(fillers["before"], 20);
    assert_eq!(
        fillers["change"].as_i64().unwrap(),
        score_now("fillers") - 20
    );
    assert_eq!(fillers["trend"], "improved");
    let pace = change("pace");
    assert_eq!(pace["change"].as_i64().unwrap(), score_now("pace") - 100);
    // Unchanged dimensions are steady, and their measurements match.
    let pauses = change("pauses");
    assert_eq!(
        (pauses["change"].as_i64(), &pauses["trend"]),
        (Some(0), &"steady".into())
    );
    let m = &pauses["metrics"][0];
    assert_eq!(m["before"], m["after"]);

    // The terminal report says it too.
    let out = candor(&[
        "analyze",
        media.to_str().unwrap(),
        "--compare",
        previous.to_str().unwrap(),
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Since the last take"), "{text}");
    assert!(text.contains("take-1.wav"), "{text}");

    // A stored report renders again without an analysis.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_candor"))
        .args(["render", previous.to_str().unwrap(), "--format", "md"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(md.starts_with("# Interview feedback: take-1.wav"), "{md}");
    assert!(md.contains("**Overall: 40/100"), "{md}");
}

#[test]
fn a_compare_file_that_is_not_a_report_is_refused_before_the_analysis() {
    let (media, _) = answer();
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("notes.json");
    std::fs::write(&bad, "{\"hello\": 1}").unwrap();
    let out = candor(&[
        "analyze",
        media.to_str().unwrap(),
        "--compare",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not a Candor report"), "{err}");
    assert!(err.contains("--format json"), "{err}");

    let out = candor(&[
        "analyze",
        media.to_str().unwrap(),
        "--compare",
        dir.path().join("missing.json").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_html_report_is_one_offline_page_that_plays_the_recording_beside_it() {
    let (media, _) = answer();
    let dir = tempfile::tempdir().unwrap();
    let recording = dir.path().join("take 2.wav");
    std::fs::copy(&media, &recording).unwrap();
    let page = dir.path().join("report.html");
    let out = candor(&[
        "analyze",
        recording.to_str().unwrap(),
        "--format",
        "html",
        "--out",
        page.to_str().unwrap(),
        "--question",
        "Tell me about a time you fixed a failing system.",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"), "{}", &html[..100]);
    let overall = html
        .split_once(r#"Overall: <span class="score"><strong>"#)
        .and_then(|(_, rest)| rest.split_once('<'))
        .map(|(score, _)| score.parse::<u8>().unwrap());
    assert!(overall.is_some_and(|s| s <= 100), "no overall score shown");
    // An audio recording gets an audio player, found relative to the page.
    assert!(html.contains(r#"<audio"#) && html.contains(r#"src="take%202.wav""#));
    assert!(html.contains("logistics"), "a transcript word is missing");
    assert!(html.contains("Your answer to the question"));
    for url in ["http://", "https://", "src=\"//"] {
        assert!(!html.contains(url), "the page refers to {url}");
    }
}
