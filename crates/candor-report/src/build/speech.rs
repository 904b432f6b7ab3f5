//! How it was said: pace, pauses, fillers, clarity, vocal variety.

use candor_audio::{AudioAnalysis, PauseKind};
use candor_content::{ContentAnalysis, FillerAnalysis, PaceBand, PaceWindow};
use candor_domain::{Span, Word};

use super::{dimension, metric, not_scored, referenced, scored, Analyses, ReportConfig};
use crate::model::{Dimension, Evidence};
use crate::render::{count_of, number};

const PACE_SOURCE: &str = "Griffiths 1990; Tauroza & Allison 1990";
/// Where the other languages' speaking rates come from (their lexicon files
/// give the arithmetic).
const PACE_RATE_SOURCE: &str =
    "speaking rates relative to English: Trauzettel-Klosinski & Dietz 2012 (IReST)";
const FILLER_SOURCE: &str = "Götz 2013; Corley & Stewart 2008";
/// Clear-pace stretches quoted as examples.
const EXAMPLES: usize = 3;
/// A stretch without fillers at least this long is worth pointing at.
const FLUENT_STRETCH_S: f64 = 15.0;
const PAUSE_SOURCE: &str = "Candor heuristic (pause bounds and per-minute rate)";

/// The audio analysis when it can be judged, or why not.
pub(super) fn audible(a: &Analyses) -> Result<&AudioAnalysis, String> {
    let audio = a.audio.as_ref().ok_or("the recording has no audio track")?;
    if audio.quality.scorable {
        Ok(audio)
    } else {
        let reasons: Vec<String> = audio
            .quality
            .issues
            .iter()
            .map(ToString::to_string)
            .collect();
        Err(reasons.join("; "))
    }
}

/// The content analysis when there is enough speech to judge it, or why not.
pub(super) fn spoken<'a>(
    a: &'a Analyses,
    config: &ReportConfig,
) -> Result<&'a ContentAnalysis, String> {
    audible(a)?;
    let content = a.content.as_ref().ok_or("no transcript was made")?;
    if content.word_count < config.min_words {
        return Err(format!(
            "only {} words were recognised; at least {} are needed to judge this",
            content.word_count, config.min_words
        ));
    }
    Ok(content)
}

/// As [`spoken`], for what was said: judging it takes the language's word
/// lists (fillers, hedges, STAR cues...).
pub(super) fn worded<'a>(
    a: &'a Analyses,
    config: &ReportConfig,
) -> Result<&'a ContentAnalysis, String> {
    let content = spoken(a, config)?;
    if content.language.word_lists {
        Ok(content)
    } else {
        Err(format!("no word lists for {}", content.language.name))
    }
}

pub(super) fn pace(a: &Analyses, config: &ReportConfig) -> Dimension {
    let content = match spoken(a, config) {
        Ok(c) => c,
        Err(reason) => return dimension("pace", "Pace", not_scored(reason)),
    };
    let p = &content.pace;
    let language = &content.language;
    // The reference ranges are English's; another language's are scaled by
    // its typical rate, or English's are used and the report says so.
    let factor = language.pace_wpm_factor.unwrap_or(1.0);
    let in_wpm = |english: f64| (english * factor).round();
    let (clear_min, clear_max) = (in_wpm(130.0), in_wpm(160.0));
    let score = config.pace_wpm.score(p.overall_wpm / factor);
    let wpm = p.overall_wpm.round();
    // The content analysis banded the pace against the language's ranges.
    let (verdict, tip) = match p.band {
        Some(PaceBand::Clear) => (
            format!("{wpm} words per minute: a clear, easy pace."),
            "Keep this pace; vary it on purpose to stress what matters.",
        ),
        Some(PaceBand::Drags | PaceBand::Slow) => (
            format!("{wpm} words per minute: slower than the {clear_min}–{clear_max} that reads as clear."),
            "Cut long gaps between sentences and keep each sentence moving; rehearse the answer against a timer.",
        ),
        _ => (
            format!("{wpm} words per minute: faster than the {clear_min}–{clear_max} that reads as clear."),
            "Slow down at key points: pause after each result so that it lands.",
        ),
    };
    let (reference, source) = match (language.code.as_str(), language.pace_wpm_factor) {
        ("en", _) => (
            "130–160 wpm clear; <100 drags; >180 rushes".to_owned(),
            PACE_SOURCE.to_owned(),
        ),
        (_, Some(_)) => (
            format!(
                "{clear_min}–{clear_max} wpm clear; <{} drags; >{} rushes: English's ranges scaled to {}'s speaking rate",
                in_wpm(100.0),
                in_wpm(180.0),
                language.name
            ),
            format!("{PACE_SOURCE}; {PACE_RATE_SOURCE}"),
        ),
        (_, None) => (
            format!(
                "130–160 wpm clear; <100 drags; >180 rushes: English's ranges, as Candor has no pace reference for {}",
                language.name
            ),
            PACE_SOURCE.to_owned(),
        ),
    };
    let mut d = dimension("pace", "Pace", scored(score, verdict, tip));
    d.metrics.push(referenced(
        "overall_wpm",
        "Overall pace",
        p.overall_wpm,
        "wpm",
        &reference,
        &source,
    ));
    // Two rates that round alike read as a contradiction: the rate without
    // pauses is shown when the pauses make a difference.
    if p.articulation_wpm >= 1.1 * p.overall_wpm {
        d.metrics.push(metric(
            "articulation_wpm",
            "Pace while speaking (pauses left out)",
            p.articulation_wpm,
            "wpm",
        ));
    }
    if let Some(run) = &p.longest_run {
        d.metrics.push(metric(
            "longest_run_s",
            "Longest stretch without a pause",
            run.duration_s,
            "s",
        ));
    }
    let mut stretches = merge_windows(p.windows.iter().filter(|w| w.words > 0), factor);
    // The longest clear stretches are the examples; every off-pace one is
    // an issue.
    let mut clear: Vec<(Span, f64)> = stretches
        .iter()
        .filter(|s| s.1 == PaceRead::Clear)
        .map(|s| (s.0, s.2))
        .collect();
    clear.sort_by(|x, y| y.0.duration().total_cmp(&x.0.duration()));
    stretches.retain(|s| s.1 != PaceRead::Clear);
    d.evidence =
        stretches
            .into_iter()
            .map(|(span, read, wpm)| {
                let how = if read == PaceRead::Rushed {
                    "rushed"
                } else {
                    "dragged"
                };
                Evidence::new(span, format!("{how}: {} wpm", wpm.round()))
            })
            .chain(clear.into_iter().take(EXAMPLES).map(|(span, wpm)| {
                Evidence::example(span, format!("clear pace: {} wpm", wpm.round()))
            }))
            .collect();
    d.evidence.sort_by(|x, y| x.start.total_cmp(&y.start));
    d
}

/// Whether a pause falls inside a clause: the last word said before its
/// middle ends without punctuation (Whisper punctuates the ends of clauses
/// and sentences). A pause before the first word is not inside one.
fn within_clause(words: &[&Word], pause: Span) -> bool {
    let middle = (pause.start + pause.end) / 2.0;
    let before = words.partition_point(|w| w.end <= middle);
    before > 0
        && before < words.len()
        && !words[before - 1]
            .text
            .trim_end()
            .ends_with(['.', ',', ';', ':', '?', '!', '\u{2026}', '-', '\u{2014}'])
}

/// How a pace in English words per minute reads against the reference range.
#[derive(Debug, Clone, Copy, PartialEq)]
enum PaceRead {
    Dragged,
    Clear,
    Rushed,
}

fn pace_read(wpm: f64) -> Option<PaceRead> {
    match wpm {
        w if w < 100.0 => Some(PaceRead::Dragged),
        w if (130.0..=160.0).contains(&w) => Some(PaceRead::Clear),
        w if w > 180.0 => Some(PaceRead::Rushed),
        _ => None,
    }
}

/// Overlapping rolling windows that read the same become one stretch, with
/// the most extreme rate of them (the first rate for a clear stretch).
/// `factor` scales English's ranges to the language's.
fn merge_windows<'a>(
    windows: impl Iterator<Item = &'a PaceWindow>,
    factor: f64,
) -> Vec<(Span, PaceRead, f64)> {
    let mut merged: Vec<(Span, PaceRead, f64)> = Vec::new();
    for w in windows {
        let Some(read) = pace_read(w.wpm / factor) else {
            continue;
        };
        match merged.last_mut() {
            Some((last, last_read, extreme)) if last.end >= w.span.start && *last_read == read => {
                last.end = last.end.max(w.span.end);
                *extreme = match read {
                    PaceRead::Rushed => extreme.max(w.wpm),
                    PaceRead::Dragged => extreme.min(w.wpm),
                    PaceRead::Clear => *extreme,
                };
            }
            _ => merged.push((w.span, read, w.wpm)),
        }
    }
    merged
}

pub(super) fn pauses(a: &Analyses, config: &ReportConfig) -> Dimension {
    let audio = match audible(a) {
        Ok(audio) => audio,
        Err(reason) => return dimension("pauses", "Pauses", not_scored(reason)),
    };
    let speech = &audio.speech;
    let minutes = (speech.talk_time_s / 60.0).max(1.0 / 60.0);
    // A pause between sentences or clauses is punctuation spoken; one inside
    // a clause is what reads as searching for words. With words to tell
    // them apart only those count; without, every pause does.
    let words: Vec<&Word> = a.transcript.iter().flat_map(|t| t.words()).collect();
    let by_clause = !words.is_empty();
    let (one, many, title) = if by_clause {
        ("mid-clause pause", "mid-clause pauses", "Mid-clause pauses")
    } else {
        ("pause", "pauses", "Pauses")
    };
    let hesitant: Vec<_> = speech
        .pauses
        .iter()
        .filter(|p| p.kind != PauseKind::Short && (!by_clause || within_clause(&words, p.span)))
        .collect();
    let hesitations = hesitant.len();
    let long = hesitant
        .iter()
        .filter(|p| p.kind == PauseKind::Long)
        .count();
    let rate = hesitations as f64 / minutes;
    let score = config.hesitations_per_minute.score(rate);
    let verdict = match (hesitations, long) {
        (0, _) => "No hesitant pauses: the answer flows.".to_string(),
        (h, 0) => format!(
            "{} of 1.2 s or more ({}/min of talk): they can read as uncertainty.",
            count_of(h, one, many),
            number(rate)
        ),
        (h, l) => format!(
            "{} of 1.2 s or more, {l} of them over 2.5 s: long silences read as lost thread.",
            count_of(h, one, many)
        ),
    };
    let tip = if hesitations == 0 {
        "Short pauses between ideas help the listener; keep them."
    } else {
        "Know your next point before you finish the current one; if you need time, say so briefly (\"let me think about the best example\")."
    };
    let mut d = dimension("pauses", "Pauses", scored(score, verdict, tip));
    d.metrics.push(metric(
        "pauses",
        "Pauses of 0.5 s or more",
        speech.pauses.len() as f64,
        "count",
    ));
    d.metrics.push(referenced(
        "hesitations",
        &format!("{title} of 1.2 s or more"),
        hesitations as f64,
        "count",
        &format!("{many} over 1.2 s read as uncertainty"),
        PAUSE_SOURCE,
    ));
    d.metrics.push(referenced(
        "long_pauses",
        &format!("{title} of 2.5 s or more"),
        long as f64,
        "count",
        "over 2.5 s is a long pause",
        PAUSE_SOURCE,
    ));
    d.metrics.push(metric(
        "hesitations_per_minute",
        "Hesitant pauses per minute of talk",
        rate,
        "per min",
    ));
    d.metrics
        .push(metric("talk_time_s", "Talk time", speech.talk_time_s, "s"));
    d.metrics.push(metric(
        "speaking_time_ratio",
        "Share of the recording with speech",
        speech.speaking_time_ratio * 100.0,
        "%",
    ));
    d.evidence = hesitant
        .iter()
        .map(|p| Evidence::new(p.span, format!("{:.1} s pause", p.duration_s)))
        .chain(
            speech
                .segments
                .iter()
                .max_by(|x, y| x.duration().total_cmp(&y.duration()))
                .map(|&s| {
                    Evidence::example(
                        s,
                        format!("{} s of speech without a pause", number(s.duration())),
                    )
                }),
        )
        .collect();
    d.evidence.sort_by(|x, y| x.start.total_cmp(&y.start));
    d
}

pub(super) fn fillers(a: &Analyses, config: &ReportConfig) -> Dimension {
    let content = match worded(a, config) {
        Ok(c) => c,
        Err(reason) => return dimension("fillers", "Filler words", not_scored(reason)),
    };
    let f = &content.fillers;
    let score = config.fillers_per_minute.score(f.per_minute);
    let verdict = if f.count == 0 {
        "No filler words: fluent.".to_string()
    } else {
        let mut words: Vec<&str> = f.hits.iter().map(|h| h.text.as_str()).collect();
        words.sort_unstable();
        words.dedup();
        format!(
            "{} ({}/min: {}).",
            count_of(f.count, "filler", "fillers"),
            number(f.per_minute),
            words.join(", ")
        )
    };
    let tip = if f.per_minute <= 1.2 {
        "Keep it up: a silent pause is stronger than a filler."
    } else {
        "Replace fillers with a short silent pause; practise the opening and transitions, where fillers cluster."
    };
    let mut d = dimension("fillers", "Filler words", scored(score, verdict, tip));
    d.metrics
        .push(metric("fillers", "Fillers", f.count as f64, "count"));
    d.metrics.push(referenced(
        "fillers_per_minute",
        "Fillers per minute",
        f.per_minute,
        "per min",
        "≤1.2/min fluent; ≥4.8/min hesitant",
        FILLER_SOURCE,
    ));
    d.metrics.push(metric(
        "clusters",
        "Clusters (3+ within 30 s)",
        f.clusters.len() as f64,
        "count",
    ));
    d.evidence =
        f.clusters
            .iter()
            .map(|c| Evidence::new(c.span, format!("{} fillers close together", c.count)))
            .chain(
                f.hits
                    .iter()
                    .map(|h| Evidence::new(h.span, format!("\"{}\"", h.text))),
            )
            .chain(filler_free(a, f).map(|s| {
                Evidence::example(s, format!("{} s without a filler", number(s.duration())))
            }))
            .collect();
    d.evidence.sort_by(|x, y| x.start.total_cmp(&y.start));
    d
}

/// The longest stretch of the answer, from its first word to its last,
/// without a filler; none under [`FLUENT_STRETCH_S`].
fn filler_free(a: &Analyses, fillers: &FillerAnalysis) -> Option<Span> {
    let mut words = a.transcript.as_ref()?.words();
    let first = words.next()?;
    let last = words.last().unwrap_or(first);
    let mut bounds = vec![first.start];
    for hit in &fillers.hits {
        bounds.extend([hit.span.start, hit.span.end]);
    }
    bounds.push(last.end);
    bounds
        .chunks(2)
        .map(|pair| Span::new(pair[0], pair[pair.len() - 1]))
        .filter(|s| s.duration() >= FLUENT_STRETCH_S)
        .max_by(|x, y| x.duration().total_cmp(&y.duration()))
}

pub(super) fn clarity(a: &Analyses, config: &ReportConfig) -> Dimension {
    let audio = match audible(a) {
        Ok(audio) => audio,
        Err(reason) => return dimension("clarity", "Clarity and volume", not_scored(reason)),
    };
    let snr = audio.noise.snr_db.unwrap_or(0.0);
    let score = config.snr_db.score(snr);
    let verdict = if snr >= 25.0 {
        format!(
            "Clean sound: speech stands {} dB above the background.",
            snr.round()
        )
    } else {
        format!(
            "Background noise is audible: speech stands only {} dB above it.",
            snr.round()
        )
    };
    let tip = if snr >= 25.0 {
        "Keep the same room and microphone for your next recordings."
    } else {
        "Record in a quieter room, close windows, and move the microphone closer to your mouth."
    };
    let mut d = dimension("clarity", "Clarity and volume", scored(score, verdict, tip));
    d.metrics.push(referenced(
        "snr_db",
        "Speech above background",
        snr,
        "dB",
        "≥25 dB clean; <15 dB noisy",
        "Candor heuristic",
    ));
    if let Some(lufs) = audio.loudness.integrated_lufs {
        d.metrics.push(referenced(
            "integrated_lufs",
            "Loudness (integrated)",
            lufs,
            "LUFS",
            "−23 LUFS broadcast target",
            "EBU R128",
        ));
    }
    d.metrics.push(metric(
        "loudness_range_lu",
        "Loudness range",
        audio.loudness.loudness_range_lu,
        "LU",
    ));
    if let Some(peak) = audio.loudness.sample_peak_dbfs {
        d.metrics
            .push(metric("sample_peak_dbfs", "Peak", peak, "dBFS"));
    }
    d.metrics.push(metric(
        "clipped_samples",
        "Clipped samples",
        audio.loudness.clipping.clipped_samples as f64,
        "count",
    ));
    d
}

pub(super) fn vocal_variety(a: &Analyses, config: &ReportConfig) -> Dimension {
    const TITLE: &str = "Vocal variety";
    let audio = match audible(a) {
        Ok(audio) => audio,
        Err(reason) => return dimension("vocal_variety", TITLE, not_scored(reason)),
    };
    let p = &audio.pitch;
    let Some(std) = p.std_semitones.filter(|_| p.monotone.is_some()) else {
        return dimension(
            "vocal_variety",
            TITLE,
            not_scored("too little voiced speech to measure pitch"),
        );
    };
    let score = config.pitch_std_semitones.score(std);
    let (verdict, tip) = if p.monotone == Some(true) {
        (
            format!("Flat delivery: pitch varies by only {} semitones.", number(std)),
            "Lift your voice on the point of each sentence and drop it at the end; smile when you speak.",
        )
    } else {
        (
            format!(
                "Lively delivery: pitch varies by {} semitones.",
                number(std)
            ),
            "Keep using your voice to mark what matters.",
        )
    };
    let mut d = dimension("vocal_variety", TITLE, scored(score, verdict, tip));
    d.metrics.push(referenced(
        "pitch_std_semitones",
        "Pitch variation (standard deviation)",
        std,
        "semitones",
        "under ~2 semitones sounds flat",
        "Candor heuristic after Hincks 2005",
    ));
    if let Some(median) = p.median_hz {
        d.metrics
            .push(metric("median_pitch_hz", "Median pitch", median, "Hz"));
    }
    if let Some(range) = p.p10_p90_range_semitones {
        d.metrics.push(metric(
            "pitch_range_semitones",
            "Pitch range (10th–90th percentile)",
            range,
            "semitones",
        ));
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlapping_windows_merge_by_how_they_read() {
        let windows: Vec<PaceWindow> = [
            (0.0, 190.0),
            (5.0, 200.0),
            (10.0, 90.0),
            (60.0, 185.0),
            (65.0, 170.0), // neither clear nor off: breaks nothing, joins nothing
            (70.0, 140.0),
            (75.0, 150.0),
        ]
        .into_iter()
        .map(|(start, wpm)| PaceWindow {
            span: Span::new(start, start + 30.0),
            words: 70,
            wpm,
        })
        .collect();
        let merged = merge_windows(windows.iter(), 1.0);
        assert_eq!(
            merged,
            [
                (Span::new(0.0, 35.0), PaceRead::Rushed, 200.0),
                (Span::new(10.0, 40.0), PaceRead::Dragged, 90.0),
                (Span::new(60.0, 90.0), PaceRead::Rushed, 185.0),
                (Span::new(70.0, 105.0), PaceRead::Clear, 140.0),
            ]
        );
    }
}
