use candor_domain::{MediaInfo, Word};

use super::*;
use crate::testing::{interview, sixty_minute_report, QUESTION};
use crate::{build_report, Analyses, ReportConfig};
use crate::{compare, Trend};

fn page(report: &Report, media_src: Option<&str>) -> String {
    html(
        report,
        &HtmlOptions {
            media_src: media_src.map(str::to_string),
        },
    )
}

/// Occurrences of `<name` (as a whole tag name) and of `</name>`.
fn tag_counts(page: &str, name: &str) -> (usize, usize) {
    let open = page
        .match_indices(&format!("<{name}"))
        .filter(|(i, _)| {
            let next = page[i + name.len() + 1..].chars().next();
            matches!(next, Some(' ' | '>'))
        })
        .count();
    (open, page.matches(&format!("</{name}>")).count())
}

/// The values of every `attr="..."` in the page.
fn attribute_values<'a>(page: &'a str, attr: &str) -> Vec<&'a str> {
    let needle = format!(" {attr}=\"");
    page.match_indices(&needle)
        .map(|(i, _)| {
            let rest = &page[i + needle.len()..];
            &rest[..rest.find('"').unwrap_or(rest.len())]
        })
        .collect()
}

#[test]
fn the_summary_leads_with_the_one_thing_to_change_and_its_moment() {
    let report = interview(3);
    let first = report
        .overall
        .work_on
        .first()
        .expect("something to work on");
    let page = page(&report, None);
    let summary = &page[page.find("id=\"summary\"").unwrap()..];
    let next = &summary[summary
        .find("class=\"next-time\"")
        .expect("a next-time box")..];
    let next = &next[..next.find("</div>").unwrap()];
    assert!(
        next.contains(&maud::html! { (first.tip) }.into_string()),
        "{next}"
    );
    let longest = first
        .moments
        .iter()
        .filter(|m| m.end - m.start <= LONGEST_MOMENT_S)
        .map(|m| m.end - m.start)
        .fold(0.0, f64::max);
    let play = attribute_values(next, "data-end");
    let starts = attribute_values(next, "data-t");
    assert_eq!(play.len(), 1, "{next}");
    let length = play[0].parse::<f64>().unwrap() - starts[0].parse::<f64>().unwrap();
    assert!((length - longest).abs() < 0.02, "{length} vs {longest}");
    // Things to work on come before strengths.
    if let Some(strengths) = summary.find("<h3>Strengths</h3>") {
        assert!(summary.find("<h3>Things to work on</h3>").unwrap() < strengths);
    }
}

#[test]
fn dimensions_come_in_three_groups_with_problems_open_and_measurements_folded() {
    let report = interview(3);
    let page = page(&report, None);
    let section = &page[page.find("id=\"dimensions\"").unwrap()..];
    let groups: Vec<usize> = ["What you said", "How you said it"]
        .iter()
        .map(|g| section.find(&format!("<h3>{g}</h3>")).expect(g))
        .collect();
    assert!(groups[0] < groups[1]);
    for d in &report.dimensions {
        let at = section.find(&format!("id=\"dim-{}\"", d.id)).unwrap();
        let tag = &section[..at];
        let tag = &section[tag.rfind('<').unwrap()..at + section[at..].find('>').unwrap()];
        let open = tag.contains(" open");
        match &d.assessment {
            Assessment::Scored { score, .. } => assert_eq!(open, *score < OPEN_BELOW, "{tag}"),
            Assessment::NotScored { .. } => assert!(!open, "{tag}"),
        }
        let in_group = if ["relevance", "structure", "language"].contains(&d.id.as_str()) {
            at < groups[1]
        } else {
            at > groups[1]
        };
        assert!(in_group, "{} is in the wrong group", d.id);
    }
    assert_eq!(
        page.matches("<details class=\"measures\"><summary>Measurements</summary><table>")
            .count(),
        report
            .dimensions
            .iter()
            .filter(|d| !d.metrics.is_empty())
            .count()
    );
}

#[test]
fn the_scores_verdicts_words_and_moments_appear() {
    let report = interview(3);
    let page = page(&report, None);
    let overall = report.overall.score.expect("the interview is scored");
    assert!(page.contains(&format!("<strong>{overall}</strong>/100")));
    let (title, verdict, evidence) = report
        .dimensions
        .iter()
        .find_map(|d| match &d.assessment {
            Assessment::Scored { verdict, .. } if !d.evidence.is_empty() => {
                Some((&d.title, verdict, &d.evidence[0]))
            }
            _ => None,
        })
        .expect("a scored dimension with evidence");
    assert!(page.contains(&format!(">{title}</h4>")), "{title}");
    assert!(page.contains(&maud::html! { (verdict) }.into_string()));
    // The moment's button plays it from its start to its end (the script
    // adds the lead-in) and shows its start as a clock.
    let button = format!(
        "data-t=\"{}\" data-end=\"{}\" aria-label=\"Play the moment at {}\">{}</button>",
        seconds(evidence.start),
        seconds(evidence.end),
        clock(evidence.start),
        clock(evidence.start)
    );
    assert!(page.contains(&button), "{button}");
    // A known word of the transcript, with its start time.
    let word = report
        .transcript
        .as_ref()
        .and_then(|t| t.words().find(|w| w.text.trim() == "migration"))
        .expect("the generated answer says 'migration'");
    assert!(page.contains(&format!(
        "<span data-t=\"{}\">migration</span>",
        seconds(word.start)
    )));
}

#[test]
fn fillers_hedges_and_power_words_are_marked_on_their_words() {
    let report = interview(2);
    let page = page(&report, None);
    let content = report.measurements.content.as_ref().unwrap();
    let words: Vec<&Word> = report.transcript.as_ref().unwrap().words().collect();
    let um = content
        .fillers
        .hits
        .iter()
        .find(|h| h.text == "um")
        .expect("the answer has an 'um'");
    let w = words[um.word_index];
    assert_eq!(w.text.trim(), "um,");
    assert!(page.contains(&format!(
        "<span class=\"mf\" title=\"filler: um\" data-t=\"{}\">um,</span>",
        seconds(w.start)
    )));
    // A two-word hedge marks both words.
    let hedge = content
        .hedges
        .hits
        .iter()
        .find(|h| h.text == "i think")
        .expect("the answer has 'I think'");
    for w in &words[hedge.word_index..hedge.word_index + 2] {
        assert!(page.contains(&format!(
            "<span class=\"mh\" title=\"hedge: i think\" data-t=\"{}\">{}</span>",
            seconds(w.start),
            w.text.trim()
        )));
    }
    assert!(page.contains("class=\"mp\" title=\"power word: led\""));
    assert!(page.contains("<p class=\"legend\">"));
}

#[test]
fn transcript_text_is_escaped() {
    let mut report = interview(1);
    let segment = &mut report.transcript.as_mut().unwrap().segments[0];
    segment.words[0].text = " <script>alert(1)</script>".into();
    report.source = "a\"b<i>.mp4".into();
    let page = page(&report, None);
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!page.contains("<script>alert"));
    assert!(page.contains("a&quot;b&lt;i&gt;.mp4"));
    assert_eq!(
        tag_counts(&page, "script"),
        (1, 1),
        "only the page's own script"
    );
}

#[test]
fn nothing_is_loaded_from_anywhere_but_the_media_source() {
    let report = interview(2);
    let src = "https://media.example/v1/clip.mp4?sig=a&exp=1";
    for (media_src, escaped) in [
        (None, None),
        (Some("clip.mp4"), Some("clip.mp4")),
        (
            Some(src),
            Some("https://media.example/v1/clip.mp4?sig=a&amp;exp=1"),
        ),
    ] {
        let page = page(&report, media_src);
        let rest = escaped.map_or(page.clone(), |e| page.replace(e, ""));
        for url in ["http://", "https://", "//"] {
            assert!(!rest.contains(url), "{url} in the page with {media_src:?}");
        }
        // data: URLs (the captions track) are in the page itself.
        let sources: Vec<&str> = attribute_values(&page, "src")
            .into_iter()
            .filter(|src| !src.starts_with("data:"))
            .collect();
        assert_eq!(sources, escaped.into_iter().collect::<Vec<_>>());
        for href in attribute_values(&page, "href") {
            assert!(href.starts_with('#'), "{href}");
        }
        assert!(!page.contains("<link") && !page.contains("@import") && !page.contains("url("));
    }
}

#[test]
fn the_player_is_there_only_with_a_media_source_and_fits_the_media() {
    let report = interview(1);
    let without = page(&report, None);
    assert!(!without.contains("id=\"player\""));
    assert!(!without.contains("<video") && !without.contains("<audio"));

    let with = page(&report, Some("interview.mp4"));
    assert!(
        with.contains("<video id=\"player\" controls preload=\"metadata\" src=\"interview.mp4\">")
    );
    // Captions from the word timings, as a data: URL of the WebVTT file.
    let track = attribute_values(&with, "src")
        .into_iter()
        .find(|src| src.starts_with("data:text/vtt;charset=utf-8,"))
        .expect("a captions track");
    let encoded = &track["data:text/vtt;charset=utf-8,".len()..];
    let bytes: Vec<u8> = {
        let mut out = Vec::new();
        let mut rest = encoded.as_bytes();
        while let Some((&b, tail)) = rest.split_first() {
            if b == b'%' {
                out.push(u8::from_str_radix(std::str::from_utf8(&tail[..2]).unwrap(), 16).unwrap());
                rest = &tail[2..];
            } else {
                out.push(b);
                rest = tail;
            }
        }
        out
    };
    let transcript = report.transcript.as_ref().unwrap();
    assert_eq!(
        String::from_utf8(bytes).unwrap(),
        crate::render::vtt(transcript)
    );
    assert!(with.contains("<track kind=\"captions\" label=\"Transcript\" srclang=\"en\""));
}

#[test]
fn an_audio_only_report_has_an_audio_player_and_no_camera_lanes() {
    let mut report = interview(2);
    report.media.video = None;
    report.measurements.video = None;
    report.measurements.vision = None;
    let page = page(&report, Some("answer.m4a"));
    assert!(page.contains("<audio id=\"player\" controls preload=\"metadata\" src=\"answer.m4a\">"));
    assert!(!page.contains("<video"));
    for lane in ["speech", "fillers", "pace", "loudness"] {
        assert!(page.contains(&format!("data-lane=\"{lane}\"")), "{lane}");
    }
    assert!(!page.contains("data-lane=\"eye-contact\""));
    assert!(!page.contains("data-lane=\"no-face\""));
}

#[test]
fn a_report_with_nothing_scored_still_renders() {
    let media = MediaInfo {
        container: "mp4".into(),
        duration_s: 4.0,
        size_bytes: None,
        audio: None,
        video: None,
    };
    let report = build_report(
        Analyses {
            source: "empty.mp4".into(),
            media,
            audio: None,
            transcript: None,
            content: None,
            video: None,
            vision: None,
            question: None,
        },
        &ReportConfig::default(),
    );
    let page = page(&report, None);
    assert!(page.contains("Overall: not scored"));
    assert_eq!(
        page.matches("Not scored — ").count(),
        report.dimensions.len()
    );
    for section in ["timeline", "transcript", "question", "progress"] {
        assert!(!page.contains(&format!("id=\"{section}\"")), "{section}");
    }
    assert!(page.contains("href=\"#main\""));
    assert!(page.trim_end().ends_with("</html>"));
}

#[test]
fn the_main_elements_are_balanced() {
    let page = page(&interview(5), Some("x.mp4"));
    for name in [
        "html", "head", "body", "header", "nav", "main", "section", "footer", "h1", "h2", "h3",
        "table", "tr", "ul", "li", "p", "span", "button", "svg", "g", "path", "text", "script",
        "style", "details",
    ] {
        let (open, close) = tag_counts(&page, name);
        assert!(open > 0, "no <{name}>");
        assert_eq!(open, close, "<{name}>");
    }
    assert!(page.starts_with("<!DOCTYPE html><html lang=\"en\">"));
}

#[test]
fn an_hour_weighs_under_two_megabytes_with_one_path_per_curve() {
    let report = sixty_minute_report();
    let words = report.transcript.as_ref().unwrap().words().count();
    assert!((8000..10_000).contains(&words), "{words} words");
    let page = page(&report, Some("interview.mp4"));
    assert!(page.len() < 2_000_000, "{} bytes", page.len());
    assert_eq!(
        page.matches(" data-t=\"").count() - page.matches("<button").count(),
        words
    );
    let (paths, _) = tag_counts(&page, "path");
    assert!(
        paths <= 16,
        "{paths} path elements: a few per lane, not one per mark"
    );
    // Each curve holds at most 600 points.
    let curves: Vec<usize> = page
        .match_indices("<path class=\"curve\" d=\"")
        .map(|(i, _)| {
            page[i..]
                .split('"')
                .nth(3)
                .unwrap()
                .matches(['M', 'L'])
                .count()
        })
        .collect();
    assert_eq!(curves.len(), 2, "pace and loudness");
    assert!(
        curves.iter().all(|&n| (100..=600).contains(&n)),
        "{curves:?}"
    );
}

#[test]
fn highlights_point_at_their_moments() {
    let report = interview(3);
    let page = page(&report, Some("x.mp4"));
    let h = report
        .overall
        .work_on
        .iter()
        .chain(&report.overall.strengths)
        .find(|h| !h.moments.is_empty())
        .expect("a highlight with moments");
    let summary =
        &page[page.find("id=\"summary\"").unwrap()..page.find("id=\"question\"").unwrap()];
    for m in &h.moments {
        assert!(
            summary.contains(&format!("data-t=\"{}\"", seconds(m.start))),
            "{m:?}"
        );
    }
}

#[test]
fn the_question_section_shows_which_key_terms_were_said_and_when() {
    let report = interview(2);
    let fit = report.question.as_ref().unwrap();
    let page = page(&report, None);
    assert!(page.contains("Your answer to the question"));
    assert!(page.contains(&format!(
        "<blockquote class=\"question\">{QUESTION}</blockquote>"
    )));
    let said = fit
        .key_terms
        .iter()
        .find(|t| t.term == "migration")
        .unwrap();
    let at = said.said_at.expect("the answer says 'migration'");
    assert!(page.contains(&format!(
        "<th scope=\"row\">migration</th><td class=\"said\">✓ said at <button class=\"ts\" type=\"button\" data-t=\"{}\"",
        seconds(at.start)
    )));
    assert!(fit.key_terms.iter().any(|t| t.said_at.is_none()));
    for t in fit.key_terms.iter().filter(|t| t.said_at.is_none()) {
        assert!(page.contains(&format!(
            "<th scope=\"row\">{}</th><td class=\"unsaid\">✗ not said</td>",
            t.term
        )));
    }
    assert!(page.contains(&format!(
        "A <strong>{}</strong> question.",
        fit.kind.label()
    )));
}

#[test]
fn the_progress_section_tables_what_changed_and_lists_what_did_not() {
    let current = interview(2);
    let mut previous = interview(2);
    previous.source = "take-1.mp4".into();
    // The earlier take was weaker on pace.
    let pace = previous
        .dimensions
        .iter_mut()
        .find(|d| d.id == "pace")
        .unwrap();
    if let Assessment::Scored { score, .. } = &mut pace.assessment {
        *score -= 20;
    }
    let mut report = current;
    report.progress = Some(compare(&report, &previous));
    let progress = report.progress.as_ref().unwrap();
    let pace = progress.dimensions.iter().find(|d| d.id == "pace").unwrap();
    assert_eq!((pace.change, pace.trend), (20, Trend::Improved));
    let page = page(&report, None);
    assert!(page.contains("Since your last take"));
    assert!(page.contains("<strong>take-1.mp4</strong>"));
    assert!(page.contains("<span class=\"trend up\">▲ +20 improved</span>"));
    // Only the change is a row; the dimensions that held are one line.
    let table = &page[page.find("<table class=\"progress\"").unwrap()..];
    let table = &table[..table.find("</table>").unwrap()];
    assert_eq!(
        table.matches("<tr>").count(),
        2,
        "a header and pace: {table}"
    );
    assert!(!page.contains("+0 steady"));
    let unchanged = &page[page.find("<p class=\"unchanged\">").unwrap()..];
    let unchanged = &unchanged[..unchanged.find("</p>").unwrap()];
    assert!(unchanged.starts_with("<p class=\"unchanged\">Unchanged: "));
    for d in &progress.dimensions {
        let listed = format!("{} ({})", maud::html! { (d.title) }.into_string(), d.after);
        assert_eq!(unchanged.contains(&listed), d.change == 0, "{listed}");
    }
}

/// WCAG 2.x contrast ratio of two `#rgb` or `#rrggbb` colours.
fn contrast(a: &str, b: &str) -> f64 {
    let luminance = |hex: &str| {
        let hex = hex.trim_start_matches('#');
        let hex: String = if hex.len() == 3 {
            hex.chars().flat_map(|c| [c, c]).collect()
        } else {
            hex.to_owned()
        };
        let channel = |i: usize| {
            let c = u8::from_str_radix(&hex[i..i + 2], 16).unwrap() as f64 / 255.0;
            if c <= 0.03928 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4)
    };
    let (a, b) = (luminance(a), luminance(b));
    (a.max(b) + 0.05) / (a.min(b) + 0.05)
}

#[test]
fn both_themes_meet_wcag_contrast_for_text_and_graphics() {
    // The light palette, then the dark one: `--name: #hex;` inside `:root`.
    let palettes: Vec<std::collections::HashMap<&str, &str>> = CSS
        .split(":root {")
        .skip(1)
        .map(|block| {
            block[..block.find('}').unwrap()]
                .lines()
                .filter_map(|line| line.trim().strip_suffix(';')?.split_once(": "))
                .filter(|(name, _)| name.starts_with("--"))
                .collect()
        })
        .collect();
    assert_eq!(palettes.len(), 2);
    assert_eq!(
        palettes[0].len(),
        palettes[1].len(),
        "a colour lacks its dark twin"
    );
    // Text needs 4.5:1 (WCAG 1.4.3), graphics that carry meaning 3:1 (1.4.11).
    let text = [
        ("--text", "--bg"),
        ("--muted", "--bg"),
        ("--text-soft", "--bg"),
        ("--link", "--bg"),
        ("--good", "--good-bg"),
        ("--fine", "--fine-bg"),
        ("--bad", "--bad-bg"),
        ("--good", "--bg"),
        ("--bad", "--bg"),
        ("--link", "--chip-bg"),
        ("--text", "--mark-filler"),
        ("--text", "--mark-hedge"),
        ("--text", "--now"),
        ("--muted", "--lane"),
        ("--text-soft", "--lane"),
    ];
    let graphics = [
        ("--speech", "--lane"),
        ("--pause", "--lane"),
        ("--filler", "--lane"),
        ("--fine", "--lane"),
        ("--good", "--lane"),
        ("--star", "--lane"),
        ("--band-edge", "--lane"),
        ("--eye", "--lane"),
        ("--no-face", "--lane"),
        ("--playhead", "--lane"),
        ("--bar", "--track"),
        ("--focus", "--bg"),
        ("--link", "--band"),
        ("--chip-border", "--bg"),
        ("--chip-border", "--chip-bg"),
        ("--filler", "--mark-filler"),
    ];
    for (theme, palette) in ["light", "dark"].iter().zip(&palettes) {
        for (pairs, least) in [(&text[..], 4.5), (&graphics[..], 3.0)] {
            for (fore, back) in pairs {
                let ratio = contrast(palette[fore], palette[back]);
                assert!(ratio >= least, "{theme}: {fore} on {back} is {ratio:.2}:1");
            }
        }
    }
}
