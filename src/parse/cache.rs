//! The parse cache: a file's document (and the problems found in it) from the previous
//! build, reused while the file's size and modification time are unchanged.
//!
//! Parsing is the second most expensive phase (YAML, a Markdown pass, the Vorlage-Nr
//! pattern over every body); a rebuild after an edit parses the changed files only. The
//! cache holds non-public documents too (the link phase needs them to keep their numbers
//! unlinked), so it never lives in or beside the output, which may sit in a web root: it
//! goes to the user's cache folder (`$XDG_CACHE_HOME/portal/` or `~/.cache/portal/`), one
//! file per pair of content and output folder. It is thrown away as a whole when the
//! program, the `[links]` settings or the working directory (paths in messages are
//! relative to it) differ.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hash, Hasher};
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::diagnostics::Diagnostic;
use crate::index::search::FxBuild;
use crate::load::SourcePath;
use crate::model::{Document, Kind};

/// Changes whenever the stored layout does.
const FORMAT: u32 = 1;

/// Size and modification time of a source file, as the file system reports them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    len: u64,
    modified_ns: u128,
}

impl Stamp {
    pub fn of(path: &Path) -> Option<Stamp> {
        let meta = std::fs::metadata(path).ok()?;
        let modified_ns = crate::load::modified_ns(&meta);
        Some(Stamp {
            len: meta.len(),
            modified_ns,
        })
    }
}

/// What parsing one file gave.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    pub rel: String,
    pub stamp: Stamp,
    pub document: Option<Document>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Entry {
    /// A document that names a `datei` depends on that file too (it must exist, inside the
    /// content folder), so it is parsed again every time.
    fn reusable(&self) -> bool {
        !matches!(&self.document, Some(Document { kind: Kind::Anlage(a), .. }) if a.datei.is_some())
    }
}

#[derive(Serialize, Deserialize)]
struct Stored {
    format: u32,
    key: u64,
    entries: Vec<Entry>,
}

pub struct ParseCache {
    /// `None`: no cache folder (no `HOME`), nothing is read or written.
    path: Option<PathBuf>,
    key: u64,
    entries: HashMap<String, Entry>,
}

impl ParseCache {
    /// The cache for building `content_root` into `out_dir`; empty when there is none or it
    /// does not fit `key`.
    pub fn open(content_root: &Path, out_dir: &Path, key: u64) -> ParseCache {
        let path = location(content_root, out_dir);
        let entries = path
            .as_ref()
            .and_then(|path| std::fs::read(path).ok())
            .and_then(|bytes| postcard::from_bytes::<Stored>(&bytes).ok())
            .filter(|stored| stored.format == FORMAT && stored.key == key)
            .map(|stored| {
                stored
                    .entries
                    .into_iter()
                    .map(|e| (e.rel.clone(), e))
                    .collect()
            })
            .unwrap_or_default();
        ParseCache { path, key, entries }
    }

    /// The stored result for `source` if the file still has the stamp it had then.
    pub fn lookup(&self, source: &SourcePath, stamp: Stamp) -> Option<&Entry> {
        self.entries
            .get(&source.rel)
            .filter(|e| e.stamp == stamp && e.reusable())
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Replaces the stored results with `entries` (written to a temporary file first, so an
    /// interrupted build leaves the old cache or none, never half of one).
    pub fn save(&self, entries: &[&Entry]) -> io::Result<()> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        #[derive(Serialize)]
        struct StoredRef<'a> {
            format: u32,
            key: u64,
            entries: &'a [&'a Entry],
        }
        let bytes = postcard::to_allocvec(&StoredRef {
            format: FORMAT,
            key: self.key,
            entries,
        })
        .map_err(io::Error::other)?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let temporary = path.with_extension(format!("neu-{}", std::process::id()));
        std::fs::write(&temporary, bytes)?;
        std::fs::rename(&temporary, path)
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }
}

/// `<cache folder>/portal/<hash of content and output folder>.bin`.
pub fn location(content_root: &Path, out_dir: &Path) -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))?;
    let out = std::path::absolute(out_dir).unwrap_or_else(|_| out_dir.to_path_buf());
    let mut hasher = FxBuild::default().build_hasher();
    content_root.hash(&mut hasher);
    out.hash(&mut hasher);
    Some(
        base.join("portal")
            .join(format!("{:016x}.bin", hasher.finish())),
    )
}

/// What a cached document depends on besides its file: this program, the settings that
/// parsing reads, the content folder and the working directory.
pub fn key(settings: &impl std::fmt::Debug, content_root: &Path) -> u64 {
    let mut hasher = FxBuild::default().build_hasher();
    FORMAT.hash(&mut hasher);
    if let Some(stamp) = std::env::current_exe().ok().and_then(|exe| Stamp::of(&exe)) {
        stamp.hash(&mut hasher);
    }
    format!("{settings:?}").hash(&mut hasher);
    content_root.hash(&mut hasher);
    std::env::current_dir().ok().hash(&mut hasher);
    hasher.finish()
}

impl Hash for Stamp {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.len.hash(state);
        self.modified_ns.hash(state);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_cache_file_per_content_and_output_folder() {
        let a = location(Path::new("/srv/rat/content"), Path::new("/srv/www/site"));
        let b = location(Path::new("/srv/rat/content"), Path::new("/srv/www/test"));
        if let (Some(a), Some(b)) = (a, b) {
            assert_ne!(a, b);
            assert!(!a.starts_with("/srv/www"), "never beside the output: {a:?}");
        }
    }
}
