//! The practice page's question bank: categories of interview questions,
//! built in (`data/questions.toml`) and extended by a deployment's own file
//! (`CANDOR_QUESTIONS_FILE`, same format).

use std::path::Path;

use candor_db::limits;
use serde::{Deserialize, Serialize};

/// At most this many questions in all: the bank is sent whole with the
/// practice page.
pub const MAX_QUESTIONS: usize = 1000;
/// Longest category name or description, in characters.
const MAX_LABEL: usize = 300;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuestionBank {
    pub category: Vec<Category>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    /// Lower-case letters, digits and `-`: it names the category in links.
    pub id: String,
    pub name: String,
    /// How to answer this kind of question.
    #[serde(default)]
    pub about: String,
    pub questions: Vec<String>,
}

impl Default for QuestionBank {
    fn default() -> Self {
        QuestionBank::parse(include_str!("../data/questions.toml"))
            .expect("the built-in question bank is valid")
    }
}

impl QuestionBank {
    /// Parses and checks a bank in the TOML format of `data/questions.toml`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let bank: QuestionBank = toml::from_str(text).map_err(|error| error.to_string())?;
        bank.check()?;
        Ok(bank)
    }

    /// The built-in bank extended by the file at `path`: its questions join
    /// the category of the same id, or form a new one.
    pub fn with_file(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path).map_err(|error| error.to_string())?;
        let extra = QuestionBank::parse(&text)?;
        let mut bank = QuestionBank::default();
        for category in extra.category {
            match bank.category.iter_mut().find(|c| c.id == category.id) {
                Some(known) => {
                    for question in category.questions {
                        if !known.questions.contains(&question) {
                            known.questions.push(question);
                        }
                    }
                }
                None => bank.category.push(category),
            }
        }
        bank.check()?;
        Ok(bank)
    }

    fn check(&self) -> Result<(), String> {
        let total: usize = self.category.iter().map(|c| c.questions.len()).sum();
        if total > MAX_QUESTIONS {
            return Err(format!(
                "{total} questions; at most {MAX_QUESTIONS} are allowed"
            ));
        }
        for (i, category) in self.category.iter().enumerate() {
            let id = &category.id;
            if id.is_empty()
                || !id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            {
                return Err(format!(
                    "category id {id:?} is not lower-case letters, digits and '-'"
                ));
            }
            if self.category[..i].iter().any(|c| &c.id == id) {
                return Err(format!("category id {id:?} appears twice"));
            }
            let label_ok = |text: &str| text.chars().count() <= MAX_LABEL;
            if category.name.trim().is_empty() || !label_ok(&category.name) {
                return Err(format!(
                    "category {id:?}: a name of 1 to {MAX_LABEL} characters is needed"
                ));
            }
            if !label_ok(&category.about) {
                return Err(format!(
                    "category {id:?}: its about is over {MAX_LABEL} characters"
                ));
            }
            for question in &category.questions {
                let length = question.chars().count();
                if question.trim().is_empty() || length > limits::QUESTION {
                    return Err(format!(
                        "category {id:?}: a question of {length} characters (1 to {} allowed)",
                        limits::QUESTION
                    ));
                }
            }
        }
        Ok(())
    }

    /// The bank as JSON safe to place inside a `<script>` element: no `<`
    /// can close it.
    pub fn to_script_json(&self) -> String {
        serde_json::to_string(self)
            .expect("a bank serializes")
            .replace('<', "\\u003c")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_bank_has_every_kind_of_question() {
        let bank = QuestionBank::default();
        let ids: Vec<&str> = bank.category.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["behavioural", "situational", "motivational", "role"]);
        assert!(bank.category.iter().all(|c| c.questions.len() >= 5));
    }

    #[test]
    fn a_deployment_file_extends_categories_and_adds_new_ones() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("questions.toml");
        std::fs::write(
            &path,
            r#"
            [[category]]
            id = "behavioural"
            name = "Behavioural"
            questions = ["Tell me about yourself.", "Tell me about a time you mentored someone."]
            [[category]]
            id = "nursing"
            name = "Nursing"
            questions = ["How do you keep track of medications across a long shift?"]
            "#,
        )
        .unwrap();
        let bank = QuestionBank::with_file(&path).unwrap();
        let built_in = QuestionBank::default();
        assert_eq!(
            bank.category[0].questions.len(),
            built_in.category[0].questions.len() + 2
        );
        assert_eq!(bank.category.last().unwrap().id, "nursing");
    }

    #[test]
    fn a_bank_that_cannot_be_shown_is_refused_with_the_reason() {
        let refused = |text: &str| QuestionBank::parse(text).unwrap_err();
        assert!(
            refused("[[category]]\nid = \"Bad Id\"\nname = \"x\"\nquestions = []")
                .contains("lower-case")
        );
        assert!(refused("[[category]]\nid = \"a\"\nname = \"\"\nquestions = []").contains("name"));
        let long = "x".repeat(limits::QUESTION + 1);
        assert!(refused(&format!(
            "[[category]]\nid = \"a\"\nname = \"A\"\nquestions = [\"{long}\"]"
        ))
        .contains("characters"));
        assert!(
            refused("[[category]]\nid = \"a\"\nname = \"A\"\nquestions = []\nextra = 1")
                .contains("extra")
        );
        let many = format!(
            "[[category]]\nid = \"a\"\nname = \"A\"\nquestions = [{}]",
            vec!["\"q\""; MAX_QUESTIONS + 1].join(",")
        );
        assert!(refused(&many).contains("at most"));
    }

    #[test]
    fn script_json_cannot_close_its_script_element() {
        let mut bank = QuestionBank::default();
        bank.category[0].questions.push("</script><b>".into());
        let json = bank.to_script_json();
        assert!(!json.contains('<'));
        let back: QuestionBank = serde_json::from_str(&json).unwrap();
        assert_eq!(back, bank);
    }
}
