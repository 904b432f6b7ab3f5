use std::path::PathBuf;

/// Everything that can go wrong in this crate. The analysis itself cannot
/// fail (any transcript, even an empty one, has an analysis); only loading a
/// lexicon or the WordNet database can.
#[derive(Debug, thiserror::Error)]
pub enum ContentError {
    /// The lexicon file could not be read (missing, unreadable).
    #[error("cannot read lexicon file {path}: {source}")]
    ReadLexicon {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The lexicon text is not valid TOML of the expected shape, or refers to
    /// an unknown word set.
    #[error("invalid lexicon: {0}")]
    InvalidLexicon(String),
    /// A WordNet database file could not be read.
    #[error("cannot read the WordNet file {path}: {source}")]
    ReadWordNet {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl ContentError {
    /// Stable, machine-readable code for logs and API errors.
    pub fn error_code(&self) -> &'static str {
        match self {
            ContentError::ReadLexicon { .. } => "content.lexicon_unreadable",
            ContentError::InvalidLexicon(_) => "content.lexicon_invalid",
            ContentError::ReadWordNet { .. } => "content.wordnet_unreadable",
        }
    }

    /// True when the fault is in what we were given (a malformed lexicon), so
    /// retrying cannot help; false for environment failures such as I/O.
    pub fn is_bad_input(&self) -> bool {
        matches!(self, ContentError::InvalidLexicon(_))
    }
}
