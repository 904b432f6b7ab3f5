//! The published schema must be the one the code generates.

#[test]
fn published_schema_matches_the_report_types() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../schema/report.schema.json"
    );
    let published = std::fs::read_to_string(path).expect("schema/report.schema.json exists");
    assert_eq!(
        published.trim_end(),
        candor_report::json_schema_string(),
        "schema/report.schema.json is stale: regenerate it with `candor schema > schema/report.schema.json`"
    );
}
