//! Renderings of a [`Report`](crate::Report) for people: Markdown, plain
//! terminal text, a self-contained HTML page and WebVTT captions. JSON is the report
//! serialised as it is.

mod html;
mod markdown;
mod text;
mod vtt;

pub use html::{html, HtmlOptions};
pub use markdown::markdown;
pub use text::text;
pub use vtt::vtt;

/// `m:ss` (or `h:mm:ss`) for a time in seconds.
pub fn clock(seconds: f64) -> String {
    let total = seconds.max(0.0).round() as u64;
    let (h, m, s) = (total / 3600, total / 60 % 60, total % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

/// "at 0:12, 1:05–1:40 and 2:40" for moments (a stretch of a few seconds
/// or more as its range); empty when there are none.
pub fn moments(evidence: &[crate::Evidence]) -> String {
    let times: Vec<String> = evidence
        .iter()
        .map(|e| {
            if e.end - e.start >= 3.0 {
                format!("{}–{}", clock(e.start), clock(e.end))
            } else {
                clock(e.start)
            }
        })
        .collect();
    match times.as_slice() {
        [] => String::new(),
        [one] => format!("at {one}"),
        [head @ .., last] => format!("at {} and {last}", head.join(", ")),
    }
}

/// The question and how the answer fits it, as lines of plain text.
pub fn question_lines(fit: &candor_content::QuestionFit) -> Vec<String> {
    let mut lines = vec![format!(
        "\"{}\" ({} question; {}–{} s suits it, the answer took {} s)",
        fit.question,
        fit.kind.label(),
        number(fit.expected_s[0]),
        number(fit.expected_s[1]),
        number(fit.answer_s)
    )];
    if !fit.key_terms.is_empty() {
        let terms: Vec<String> = fit
            .key_terms
            .iter()
            .map(|t| match t.said_at {
                Some(span) => format!("{} ✓ {}", t.term, clock(span.start)),
                None => format!("{} ✗", t.term),
            })
            .collect();
        lines.push(format!("Key terms: {}", terms.join(", ")));
    }
    lines
}

/// The change since the previous take, as lines of plain text.
pub fn progress_lines(progress: &crate::Progress) -> Vec<String> {
    use std::fmt::Write;

    let mut lines = vec![match (
        progress.overall_before,
        progress.overall_after,
        progress.overall_change,
    ) {
        (Some(before), Some(after), Some(change)) => format!(
            "Overall {before} → {after} ({change:+}) since {}",
            progress.previous_source
        ),
        _ => format!("Compared with {}", progress.previous_source),
    }];
    if !progress.same_question {
        lines.push("(the takes answered different or unknown questions)".to_string());
    }
    for d in &progress.dimensions {
        let mut line = format!(
            "{} {} → {} ({:+}, {})",
            d.title,
            d.before,
            d.after,
            d.change,
            d.trend.label()
        );
        if let Some(m) = d.metrics.first() {
            let _ = write!(
                line,
                "; {}: {} → {}",
                m.label,
                number(m.before),
                number(m.after)
            );
        }
        lines.push(line);
    }
    lines
}

/// A measured value with a precision that suits its size.
pub fn number(value: f64) -> String {
    if value.fract() == 0.0 || value.abs() >= 100.0 {
        format!("{value:.0}")
    } else if value.abs() >= 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    }
}

/// "1 long pause", "3 long pauses".
pub fn count_of(n: usize, singular: &str, plural: &str) -> String {
    format!("{n} {}", if n == 1 { singular } else { plural })
}

/// A metric's value with its unit; counts need none.
pub fn quantity(metric: &crate::Metric) -> String {
    match metric.unit.as_str() {
        "count" => number(metric.value),
        "%" => format!("{}%", number(metric.value)),
        "wpm" => format!("{} words a minute", number(metric.value)),
        unit => format!("{} {unit}", number(metric.value)),
    }
}

/// Broadcast speech's loudness (EBU R128), which loudness is told against.
const BROADCAST_LUFS: f64 = -23.0;

/// What a technical measure means for a person, when its unit does not say
/// it: decibels as how loud they sound, 0–255 levels as shares.
pub fn plain_words(metric: &crate::Metric) -> Option<String> {
    let v = metric.value;
    let share = |of: f64| format!("{} % of", number((100.0 * v / of).round()));
    Some(match metric.id.as_str() {
        "snr_db" => format!("your voice {} as the background noise", as_loud(v)),
        "integrated_lufs" => format!(
            "{} as speech on broadcast TV and radio",
            as_loud(v - BROADCAST_LUFS)
        ),
        "loudness_range_lu" => format!("your louder passages {} as your quieter ones", as_loud(v)),
        "sample_peak_dbfs" if v > -1.0 => "the loudest moment reaches the recording's limit".into(),
        "sample_peak_dbfs" => format!(
            "the loudest moment is {} dB below the most the recording can hold",
            number(-v)
        ),
        "pitch_std_semitones" | "pitch_range_semitones" => {
            format!("about {} piano keys", number(v.round()))
        }
        "brightness" | "background_brightness" => format!("{} full brightness", share(255.0)),
        "contrast" => format!("light and dark spread over {} the full range", share(255.0)),
        "sharpness" => "how much fine edge detail the picture holds; higher is crisper".into(),
        "vocabulary_mattr" => format!(
            "{} % of the words in any 50-word stretch are different words",
            number((100.0 * v).round())
        ),
        _ => return None,
    })
}

/// "about 50 % as loud" for a level `db` decibels from another: a change of
/// 10 dB is heard as about twice or half as loud (Stevens's sone scale).
pub fn as_loud(db: f64) -> String {
    let ratio = 2f64.powf(db / 10.0);
    if (0.9..=1.1).contains(&ratio) {
        "about as loud".into()
    } else if ratio < 1.0 {
        format!("about {:.0} % as loud", (ratio * 20.0).round() * 5.0)
    } else {
        let r = (ratio * 10.0).round() / 10.0;
        let times = if r.fract() == 0.0 {
            format!("{r:.0}")
        } else {
            format!("{r:.1}")
        };
        format!("about {times} times as loud")
    }
}

/// One line describing the media, e.g. "1:01, video 1280×720 h264, audio aac".
pub fn media_line(media: &candor_domain::MediaInfo) -> String {
    let mut parts = vec![clock(media.duration_s)];
    if let Some(v) = &media.video {
        parts.push(format!("video {}×{} {}", v.width, v.height, v.codec));
    }
    if let Some(a) = &media.audio {
        parts.push(format!("audio {}", a.codec));
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_said_as_how_loud_they_sound() {
        assert_eq!(as_loud(0.3), "about as loud");
        assert_eq!(as_loud(-10.0), "about 50 % as loud");
        assert_eq!(as_loud(-20.0), "about 25 % as loud");
        assert_eq!(as_loud(10.0), "about 2 times as loud");
        assert_eq!(as_loud(5.0), "about 1.4 times as loud");
    }

    #[test]
    fn clock_formats_minutes_and_hours() {
        assert_eq!(clock(0.4), "0:00");
        assert_eq!(clock(61.0), "1:01");
        assert_eq!(clock(3725.0), "1:02:05");
    }

    #[test]
    fn moments_read_as_a_list_of_times() {
        let at = |t: f64| crate::Evidence::new(candor_domain::Span::new(t, t + 1.0), "x");
        assert_eq!(moments(&[]), "");
        assert_eq!(moments(&[at(12.0)]), "at 0:12");
        assert_eq!(
            moments(&[at(12.0), at(65.0), at(160.0)]),
            "at 0:12, 1:05 and 2:40"
        );
    }

    #[test]
    fn numbers_keep_sensible_precision() {
        assert_eq!(number(142.0), "142");
        assert_eq!(number(142.46), "142");
        assert_eq!(number(12.345), "12.3");
        assert_eq!(number(1.234), "1.23");
    }
}
