use std::fmt::Write;

use super::{clock, media_line, moments, progress_lines, quantity, question_lines};
use crate::model::{Assessment, Report};

/// A Markdown document: summary, a score table, then each dimension.
pub fn markdown(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Interview feedback: {}\n", report.source);
    let _ = writeln!(
        out,
        "_{}; {}_\n",
        media_line(&report.media),
        report.generator
    );
    match (report.overall.score, report.overall.band) {
        (Some(score), Some(band)) => {
            let _ = writeln!(out, "**Overall: {score}/100 ({})**\n", band.label());
        }
        _ => {
            let _ = writeln!(out, "**Overall: not scored**\n");
        }
    }
    if let Some(fit) = &report.question {
        let _ = writeln!(out, "## The question\n");
        for line in question_lines(fit) {
            let _ = writeln!(out, "{line}\n");
        }
    }
    if let Some(progress) = &report.progress {
        let _ = writeln!(out, "## Since the last take\n");
        for line in progress_lines(progress) {
            let _ = writeln!(out, "- {line}");
        }
        let _ = writeln!(out);
    }
    for (title, items) in [
        ("Strengths", &report.overall.strengths),
        ("Work on", &report.overall.work_on),
    ] {
        if items.is_empty() {
            continue;
        }
        let _ = writeln!(out, "## {title}\n");
        for h in items {
            let _ = writeln!(
                out,
                "- **{}** ({}): {} _Tip:_ {} {}",
                h.dimension,
                h.score,
                h.verdict,
                h.tip,
                moments(&h.moments)
            );
        }
        let _ = writeln!(out);
    }
    let _ = writeln!(
        out,
        "## Scores\n\n| Dimension | Score | Band |\n|---|---:|---|"
    );
    for d in &report.dimensions {
        let _ = match &d.assessment {
            Assessment::Scored { score, band, .. } => {
                writeln!(out, "| {} | {score} | {} |", d.title, band.label())
            }
            Assessment::NotScored { reason } => {
                writeln!(out, "| {} | – | not scored: {reason} |", d.title)
            }
        };
    }
    for d in &report.dimensions {
        let _ = writeln!(out, "\n## {}\n", d.title);
        if let Assessment::Scored { verdict, tip, .. } = &d.assessment {
            let _ = writeln!(out, "{verdict}\n\n**Tip:** {tip}\n");
        }
        if !d.metrics.is_empty() {
            let _ = writeln!(
                out,
                "| Measure | Value | Reference | Source |\n|---|---:|---|---|"
            );
            for m in &d.metrics {
                let (range, source) = m
                    .reference
                    .as_ref()
                    .map_or(("", ""), |r| (&r.range, &r.source));
                let _ = writeln!(
                    out,
                    "| {} | {} | {range} | {source} |",
                    m.label,
                    quantity(m)
                );
            }
        }
        if !d.evidence.is_empty() {
            let _ = writeln!(out, "\nMoments:\n");
            for e in &d.evidence {
                let _ = writeln!(out, "- {}–{}: {}", clock(e.start), clock(e.end), e.text);
            }
        }
    }
    if let Some(t) = &report.transcript {
        let _ = writeln!(out, "\n## Transcript\n\n{}", t.text());
    }
    out
}
