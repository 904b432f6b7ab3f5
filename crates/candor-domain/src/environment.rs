//! Which deployment a process belongs to (`ENVIRONMENT`). The object store
//! keeps each one's media under its own prefix; workers pick their defaults
//! by it.

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
