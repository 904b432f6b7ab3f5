//! Which deployment a process belongs to (`ENVIRONMENT`). The object store
//! keeps each one's media under its own prefix; workers pick their defaults
//! by it; production refuses the development conveniences (private and
//! plain-http webhook targets). Every part of a process reads it through
//! [`Environment::from_lookup`], so they cannot disagree.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Environment {
    #[default]
    Development,
    Staging,
    Production,
}

impl Environment {
    pub const ALL: [Environment; 3] = [
        Environment::Development,
        Environment::Staging,
        Environment::Production,
    ];

    /// `development`, `staging` or `production`, in any case, spaces
    /// around ignored.
    pub fn parse(text: &str) -> Option<Environment> {
        Environment::ALL
            .into_iter()
            .find(|env| env.as_str().eq_ignore_ascii_case(text.trim()))
    }

    /// `ENVIRONMENT` as read by `var`: unset or blank is development (the
    /// zero-set-up default, which has no built-in secrets either); anything
    /// else must name an environment.
    pub fn from_lookup(
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<Environment, InvalidEnvironment> {
        match var("ENVIRONMENT").filter(|value| !value.trim().is_empty()) {
            None => Ok(Environment::Development),
            Some(value) => Environment::parse(&value).ok_or(InvalidEnvironment(value)),
        }
    }

    /// [`Environment::from_lookup`] on the process environment.
    pub fn from_env() -> Result<Environment, InvalidEnvironment> {
        Environment::from_lookup(|name| std::env::var(name).ok())
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Environment::Development => "development",
            Environment::Staging => "staging",
            Environment::Production => "production",
        }
    }

    /// The object key prefix, with its trailing `/`: `development/`,
    /// `staging/`, `live/` (production's objects are "live").
    pub fn prefix(self) -> &'static str {
        match self {
            Environment::Development => "development/",
            Environment::Staging => "staging/",
            Environment::Production => "live/",
        }
    }
}

impl fmt::Display for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An `ENVIRONMENT` that names no environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidEnvironment(pub String);

impl fmt::Display for InvalidEnvironment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ENVIRONMENT must be development, staging or production, not {:?}",
            self.0
        )
    }
}

impl std::error::Error for InvalidEnvironment {}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(value: Option<&str>) -> Result<Environment, InvalidEnvironment> {
        Environment::from_lookup(|_| value.map(str::to_owned))
    }

    #[test]
    fn unset_and_blank_are_development_and_anything_else_must_be_a_name() {
        assert_eq!(read(None), Ok(Environment::Development));
        assert_eq!(read(Some("")), Ok(Environment::Development));
        assert_eq!(read(Some("  ")), Ok(Environment::Development));
        assert_eq!(read(Some(" Production ")), Ok(Environment::Production));
        assert_eq!(read(Some("staging")), Ok(Environment::Staging));
        let error = read(Some("prod")).unwrap_err();
        assert!(
            error.to_string().starts_with("ENVIRONMENT must be"),
            "{error}"
        );
    }
}
