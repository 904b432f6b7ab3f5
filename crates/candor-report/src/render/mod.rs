//! Renderings of a [`Report`](crate::Report) for people: Markdown, plain
//! terminal text and a self-contained HTML page. JSON is the report
//! serialised as it is.

mod html;
mod markdown;
mod text;

pub use html::{html, HtmlOptions};
pub use markdown::markdown;
pub use text::text;

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

/// A metric's value with its unit; counts need none.
pub fn quantity(metric: &crate::Metric) -> String {
    match metric.unit.as_str() {
        "count" => number(metric.value),
        "%" => format!("{}%", number(metric.value)),
        unit => format!("{} {unit}", number(metric.value)),
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
    fn clock_formats_minutes_and_hours() {
        assert_eq!(clock(0.4), "0:00");
        assert_eq!(clock(61.0), "1:01");
        assert_eq!(clock(3725.0), "1:02:05");
    }

    #[test]
    fn numbers_keep_sensible_precision() {
        assert_eq!(number(142.0), "142");
        assert_eq!(number(142.46), "142");
        assert_eq!(number(12.345), "12.3");
        assert_eq!(number(1.234), "1.23");
    }
}
