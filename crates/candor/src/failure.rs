//! How a failed command ends: one readable line, a hint, and an exit code
//! that tells bad input (2) from our own failure (1).

use std::process::ExitCode;

pub struct Failure {
    pub kind: FailureKind,
    pub message: String,
    pub hint: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum FailureKind {
    /// The user's input or arguments are at fault: exit code 2.
    BadInput,
    /// Something in Candor or its environment failed: exit code 1.
    Internal,
}

impl Failure {
    pub fn bad_input(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Self {
            kind: FailureKind::BadInput,
            message: message.into(),
            hint: Some(hint.into()),
        }
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self {
            kind: FailureKind::Internal,
            message: message.into(),
            hint: None,
        }
    }

    pub fn report(self) -> ExitCode {
        eprintln!("error: {}", self.message);
        if let Some(hint) = self.hint {
            eprintln!("hint: {hint}");
        }
        match self.kind {
            FailureKind::BadInput => ExitCode::from(2),
            FailureKind::Internal => ExitCode::from(1),
        }
    }
}
