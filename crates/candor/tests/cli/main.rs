//! End-to-end tests of `candor analyze`: real media generated with known
//! truth, the real model, the real binary.

mod bad_input;
mod coaching;
mod languages;
mod support;
mod truth;
