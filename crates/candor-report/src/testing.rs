//! A realistic report of any length, built from a generated transcript run
//! through the real content analysis, question fit, scoring and comparison,
//! with audio and vision measurements written out by hand. For the renderer
//! tests (the benchmark, scripts/bench-report.sh, renders a real analysis).

use candor_audio::{
    AudioAnalysis, Clipping, Loudness, Noise, Pause, PauseKind, Pitch, PitchPoint, Quality,
    ShortTermLoudness, SpeechActivity,
};
use candor_content::{fit_question, ContentConfig, Lexicon, SpeechTiming};
use candor_domain::vision::{
    Blinks, Exposure, EyeContact, Framing, FramingVerdict, HeadMovement, Lighting, Motion,
    Presence, Smiles, VisionAnalysis, WindowShare,
};
use candor_domain::{
    AudioStreamInfo, MediaInfo, Segment, Span, Transcript, VideoStreamInfo, VideoSummary, Word,
};

use crate::{build_report, compare, Analyses, Report, ReportConfig};

/// Phrases the answer is made of: plain content with fillers, hedges,
/// power words and numbers mixed in, as in a real answer.
const PHRASES: &[&str] = &[
    "So, the project I want to talk about",
    "um, was the migration of our billing system",
    "I think it was the hardest thing we did that year.",
    "I led a team of five engineers",
    "and, uh, we delivered it two weeks early.",
    "You know, the old system was failing",
    "maybe once a week, which cost us",
    "about $40,000 in refunds every quarter.",
    "My task was to, like, design the new pipeline",
    "and I improved the throughput by 80%.",
    "We probably could have moved faster",
    "but I mean, we wanted zero downtime.",
    "In the end the result was a system",
    "that handled three times the load.",
];

/// The question the generated answer answers.
pub const QUESTION: &str = "Tell me about a time you led a difficult migration under pressure.";

/// Words a segment holds, and the seconds each word takes.
const WORDS_PER_SEGMENT: usize = 15;
const WORD_S: f64 = 0.36;

/// A report of an interview answer `minutes` long: ~150 words a minute in
/// 6-second segments, a long pause every tenth segment, loudness every
/// second, eye contact per 30-second window and a few stretches without a face.
pub fn interview(minutes: u32) -> Report {
    build_report(analyses(minutes), &ReportConfig::default())
}

/// What [`interview`] builds its report from.
pub fn analyses(minutes: u32) -> Analyses {
    let duration_s = f64::from(minutes.max(1)) * 60.0;
    let transcript = transcript(duration_s);
    let speech = speech(&transcript, duration_s);
    let timing = SpeechTiming {
        duration_s,
        speaking_time_s: speech.talk_time_s,
        pauses: speech.pauses.iter().map(|p| p.span).collect(),
    };
    let (lexicon, config) = (Lexicon::default(), ContentConfig::default());
    let content = candor_content::analyze(&transcript, &timing, &lexicon, &config);
    let question = fit_question(QUESTION, &transcript, &lexicon, &config, None);
    Analyses {
        source: "interview.mp4".into(),
        media: MediaInfo {
            container: "mov,mp4,m4a,3gp,3g2,mj2".into(),
            duration_s,
            size_bytes: Some((duration_s * 250_000.0) as u64),
            audio: Some(AudioStreamInfo {
                codec: "aac".into(),
                sample_rate: 48_000,
                channels: 1,
            }),
            video: Some(VideoStreamInfo {
                codec: "h264".into(),
                width: 1280,
                height: 720,
                fps: 30.0,
            }),
        },
        audio: Some(audio(speech, duration_s)),
        transcript: Some(transcript),
        content: Some(content),
        video: Some(VideoSummary {
            frames_sampled: (duration_s * 5.0) as u64,
            sample_fps: 5.0,
            frame_width: 640,
            frame_height: 360,
            mean_brightness: 118.0,
            dark_frame_ratio: 0.0,
        }),
        vision: Some(vision(duration_s)),
        question: Some(question),
    }
}

/// The 60-minute report the size bound and the benchmark use, compared
/// with an earlier 45-minute take of the same question.
pub fn sixty_minute_report() -> Report {
    let mut report = interview(60);
    let mut previous = interview(45);
    previous.source = "interview-take-1.mp4".into();
    report.progress = Some(compare(&report, &previous));
    report
}

/// Segments of [`WORDS_PER_SEGMENT`] words every 6 s (every tenth followed
/// by a longer silence), cycling through [`PHRASES`].
fn transcript(duration_s: f64) -> Transcript {
    let mut words = PHRASES.iter().flat_map(|p| p.split_whitespace()).cycle();
    let mut segments = Vec::new();
    let mut start = 0.5;
    let mut n = 0;
    while start + WORDS_PER_SEGMENT as f64 * WORD_S < duration_s {
        let seg_words: Vec<Word> = (0..WORDS_PER_SEGMENT)
            .map(|i| {
                let t = start + i as f64 * WORD_S;
                Word {
                    text: format!(" {}", words.next().unwrap_or("and")),
                    start: t,
                    end: t + WORD_S * 0.85,
                    probability: 0.9,
                }
            })
            .collect();
        let end = seg_words.last().map_or(start, |w| w.end);
        segments.push(Segment {
            start,
            end,
            text: seg_words.iter().map(|w| w.text.as_str()).collect(),
            words: seg_words,
        });
        n += 1;
        start += if n % 10 == 0 { 9.0 } else { 6.0 };
    }
    Transcript {
        language: "en".into(),
        language_probability: None,
        segments,
    }
}

/// Voice activity that matches the transcript's segments.
fn speech(transcript: &Transcript, duration_s: f64) -> SpeechActivity {
    let segments: Vec<Span> = transcript
        .segments
        .iter()
        .map(|s| Span::new(s.start, s.end))
        .collect();
    let pauses = segments
        .windows(2)
        .map(|w| {
            let span = Span::new(w[0].end, w[1].start);
            let d = span.duration();
            let kind = if d >= 2.5 {
                PauseKind::Long
            } else if d >= 1.2 {
                PauseKind::Hesitation
            } else {
                PauseKind::Short
            };
            Pause {
                span,
                duration_s: d,
                kind,
            }
        })
        .collect();
    let talk_time_s = segments.iter().map(Span::duration).sum();
    let first = segments.first().map_or(0.0, |s| s.start);
    let last = segments.last().map_or(0.0, |s| s.end);
    SpeechActivity {
        speaking_time_ratio: talk_time_s / (last - first).max(1.0),
        leading_silence_s: first,
        trailing_silence_s: (duration_s - last).max(0.0),
        segments,
        pauses,
        talk_time_s,
    }
}

fn audio(speech: SpeechActivity, duration_s: f64) -> AudioAnalysis {
    let seconds = duration_s as usize;
    // Loudness drifts slowly around -23 LUFS and drops in the long pauses.
    let short_term = (1..=seconds)
        .map(|s| {
            let t = s as f64;
            let silent = speech
                .pauses
                .iter()
                .any(|p| p.kind == PauseKind::Long && p.span.start + 1.0 < t && t < p.span.end);
            ShortTermLoudness {
                t_s: t,
                lufs: (!silent).then(|| -23.0 + 3.0 * (t / 97.0).sin() + (t / 7.0).sin()),
            }
        })
        .collect();
    let track = (0..seconds / 2)
        .map(|i| PitchPoint {
            t_s: i as f64 * 2.0,
            hz: 140.0 + 20.0 * (i as f64 / 5.0).sin(),
        })
        .collect();
    AudioAnalysis {
        duration_s,
        loudness: Loudness {
            integrated_lufs: Some(-23.0),
            loudness_range_lu: 6.5,
            sample_peak_dbfs: Some(-3.2),
            short_term,
            clipping: Clipping {
                clipped_samples: 0,
                runs: 0,
                run_sample_ratio: 0.0,
                longest_run_samples: 0,
            },
        },
        noise: Noise {
            noise_floor_dbfs: -62.0,
            speech_level_dbfs: Some(-24.0),
            snr_db: Some(38.0),
        },
        pitch: Pitch {
            median_hz: Some(140.0),
            std_semitones: Some(2.6),
            p10_p90_range_semitones: Some(7.0),
            voiced_ratio: 0.7,
            voiced_s: speech.talk_time_s * 0.7,
            monotone: Some(false),
            track,
        },
        speech,
        quality: Quality {
            scorable: true,
            issues: vec![],
        },
    }
}

fn vision(duration_s: f64) -> VisionAnalysis {
    let windows: Vec<WindowShare> = (0..(duration_s / 30.0).ceil() as usize)
        .map(|i| {
            let start = i as f64 * 30.0;
            WindowShare {
                span: Span::new(start, (start + 30.0).min(duration_s)),
                ratio: 0.6 + 0.3 * (i as f64 / 3.0).sin(),
            }
        })
        .collect();
    // A few seconds out of the picture every ten minutes.
    let no_face: Vec<Span> = (0..(duration_s / 600.0).ceil() as usize)
        .map(|i| Span::new(i as f64 * 600.0 + 250.0, i as f64 * 600.0 + 254.0))
        .filter(|s| s.end < duration_s)
        .collect();
    VisionAnalysis {
        frames: (duration_s * 5.0) as u64,
        duration_s,
        presence: Presence {
            face_visible_ratio: 1.0 - no_face.len() as f64 * 4.0 / duration_s,
            no_face,
            multiple_faces: vec![],
            cut_off_ratio: 0.0,
        },
        motion: Motion {
            median_frame_change: 3.5,
            static_picture: false,
        },
        eye_contact: Some(EyeContact {
            ratio: 0.62,
            lost_ratio: 0.02,
            confidence: 0.95,
            cone_side_deg: 8.0,
            cone_up_deg: 8.0,
            cone_down_deg: 12.0,
            median_right_deg: 1.0,
            median_down_deg: 6.0,
            looking_away: vec![Span::new(95.0, 101.0), Span::new(40.0, 43.0)],
            windows,
        }),
        head: Some(HeadMovement {
            yaw_mean: 1.5,
            pitch_mean: -3.0,
            roll_mean: 0.5,
            yaw_std: 6.0,
            pitch_std: 4.0,
            roll_std: 2.0,
            movement_deg_per_s: 6.5,
            restless_deg_per_s: 4.0,
            noise_floor_deg: 1.5,
            turns: vec![Span::new(60.0, 61.0), Span::new(70.0, 70.5)],
            fidget_spans: vec![Span::new(130.0, 136.0)],
        }),
        blinks: Some(Blinks {
            count: (duration_s / 4.0) as u32,
            per_minute: 15.0,
        }),
        framing: Some(Framing {
            face_height_ratio: 0.32,
            centre_offset_x: 0.03,
            centre_offset_y: -0.05,
            verdict: FramingVerdict::Good,
            stability_px_per_s: 4.0,
        }),
        lighting: Lighting {
            mean_brightness: 118.0,
            face_brightness: Some(125.0),
            background_brightness: Some(110.0),
            backlit: false,
            exposure: Exposure::Good,
            contrast: 48.0,
            colour_cast: None,
            sharpness: 160.0,
            blurry: false,
            advice: vec![],
        },
        smiles: Some(Smiles {
            ratio: 0.12,
            moments: vec![Span::new(20.0, 23.0)],
        }),
    }
}
