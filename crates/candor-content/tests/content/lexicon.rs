use candor_content::{analyze, ContentConfig, ContentError, Lexicon, Lexicons};

use crate::support::{filler_texts, hit_texts, timed};

const TEXT: &str = "I led the team and refactored the code. Meh, I hate it. Like, um, yeah.";

fn run(lexicon: &Lexicon) -> candor_content::ContentAnalysis {
    let (t, timing) = timed(TEXT, 150.0);
    analyze(&t, &timing, lexicon, &ContentConfig::default())
}

#[test]
fn a_deployment_lexicon_replaces_named_lists_and_extends_under_extend() {
    let lexicon = Lexicon::from_toml_str(
        r#"
        power_words = ["refactored"]
        filler_sounds = ["um"]

        [extend]
        negative_words = ["meh"]
        "#,
    )
    .unwrap();
    let a = run(&lexicon);
    assert_eq!(
        hit_texts(&a.power_words),
        ["refactored"],
        "replaced: 'led' is gone"
    );
    assert_eq!(
        hit_texts(&a.negative_words),
        ["meh", "hate"],
        "extended: 'hate' stays"
    );
    assert_eq!(
        filler_texts(&a),
        ["like", "um"],
        "untouched lists keep their defaults"
    );

    let defaults = run(&Lexicon::default());
    assert_eq!(hit_texts(&defaults.power_words), ["led"]);
    assert_eq!(hit_texts(&defaults.negative_words), ["hate"]);
}

#[test]
fn cue_rules_and_word_sets_can_be_given_in_toml() {
    let lexicon = Lexicon::from_toml_str(
        r#"
        [word_sets]
        openers = ["i"]

        [extend]
        fillers = [{ phrase = "yeah", sentence_initial = false, not_after = ["@openers"] }]
        "#,
    )
    .unwrap();
    assert_eq!(filler_texts(&run(&lexicon)), ["like", "um", "yeah"]);
}

#[test]
fn a_broken_lexicon_is_a_bad_input_error() {
    for bad in [
        "power_words = 3",
        "not_a_list = []",
        "fillers = [{ phrase = \"x\", not_after = [\"@missing\"] }]",
        "hedges = [\"  \"]",
        "[extend]\n[extend.extend]\nhedges = []",
        "power_words = [",
    ] {
        let err = Lexicon::from_toml_str(bad).unwrap_err();
        assert!(err.is_bad_input(), "{bad}: {err}");
        assert_eq!(err.error_code(), "content.lexicon_invalid");
    }
}

#[test]
fn a_lexicon_file_is_loaded_and_a_missing_one_is_an_io_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lexicon.toml");
    std::fs::write(&path, "[extend]\npower_words = [\"refactored\"]\n").unwrap();
    let a = run(&Lexicons::load(&path).unwrap().for_language("en"));
    assert_eq!(hit_texts(&a.power_words), ["led", "refactored"]);

    let err = Lexicons::load(dir.path().join("missing.toml")).unwrap_err();
    assert!(matches!(err, ContentError::ReadLexicon { .. }));
    assert!(!err.is_bad_input());
}

#[test]
fn the_configuration_deserialises_with_defaults_for_missing_keys() {
    let config: ContentConfig =
        toml::from_str("pace_window_s = 20.0\nfiller_cluster_min = 4").unwrap();
    assert_eq!(config.pace_window_s, 20.0);
    assert_eq!(config.filler_cluster_min, 4);
    assert_eq!(config.pace_step_s, ContentConfig::default().pace_step_s);
    assert!(toml::from_str::<ContentConfig>("pace_windows = 1.0").is_err());
}

#[test]
fn the_analysis_has_a_json_schema() {
    let schema = schemars::schema_for!(candor_content::ContentAnalysis);
    let json = serde_json::to_string(&schema).unwrap();
    for field in [
        "fillers",
        "per_minute",
        "overall_wpm",
        "mattr",
        "star",
        "quantified_count",
    ] {
        assert!(json.contains(field), "{field}");
    }
}

#[test]
fn every_built_in_language_has_word_lists_and_a_pace_reference() {
    let lexicons = Lexicons::default();
    for (code, name) in [
        ("en", "English"),
        ("es", "Spanish"),
        ("de", "German"),
        ("fr", "French"),
        ("pt", "Portuguese"),
        ("it", "Italian"),
    ] {
        let language = lexicons.for_language(code).language().clone();
        assert_eq!(
            (language.code.as_str(), language.name.as_str()),
            (code, name)
        );
        assert!(language.word_lists, "{code}");
        let factor = language.pace_wpm_factor.unwrap();
        assert!((0.7..=1.0).contains(&factor), "{code}: {factor}");
    }
    let dutch = lexicons.for_language("nl").language().clone();
    assert_eq!(dutch.name, "Dutch");
    assert!(!dutch.word_lists && dutch.pace_wpm_factor.is_none());
}

#[test]
fn a_deployment_file_extends_the_language_it_names_or_adds_one() {
    let spanish = Lexicons::with_deployment(
        "[language]\ncode = \"es\"\n[extend]\npower_words = [\"refactoricé\"]\n",
    )
    .unwrap();
    let (t, timing) = timed("Lideré el equipo y refactoricé el código.", 150.0);
    let a = analyze(
        &t,
        &timing,
        &spanish.for_language("es"),
        &ContentConfig::default(),
    );
    assert_eq!(hit_texts(&a.power_words), ["lideré", "refactoricé"]);
    // English is untouched by a Spanish file.
    let english = run(&spanish.for_language("en"));
    assert_eq!(hit_texts(&english.power_words), ["led"]);

    let dutch = Lexicons::with_deployment(
        "filler_sounds = [\"eh\", \"uhm\"]\n[language]\ncode = \"nl\"\npace_wpm_factor = 0.9\n",
    )
    .unwrap();
    let dutch = dutch.for_language("nl");
    assert!(dutch.language().word_lists);
    assert_eq!(dutch.language().name, "Dutch");
    assert!(Lexicons::with_deployment("[language]\npace_wpm_factor = 3.0\n").is_err());
}
