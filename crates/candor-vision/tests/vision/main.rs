//! Integration tests of candor-vision against frames with known truth.

mod analysis;
mod detectors;
mod fixtures;
mod tracker;
mod turning;
