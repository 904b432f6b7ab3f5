//! Where the bytes of a recording come from.

use std::fmt;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::PathBuf;

/// Any seekable byte source. `dyn Read + Seek` cannot be written directly
/// (two non-auto traits), hence this blanket trait.
pub trait ReadSeek: Read + Seek {}
impl<T: Read + Seek + ?Sized> ReadSeek for T {}

/// A recording to probe: a local file, or any seekable reader (an object in
/// S3 read with ranged GETs, an in-memory buffer). Both go through the same
/// custom AVIO callbacks, so FFmpeg never interprets a path as a protocol URL
/// (`http:`, `concat:` …) and never opens anything by itself.
pub enum MediaSource {
    Path(PathBuf),
    Reader {
        reader: Box<dyn ReadSeek + Send>,
        /// The total size, when the caller knows it (e.g. from a HEAD
        /// request); otherwise it is found by seeking to the end.
        size: Option<u64>,
        /// Shown in error messages and logs, e.g. the object key.
        name: String,
    },
}

impl MediaSource {
    pub fn path(path: impl Into<PathBuf>) -> Self {
        MediaSource::Path(path.into())
    }

    pub fn reader(
        reader: impl Read + Seek + Send + 'static,
        size: Option<u64>,
        name: impl Into<String>,
    ) -> Self {
        MediaSource::Reader {
            reader: Box::new(reader),
            size,
            name: name.into(),
        }
    }

    /// The name used in messages: the path, or the reader's display name.
    pub fn name(&self) -> String {
        match self {
            MediaSource::Path(path) => path.display().to_string(),
            MediaSource::Reader { name, .. } => name.clone(),
        }
    }

    /// Opens the source: the reader, its size in bytes and its name.
    pub(crate) fn open(self) -> io::Result<OpenSource> {
        let name = self.name();
        let (mut reader, size): (Box<dyn ReadSeek + Send>, _) = match self {
            MediaSource::Path(path) => {
                let file = File::open(&path)?;
                let size = file.metadata()?.len();
                (Box::new(file), Some(size))
            }
            MediaSource::Reader { reader, size, .. } => (reader, size),
        };
        let size = match size {
            Some(size) => size,
            None => {
                let size = reader.seek(SeekFrom::End(0))?;
                reader.seek(SeekFrom::Start(0))?;
                size
            }
        };
        Ok(OpenSource { reader, size, name })
    }
}

impl fmt::Debug for MediaSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MediaSource::Path(path) => f.debug_tuple("Path").field(path).finish(),
            MediaSource::Reader { size, name, .. } => f
                .debug_struct("Reader")
                .field("name", name)
                .field("size", size)
                .finish(),
        }
    }
}

pub(crate) struct OpenSource {
    pub reader: Box<dyn ReadSeek + Send>,
    pub size: u64,
    pub name: String,
}
