//! Spoken answers whose script, fillers and pauses are known.

use std::process::Command;

use crate::support::{analyze_json, dimension, ffmpeg, interview, word_recall};

/// Integrated loudness as FFmpeg's ebur128 filter measures it.
fn ffmpeg_integrated_lufs(path: &std::path::Path) -> f64 {
    let out = Command::new("ffmpeg")
        .args(["-hide_banner", "-nostats", "-i"])
        .arg(path)
        .args(["-af", "ebur128", "-f", "null", "-"])
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    let summary = &log[log.rfind("Summary:").expect("ebur128 summary")..];
    let line = summary
        .lines()
        .find(|l| l.trim_start().starts_with("I:"))
        .unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[test]
fn a_spoken_mp4_answer_is_transcribed_and_measured_against_its_script() {
    let (media, truth) = interview("answer.mp4", &["--video", "640x360@25"]);
    let report = analyze_json(&media, &[]);
    let m = &report["measurements"];

    let recall = word_recall(&truth, &report);
    assert!(recall >= 0.85, "word recall {recall:.2}");

    // Fillers: most of the scripted ones found, none invented.
    let hits = m["content"]["fillers"]["hits"].as_array().unwrap();
    let scripted = truth["fillers"].as_array().unwrap().len();
    assert!(
        hits.len() + 1 >= scripted && hits.len() <= scripted,
        "{} fillers found, {scripted} scripted: {hits:?}",
        hits.len()
    );
    for hit in hits {
        let text = hit["text"].as_str().unwrap();
        assert!(
            ["um", "umm", "uh", "uhh", "like", "you know"].contains(&text),
            "unexpected filler {text}"
        );
    }

    // Every inserted pause found within ±150 ms.
    let pauses = m["audio"]["speech"]["pauses"].as_array().unwrap();
    for p in truth["pauses"].as_array().unwrap() {
        let (start, end) = (p["start"].as_f64().unwrap(), p["end"].as_f64().unwrap());
        let found = pauses.iter().any(|q| {
            (q["span"]["start"].as_f64().unwrap() - start).abs() <= 0.15
                && (q["span"]["end"].as_f64().unwrap() - end).abs() <= 0.15
        });
        assert!(found, "pause {start:.2}–{end:.2} not found in {pauses:?}");
    }

    // Pace within 10 % of the script's.
    let sentences = truth["sentences"].as_array().unwrap();
    let spoken_minutes = (sentences.last().unwrap()["end"].as_f64().unwrap()
        - sentences[0]["start"].as_f64().unwrap())
        / 60.0;
    let true_wpm = truth["word_count"].as_f64().unwrap() / spoken_minutes;
    let wpm = m["content"]["pace"]["overall_wpm"].as_f64().unwrap();
    assert!(
        (wpm - true_wpm).abs() <= 0.1 * true_wpm,
        "pace {wpm:.0} wpm, truth {true_wpm:.0}"
    );

    let lufs = m["audio"]["loudness"]["integrated_lufs"].as_f64().unwrap();
    let reference = ffmpeg_integrated_lufs(&media);
    assert!(
        (lufs - reference).abs() <= 1.0,
        "loudness {lufs:.1} LUFS, ffmpeg says {reference:.1}"
    );

    // One frame every 0.2 s of the video track (which may outlast the audio).
    let frames = m["video"]["frames_sampled"].as_f64().unwrap();
    let expected = report["media"]["duration_s"].as_f64().unwrap() * 5.0;
    assert!(
        (frames - expected).abs() <= 2.0,
        "{frames} frames sampled, expected ~{expected}"
    );

    for id in [
        "pace",
        "pauses",
        "fillers",
        "clarity",
        "vocal_variety",
        "language",
        "structure",
    ] {
        assert_eq!(
            dimension(&report, id)["assessment"]["status"],
            "scored",
            "{id}"
        );
    }
    assert_eq!(report["schema_version"], candor_report::SCHEMA_VERSION);
}

#[test]
fn every_supported_container_gives_the_same_answer() {
    let (wav, truth) = interview("short.wav", &["--sentences", "3"]);
    let expected_words = truth["word_count"].as_f64().unwrap();
    let wav = wav.to_str().unwrap().to_string();
    let video = [
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=320x240:rate=15",
        "-i",
        &wav,
        "-shortest",
    ];
    let files = [
        std::path::PathBuf::from(&wav),
        ffmpeg("short.mp3", &["-i", &wav]),
        ffmpeg("short.m4a", &["-i", &wav]),
        ffmpeg("short.ogg", &["-i", &wav, "-c:a", "libvorbis"]),
        ffmpeg("short.flac", &["-i", &wav]),
        ffmpeg("short.webm", &video),
        ffmpeg("short.mkv", &video),
        ffmpeg("short.mov", &video),
    ];
    for file in files {
        let report = analyze_json(&file, &[]);
        let count = report["measurements"]["content"]["word_count"]
            .as_f64()
            .unwrap();
        assert!(
            (count - expected_words).abs() <= 0.15 * expected_words,
            "{}: {count} words, script has {expected_words}",
            file.display()
        );
        let has_video = report["media"]["video"].is_object();
        assert_eq!(
            has_video,
            report["measurements"]["video"].is_object(),
            "{}",
            file.display()
        );
    }
}

#[test]
fn a_still_photo_on_camera_is_watched_but_not_scored() {
    let (media, truth) = interview(
        "face.mp4",
        &[
            "--sentences",
            "3",
            "--video",
            "1280x720@25",
            "--face",
            "astronaut",
            "--no-face",
            "6:10",
        ],
    );
    let report = analyze_json(&media, &[]);
    let vision = &report["measurements"]["vision"];
    let absent = &truth["face"]["absent"][0];
    let (start, end) = (absent[0].as_f64().unwrap(), absent[1].as_f64().unwrap());
    let no_face = vision["presence"]["no_face"].as_array().unwrap();
    assert!(
        no_face
            .iter()
            .any(|s| (s["start"].as_f64().unwrap() - start).abs() <= 1.0
                && (s["end"].as_f64().unwrap() - end).abs() <= 1.0),
        "no-face stretch {start}–{end} not found in {no_face:?}"
    );
    let duration = report["media"]["duration_s"].as_f64().unwrap();
    let visible = vision["presence"]["face_visible_ratio"].as_f64().unwrap();
    let expected = 1.0 - (end - start) / duration;
    assert!(
        (visible - expected).abs() <= 0.1,
        "face visible {visible:.2}, expected {expected:.2}"
    );
    // A photo pasted into the video never moves: it is measured but the
    // camera is not scored as if someone were on camera.
    assert_eq!(vision["motion"]["static_picture"], true);
    for id in [
        "presence",
        "eye_contact",
        "head_movement",
        "framing",
        "lighting",
        "expressions",
    ] {
        let assessment = &dimension(&report, id)["assessment"];
        assert_eq!(assessment["status"], "not_scored", "{id}");
        let reason = assessment["reason"].as_str().unwrap();
        assert!(reason.contains("does not move"), "{id}: {reason}");
    }
}

#[test]
fn the_same_recording_analysed_twice_gives_the_same_report() {
    let (media, _) = interview(
        "face-twice.mp4",
        &[
            "--sentences",
            "3",
            "--video",
            "640x360@25",
            "--face",
            "astronaut",
        ],
    );
    let first = analyze_json(&media, &[]);
    assert!(first["measurements"]["vision"].is_object(), "{first}");
    assert_eq!(first, analyze_json(&media, &[]));
}
