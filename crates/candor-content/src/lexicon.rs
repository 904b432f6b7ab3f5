//! Word lists and cue phrases per language, read from TOML (one file per
//! language under `data/lexicon/`, compiled in) and compiled into matchers.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::cues::{Cue, CueSet};
use crate::languages::language_name;
use crate::question::QuestionKind;
use crate::tokens::{collapse_repeats, normalize};
use crate::ContentError;

/// The built-in lexicons by ISO 639-1 code.
const BUILT_IN: &[(&str, &str)] = &[
    ("en", include_str!("../data/lexicon/en.toml")),
    ("es", include_str!("../data/lexicon/es.toml")),
    ("de", include_str!("../data/lexicon/de.toml")),
    ("fr", include_str!("../data/lexicon/fr.toml")),
    ("pt", include_str!("../data/lexicon/pt.toml")),
    ("it", include_str!("../data/lexicon/it.toml")),
];

/// The language an answer was judged in, and what Candor has for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LanguageSupport {
    /// ISO 639-1 code, e.g. "de".
    pub code: String,
    /// English name, e.g. "German".
    pub name: String,
    /// Whether Candor has word lists (fillers, hedges, STAR cues...) for it;
    /// without them what was said is not scored, only how it was said.
    pub word_lists: bool,
    /// A typical speaking rate in this language in words per minute, as a
    /// multiple of English's; absent when no published reference is known.
    pub pace_wpm_factor: Option<f64>,
}

/// Every language's lexicon: the built-in ones, one of them possibly
/// overridden by a deployment file.
#[derive(Debug, Clone)]
pub struct Lexicons {
    by_code: BTreeMap<String, Lexicon>,
}

impl Default for Lexicons {
    fn default() -> Self {
        Self::with_deployment("").expect("built-in lexicons are valid")
    }
}

impl Lexicons {
    /// The built-in lexicons, with `toml` layered over the one of the
    /// language its `[language] code` names (English when it names none;
    /// see [`Lexicon`] for how lists are layered). A code without a
    /// built-in lexicon adds that language.
    pub fn with_deployment(toml: &str) -> Result<Self, ContentError> {
        let over = parse(toml)?;
        let target = over
            .language
            .as_ref()
            .and_then(|l| l.code.clone())
            .unwrap_or_else(|| "en".to_owned());
        if over.extend.as_ref().is_some_and(|e| e.extend.is_some()) {
            return Err(ContentError::InvalidLexicon("[extend] cannot nest".into()));
        }
        let mut by_code = BTreeMap::new();
        for (code, _) in BUILT_IN.iter().filter(|(code, _)| *code != target) {
            by_code.insert((*code).to_owned(), layered(code, Lists::default())?);
        }
        by_code.insert(target.clone(), layered(&target, over)?);
        Ok(Self { by_code })
    }

    /// Reads a deployment lexicon file (see [`Lexicons::with_deployment`]).
    pub fn load(path: impl AsRef<Path>) -> Result<Self, ContentError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| ContentError::ReadLexicon {
            path: path.to_path_buf(),
            source,
        })?;
        Self::with_deployment(&text)
    }

    /// The lexicon of `code`, or one without word lists when Candor has none.
    pub fn for_language(&self, code: &str) -> Cow<'_, Lexicon> {
        self.by_code
            .get(code)
            .map_or_else(|| Cow::Owned(Lexicon::without_lists(code)), Cow::Borrowed)
    }
}

/// The lexicon of `code`: its built-in lists (none for a language Candor
/// ships no file for) with `over` layered on.
fn layered(code: &str, over: Lists) -> Result<Lexicon, ContentError> {
    let base = match BUILT_IN.iter().find(|(built_in, _)| *built_in == code) {
        Some((_, text)) => parse(text)?,
        None => Lists::default(),
    };
    compile(base.layer(over))
}

/// One language's compiled word lists, which the analysis matches against.
///
/// Layering: [`Lexicon::from_toml_str`] and [`Lexicons::with_deployment`]
/// start from the built-in lists. A list named in the given TOML REPLACES
/// the built-in list of that name; lists under an `[extend]` table are
/// APPENDED to it; lists not mentioned keep their built-in content. Word
/// sets (`[word_sets]`) follow the same rule per set. `data/lexicon/en.toml`
/// documents every list.
#[derive(Debug, Clone)]
pub struct Lexicon {
    pub(crate) language: LanguageSupport,
    pub(crate) filler_sounds: HashSet<String>,
    pub(crate) fillers: CueSet,
    pub(crate) hedges: CueSet,
    pub(crate) power_words: CueSet,
    pub(crate) negative_words: CueSet,
    pub(crate) stop_words: HashSet<String>,
    pub(crate) repeat_allowed: HashSet<String>,
    pub(crate) percent_words: CueSet,
    pub(crate) currency_words: CueSet,
    pub(crate) multiplier_words: CueSet,
    pub(crate) units: CueSet,
    pub(crate) outcome_words: CueSet,
    pub(crate) star: [CueSet; 4],
    /// Phrases that mark a question's kind, in the order kinds are tried.
    pub(crate) question_kinds: Vec<(QuestionKind, Vec<Vec<String>>)>,
    pub(crate) frame_words: HashSet<String>,
}

impl Default for Lexicon {
    /// The built-in English lists. Parsing takes about a millisecond: build
    /// lexicons once per process and share them, not once per answer.
    fn default() -> Self {
        // The built-in file is part of the crate and covered by tests, so a
        // failure here is a build defect, not a runtime condition.
        layered("en", Lists::default()).expect("built-in lexicon is valid")
    }
}

impl Lexicon {
    /// The built-in English lists overridden by `toml` (see the type's docs
    /// for how).
    pub fn from_toml_str(toml: &str) -> Result<Self, ContentError> {
        Ok(Lexicons::with_deployment(toml)?
            .for_language("en")
            .into_owned())
    }

    /// A language Candor has no word lists for: nothing matches.
    fn without_lists(code: &str) -> Self {
        let mut lexicon = compile(Lists::default()).expect("empty lists compile");
        lexicon.language = LanguageSupport {
            code: code.to_owned(),
            name: language_name(code).unwrap_or(code).to_owned(),
            word_lists: false,
            pace_wpm_factor: None,
        };
        lexicon
    }

    pub fn language(&self) -> &LanguageSupport {
        &self.language
    }

    /// Whether a normalised word is a filler sound ("um", "ummm", "hmm").
    pub(crate) fn is_sound(&self, norm: &str) -> bool {
        self.filler_sounds.contains(&collapse_repeats(norm))
    }
}

/// A cue as written in TOML: a bare phrase or a phrase with context rules.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum CueSpec {
    Phrase(String),
    Rule(CueRule),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct CueRule {
    phrase: String,
    #[serde(default)]
    not_after: Vec<String>,
    #[serde(default)]
    sentence_initial: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct QuestionLists {
    behavioural: Option<Vec<String>>,
    situational: Option<Vec<String>>,
    motivational: Option<Vec<String>>,
    frame_words: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct StarLists {
    situation: Option<Vec<CueSpec>>,
    task: Option<Vec<CueSpec>>,
    action: Option<Vec<CueSpec>>,
    result: Option<Vec<CueSpec>>,
}

/// `[language]`: which language a lexicon file is for.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct LanguageTable {
    code: Option<String>,
    name: Option<String>,
    pace_wpm_factor: Option<f64>,
}

/// One layer of lists; `None` means "not given here".
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Lists {
    language: Option<LanguageTable>,
    word_sets: Option<BTreeMap<String, Vec<String>>>,
    filler_sounds: Option<Vec<String>>,
    fillers: Option<Vec<CueSpec>>,
    hedges: Option<Vec<CueSpec>>,
    power_words: Option<Vec<CueSpec>>,
    negative_words: Option<Vec<CueSpec>>,
    stop_words: Option<Vec<String>>,
    repeat_allowed: Option<Vec<String>>,
    percent_words: Option<Vec<String>>,
    currency_words: Option<Vec<String>>,
    multiplier_words: Option<Vec<String>>,
    units: Option<Vec<String>>,
    outcome_words: Option<Vec<String>>,
    star: Option<StarLists>,
    question: Option<QuestionLists>,
    extend: Option<Box<Lists>>,
}

fn parse(text: &str) -> Result<Lists, ContentError> {
    toml::from_str(text).map_err(|e| ContentError::InvalidLexicon(e.to_string()))
}

/// `over` replaces `base`, then `extra` is appended.
fn layer<T>(base: Option<Vec<T>>, over: Option<Vec<T>>, extra: Option<Vec<T>>) -> Option<Vec<T>> {
    let mut list = over.or(base);
    if let Some(extra) = extra {
        list.get_or_insert_with(Vec::new).extend(extra);
    }
    list
}

impl StarLists {
    fn layer(self, over: StarLists, extra: StarLists) -> StarLists {
        StarLists {
            situation: layer(self.situation, over.situation, extra.situation),
            task: layer(self.task, over.task, extra.task),
            action: layer(self.action, over.action, extra.action),
            result: layer(self.result, over.result, extra.result),
        }
    }
}

impl QuestionLists {
    fn layer(self, over: QuestionLists, extra: QuestionLists) -> QuestionLists {
        QuestionLists {
            behavioural: layer(self.behavioural, over.behavioural, extra.behavioural),
            situational: layer(self.situational, over.situational, extra.situational),
            motivational: layer(self.motivational, over.motivational, extra.motivational),
            frame_words: layer(self.frame_words, over.frame_words, extra.frame_words),
        }
    }
}

impl Lists {
    /// `self` overridden by `over` and then extended by `over.extend`.
    fn layer(self, mut over: Lists) -> Lists {
        let extra = over.extend.take().map_or_else(Lists::default, |e| *e);
        let mut sets = self.word_sets.unwrap_or_default();
        for (name, words) in over.word_sets.unwrap_or_default() {
            sets.insert(name, words);
        }
        for (name, words) in extra.word_sets.unwrap_or_default() {
            sets.entry(name).or_default().extend(words);
        }
        let base = self.language.unwrap_or_default();
        let language = match over.language {
            Some(l) => LanguageTable {
                code: l.code.or(base.code),
                name: l.name.or(base.name),
                pace_wpm_factor: l.pace_wpm_factor.or(base.pace_wpm_factor),
            },
            None => base,
        };
        Lists {
            language: Some(language),
            word_sets: Some(sets),
            filler_sounds: layer(self.filler_sounds, over.filler_sounds, extra.filler_sounds),
            fillers: layer(self.fillers, over.fillers, extra.fillers),
            hedges: layer(self.hedges, over.hedges, extra.hedges),
            power_words: layer(self.power_words, over.power_words, extra.power_words),
            negative_words: layer(
                self.negative_words,
                over.negative_words,
                extra.negative_words,
            ),
            stop_words: layer(self.stop_words, over.stop_words, extra.stop_words),
            repeat_allowed: layer(
                self.repeat_allowed,
                over.repeat_allowed,
                extra.repeat_allowed,
            ),
            percent_words: layer(self.percent_words, over.percent_words, extra.percent_words),
            currency_words: layer(
                self.currency_words,
                over.currency_words,
                extra.currency_words,
            ),
            multiplier_words: layer(
                self.multiplier_words,
                over.multiplier_words,
                extra.multiplier_words,
            ),
            units: layer(self.units, over.units, extra.units),
            outcome_words: layer(self.outcome_words, over.outcome_words, extra.outcome_words),
            star: Some(self.star.unwrap_or_default().layer(
                over.star.unwrap_or_default(),
                extra.star.unwrap_or_default(),
            )),
            question: Some(self.question.unwrap_or_default().layer(
                over.question.unwrap_or_default(),
                extra.question.unwrap_or_default(),
            )),
            extend: None,
        }
    }
}

/// Normalises a phrase the way transcript words are normalised.
fn phrase_words(phrase: &str) -> Result<Vec<String>, ContentError> {
    let words: Vec<String> = phrase
        .split_whitespace()
        .map(|w| normalize(w).norm)
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() {
        return Err(ContentError::InvalidLexicon(format!(
            "empty phrase {phrase:?}"
        )));
    }
    Ok(words)
}

fn word_set(words: Option<Vec<String>>) -> HashSet<String> {
    words
        .unwrap_or_default()
        .iter()
        .map(|w| normalize(w).norm)
        .filter(|w| !w.is_empty())
        .collect()
}

struct Compiler {
    sets: BTreeMap<String, Vec<String>>,
}

impl Compiler {
    fn cue(&self, spec: CueSpec) -> Result<Cue, ContentError> {
        let rule = match spec {
            CueSpec::Phrase(phrase) => CueRule {
                phrase,
                not_after: Vec::new(),
                sentence_initial: false,
            },
            CueSpec::Rule(rule) => rule,
        };
        let mut not_after = HashSet::new();
        for entry in &rule.not_after {
            match entry.strip_prefix('@') {
                Some(name) => {
                    let set = self.sets.get(name).ok_or_else(|| {
                        ContentError::InvalidLexicon(format!("unknown word set @{name}"))
                    })?;
                    not_after.extend(set.iter().map(|w| normalize(w).norm));
                }
                None => {
                    not_after.insert(normalize(entry).norm);
                }
            }
        }
        Ok(Cue {
            words: phrase_words(&rule.phrase)?,
            not_after,
            sentence_initial: rule.sentence_initial,
        })
    }

    fn cues(&self, specs: Option<Vec<CueSpec>>) -> Result<CueSet, ContentError> {
        let cues = specs
            .unwrap_or_default()
            .into_iter()
            .map(|s| self.cue(s))
            .collect::<Result<_, _>>()?;
        Ok(CueSet::new(cues))
    }

    fn phrases(&self, phrases: Option<Vec<String>>) -> Result<CueSet, ContentError> {
        self.cues(phrases.map(|p| p.into_iter().map(CueSpec::Phrase).collect()))
    }
}

fn compile(lists: Lists) -> Result<Lexicon, ContentError> {
    let c = Compiler {
        sets: lists.word_sets.unwrap_or_default(),
    };
    let star = lists.star.unwrap_or_default();
    let question = lists.question.unwrap_or_default();
    let language = lists.language.unwrap_or_default();
    let code = language.code.unwrap_or_else(|| "en".to_owned());
    if let Some(factor) = language.pace_wpm_factor {
        if !(factor.is_finite() && (0.5..=2.0).contains(&factor)) {
            return Err(ContentError::InvalidLexicon(format!(
                "pace_wpm_factor {factor} for {code}: expected 0.5 to 2.0"
            )));
        }
    }
    let phrases = |list: Option<Vec<String>>| -> Result<Vec<Vec<String>>, ContentError> {
        list.unwrap_or_default()
            .iter()
            .map(|p| phrase_words(p))
            .collect()
    };
    Ok(Lexicon {
        language: LanguageSupport {
            name: language
                .name
                .or_else(|| language_name(&code).map(str::to_owned))
                .unwrap_or_else(|| code.clone()),
            code,
            word_lists: true,
            pace_wpm_factor: language.pace_wpm_factor,
        },
        filler_sounds: word_set(lists.filler_sounds)
            .iter()
            .map(|w| collapse_repeats(w))
            .collect(),
        fillers: c.cues(lists.fillers)?,
        hedges: c.cues(lists.hedges)?,
        power_words: c.cues(lists.power_words)?,
        negative_words: c.cues(lists.negative_words)?,
        stop_words: word_set(lists.stop_words),
        repeat_allowed: word_set(lists.repeat_allowed),
        percent_words: c.phrases(lists.percent_words)?,
        currency_words: c.phrases(lists.currency_words)?,
        multiplier_words: c.phrases(lists.multiplier_words)?,
        units: c.phrases(lists.units)?,
        outcome_words: c.phrases(lists.outcome_words)?,
        star: [
            c.cues(star.situation)?,
            c.cues(star.task)?,
            c.cues(star.action)?,
            c.cues(star.result)?,
        ],
        question_kinds: vec![
            (QuestionKind::Behavioural, phrases(question.behavioural)?),
            (QuestionKind::Situational, phrases(question.situational)?),
            (QuestionKind::Motivational, phrases(question.motivational)?),
        ],
        frame_words: word_set(question.frame_words),
    })
}
