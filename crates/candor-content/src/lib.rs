//! What was said: fillers, hedges, power and negative words, repetition,
//! vocabulary, pace, numbers and STAR structure, from the word-timed
//! transcript and the pauses the audio analysis found.
//!
//! Pure computation: the only I/O is [`Lexicon::load`], reading an optional
//! deployment word list. Any transcript, including an empty one, yields an
//! analysis; rates over zero time are reported as 0.

mod config;
mod cues;
mod error;
mod fillers;
mod languages;
mod lexical;
mod lexicon;
mod numbers;
mod pace;
mod question;
mod repetition;
mod star;
mod tokens;
mod vocabulary;
mod wordnet;

use candor_domain::{Span, Transcript};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use config::ContentConfig;
pub use error::ContentError;
pub use fillers::{FillerAnalysis, FillerBand, FillerCategory, FillerCluster, FillerHit};
pub use languages::language_name;
pub use lexical::{PhraseHit, PhraseHits};
pub use lexicon::{LanguageSupport, Lexicon, Lexicons};
pub use numbers::{NumberHit, NumberKind, Numbers};
pub use pace::{Pace, PaceBand, PaceWindow, SpeechRun};
pub use question::{fit_question, AnswerLengths, KeyTerm, LengthFit, QuestionFit, QuestionKind};
pub use repetition::{ImmediateRepeat, OverusedWord, RepeatedPhrase, Repetition};
pub use star::{StarAnalysis, StarCue, StarEvidence, StarPart, StarPartFound};
pub use vocabulary::Vocabulary;
pub use wordnet::{WordNet, DEFAULT_WORDNET_DIR};

/// Timing of the speech as the audio analysis (voice activity) measured it.
/// Whisper's word times drift after silences, so pauses come from here.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SpeechTiming {
    /// Length of the recording, seconds.
    pub duration_s: f64,
    /// Time with voice, seconds (pauses and leading/trailing silence excluded).
    pub speaking_time_s: f64,
    /// Silences between speech, in time order.
    pub pauses: Vec<Span>,
}

/// Everything this crate finds in one answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ContentAnalysis {
    /// The language it was judged in; without word lists for it, only the
    /// pace and repetition below mean anything.
    pub language: LanguageSupport,
    /// Words said, filler sounds included.
    pub word_count: usize,
    /// The minutes that rates are per: from the first word to the last, the
    /// span pace is measured over, so silence before and after the answer
    /// does not dilute them.
    pub minutes: f64,
    pub fillers: FillerAnalysis,
    pub hedges: PhraseHits,
    pub power_words: PhraseHits,
    pub negative_words: PhraseHits,
    pub repetition: Repetition,
    pub vocabulary: Vocabulary,
    pub pace: Pace,
    pub numbers: Numbers,
    pub star: StarAnalysis,
}

/// `count` per minute, 0 over no time.
pub(crate) fn per_minute(count: usize, minutes: f64) -> f64 {
    if minutes > 0.0 {
        count as f64 / minutes
    } else {
        0.0
    }
}

/// Analyses what was said. Never fails: bad times (NaN, negative) are
/// replaced by the previous word's end, and empty input gives zeros.
pub fn analyze(
    transcript: &Transcript,
    timing: &SpeechTiming,
    lexicon: &Lexicon,
    config: &ContentConfig,
) -> ContentAnalysis {
    let text = tokens::Text::new(
        transcript,
        timing,
        |w| lexicon.is_sound(w),
        config.break_pause_s,
    );
    let minutes = text
        .spoken
        .first()
        .zip(text.spoken.last())
        .map_or(0.0, |(first, last)| {
            (last.span.end - first.span.start).max(0.0)
        })
        / 60.0;

    let (fillers, filler_words) = fillers::detect(&text, lexicon, config, minutes);
    let numbers = numbers::find(&text.words, lexicon);
    ContentAnalysis {
        language: lexicon.language.clone(),
        word_count: text.spoken.len(),
        minutes,
        hedges: lexical::PhraseHits::find(&lexicon.hedges, &text.words, &filler_words, minutes),
        power_words: lexical::PhraseHits::find(&lexicon.power_words, &text.words, &[], minutes),
        negative_words: lexical::PhraseHits::find(
            &lexicon.negative_words,
            &text.words,
            &[],
            minutes,
        ),
        repetition: repetition::analyze(&text.words, lexicon, config),
        vocabulary: vocabulary::analyze(&text.words, config.mattr_window),
        pace: pace::analyze(
            &text.spoken,
            timing,
            config,
            lexicon.language.pace_wpm_factor.unwrap_or(1.0),
        ),
        star: star::analyze(&text.words, &numbers, lexicon),
        numbers,
        fillers,
    }
}
