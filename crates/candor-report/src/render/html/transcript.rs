//! The transcript: a paragraph per segment, each word a `span` carrying its
//! start time, and the fillers, hedges and power words the content analysis
//! found marked on the words they cover.

use candor_content::ContentAnalysis;
use candor_domain::{Span, Transcript, Word};
use maud::{html, Markup};

use super::{seconds, seek_button};

/// What a marked word is. Each kind has a colour and a non-colour cue
/// (underline style) in the CSS, and a `title`.
#[derive(Clone, Copy)]
enum Kind {
    Filler,
    Hedge,
    Power,
}

impl Kind {
    const ALL: [Kind; 3] = [Kind::Filler, Kind::Hedge, Kind::Power];

    fn class(self) -> &'static str {
        match self {
            Kind::Filler => "mf",
            Kind::Hedge => "mh",
            Kind::Power => "mp",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Filler => "filler",
            Kind::Hedge => "hedge",
            Kind::Power => "power word",
        }
    }

    fn legend(self) -> &'static str {
        match self {
            Kind::Filler => "filler (wavy underline)",
            Kind::Hedge => "hedge (dotted underline)",
            Kind::Power => "power word (bold, solid underline)",
        }
    }
}

/// A mark on one word: its kind and the hit's normalised text.
type Mark<'a> = Option<(Kind, &'a str)>;

pub(super) fn transcript(t: &Transcript, content: Option<&ContentAnalysis>) -> Markup {
    let words: Vec<&Word> = t.words().collect();
    let marks = content.map_or_else(|| vec![None; words.len()], |c| marks(c, &words));
    // Where each segment's words start among all the words.
    let firsts = t.segments.iter().scan(0, |next, s| {
        let first = *next;
        *next += s.words.len();
        Some(first)
    });
    html! {
        section #transcript aria-labelledby="transcript-h" {
            h2 #transcript-h { "Transcript" }
            @if content.is_some() {
                p.legend {
                    "Marked: "
                    @for k in Kind::ALL { span class=(k.class()) { (k.legend()) } " " }
                }
            }
            div.words {
                @for (seg, first) in t.segments.iter().zip(firsts) {
                    p {
                        (seek_button(seg.start))
                        span {
                            @for (w, mark) in seg.words.iter().zip(&marks[first..]) {
                                (word(w, *mark)) " "
                            }
                        }
                    }
                }
            }
        }
    }
}

fn word(w: &Word, mark: Mark) -> Markup {
    let text = w.text.trim();
    let t = seconds(w.start);
    html! {
        @match mark {
            Some((kind, hit)) => {
                span class=(kind.class()) title={ (kind.name()) ": " (hit) } data-t=(t) { (text) }
            }
            None => { span data-t=(t) { (text) } }
        }
    }
}

/// The mark on each of `words` (indexes of `Transcript::words()`). A hit
/// covers the words from its first one to the end of its span; fillers are
/// laid last so that they win where lists overlap.
fn marks<'a>(c: &'a ContentAnalysis, words: &[&Word]) -> Vec<Mark<'a>> {
    let mut out = vec![None; words.len()];
    let mut lay = |kind: Kind, first: usize, span: Span, text: &'a str| {
        let covered = (first..words.len()).take_while(|&i| i == first || words[i].start < span.end);
        for i in covered {
            out[i] = Some((kind, text));
        }
    };
    for h in &c.power_words.hits {
        lay(Kind::Power, h.word_index, h.span, &h.text);
    }
    for h in &c.hedges.hits {
        lay(Kind::Hedge, h.word_index, h.span, &h.text);
    }
    for h in &c.fillers.hits {
        lay(Kind::Filler, h.word_index, h.span, &h.text);
    }
    out
}
