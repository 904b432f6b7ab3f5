//! Integration tests of candor-vision against frames with known truth.

mod detectors;
mod fixtures;
mod tracker;
