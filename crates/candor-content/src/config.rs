use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::AnswerLengths;

/// Thresholds of the content analysis. Every value has a default that is
/// documented with its source; a deployment may override any of them
/// (`#[serde(default)]`: missing keys keep their defaults).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ContentConfig {
    /// A silence at least this long between two words counts as a break, the
    /// spoken equivalent of a comma: it is the evidence that sets a discourse
    /// marker ("like", "you know") off from its sentence. 0.25 s is above the
    /// ordinary gaps between words in fluent speech and below the pauses
    /// listeners notice (Goldman-Eisler 1968 used 0.25 s as the pause floor).
    pub break_pause_s: f64,
    /// Fillers per minute at or below which speech reads as fluent: ~1.2/min
    /// (Götz 2013, "Fluency in native and nonnative English speech").
    pub filler_fluent_per_min: f64,
    /// Fillers per minute at or above which speech reads as hesitant:
    /// ~4.8/min (Götz 2013; Corley & Stewart 2008 on how listeners read "um").
    pub filler_hesitant_per_min: f64,
    /// A filler cluster is at least this many fillers ... (3; a Candor
    /// heuristic: clusters of 3+ in 30 s are reported, not only counts).
    pub filler_cluster_min: usize,
    /// ... within one window of this many seconds (30 s, same heuristic).
    pub filler_cluster_window_s: f64,
    /// Pace at or above which speech reads as clear, words per minute (130;
    /// Griffiths 1990; Tauroza & Allison 1990).
    pub pace_clear_min_wpm: f64,
    /// Pace at or below which speech still reads as clear (160; same sources).
    pub pace_clear_max_wpm: f64,
    /// Below this pace speech drags (100 wpm; same sources).
    pub pace_drags_below_wpm: f64,
    /// Above this pace speech rushes (180 wpm; same sources).
    pub pace_rushes_above_wpm: f64,
    /// Length of the rolling pace window, seconds (Candor heuristic: pace
    /// over time on 20–30 s windows); 30 s holds ~75 words at normal pace, so
    /// one pause does not swing the estimate.
    pub pace_window_s: f64,
    /// Step between rolling pace windows, seconds.
    pub pace_step_s: f64,
    /// A pause at least this long ends a run of speech when looking for the
    /// longest stretch without a breath (0.5 s, the shortest pause Candor
    /// reports; a Candor heuristic).
    pub run_break_pause_s: f64,
    /// Repeated phrases are word n-grams of at least this many words ...
    pub phrase_min_words: usize,
    /// ... and at most this many words ...
    pub phrase_max_words: usize,
    /// ... used at least this many times (3: twice can be coincidence).
    pub phrase_min_count: usize,
    /// A content word is over-used when it occurs at least this many times
    /// (4; a heuristic, no published norm) ...
    pub overused_min_count: usize,
    /// ... and makes up at least this share of all words (0.02 = 2 %; in
    /// conversational English even frequent content words stay below 1 %).
    pub overused_min_share: f64,
    /// Window of the moving-average type-token ratio, words. MATTR is from
    /// Covington & McFall (2010); 50 words (Candor's choice) fits several
    /// windows into a one-minute answer of ~150 words.
    pub mattr_window: usize,
    /// Answer lengths that suit each kind of interview question.
    pub answer_seconds: AnswerLengths,
    /// A key term of an English question also counts as said when the
    /// answer says a word of the same meaning, as WordNet relates them
    /// within the term's commonest senses, this many per part of speech.
    /// Chosen on the tuning half of a labelled set
    /// (`crates/candor-content/tests/data/key_terms.toml`); 0 matches word
    /// forms only.
    pub key_term_senses: usize,
    /// The WordNet 3.0 database (Debian `wordnet-base`); without it key
    /// terms are matched by word form only, and the report says so.
    pub wordnet_dir: PathBuf,
}

impl Default for ContentConfig {
    fn default() -> Self {
        Self {
            break_pause_s: 0.25,
            filler_fluent_per_min: 1.2,
            filler_hesitant_per_min: 4.8,
            filler_cluster_min: 3,
            filler_cluster_window_s: 30.0,
            pace_clear_min_wpm: 130.0,
            pace_clear_max_wpm: 160.0,
            pace_drags_below_wpm: 100.0,
            pace_rushes_above_wpm: 180.0,
            pace_window_s: 30.0,
            pace_step_s: 5.0,
            run_break_pause_s: 0.5,
            phrase_min_words: 2,
            phrase_max_words: 4,
            phrase_min_count: 3,
            overused_min_count: 4,
            overused_min_share: 0.02,
            mattr_window: 50,
            answer_seconds: AnswerLengths::default(),
            key_term_senses: 2,
            wordnet_dir: PathBuf::from(crate::DEFAULT_WORDNET_DIR),
        }
    }
}
