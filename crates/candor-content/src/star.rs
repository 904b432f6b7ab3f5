//! STAR structure hints (Situation, Task, Action, Result): which parts an
//! answer has, where they start and in which order. Cue phrases come from the
//! lexicon; a percentage, an amount of money or a multiplier is also Result
//! evidence ("dropped by eighty percent"). Plain counts ("five engineers",
//! "two weeks") are not: they describe the situation as often as the result.

use candor_domain::Span;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::numbers::{NumberKind, Numbers};
use crate::tokens::Token;
use crate::Lexicon;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum StarPart {
    Situation,
    Task,
    Action,
    Result,
}

impl StarPart {
    pub const ALL: [StarPart; 4] = [
        StarPart::Situation,
        StarPart::Task,
        StarPart::Action,
        StarPart::Result,
    ];

    /// The part's name in lower case, for sentences.
    pub fn name(self) -> &'static str {
        match self {
            StarPart::Situation => "situation",
            StarPart::Task => "task",
            StarPart::Action => "action",
            StarPart::Result => "result",
        }
    }
}

/// What made a part count as present.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StarEvidence {
    /// A cue phrase from the lexicon ("my task was").
    Cue,
    /// A percentage, amount of money or multiplier.
    QuantifiedResult,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct StarCue {
    pub part: StarPart,
    pub evidence: StarEvidence,
    /// The cue or number as matched.
    pub text: String,
    pub span: Span,
    /// Index of the first word in `Transcript::words()`.
    pub word_index: usize,
}

/// One part that was found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct StarPartFound {
    pub part: StarPart,
    /// Where its first cue is.
    pub first: Span,
    pub cues: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct StarAnalysis {
    /// The parts found, in the order they first appear.
    pub found: Vec<StarPart>,
    /// Details of each found part, same order.
    pub parts: Vec<StarPartFound>,
    pub missing: Vec<StarPart>,
    /// All four parts are present.
    pub complete: bool,
    /// The parts found first appear in Situation, Task, Action, Result order
    /// (false when none was found).
    pub in_order: bool,
    /// Every cue, in the order said.
    pub cues: Vec<StarCue>,
}

pub(crate) fn analyze(words: &[Token], numbers: &Numbers, lexicon: &Lexicon) -> StarAnalysis {
    let mut cues: Vec<StarCue> = Vec::new();
    for (part, set) in StarPart::ALL.into_iter().zip(&lexicon.star) {
        let mut taken = vec![false; words.len()];
        cues.extend(
            set.find_all(words, false, &mut taken)
                .iter()
                .map(|m| StarCue {
                    part,
                    evidence: StarEvidence::Cue,
                    text: m.text(words),
                    span: m.span(words),
                    word_index: words[m.first].word_index,
                }),
        );
    }
    let results = numbers.hits.iter().filter(|n| {
        matches!(
            n.kind,
            NumberKind::Percent | NumberKind::Currency | NumberKind::Multiplier
        )
    });
    cues.extend(results.map(|n| StarCue {
        part: StarPart::Result,
        evidence: StarEvidence::QuantifiedResult,
        text: n.text.clone(),
        span: n.span,
        word_index: n.word_index,
    }));
    cues.sort_by_key(|c| (c.word_index, c.part));

    let mut parts: Vec<StarPartFound> = Vec::new();
    for c in &cues {
        match parts.iter_mut().find(|p| p.part == c.part) {
            Some(p) => p.cues += 1,
            None => parts.push(StarPartFound {
                part: c.part,
                first: c.span,
                cues: 1,
            }),
        }
    }
    let found: Vec<StarPart> = parts.iter().map(|p| p.part).collect();
    StarAnalysis {
        missing: StarPart::ALL
            .into_iter()
            .filter(|p| !found.contains(p))
            .collect(),
        complete: found.len() == StarPart::ALL.len(),
        in_order: !found.is_empty() && found.windows(2).all(|w| w[0] < w[1]),
        found,
        parts,
        cues,
    }
}
