//! The web pages in headless Chromium, against the real service: `candor
//! serve` on MariaDB and an S3-compatible server (tests/service/stack.rs),
//! driven over WebDriver (chromedriver) as a person would use them.
//! Screenshots go to `artifacts/screenshots/`.

#[path = "../service/stack.rs"]
#[allow(dead_code)] // the service tests use the rest
mod stack;
#[path = "../cli/support.rs"]
#[allow(dead_code)] // the CLI tests use the rest
mod support;

mod browser;

use std::path::PathBuf;
use std::time::Duration;

use fantoccini::Locator;
use serde_json::Value;

use browser::Browser;
use stack::{Client, Stack};
use support::{ffmpeg, interview, word_recall, workspace};

const STORAGE_KEY: &str = "candor.apiKey";

fn screenshots() -> PathBuf {
    let dir = workspace().join("artifacts/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Fills in the key form and submits it.
async fn enter_key(browser: &Browser, key: &str) {
    let input = browser
        .client
        .wait()
        .for_element(Locator::Id("api-key"))
        .await
        .unwrap();
    browser
        .wait_until(
            "the key form",
            Duration::from_secs(10),
            "return !document.getElementById('key-section').hidden",
        )
        .await;
    input.send_keys(key).await.unwrap();
    browser.click("#key-form button").await;
}

/// Saves a screenshot of the top of the page as `name`.png and, when the
/// page is taller, of all of it (up to 16,000 pixels) as `name`-full.png.
async fn screenshot(browser: &Browser, name: &str, width: u32, height: u32) {
    browser.resize(width, height).await;
    browser.eval("window.scrollTo(0, 0)").await;
    let png = browser.client.screenshot().await.unwrap();
    std::fs::write(screenshots().join(format!("{name}.png")), png).unwrap();
    let full = browser
        .eval("return document.documentElement.scrollHeight")
        .await
        .as_u64()
        .unwrap()
        .min(16_000) as u32;
    if full > height {
        browser.resize(width, full).await;
        let png = browser.client.screenshot().await.unwrap();
        std::fs::write(screenshots().join(format!("{name}-full.png")), png).unwrap();
        browser.resize(width, height).await;
    }
}

#[test]
fn a_recording_uploaded_through_the_pages_ends_in_its_report() {
    let (media, _) = interview(
        "service-answer-12s.mp4",
        &[
            "--sentences",
            "12",
            "--video",
            "640x360@25",
            "--face",
            "astronaut",
        ],
    );
    let stack = Stack::new();
    let key = stack.key("acme", "submit,read");
    let service = stack.serve("serve", &[]);
    let rt = runtime();
    let browser = rt.block_on(Browser::start(1280, 900));

    let id = rt.block_on(async {
        let client = &browser.client;
        client.goto(&service.url).await.unwrap();
        // The key comes first; the upload form is hidden until then.
        enter_key(&browser, &key).await;
        browser
            .wait_until(
                "the upload form",
                Duration::from_secs(10),
                "return !document.getElementById('app').hidden",
            )
            .await;
        // Focus follows the key form's field into the page.
        assert_eq!(
            browser.eval("return document.activeElement.id").await,
            "main"
        );
        screenshot(&browser, "upload-desktop", 1280, 900).await;
        screenshot(&browser, "upload-phone", 390, 844).await;
        browser.assert_accessible("the upload page").await;

        // The bar's values are kept where the next page can read them.
        browser
            .eval(
                "const bar = document.getElementById('upload-bar');
                 new MutationObserver(() => {
                   const seen = JSON.parse(sessionStorage.getItem('test.progress') || '[]');
                   seen.push(bar.value);
                   sessionStorage.setItem('test.progress', JSON.stringify(seen));
                 }).observe(bar, { attributes: true, attributeFilter: ['value'] });",
            )
            .await;
        // Without a file the form says so, and choosing one clears that.
        browser.click("#upload-button").await;
        let error = "return document.getElementById('upload-error').textContent";
        assert_eq!(
            browser.eval(error).await,
            "Choose a recording to upload first."
        );
        let file = client.find(Locator::Id("file")).await.unwrap();
        file.send_keys(media.to_str().unwrap()).await.unwrap();
        assert_eq!(browser.eval(error).await, "");
        client
            .find(Locator::Id("question"))
            .await
            .unwrap()
            .send_keys("Tell me about a project you led.")
            .await
            .unwrap();
        browser.click("#upload-button").await;

        let path = browser
            .wait_until(
                "the status page",
                Duration::from_secs(60),
                "return location.pathname.startsWith('/interviews/') && location.pathname",
            )
            .await;
        let id = path.as_str().unwrap()["/interviews/".len()..].to_owned();
        let progress = browser
            .eval("return JSON.parse(sessionStorage.getItem('test.progress') || '[]')")
            .await;
        let progress: Vec<f64> = progress
            .as_array()
            .unwrap()
            .iter()
            .map(|value| value.as_f64().unwrap())
            .collect();
        assert_eq!(progress.last(), Some(&100.0), "{progress:?}");
        assert!(
            progress.windows(2).all(|pair| pair[0] <= pair[1]),
            "{progress:?}"
        );
        // The key is not in the URL, and no cookie was set.
        let url = client.current_url().await.unwrap();
        assert!(!url.as_str().contains(&key));
        assert_eq!(browser.eval("return document.cookie").await, "");

        // The status page follows the analysis until the report replaces it.
        let mut states = Vec::new();
        let deadline = std::time::Instant::now() + Duration::from_secs(180);
        loop {
            let shown = browser
                .eval(
                    "const state = document.getElementById('state');
                     const error = document.getElementById('status-error');
                     return state ? [state.textContent, error.textContent] : null",
                )
                .await;
            let Some([state, error]) = shown.as_array().map(|pair| [&pair[0], &pair[1]]) else {
                break;
            };
            assert_eq!(error, "", "{states:?}");
            let state = state.as_str().unwrap();
            if states.last().map(String::as_str) != Some(state) {
                if state == "Listening and watching" {
                    screenshot(&browser, "status-desktop", 1280, 900).await;
                    browser.assert_accessible("the status page").await;
                }
                states.push(state.to_owned());
            }
            assert!(std::time::Instant::now() < deadline, "{states:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        // The stages are named, and shown in their order.
        let order = [
            "Waiting for a worker",
            "Starting: opening the recording",
            "Listening and watching",
            "Writing the report",
            "Done",
        ];
        let steps: Vec<usize> = states
            .iter()
            .filter(|s| *s != "loading…")
            .map(|s| order.iter().position(|o| o == s).expect("a named stage"))
            .collect();
        assert!(steps.windows(2).all(|w| w[0] < w[1]), "{states:?}");
        assert!(steps.iter().any(|&i| (1..=3).contains(&i)), "{states:?}");
        id
    });

    // The report replaced the status page: its overall score is the API's.
    let (status, feedback) =
        Client::new(&service.url, &key).get(&format!("/api/v1/interviews/{id}/feedback"));
    assert_eq!(status, 200, "{feedback}");
    let score = feedback["overall"]["score"]
        .as_u64()
        .expect("an overall score");
    let recorded = feedback["media"]["duration_s"].as_f64().unwrap();
    rt.block_on(async {
        let shown = browser
            .wait_until(
                "the report",
                Duration::from_secs(30),
                "const score = document.querySelector('.overall .score strong');
                 return score && score.textContent",
            )
            .await;
        assert_eq!(shown, Value::String(score.to_string()));
        let lanes = browser
            .eval("return document.querySelectorAll('svg.timeline svg').length")
            .await;
        assert!(lanes.as_u64().unwrap() >= 2, "{lanes} timeline lanes");
        assert_eq!(
            browser.eval("return location.pathname").await,
            Value::String(format!("/interviews/{id}"))
        );

        // The player loads the recording through the signed URL (with
        // ranges), and a word of the transcript seeks it.
        let duration = browser
            .wait_until(
                "the player's metadata",
                Duration::from_secs(30),
                "const player = document.getElementById('player');
                 return player && player.readyState >= 1 && player.duration",
            )
            .await
            .as_f64()
            .unwrap();
        assert!(
            (duration - recorded).abs() < 0.5,
            "the player says {duration} s, the analysis {recorded} s"
        );
        let (word, t) = browser
            .eval(
                "const words = [...document.querySelectorAll('#transcript span[data-t]')];
                 const word = words.find((w) => parseFloat(w.dataset.t) > 4) || words[words.length - 1];
                 word.id = 'test-word';
                 return [word.textContent, parseFloat(word.dataset.t)]",
            )
            .await
            .as_array()
            .map(|pair| (pair[0].clone(), pair[1].as_f64().unwrap()))
            .unwrap();
        browser.click("#test-word").await;
        let now = browser
            .eval("const player = document.getElementById('player'); player.pause(); return player.currentTime")
            .await
            .as_f64()
            .unwrap();
        assert!((now - t).abs() <= 0.5, "{word} at {t} s: the player is at {now} s");

        screenshot(&browser, "report-desktop", 1280, 900).await;
        screenshot(&browser, "report-phone", 390, 844).await;
        // On a phone the first screen holds the question, the score and
        // the one thing to change next time.
        browser.resize(390, 844).await;
        let first_screen = browser
            .eval(
                "scrollTo(0, 0);
                 const bottom = (css) => document.querySelector(css).getBoundingClientRect().bottom;
                 return [bottom('.asked'), bottom('.overall'), bottom('.next-time .lead'), innerHeight]",
            )
            .await;
        let [asked, overall, lead, height] =
            [0, 1, 2, 3].map(|i| first_screen[i].as_f64().unwrap());
        assert!(
            asked <= height && overall <= height && lead <= height,
            "{first_screen}"
        );
        browser.resize(1280, 900).await;
        browser.assert_accessible("the report in the service").await;

        // The bar above the report: the JSON download is the API's
        // feedback, and deleting (pressed twice) removes the interview.
        browser
            .eval(
                "window.testBlobs = [];
                 const create = URL.createObjectURL;
                 URL.createObjectURL = (blob) => { testBlobs.push(blob); return create(blob); };",
            )
            .await;
        browser.click("#download-json").await;
        let downloaded = browser
            .wait_until(
                "the JSON download",
                Duration::from_secs(10),
                "return testBlobs.length > 0 && testBlobs[0].size",
            )
            .await;
        assert!(downloaded.as_u64().unwrap() > 1000, "{downloaded} bytes");
        let downloaded_score = browser
            .eval("return testBlobs[0].text().then((text) => JSON.parse(text).overall.score)")
            .await;
        assert_eq!(downloaded_score, Value::from(score));
        browser.click("#delete-report").await;
        assert_eq!(
            browser.eval("return location.pathname").await,
            Value::String(format!("/interviews/{id}")),
            "one press only asks again"
        );
        browser.click("#delete-report").await;
        browser
            .wait_until(
                "the upload page after the deletion",
                Duration::from_secs(10),
                "return location.pathname === '/'",
            )
            .await;
    });
    let (status, _) = Client::new(&service.url, &key).get(&format!("/api/v1/interviews/{id}"));
    assert_eq!(status, 404, "the deleted interview");
    rt.block_on(browser.close());
}

/// Records one take on the practice page (already showing its question,
/// without preparation time) for `seconds`, sends it and waits for its
/// report; returns the interview's id.
async fn record_a_take(browser: &Browser, seconds: f64, screenshots: bool) -> String {
    browser
        .eval("document.getElementById('prepare').value = '0'")
        .await;
    browser.click("#start").await;
    browser
        .wait_until(
            "the recording",
            Duration::from_secs(20),
            "return !document.getElementById('stop').hidden",
        )
        .await;
    if screenshots {
        screenshot(browser, "practice-recording-desktop", 1280, 900).await;
        browser
            .assert_accessible("the practice page, recording")
            .await;
    }
    tokio::time::sleep(Duration::from_secs_f64(seconds)).await;
    browser.click("#stop").await;
    let facts = browser
        .wait_until(
            "the take to check",
            Duration::from_secs(20),
            "return !document.getElementById('review').hidden
                 && document.getElementById('review-facts').textContent",
        )
        .await;
    assert!(facts.as_str().unwrap().contains("recorded"), "{facts}");
    if screenshots {
        screenshot(browser, "practice-review-desktop", 1280, 900).await;
        browser
            .assert_accessible("the practice page, checking the take")
            .await;
    }
    browser.click("#send").await;
    let path = browser
        .wait_until(
            "the status page",
            Duration::from_secs(60),
            "return location.pathname.startsWith('/interviews/') && location.pathname",
        )
        .await;
    browser
        .wait_until(
            "the report",
            Duration::from_secs(180),
            "return document.querySelector('.overall .score strong') !== null",
        )
        .await;
    path.as_str().unwrap()["/interviews/".len()..].to_owned()
}

/// The practice page end to end, as a candidate with a practice link and
/// Chromium's fake camera and microphone playing a generated interview: a
/// question from the bank, an answer recorded with MediaRecorder (WebM
/// without a duration), its report, then "Try again" records a second take
/// that is compared with the first. Another candidate's link cannot open
/// these takes, and neither link's token reaches the service's logs.
#[test]
fn a_candidate_practises_through_a_link_and_a_second_take_is_compared() {
    let (media, truth) = interview(
        "practice-answer.mp4",
        &[
            "--sentences",
            "3",
            "--video",
            "640x360@15",
            "--face",
            "astronaut",
        ],
    );
    let media = media.to_str().unwrap();
    let camera = ffmpeg(
        "practice-answer.y4m",
        &["-i", media, "-an", "-pix_fmt", "yuv420p"],
    );
    let microphone = ffmpeg(
        "practice-answer.wav",
        &[
            "-i",
            media,
            "-vn",
            "-ac",
            "1",
            "-ar",
            "48000",
            "-c:a",
            "pcm_s16le",
        ],
    );
    let seconds = truth["duration_s"].as_f64().unwrap();
    let stack = Stack::new();
    let coach_key = stack.key("acme", "practice");
    let team_key = stack.key("acme", "read");
    let service = stack.serve("serve", &[]);
    let coach = Client::new(&service.url, &coach_key);
    let link = |candidate: &str| {
        let (status, link) = coach.post_json(
            "/api/v1/practice-links",
            &serde_json::json!({ "candidate_ref": candidate }),
        );
        assert_eq!(status, 201, "{link}");
        link
    };
    let (ana, ben) = (link("ana"), link("ben"));
    let ana_token = ana["token"].as_str().unwrap().to_owned();
    let ben_token = ben["token"].as_str().unwrap().to_owned();

    let rt = runtime();
    let flags = [
        "--use-fake-ui-for-media-stream".to_owned(),
        "--use-fake-device-for-media-stream".to_owned(),
        format!("--use-file-for-fake-video-capture={}", camera.display()),
        format!("--use-file-for-fake-audio-capture={}", microphone.display()),
    ];
    let browser = rt.block_on(Browser::start_with(1280, 900, &flags));

    let (question, first, second) = rt.block_on(async {
        browser
            .client
            .goto(&format!("{}{}", service.url, ana["path"].as_str().unwrap()))
            .await
            .unwrap();
        // The link opens the page without a key form, and its token leaves
        // the address bar at once.
        browser
            .wait_until(
                "the practice page",
                Duration::from_secs(10),
                "return !document.getElementById('app').hidden",
            )
            .await;
        assert_eq!(
            browser
                .eval("return [location.hash, document.getElementById('candidate_ref').hidden]")
                .await,
            serde_json::json!(["", true])
        );
        screenshot(&browser, "practice-desktop", 1280, 900).await;
        screenshot(&browser, "practice-phone", 390, 844).await;
        browser.assert_accessible("the practice page").await;
        // A question from the bank is chosen to start with; the second of
        // its category is picked.
        let question = browser
            .eval(
                "const second = document.querySelectorAll('#question-list input')[1];
                 second.click();
                 return second.value",
            )
            .await;
        let first = record_a_take(&browser, seconds + 1.0, true).await;
        screenshot(&browser, "practice-report-desktop", 1280, 900).await;
        // The report offers the same question again, and the next one.
        let next = browser
            .eval("return document.getElementById('next-question').getAttribute('href')")
            .await;
        assert!(
            next.as_str().unwrap().starts_with("/practice?next="),
            "{next}"
        );
        browser.click("#try-again").await;
        let chosen = browser
            .wait_until(
                "the practice page again",
                Duration::from_secs(10),
                "const checked = document.querySelector('#question-list input:checked');
                 return location.pathname === '/practice' && checked && checked.value",
            )
            .await;
        assert_eq!(chosen, question, "Try again keeps the question");
        let second = record_a_take(&browser, seconds + 1.0, false).await;
        let compared = browser
            .eval("return document.body.innerText.includes('Since your last take')")
            .await;
        assert_eq!(compared, Value::Bool(true), "the second take is compared");

        // Her takes on the practice page: one question, two scored takes
        // charted; the two compared; the first deleted.
        browser
            .client
            .goto(&format!("{}/practice", service.url))
            .await
            .unwrap();
        let chart = browser
            .wait_until(
                "the takes",
                Duration::from_secs(20),
                "const chart = document.querySelector('#history svg.scores');
                 return document.querySelectorAll('#history input[name=pick]').length === 2
                   && document.querySelectorAll('#history .take-group').length === 1
                   && chart && chart.getAttribute('aria-label')",
            )
            .await;
        assert!(
            chart.as_str().unwrap().starts_with("Overall scores"),
            "{chart}"
        );
        browser
            .click("#history li:nth-child(1) input[name=pick]")
            .await;
        browser
            .click("#history li:nth-child(2) input[name=pick]")
            .await;
        browser.click("#compare").await;
        let compared = browser
            .wait_until(
                "the comparison",
                Duration::from_secs(20),
                "const box = document.getElementById('comparison');
                 return !box.hidden && box.innerText",
            )
            .await;
        assert!(
            compared.as_str().unwrap().contains("Overall "),
            "{compared}"
        );
        screenshot(&browser, "practice-takes-desktop", 1280, 900).await;
        screenshot(&browser, "practice-takes-phone", 390, 844).await;
        browser
            .assert_accessible("the practice page with its takes")
            .await;
        browser.click("#history li:nth-child(1) button").await;
        browser.click("#history li:nth-child(1) button").await;
        browser
            .wait_until(
                "the deletion",
                Duration::from_secs(20),
                "return document.querySelectorAll('#history input[name=pick]').length === 1",
            )
            .await;

        // Ben's link, in the same tab, cannot open Ana's take.
        browser
            .client
            .goto(&format!(
                "{}/interviews/{second}#link={ben_token}",
                service.url
            ))
            .await
            .unwrap();
        let error = browser
            .wait_until(
                "the refusal",
                Duration::from_secs(10),
                "return document.getElementById('status-error').textContent",
            )
            .await;
        assert_eq!(error, "No such interview.");
        (question, first, second)
    });
    rt.block_on(browser.close());

    let (status, _) =
        Client::new(&service.url, &team_key).get(&format!("/api/v1/interviews/{first}"));
    assert_eq!(status, 404, "the deleted take");
    // The second take as the API has it: the recording as Chromium made
    // it, heard, compared with the first, and Ana's alone.
    let ana = Client::new(&service.url, &ana_token);
    let (status, feedback) = ana.get(&format!("/api/v1/interviews/{second}/feedback"));
    assert_eq!(status, 200, "{feedback}");
    assert_eq!(feedback["question"]["question"], question);
    assert!(
        feedback["media"]["container"]
            .as_str()
            .unwrap()
            .contains("webm"),
        "{}",
        feedback["media"]
    );
    let recorded = feedback["media"]["duration_s"].as_f64().unwrap();
    assert!(
        (recorded - (seconds + 1.0)).abs() < 2.5,
        "recorded {recorded} s for a {seconds}-s answer"
    );
    let recall = word_recall(&truth, &feedback);
    assert!(
        recall >= 0.7,
        "recall {recall:.2}: {}",
        feedback["transcript"]
    );
    assert!(feedback["progress"].is_object(), "{}", feedback["progress"]);
    let (status, interview) =
        Client::new(&service.url, &team_key).get(&format!("/api/v1/interviews/{second}"));
    assert_eq!(
        (status, &interview["candidate_ref"]),
        (200, &Value::from("ana"))
    );
    assert_eq!(
        interview["overall_score"].as_f64(),
        feedback["overall"]["score"].as_f64()
    );
    let (status, _) =
        Client::new(&service.url, &ben_token).get(&format!("/api/v1/interviews/{second}"));
    assert_eq!(status, 404);
    let logs = service.logs();
    assert!(logs.contains("practice link created"), "the service logs");
    for token in [&ana_token, &ben_token] {
        assert!(
            !logs.contains(token.as_str()),
            "a practice link's token is in the logs"
        );
    }
}

#[test]
fn a_wrong_key_is_refused_and_asked_for_again() {
    let stack = Stack::new();
    let key = stack.key("acme", "submit,read");
    let service = stack.serve("serve", &[]);
    let rt = runtime();
    let browser = rt.block_on(Browser::start(1280, 900));
    rt.block_on(async {
        let client = &browser.client;
        client.goto(&service.url).await.unwrap();
        browser
            .wait_until(
                "the key form",
                Duration::from_secs(10),
                "return !document.getElementById('key-section').hidden",
            )
            .await;
        browser.assert_accessible("the key form").await;
        enter_key(&browser, "cnd_notakeyatall0000000000000000000000").await;
        let message = browser
            .wait_until(
                "the refusal",
                Duration::from_secs(10),
                "return document.getElementById('key-message').textContent",
            )
            .await;
        assert_eq!(
            message,
            "That API key was refused. Check it and enter it again."
        );
        let state = browser
            .eval(&format!(
                "return [document.getElementById('app').hidden,
                         document.getElementById('key-section').hidden,
                         sessionStorage.getItem('{STORAGE_KEY}')]"
            ))
            .await;
        assert_eq!(state, serde_json::json!([true, false, null]));

        // A key that stops working (here: never worked) is asked for again
        // on the next request, on any page.
        browser
            .eval(&format!(
                "sessionStorage.setItem('{STORAGE_KEY}', 'cnd_revoked')"
            ))
            .await;
        client
            .goto(&format!(
                "{}/interviews/0196f0c2-6a3f-7b52-9d1e-2f4c5a6b7c8d",
                service.url
            ))
            .await
            .unwrap();
        let message = browser
            .wait_until(
                "the key to be asked for again",
                Duration::from_secs(10),
                "return !document.getElementById('key-section').hidden
                    && document.getElementById('key-message').textContent",
            )
            .await;
        assert_eq!(
            message,
            "That API key was refused. Check it and enter it again."
        );
        enter_key(&browser, &key).await;
        // With a good key the page goes on: this interview is not the tenant's.
        let error = browser
            .wait_until(
                "the status error",
                Duration::from_secs(10),
                "return document.getElementById('status-error').textContent",
            )
            .await;
        assert_eq!(error, "No such interview.");
        assert_eq!(
            browser
                .eval(&format!("return sessionStorage.getItem('{STORAGE_KEY}')"))
                .await,
            Value::String(key.clone())
        );

        // The upload page explains what the API refused.
        client.goto(&service.url).await.unwrap();
        browser
            .wait_until(
                "the upload form",
                Duration::from_secs(10),
                "return !document.getElementById('app').hidden",
            )
            .await;
        // A file dropped on the zone (a drop event as the browser makes it)
        // is the one uploaded: here text that only claims to be an MP4.
        let chosen = browser
            .eval(
                "const data = new DataTransfer();
                 data.items.add(new File(['just some text, not a recording\\n'.repeat(100)],
                                         'dropped.mp4', { type: 'video/mp4' }));
                 document.getElementById('drop-zone').dispatchEvent(
                   new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
                 return [document.getElementById('file').files[0].name,
                         document.getElementById('file-name').textContent]",
            )
            .await;
        assert_eq!(
            chosen,
            serde_json::json!(["dropped.mp4", "dropped.mp4 (4 kB)"])
        );
        browser.click("#upload-button").await;
        let error = browser
            .wait_until(
                "the upload error",
                Duration::from_secs(10),
                "return document.getElementById('upload-error').textContent",
            )
            .await;
        assert_eq!(
            error,
            "The upload was refused: The file is not a recognized recording \
             (MP4, MOV, M4A, WebM, MKV, MP3, WAV, Ogg, FLAC)."
        );
        screenshot(&browser, "upload-error-phone", 390, 844).await;
    });
    rt.block_on(browser.close());
}

/// `candor analyze --format html` writes one page that needs no network: in
/// Chromium it shows what the JSON report says, loads nothing but the
/// recording beside it, and its transcript seeks the player.
#[test]
fn the_html_file_of_the_cli_shows_the_report_offline() {
    let (media, _) = interview(
        "browser-offline.mp4",
        &[
            "--sentences",
            "6",
            "--video",
            "640x360@25",
            "--face",
            "astronaut",
        ],
    );
    let dir = tempfile::tempdir().unwrap();
    let recording = dir.path().join("answer.mp4");
    std::fs::copy(&media, &recording).unwrap();
    let report = support::analyze_json(&recording, &[]);
    let json = dir.path().join("answer.json");
    std::fs::write(&json, report.to_string()).unwrap();
    let page = dir.path().join("answer.html");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_candor"))
        .args(["render", json.to_str().unwrap(), "--media"])
        .arg(&recording)
        .arg("--out")
        .arg(&page)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    runtime().block_on(async {
        let browser = Browser::start(1280, 900).await;
        browser.open_file(&page).await;
        let shown = browser
            .eval(
                "return {
                   overall: document.querySelector('.overall .score strong').textContent,
                   dimensions: [...document.querySelectorAll('#dimensions h4')].map((h) => h.textContent),
                   words: document.querySelectorAll('#transcript span[data-t]').length,
                   resources: performance.getEntriesByType('resource').map((r) => r.name),
                 }",
            )
            .await;
        assert_eq!(
            shown["overall"].as_str().unwrap(),
            report["overall"]["score"].to_string()
        );
        browser.assert_accessible("the CLI's HTML report").await;
        let titles: Vec<&str> = report["dimensions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["title"].as_str().unwrap())
            .collect();
        for title in &titles {
            assert!(
                shown["dimensions"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|h| h.as_str().unwrap().contains(title)),
                "{title} is not on the page: {}",
                shown["dimensions"]
            );
        }
        let words: usize = report["transcript"]["segments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["words"].as_array().unwrap().len())
            .sum();
        assert_eq!(shown["words"].as_u64(), Some(words as u64));
        // Nothing was fetched but the recording (file:// beside the page).
        for resource in shown["resources"].as_array().unwrap() {
            let url = resource.as_str().unwrap();
            assert!(url.starts_with("file://") && url.ends_with("answer.mp4"), "fetched {url}");
        }

        browser
            .wait_until(
                "the player's metadata",
                Duration::from_secs(30),
                "return document.getElementById('player').readyState >= 1",
            )
            .await;
        let t = browser
            .eval(
                "const words = [...document.querySelectorAll('#transcript span[data-t]')];
                 const word = words[Math.floor(words.length / 2)];
                 word.click();
                 return parseFloat(word.dataset.t)",
            )
            .await
            .as_f64()
            .unwrap();
        let now = browser
            .wait_until(
                "the player to seek",
                Duration::from_secs(10),
                &format!(
                    "const p = document.getElementById('player');
                     return Math.abs(p.currentTime - {t}) < 0.5 && p.currentTime"
                ),
            )
            .await;
        assert!((now.as_f64().unwrap() - t).abs() < 0.5, "{now} vs {t}");

        // The timeline from the keyboard: Home, then two steps to the right
        // move the player; End reaches the end.
        browser
            .eval("document.getElementById('player').pause()")
            .await;
        let scrub = browser.client.find(Locator::Css(".scrub")).await.unwrap();
        scrub.send_keys("\u{E011}\u{E014}\u{E014}").await.unwrap();
        let moved = browser
            .eval(
                "const s = document.querySelector('.scrub');
                 return [document.activeElement === s, s.getAttribute('aria-valuenow'),
                         s.getAttribute('aria-valuetext'), document.getElementById('player').currentTime]",
            )
            .await;
        assert_eq!(moved[0], true, "{moved}");
        assert_eq!(moved[1], "10", "{moved}");
        assert_eq!(moved[2], "0:10", "{moved}");
        assert!((moved[3].as_f64().unwrap() - 10.0).abs() < 0.1, "{moved}");
        scrub.send_keys("\u{E010}").await.unwrap();
        let end = browser
            .eval(
                "return [document.querySelector('.scrub').getAttribute('aria-valuenow'),
                         String(Math.round(document.querySelector('svg.timeline').dataset.duration))]",
            )
            .await;
        assert!(end[0] != "10" && end[0] == end[1], "End: {end}");
        browser.close().await;
    });
}

/// Pages in a PDF: its page objects (`/Type /Page`, not `/Pages`).
fn pdf_pages(pdf: &[u8]) -> usize {
    let needle = b"/Type /Page";
    pdf.windows(needle.len() + 1)
        .filter(|w| &w[..needle.len()] == needle && w[needle.len()] != b's')
        .count()
}

/// A one-minute answer's report, printed on A4 as the page's print handler
/// leaves it (what to work on unfolded with all its moments, the rest a
/// line each), fits on three pages.
#[test]
fn a_one_minute_report_prints_on_three_pages_or_fewer() {
    let (media, truth) = interview(
        "print-1min.mp4",
        &[
            "--minutes",
            "1",
            "--video",
            "640x360@25",
            "--face",
            "astronaut",
        ],
    );
    assert!(truth["duration_s"].as_f64().unwrap() >= 60.0);
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("answer.html");
    let out = support::candor(&[
        "analyze",
        media.to_str().unwrap(),
        "--format",
        "html",
        "--out",
        page.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    runtime().block_on(async {
        let browser = Browser::start(1280, 900).await;
        browser.open_file(&page).await;
        browser
            .eval("dispatchEvent(new Event('beforeprint'))")
            .await;
        let unfolded = browser
            .eval(
                "return [...document.querySelectorAll('details.dimension[open] details.more')]
                   .every((d) => d.open)",
            )
            .await;
        assert_eq!(
            unfolded,
            Value::Bool(true),
            "printing lists every moment to work on"
        );
        let pdf = browser
            .client
            .print(
                fantoccini::wd::PrintConfiguration::builder()
                    .size(fantoccini::wd::PrintSize::A4)
                    .build()
                    .unwrap(),
            )
            .await
            .unwrap();
        let pages = pdf_pages(&pdf);
        std::fs::write(screenshots().join("report-1min-print.pdf"), &pdf).unwrap();
        assert!((1..=3).contains(&pages), "{pages} printed pages");
        browser.close().await;
    });
}
