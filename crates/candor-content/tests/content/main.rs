//! Content analysis on written transcripts whose truth is known.

mod fillers;
mod generated;
mod key_terms;
mod languages;
mod lexicon;
mod numbers_and_star;
mod pace;
mod script;
mod support;
mod words;
