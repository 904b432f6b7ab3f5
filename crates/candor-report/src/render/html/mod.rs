//! One self-contained HTML5 page: the CSS, the script and the timeline's SVG
//! are inline and nothing is loaded from elsewhere, except the recording the
//! player plays ([`HtmlOptions::media_src`]). The page reads fully without
//! the script; with it, every timestamp, word and timeline position seeks the
//! player. All text goes through maud, which escapes it.

mod coaching;
mod timeline;
mod transcript;

#[cfg(test)]
mod tests;

use maud::{html, Markup, PreEscaped, DOCTYPE};

use super::{clock, count_of, media_line, plain_words, quantity};
use crate::model::{Assessment, Band, Dimension, Evidence, EvidenceKind, Highlight, Report};

/// How the page is put together.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HtmlOptions {
    /// Where the player loads the recording from: a path relative to the
    /// page (a file next to the recording) or a signed URL. Without it the
    /// page has no player.
    pub media_src: Option<String>,
}

const CSS: &str = include_str!("../../../assets/report.css");
const JS: &str = include_str!("../../../assets/report.js");

/// The report as one HTML document.
pub fn html(report: &Report, options: &HtmlOptions) -> String {
    let has_transcript = report
        .transcript
        .as_ref()
        .is_some_and(|t| !t.segments.is_empty());
    let timeline = timeline::timeline(report, options.media_src.is_some());
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "Interview feedback: " (report.source) }
                style { (PreEscaped(CSS)) }
            }
            body {
                a.skip href=(if has_transcript { "#transcript" } else { "#main" }) {
                    @if has_transcript { "Skip to the transcript" } @else { "Skip to the content" }
                }
                (header(report))
                nav aria-label="Sections" {
                    ul {
                        li { a href="#summary" { "Summary" } }
                        @if report.question.is_some() { li { a href="#question" { "The question" } } }
                        @if report.progress.is_some() { li { a href="#progress" { "Since last take" } } }
                        @if timeline.is_some() { li { a href="#timeline" { "Timeline" } } }
                        li { a href="#dimensions" { "Every dimension" } }
                        @if has_transcript { li { a href="#transcript" { "Transcript" } } }
                    }
                }
                main #main {
                    // What to change leads; the player follows and then
                    // stays at the top while the rest is read.
                    (summary(report))
                    @if let Some(src) = &options.media_src { (player(report, src)) }
                    @if let Some(q) = &report.question { (coaching::question(q)) }
                    @if let Some(p) = &report.progress { (coaching::progress(p)) }
                    @if let Some(t) = timeline { (t) }
                    section #dimensions aria-labelledby="dimensions-h" {
                        h2 #dimensions-h { "Every dimension" }
                        @for (title, dims) in dimension_groups(&report.dimensions) {
                            section.group {
                                h3 { (title) }
                                @for d in dims { (dimension(d)) }
                            }
                        }
                    }
                    @if let (true, Some(t)) = (has_transcript, &report.transcript) {
                        (transcript::transcript(t, report.measurements.content.as_ref()))
                    }
                }
                footer { p { "Written by " (report.generator) ", report schema " (report.schema_version) "." } }
                script { (PreEscaped(JS)) }
            }
        }
    };
    page.into_string()
}

fn header(report: &Report) -> Markup {
    html! {
        header.top {
            h1 { "Interview feedback" }
            @if let Some(q) = &report.question { p.asked { "“" (q.question) "”" } }
            p.source { (report.source) }
            p.media { "Recording: " (media_line(&report.media)) }
            p.overall {
                @match (report.overall.score, report.overall.band) {
                    (Some(score), Some(band)) => {
                        "Overall: " (score_badge(score, band))
                    }
                    _ => { "Overall: not scored — nothing in the recording could be judged fairly." }
                }
            }
        }
    }
}

/// "72/100" with its band as text and a bar whose length is the score.
fn score_badge(score: u8, band: Band) -> Markup {
    let class = match band {
        Band::Strong => "band strong",
        Band::Fine => "band fine",
        Band::WorkOnIt => "band work",
    };
    html! {
        span.score { strong { (score) } "/100" }
        " "
        span class=(class) { (band.label()) }
        span.bar aria-hidden="true" { span style={ "width:" (score.min(100)) "%" } {} }
    }
}

fn summary(report: &Report) -> Markup {
    let o = &report.overall;
    html! {
        section #summary aria-labelledby="summary-h" {
            h2 #summary-h { "Summary" }
            @if let Some(first) = o.work_on.first() { (next_time(first)) }
            @if o.strengths.is_empty() && o.work_on.is_empty() {
                p { "No dimension could be scored, so there are no highlights." }
            }
            // What to change comes first: it is what the next take needs.
            div.highlights {
                @if !o.work_on.is_empty() {
                    div { h3 { "Things to work on" } ul { @for h in &o.work_on { (highlight(h)) } } }
                }
                @if !o.strengths.is_empty() {
                    div { h3 { "Strengths" } ul { @for h in &o.strengths { (highlight(h)) } } }
                }
            }
        }
    }
}

/// The one thing to change next time: the tip of the weakest dimension,
/// and its longest moment to play (a moment that is the whole answer is
/// no moment to play).
fn next_time(h: &Highlight) -> Markup {
    let moment = h
        .moments
        .iter()
        .filter(|m| m.end - m.start <= LONGEST_MOMENT_S)
        .max_by(|a, b| (a.end - a.start).total_cmp(&(b.end - b.start)));
    html! {
        div.next-time {
            h3 { "Next time" }
            p.lead { (h.tip) }
            p { "Why: " (h.dimension) " scored " (h.score) "/100. " (h.verdict) }
            @if let Some(m) = moment {
                button.play-moment type="button" data-t=(seconds(m.start)) data-end=(seconds(m.end)) {
                    "▶ Play the moment at " (clock(m.start))
                }
            }
        }
    }
}

/// Longer than this, a moment is a stretch of the answer rather than one
/// moment to listen to again.
const LONGEST_MOMENT_S: f64 = 30.0;

fn highlight(h: &Highlight) -> Markup {
    html! {
        li {
            strong { (h.dimension) } " (" (h.score) "/100): " (h.verdict)
            br;
            span.tip { "Tip: " (h.tip) }
            @if !h.moments.is_empty() { (moments(&h.moments)) }
        }
    }
}

/// The dimensions in three groups, as a coach would walk through them;
/// one the groups do not name goes to the last.
const GROUPS: [(&str, &[&str]); 3] = [
    ("What you said", &["relevance", "structure", "language"]),
    (
        "How you said it",
        &["pace", "pauses", "fillers", "clarity", "vocal_variety"],
    ),
    (
        "How you came across",
        &[
            "presence",
            "eye_contact",
            "head_movement",
            "framing",
            "lighting",
            "expressions",
        ],
    ),
];

fn dimension_groups(dimensions: &[Dimension]) -> Vec<(&'static str, Vec<&Dimension>)> {
    let named = |d: &Dimension| GROUPS.iter().any(|(_, ids)| ids.contains(&d.id.as_str()));
    GROUPS
        .iter()
        .enumerate()
        .map(|(i, (title, ids))| {
            let last = i == GROUPS.len() - 1;
            let members = dimensions
                .iter()
                .filter(|d| ids.contains(&d.id.as_str()) || (last && !named(d)))
                .collect();
            (*title, members)
        })
        .filter(|(_, members): &(_, Vec<_>)| !members.is_empty())
        .collect()
}

/// Below this score a dimension is open when the page loads: it is
/// something to work on; the rest are folded to their verdict line.
const OPEN_BELOW: u8 = 80;

fn dimension(d: &Dimension) -> Markup {
    let heading = format!("dim-{}-h", d.id);
    let open = match &d.assessment {
        Assessment::Scored { score, .. } => *score < OPEN_BELOW,
        Assessment::NotScored { .. } => false,
    };
    html! {
        details.dimension #{ "dim-" (d.id) } open[open] {
            summary {
                h4 #(heading) { (d.title) }
                @match &d.assessment {
                    Assessment::Scored { score, band, .. } => {
                        span.scoreline { (score_badge(*score, *band)) }
                    }
                    Assessment::NotScored { .. } => { span.scoreline.not-scored { "not scored" } }
                }
            }
            @match &d.assessment {
                Assessment::Scored { verdict, tip, .. } => {
                    p.verdict { (verdict) }
                    p.tip { strong { "Tip: " } (tip) }
                }
                Assessment::NotScored { reason } => {
                    p.not-scored { "Not scored — " (reason) }
                }
            }
            @if !d.metrics.is_empty() {
                details.measures {
                summary { "Measurements" }
                table {
                    caption.sr { "Measurements for " (d.title) }
                    thead { tr {
                        th scope="col" { "Measure" }
                        th scope="col" { "Value" }
                        th scope="col" { "Reference" }
                    } }
                    tbody {
                        @for m in &d.metrics {
                            tr {
                                th scope="row" {
                                    (m.label)
                                    @if let Some(plain) = plain_words(m) { br; small { (plain) } }
                                }
                                td.num { (quantity(m)) }
                                td {
                                    @if let Some(r) = &m.reference {
                                        (r.range) br; small { "Source: " (r.source) }
                                    } @else { "—" }
                                }
                            }
                        }
                    }
                }
                }
            }
            @if !d.evidence.is_empty() {
                h5 { "Moments" }
                (moments(&d.evidence))
            }
        }
    }
}

/// Moments shown before the rest fold away under "more".
const MOMENTS_SHOWN: usize = 5;

fn moments(evidence: &[Evidence]) -> Markup {
    let (shown, folded) = evidence.split_at(evidence.len().min(MOMENTS_SHOWN));
    let list = |items: &[Evidence]| {
        html! {
            ul.moments {
                @for e in items {
                    li {
                        (moment_button(e)) " " span.until { "to " (clock(e.end)) } " "
                        @if e.kind == EvidenceKind::Example { span.example { "Good example" } " " }
                        (e.text)
                    }
                }
            }
        }
    };
    html! {
        (list(shown))
        @if !folded.is_empty() {
            details.more {
                summary { (count_of(folded.len(), "more moment", "more moments")) }
                (list(folded))
            }
        }
    }
}

/// A moment's timestamp: plays it from a little before it starts and
/// stops at its end (report.js).
fn moment_button(e: &Evidence) -> Markup {
    let label = clock(e.start);
    html! {
        button.ts type="button" data-t=(seconds(e.start)) data-end=(seconds(e.end))
            aria-label={ "Play the moment at " (label) } { (label) }
    }
}

/// A timestamp that seeks the player (or, without one, the transcript).
fn seek_button(t: f64) -> Markup {
    let label = clock(t);
    html! {
        button.ts type="button" data-t=(seconds(t)) aria-label={ "Play from " (label) } { (label) }
    }
}

fn player(report: &Report, src: &str) -> Markup {
    let captions = report
        .transcript
        .as_ref()
        .filter(|t| !t.segments.is_empty());
    html! {
        section.player aria-label="Recording" {
            @if report.media.video.is_some() {
                video #player controls preload="metadata" src=(src) {
                    @if let Some(t) = captions {
                        track kind="captions" label="Transcript" srclang=(t.language)
                            src=(data_url("text/vtt", &super::vtt(t)));
                    }
                    "Your browser cannot play this recording."
                }
            } @else {
                audio #player controls preload="metadata" src=(src) {
                    "Your browser cannot play this recording."
                }
            }
        }
    }
}

/// `text` as a `data:` URL of type `mime`, every byte but the unreserved
/// ones (RFC 3986) percent-encoded.
fn data_url(mime: &str, text: &str) -> String {
    let mut url = format!("data:{mime};charset=utf-8,");
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            url.push(byte as char);
        } else {
            url.push_str(&format!("%{byte:02X}"));
        }
    }
    url
}

/// Seconds for a `data-t` attribute: hundredths, trailing zeros dropped.
fn seconds(t: f64) -> String {
    let s = format!("{:.2}", t.max(0.0));
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}
