//! From analyses to feedback: scored dimensions with reference ranges, their
//! sources and evidence, an overall summary, progress against an earlier
//! take, and renderings. Pure: no I/O.

mod build;
mod compare;
mod model;
pub mod render;
mod scoring;
#[cfg(test)]
pub mod testing;

pub use build::{build_report, Analyses, ReportConfig};
pub use compare::{compare, read_report, ReadError, TREND_POINTS};
pub use model::*;
pub use scoring::{band, Curve};

/// The report's JSON Schema, as published in `schema/report.schema.json`.
pub fn json_schema_string() -> String {
    let schema = schemars::schema_for!(Report);
    serde_json::to_string_pretty(&schema).expect("a schema always serialises")
}
