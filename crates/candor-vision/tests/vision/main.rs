//! Integration tests of candor-vision against frames with known truth.

mod fixtures;
mod tracker;
