use std::fmt::Write;

use super::{clock, count_of, media_line, moments, progress_lines, quantity, question_lines};
use crate::model::{Assessment, Report};

/// Evidence lines shown per dimension in the terminal; the JSON has them all.
const EVIDENCE_SHOWN: usize = 5;

/// Plain text for a terminal: summary first, then each dimension.
pub fn text(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Candor feedback: {} ({})",
        report.source,
        media_line(&report.media)
    );
    match (report.overall.score, report.overall.band) {
        (Some(score), Some(band)) => {
            let _ = writeln!(out, "Overall {score}/100 ({})", band.label());
        }
        _ => {
            let _ = writeln!(
                out,
                "Overall: not scored (nothing in the recording could be judged)"
            );
        }
    }
    if let Some(fit) = &report.question {
        let _ = writeln!(out, "\nThe question");
        for line in question_lines(fit) {
            let _ = writeln!(out, "  {line}");
        }
    }
    if let Some(progress) = &report.progress {
        let _ = writeln!(out, "\nSince the last take");
        for line in progress_lines(progress) {
            let _ = writeln!(out, "  {line}");
        }
    }
    for (title, sign, items) in [
        ("Strengths", '+', &report.overall.strengths),
        ("Work on", '-', &report.overall.work_on),
    ] {
        if items.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{title}");
        for h in items {
            let _ = writeln!(out, "  {sign} {} ({}): {}", h.dimension, h.score, h.verdict);
            if !h.moments.is_empty() {
                let _ = writeln!(out, "      {}", moments(&h.moments));
            }
            if sign == '-' {
                let _ = writeln!(out, "      tip: {}", h.tip);
            }
        }
    }
    for d in &report.dimensions {
        let _ = writeln!(out);
        match &d.assessment {
            Assessment::Scored {
                score,
                band,
                verdict,
                tip,
            } => {
                let _ = writeln!(out, "{:<22} {score:>3}  {}", d.title, band.label());
                let _ = writeln!(out, "  {verdict}");
                let _ = writeln!(out, "  tip: {tip}");
            }
            Assessment::NotScored { reason } => {
                let _ = writeln!(out, "{:<22} not scored: {reason}", d.title);
            }
        }
        for m in &d.metrics {
            let _ = write!(out, "  · {}: {}", m.label, quantity(m));
            if let Some(r) = &m.reference {
                let _ = write!(out, "  [{}; {}]", r.range, r.source);
            }
            let _ = writeln!(out);
        }
        for e in d.evidence.iter().take(EVIDENCE_SHOWN) {
            let _ = writeln!(out, "  @ {}–{}  {}", clock(e.start), clock(e.end), e.text);
        }
        if d.evidence.len() > EVIDENCE_SHOWN {
            let _ = writeln!(
                out,
                "  … and {}",
                count_of(
                    d.evidence.len() - EVIDENCE_SHOWN,
                    "more moment",
                    "more moments"
                )
            );
        }
    }
    if let Some(t) = &report.transcript {
        let _ = writeln!(out, "\nTranscript\n  {}", t.text());
    }
    out
}
