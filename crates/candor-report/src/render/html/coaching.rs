//! The sections that put the answer in context: how it fits the question
//! asked, and what changed since the previous take.

use candor_content::{LengthFit, QuestionFit};
use maud::{html, Markup};

use super::seek_button;
use crate::model::{Progress, Trend};
use crate::render::{clock, number};

pub(super) fn question(fit: &QuestionFit) -> Markup {
    let [min, max] = fit.expected_s;
    let length = match fit.length {
        LengthFit::Short => "shorter than",
        LengthFit::Within => "within",
        LengthFit::Long => "longer than",
    };
    let said = fit.key_terms.iter().filter(|t| t.said_at.is_some()).count();
    html! {
        section #question aria-labelledby="question-h" {
            h2 #question-h { "Your answer to the question" }
            blockquote.question { (fit.question) }
            ul.facts {
                li { "A " strong { (fit.kind.label()) } " question." }
                li {
                    "The answer took " strong { (clock(fit.answer_s)) } ", "
                    (length) " the " (clock(min)) "–" (clock(max)) " that suits it."
                }
                @if let Some(coverage) = fit.coverage {
                    li {
                        "It says " strong { (said) " of " (fit.key_terms.len()) } " key terms of the question ("
                        (number((coverage * 100.0).round())) " %)."
                    }
                }
            }
            @if !fit.key_terms.is_empty() {
                table.terms {
                    caption.sr { "Key terms of the question" }
                    thead { tr { th scope="col" { "Key term" } th scope="col" { "In the answer" } } }
                    tbody {
                        @for t in &fit.key_terms {
                            tr {
                                th scope="row" { (t.term) }
                                @match t.said_at {
                                    Some(span) => td.said { "✓ said at " (seek_button(span.start)) }
                                    None => td.unsaid { "✗ not said" }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// What changed between the takes, in a table; what did not, in a line.
pub(super) fn progress(p: &Progress) -> Markup {
    let (changed, unchanged): (Vec<_>, Vec<_>) = p.dimensions.iter().partition(|d| d.change != 0);
    html! {
        section #progress aria-labelledby="progress-h" {
            h2 #progress-h { "Since your last take" }
            p {
                "Compared with " strong { (p.previous_source) } ". "
                @match (p.overall_before, p.overall_after, p.overall_change) {
                    (Some(before), Some(after), Some(change)) => {
                        "Overall " (before) " → " strong { (after) } " (" (signed(change)) ")."
                    }
                    _ => { "One of the takes has no overall score." }
                }
                @if !p.same_question { " The takes answered different (or unknown) questions, so compare with care." }
            }
            @if p.dimensions.is_empty() {
                p { "No dimension was scored in both takes." }
            } @else if changed.is_empty() {
                p { "Every dimension scored the same in both takes." }
            } @else {
                table.progress {
                    caption.sr { "Scores before and after, by dimension" }
                    thead { tr {
                        th scope="col" { "Dimension" }
                        th scope="col" { "Before" }
                        th scope="col" { "After" }
                        th scope="col" { "Change" }
                    } }
                    tbody {
                        @for d in &changed {
                            tr {
                                th scope="row" {
                                    (d.title)
                                    @for m in &d.metrics {
                                        br;
                                        small { (m.label) ": " (number(m.before)) " → " (number(m.after)) " " (unit(&m.unit)) }
                                    }
                                }
                                td.num { (d.before) }
                                td.num { (d.after) }
                                td.num { span class=(trend_class(d.trend)) { (arrow(d.trend)) " " (signed(d.change)) " " (d.trend.label()) } }
                            }
                        }
                    }
                }
            }
            @if !unchanged.is_empty() {
                p.unchanged {
                    "Unchanged: "
                    @for (i, d) in unchanged.iter().enumerate() {
                        @if i > 0 { ", " }
                        (d.title) " (" (d.after) ")"
                    }
                    "."
                }
            }
        }
    }
}

fn signed(change: i16) -> String {
    format!("{change:+}")
}

/// Counts need no unit after the number.
fn unit(unit: &str) -> &str {
    if unit == "count" {
        ""
    } else {
        unit
    }
}

/// The trend's shape, so that it does not rest on colour alone.
fn arrow(trend: Trend) -> &'static str {
    match trend {
        Trend::Improved => "▲",
        Trend::Steady => "●",
        Trend::Worse => "▼",
    }
}

fn trend_class(trend: Trend) -> &'static str {
    match trend {
        Trend::Improved => "trend up",
        Trend::Steady => "trend steady",
        Trend::Worse => "trend down",
    }
}
