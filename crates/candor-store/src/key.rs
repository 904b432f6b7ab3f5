//! Object keys: every key lives under its environment's prefix, and a key
//! that could leave it (absolute, `..`, another environment) is refused
//! before any request is made ("parse, don't validate").

use std::fmt;

use object_store::path::Path;

use crate::config::Environment;
use crate::error::{KeyRejection, StoreError};

/// The longest key accepted, prefix included, in bytes. S3 allows 1024; half
/// of that leaves room for any bucket-side prefixing and for file systems
/// whose paths are limited (the local backend maps keys to paths).
pub const MAX_KEY_BYTES: usize = 512;
/// The longest segment, in bytes: the file-name limit of common file systems
/// (NAME_MAX), onto which the local backend maps segments. A longer one
/// could never name a stored object there, and looking it up would fail
/// with ENAMETOOLONG rather than "not found".
pub const MAX_SEGMENT_BYTES: usize = 255;

/// A validated key under an environment's prefix, e.g.
/// `staging/interviews/abc.mp4`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ObjectKey {
    environment: Environment,
    path: Path,
}

impl ObjectKey {
    /// Accepts a relative key (`interviews/abc.mp4`, the prefix is added) or
    /// one that already carries this environment's prefix
    /// (`live/interviews/abc.mp4` in production). Refuses empty, absolute,
    /// `.`/`..`, empty segments, backslashes, control characters, another
    /// environment's prefix, keys over [`MAX_KEY_BYTES`] and segments over
    /// [`MAX_SEGMENT_BYTES`].
    pub fn parse(environment: Environment, raw: &str) -> Result<Self, StoreError> {
        let reject = |reason| StoreError::InvalidKey {
            key: raw.chars().take(MAX_KEY_BYTES).collect(),
            reason,
        };
        if raw.starts_with('/') {
            return Err(reject(KeyRejection::Absolute));
        }
        let (first, rest) = raw.split_once('/').unwrap_or((raw, ""));
        let relative = if first == segment(environment) {
            rest
        } else if Environment::ALL
            .iter()
            .any(|other| segment(*other) == first)
        {
            return Err(reject(KeyRejection::OtherEnvironment));
        } else {
            raw
        };
        if relative.is_empty() {
            return Err(reject(KeyRejection::Empty));
        }
        if relative.contains('\\') {
            return Err(reject(KeyRejection::Backslash));
        }
        if relative.chars().any(char::is_control) {
            return Err(reject(KeyRejection::ControlCharacter));
        }
        for segment in relative.split('/') {
            match segment {
                "" => return Err(reject(KeyRejection::EmptySegment)),
                "." | ".." => return Err(reject(KeyRejection::DotSegment)),
                long if long.len() > MAX_SEGMENT_BYTES => {
                    return Err(reject(KeyRejection::SegmentTooLong))
                }
                _ => {}
            }
        }
        if is_staged_upload_name(relative) {
            return Err(reject(KeyRejection::NotAPath));
        }
        let full = format!("{}{relative}", environment.prefix());
        if full.len() > MAX_KEY_BYTES {
            return Err(reject(KeyRejection::TooLong));
        }
        let path = Path::parse(&full).map_err(|_| reject(KeyRejection::NotAPath))?;
        Ok(ObjectKey { environment, path })
    }

    /// The full key, prefix included.
    pub fn as_str(&self) -> &str {
        self.path.as_ref()
    }

    /// The key without its environment prefix, e.g. `interviews/abc.mp4`.
    pub fn relative(&self) -> &str {
        &self.as_str()[self.environment.prefix().len()..]
    }

    pub fn environment(&self) -> Environment {
        self.environment
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }
}

/// `object_store`'s local backend stages uploads as `name#<digits>` and
/// refuses such file names as keys; refusing them everywhere keeps the two
/// backends interchangeable.
fn is_staged_upload_name(key: &str) -> bool {
    let file_name = key.rsplit('/').next().unwrap_or(key);
    match file_name.split_once('#') {
        Some((_, suffix)) => !suffix.is_empty() && suffix.bytes().all(|b| b.is_ascii_digit()),
        None => false,
    }
}

impl fmt::Display for ObjectKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The environment's prefix as a single key segment, without its `/`.
pub(crate) fn segment(environment: Environment) -> &'static str {
    environment.prefix().trim_end_matches('/')
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEV: Environment = Environment::Development;

    fn rejection(env: Environment, raw: &str) -> KeyRejection {
        match ObjectKey::parse(env, raw) {
            Err(StoreError::InvalidKey { reason, .. }) => reason,
            other => panic!("{raw:?} was not refused: {other:?}"),
        }
    }

    #[test]
    fn a_relative_key_gets_its_environment_prefix() {
        let cases = [
            (Environment::Development, "development/interviews/abc.mp4"),
            (Environment::Staging, "staging/interviews/abc.mp4"),
            (Environment::Production, "live/interviews/abc.mp4"),
        ];
        for (env, expected) in cases {
            let key = ObjectKey::parse(env, "interviews/abc.mp4").unwrap();
            assert_eq!(key.as_str(), expected);
            assert_eq!(key.to_string(), expected);
            assert_eq!(key.relative(), "interviews/abc.mp4");
            assert_eq!(key.environment(), env);
        }
    }

    #[test]
    fn a_key_with_its_own_prefix_is_not_prefixed_twice() {
        let key = ObjectKey::parse(Environment::Production, "live/interviews/abc.mp4").unwrap();
        assert_eq!(key.as_str(), "live/interviews/abc.mp4");
        assert_eq!(
            key,
            ObjectKey::parse(Environment::Production, "interviews/abc.mp4").unwrap()
        );
    }

    #[test]
    fn unusual_but_harmless_characters_are_kept() {
        let key = ObjectKey::parse(DEV, "a b/ünï-cödé_(1)+~.webm").unwrap();
        assert_eq!(key.as_str(), "development/a b/ünï-cödé_(1)+~.webm");
        // A name merely starting with a prefix's letters is not a prefix.
        let key = ObjectKey::parse(DEV, "lively/x").unwrap();
        assert_eq!(key.as_str(), "development/lively/x");
    }

    #[test]
    fn empty_keys_are_refused() {
        for raw in ["", "development", "development/"] {
            assert_eq!(rejection(DEV, raw), KeyRejection::Empty, "{raw:?}");
        }
    }

    #[test]
    fn absolute_keys_are_refused() {
        for raw in ["/x", "/development/x", "//x"] {
            assert_eq!(rejection(DEV, raw), KeyRejection::Absolute, "{raw:?}");
        }
    }

    #[test]
    fn dot_segments_are_refused() {
        for raw in [
            "..",
            "../x",
            "a/../../live/x",
            "a/./b",
            ".",
            "development/../x",
            "a/..",
        ] {
            assert_eq!(rejection(DEV, raw), KeyRejection::DotSegment, "{raw:?}");
        }
    }

    #[test]
    fn segments_longer_than_a_file_name_are_refused() {
        let long = "é".repeat(128);
        assert_eq!(
            rejection(DEV, &format!("a/{long}.mp4")),
            KeyRejection::SegmentTooLong
        );
        assert_eq!(
            rejection(DEV, &"x".repeat(256)),
            KeyRejection::SegmentTooLong
        );
        assert!(ObjectKey::parse(DEV, &format!("a/{}", "x".repeat(255))).is_ok());
    }

    #[test]
    fn empty_segments_are_refused() {
        for raw in ["a//b", "a/", "development//x", "a/b//"] {
            assert_eq!(rejection(DEV, raw), KeyRejection::EmptySegment, "{raw:?}");
        }
    }

    #[test]
    fn backslashes_are_refused() {
        for raw in ["a\\b", "..\\x", "\\x"] {
            assert_eq!(rejection(DEV, raw), KeyRejection::Backslash, "{raw:?}");
        }
    }

    #[test]
    fn control_characters_are_refused() {
        for raw in ["a\0b", "a\nb", "tab\there", "del\u{7f}", "c1\u{85}"] {
            assert_eq!(
                rejection(DEV, raw),
                KeyRejection::ControlCharacter,
                "{raw:?}"
            );
        }
    }

    #[test]
    fn another_environments_prefix_is_refused() {
        let cases = [
            (DEV, "live/x"),
            (DEV, "staging/x"),
            (DEV, "live"),
            (Environment::Production, "development/x"),
            (Environment::Staging, "live/interviews/abc.mp4"),
        ];
        for (env, raw) in cases {
            assert_eq!(
                rejection(env, raw),
                KeyRejection::OtherEnvironment,
                "{raw:?}"
            );
        }
    }

    #[test]
    fn over_long_keys_are_refused_counting_the_prefix() {
        // Long keys of segments that are each a valid file name.
        let segment = "a".repeat(240);
        let last = MAX_KEY_BYTES - "development/".len() - 2 * (240 + 1);
        let fits = format!("{segment}/{segment}/{}", "a".repeat(last));
        assert_eq!(
            ObjectKey::parse(DEV, &fits).unwrap().as_str().len(),
            MAX_KEY_BYTES
        );
        let over = format!("{fits}a");
        assert_eq!(rejection(DEV, &over), KeyRejection::TooLong);
        // Bytes, not characters: 'é' is two bytes.
        let multibyte = ["é".repeat(125), "é".repeat(125), "é".repeat(2)].join("/");
        assert!(multibyte.chars().count() + "development/".len() < MAX_KEY_BYTES);
        assert_eq!(rejection(DEV, &multibyte), KeyRejection::TooLong);
    }

    #[test]
    fn names_the_local_backend_reserves_are_refused() {
        for raw in ["a#1", "dir/video.mp4#0042"] {
            assert_eq!(rejection(DEV, raw), KeyRejection::NotAPath, "{raw:?}");
        }
        for raw in ["a#", "a#b1", "a#1/b", "#x"] {
            assert!(ObjectKey::parse(DEV, raw).is_ok(), "{raw:?}");
        }
    }

    #[test]
    fn the_refused_key_in_an_error_is_truncated_and_escaped() {
        let err = ObjectKey::parse(DEV, &format!("\n{}", "x".repeat(5000))).unwrap_err();
        assert_eq!(err.code(), "store_invalid_key");
        assert!(err.is_client_error() && !err.is_transient());
        let message = err.to_string();
        assert!(message.len() < MAX_KEY_BYTES + 200, "{}", message.len());
        assert!(!message.contains('\n'));
    }
}
