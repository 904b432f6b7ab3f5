//! The answer against its question: what kind of question it was, whether
//! the answer says the question's key terms, and whether its length suits
//! the kind. Key terms are the question's content words (neither stop words
//! nor words that only frame a question, such as "tell", "describe",
//! "time"), matched in the answer by a light stem so that "resolved" meets
//! "resolve" and "conflicts" meets "conflict", and, for English with
//! WordNet at hand, by meaning: "fixed" meets "repaired", "unreliable"
//! meets "reliable", "decide" meets "decision".

use std::collections::BTreeSet;

use candor_domain::{Segment, Span, Transcript, Word};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::lexical::PhraseHits;
use crate::tokens::{normalize, Text};
use crate::SpeechTiming;
use crate::{ContentConfig, Lexicon, WordNet};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    /// "Tell me about a time ...": a past example, best told as STAR.
    Behavioural,
    /// "What would you do if ...": a plan for a hypothetical.
    Situational,
    /// "Why do you want ...", "Tell me about yourself".
    Motivational,
    General,
}

impl QuestionKind {
    pub fn label(self) -> &'static str {
        match self {
            QuestionKind::Behavioural => "behavioural",
            QuestionKind::Situational => "situational",
            QuestionKind::Motivational => "motivational",
            QuestionKind::General => "general",
        }
    }
}

/// A content word of the question and where the answer first says it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct KeyTerm {
    /// As written in the question, lower case.
    pub term: String,
    /// The answer's first word with the same stem or meaning; none when
    /// never said.
    pub said_at: Option<Span>,
    /// That word as said, when it is not the term itself ("repaired" for
    /// "fixed").
    pub said_as: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LengthFit {
    Short,
    Within,
    Long,
}

impl LengthFit {
    /// How `answer_s` seconds fit the range `[min, max]`.
    pub fn of(answer_s: f64, [min, max]: [f64; 2]) -> LengthFit {
        if answer_s < min {
            LengthFit::Short
        } else if answer_s > max {
            LengthFit::Long
        } else {
            LengthFit::Within
        }
    }
}

/// How the answer fits the question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct QuestionFit {
    pub question: String,
    pub kind: QuestionKind,
    pub key_terms: Vec<KeyTerm>,
    /// Key terms were matched by meaning (WordNet) as well as by word form.
    pub matched_by_meaning: bool,
    /// Negative words the question itself uses ("failure", "conflict"):
    /// answering about them is not negativity.
    pub negative_words: Vec<String>,
    /// Share of the key terms the answer says; none when the question has
    /// no key terms ("Tell me about yourself").
    pub coverage: Option<f64>,
    /// From the first word to the last, seconds.
    pub answer_s: f64,
    /// The answer length that suits this kind of question, seconds.
    pub expected_s: [f64; 2],
    pub length: LengthFit,
}

/// Answer lengths that suit each kind of question, seconds, as [min, max].
/// Career-coaching guidance puts a behavioural (STAR) answer at one to two
/// minutes; the other ranges are Candor's heuristics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AnswerLengths {
    pub behavioural: [f64; 2],
    pub situational: [f64; 2],
    pub motivational: [f64; 2],
    pub general: [f64; 2],
}

impl Default for AnswerLengths {
    fn default() -> Self {
        Self {
            behavioural: [60.0, 120.0],
            situational: [45.0, 120.0],
            motivational: [30.0, 90.0],
            general: [30.0, 120.0],
        }
    }
}

impl AnswerLengths {
    /// The range that suits `kind`.
    pub fn of(&self, kind: QuestionKind) -> [f64; 2] {
        match kind {
            QuestionKind::Behavioural => self.behavioural,
            QuestionKind::Situational => self.situational,
            QuestionKind::Motivational => self.motivational,
            QuestionKind::General => self.general,
        }
    }
}

/// Judges `transcript` as the answer to `question`. `wordnet` matches key
/// terms by meaning; it is used for English only.
pub fn fit_question(
    question: &str,
    transcript: &Transcript,
    lexicon: &Lexicon,
    config: &ContentConfig,
    wordnet: Option<&WordNet>,
) -> QuestionFit {
    let wordnet = wordnet.filter(|_| lexicon.language.code == "en" && config.key_term_senses > 0);
    let question_words: Vec<String> = question
        .split_whitespace()
        .map(|w| normalize(w).norm)
        .filter(|w| !w.is_empty())
        .collect();
    let kind = classify(&question_words, lexicon);

    let answer: Vec<AnswerWord> = transcript
        .words()
        .map(|w| {
            let norm = normalize(&w.text).norm;
            AnswerWord {
                stem: stem(&norm),
                base_forms: match wordnet {
                    Some(wn) if !lexicon.stop_words.contains(&norm) => wn.base_forms(&norm),
                    _ => BTreeSet::new(),
                },
                norm,
                span: Span::new(w.start, w.end),
            }
        })
        .filter(|w| !w.stem.is_empty())
        .collect();
    let mut key_terms: Vec<KeyTerm> = Vec::new();
    let mut stems: Vec<String> = Vec::new();
    for word in question_words {
        let is_content = word.chars().count() >= 3
            && word.chars().any(char::is_alphabetic)
            && !lexicon.stop_words.contains(&word)
            && !lexicon.frame_words.contains(&word);
        let word_stem = stem(&word);
        if !is_content || stems.contains(&word_stem) {
            continue;
        }
        let meanings = wordnet.map_or_else(BTreeSet::new, |wn| {
            wn.related(&word, config.key_term_senses)
        });
        let said = answer
            .iter()
            .find(|a| a.stem == word_stem || a.base_forms.iter().any(|f| meanings.contains(f)));
        key_terms.push(KeyTerm {
            said_at: said.map(|a| a.span),
            said_as: said.filter(|a| a.stem != word_stem).map(|a| a.norm.clone()),
            term: word,
        });
        stems.push(word_stem);
    }
    let coverage = (!key_terms.is_empty()).then(|| {
        key_terms.iter().filter(|t| t.said_at.is_some()).count() as f64 / key_terms.len() as f64
    });

    let answer_s = match (answer.first(), answer.last()) {
        (Some(first), Some(last)) => (last.span.end - first.span.start).max(0.0),
        _ => 0.0,
    };
    let expected_s = config.answer_seconds.of(kind);
    let length = LengthFit::of(answer_s, expected_s);
    QuestionFit {
        question: question.trim().to_string(),
        kind,
        key_terms,
        matched_by_meaning: wordnet.is_some(),
        negative_words: question_negative_words(question, lexicon),
        coverage,
        answer_s,
        expected_s,
        length,
    }
}

/// The lexicon's negative words in the question, normalised.
fn question_negative_words(question: &str, lexicon: &Lexicon) -> Vec<String> {
    let words = question
        .split_whitespace()
        .map(|w| Word {
            text: w.to_owned(),
            start: 0.0,
            end: 0.0,
            probability: 1.0,
        })
        .collect();
    let as_said = Transcript {
        language: lexicon.language.code.clone(),
        language_probability: None,
        segments: vec![Segment {
            start: 0.0,
            end: 0.0,
            text: question.to_owned(),
            words,
        }],
    };
    let text = Text::new(&as_said, &SpeechTiming::default(), |_| false, f64::INFINITY);
    PhraseHits::find(&lexicon.negative_words, &text.words, &[], 0.0)
        .hits
        .into_iter()
        .map(|h| normalize(&h.text).norm)
        .collect()
}

/// An answer word as key terms are matched against it.
struct AnswerWord {
    norm: String,
    stem: String,
    /// Its WordNet base forms ("ran" → "run"); empty without WordNet or for
    /// stop words.
    base_forms: BTreeSet<String>,
    span: Span,
}

fn classify(words: &[String], lexicon: &Lexicon) -> QuestionKind {
    let has = |phrase: &Vec<String>| words.windows(phrase.len()).any(|w| w == phrase.as_slice());
    lexicon
        .question_kinds
        .iter()
        .find(|(_, phrases)| phrases.iter().any(has))
        .map_or(QuestionKind::General, |(kind, _)| *kind)
}

/// A light English stem: the common inflections and a final "e" removed,
/// never below four letters ("resolved" → "resolv", "teams" → "team").
fn stem(word: &str) -> String {
    const SUFFIXES: [&str; 9] = [
        "ations", "ation", "ings", "ing", "ies", "ed", "es", "s", "ly",
    ];
    let word = word.strip_suffix("'s").unwrap_or(word);
    let mut stem = word;
    for suffix in SUFFIXES {
        if let Some(rest) = word.strip_suffix(suffix) {
            if rest.chars().count() >= 4 {
                stem = rest;
                break;
            }
        }
    }
    let stem = match stem.strip_suffix('e') {
        Some(rest) if rest.chars().count() >= 4 => rest,
        _ => stem,
    };
    stem.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use candor_domain::{Segment, Word};

    /// A transcript of `text` at 2.5 words a second from `start`.
    fn said(text: &str, start: f64) -> Transcript {
        let words: Vec<Word> = text
            .split_whitespace()
            .enumerate()
            .map(|(i, w)| Word {
                text: format!(" {w}"),
                start: start + i as f64 * 0.4,
                end: start + i as f64 * 0.4 + 0.3,
                probability: 0.9,
            })
            .collect();
        Transcript {
            language: "en".into(),
            language_probability: None,
            segments: vec![Segment {
                start,
                end: words.last().map_or(start, |w| w.end),
                text: text.into(),
                words,
            }],
        }
    }

    fn fit(question: &str, answer: &str) -> QuestionFit {
        fit_question(
            question,
            &said(answer, 1.0),
            &Lexicon::default(),
            &ContentConfig::default(),
            None,
        )
    }

    #[test]
    fn kinds_are_told_apart_by_their_framing() {
        let kind = |q: &str| fit(q, "").kind;
        assert_eq!(
            kind("Tell me about a time you resolved a conflict in your team."),
            QuestionKind::Behavioural
        );
        assert_eq!(
            kind("Give me an example of a goal you missed"),
            QuestionKind::Behavioural
        );
        assert_eq!(
            kind("What would you do if a release broke production?"),
            QuestionKind::Situational
        );
        assert_eq!(
            kind("Why do you want to work here?"),
            QuestionKind::Motivational
        );
        assert_eq!(kind("Tell me about yourself."), QuestionKind::Motivational);
        assert_eq!(
            kind("What is the difference between a process and a thread?"),
            QuestionKind::General
        );
    }

    #[test]
    fn key_terms_are_the_content_words_and_match_other_inflections() {
        let f = fit(
            "Tell me about a time you resolved a conflict within your team.",
            "two engineers in my team had conflicts and I resolve things by listening",
        );
        let terms: Vec<(&str, bool)> = f
            .key_terms
            .iter()
            .map(|t| (t.term.as_str(), t.said_at.is_some()))
            .collect();
        assert_eq!(
            terms,
            [
                ("resolved", true),
                ("conflict", true),
                ("within", false),
                ("team", true)
            ]
        );
        assert!((f.coverage.unwrap() - 0.75).abs() < 1e-9);
        // "team" is the 5th word: 1.0 + 4 × 0.4 s.
        assert!((f.key_terms[3].said_at.unwrap().start - 2.6).abs() < 1e-9);
    }

    #[test]
    fn an_answer_about_something_else_covers_nothing() {
        let f = fit(
            "Describe a project where you improved database performance.",
            "I enjoy hiking and I have two cats at home",
        );
        assert_eq!(f.coverage, Some(0.0));
        assert!(f.key_terms.len() >= 3, "{:?}", f.key_terms);
    }

    #[test]
    fn a_question_without_content_words_has_no_coverage() {
        let f = fit("Tell me about yourself.", "I am an engineer");
        assert_eq!(f.coverage, None);
        assert!(f.key_terms.is_empty());
    }

    #[test]
    fn length_is_judged_against_the_range_for_the_kind() {
        let behavioural = "Tell me about a time you led a team.";
        // 100 words at 0.4 s: 39.9 s, under the 60 s a behavioural answer needs.
        let short = fit(behavioural, &"word ".repeat(100));
        assert_eq!(
            (short.length, short.expected_s),
            (LengthFit::Short, [60.0, 120.0])
        );
        assert!((short.answer_s - 39.9).abs() < 1e-6);
        assert_eq!(
            fit(behavioural, &"word ".repeat(200)).length,
            LengthFit::Within
        );
        assert_eq!(
            fit(behavioural, &"word ".repeat(400)).length,
            LengthFit::Long
        );
        // The same 40 s suit a motivational question (30–90 s).
        assert_eq!(
            fit("Why do you want this job?", &"word ".repeat(100)).length,
            LengthFit::Within
        );
        assert_eq!(fit(behavioural, "").answer_s, 0.0);
    }

    #[test]
    fn stems_meet_across_inflections_but_keep_short_words_whole() {
        for (a, b) in [
            ("resolved", "resolve"),
            ("conflicts", "conflict"),
            ("teams", "team's"),
            ("improving", "improve"),
        ] {
            assert_eq!(stem(a), stem(b), "{a} vs {b}");
        }
        assert_eq!(stem("uses"), "uses");
        assert_ne!(stem("lead"), stem("led"));
    }
}
