//! The parse cache: a file's document (and the problems found in it) from the previous
//! build, reused while the file's size and modification time are unchanged.
//!
//! Parsing is the second most expensive phase (YAML, a Markdown pass, the Vorlage-Nr
//! pattern over every body); a rebuild after an edit parses the changed files only. The
//! cache holds non-public documents too (the link phase needs them to keep their numbers
//! unlinked), so it never lives in or beside the output, which may sit in a web root: it
//! goes to the user's cache folder (`$XDG_CACHE_HOME/portal/` or `~/.cache/portal/`), one
//! folder per pair of content and output folder. It is thrown away as a whole when the
//! program, the `[links]` settings or the working directory (paths in messages are
//! relative to it) differ.
//!
//! The folder holds `SHARDS` files; a file's entry lives in the shard its path hashes to.
//! Shards are read in parallel, and a rebuild after an edit writes only the shards whose
//! entries changed: at 130,000 documents the whole cache is over 100 MB.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hash, Hasher};
use std::io;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::diagnostics::Diagnostic;
use crate::index::search::FxBuild;
use crate::load::{FileStamp, SourcePath};
use crate::model::{Document, Kind};

/// Changes whenever the stored layout does.
const FORMAT: u32 = 4;

/// Shard files per cache. Enough that one shard is small next to the whole (1.7 MB at
/// 130,000 documents) and that both cores have work while reading.
const SHARDS: usize = 64;

/// A file modified this close before the cache was saved may be modified again within the
/// same tick of the file system's clock without its stamp changing (git's "racily clean"
/// case); its entry is not trusted.
pub const RACY_NS: u128 = 2_000_000_000;

/// What parsing one file gave.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    pub rel: String,
    pub stamp: FileStamp,
    /// Boxed: entries are moved several times between the cache and the parsed list, and
    /// a document is large (over 600 bytes before its strings).
    pub document: Option<Box<Document>>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Entry {
    /// Whether the entry says all there is to know about its file. A file with an error is
    /// parsed again (the error may lie in another file: a missing `datei`), as is every
    /// Anlage that names a `datei`, which must still exist inside the content folder.
    fn reusable(&self) -> bool {
        let depends_on_datei = matches!(
            &self.document,
            Some(document) if matches!(&document.kind, Kind::Anlage(a) if a.datei.is_some())
        );
        let has_error = self
            .diagnostics
            .iter()
            .any(|d| d.severity == crate::diagnostics::Severity::Error);
        !depends_on_datei && !has_error
    }
}

#[derive(Serialize, Deserialize)]
struct Stored {
    format: u32,
    key: u64,
    /// When the shard was written, nanoseconds since 1970.
    saved_ns: u128,
    entries: Vec<Entry>,
}

pub struct ParseCache {
    /// The cache's folder; `None`: no cache folder (no `HOME`), nothing is read or written.
    path: Option<PathBuf>,
    key: u64,
    /// The reusable entries per shard, until `take_for` hands them out.
    shards: Vec<Vec<Entry>>,
    /// How many reusable entries each shard held.
    stored: Vec<usize>,
}

/// The shard of a file, by its path relative to the content folder.
fn shard_of(rel: &str) -> usize {
    // The high bits: FxHash's low bits mix poorly.
    (FxBuild::default().hash_one(rel) >> 58) as usize % SHARDS
}

fn shard_file(folder: &Path, shard: usize) -> PathBuf {
    folder.join(format!("{shard:02x}.bin"))
}

impl ParseCache {
    /// The cache for building `content_root` into `out_dir`; empty when there is none or it
    /// does not fit `key`.
    pub fn open(content_root: &Path, out_dir: &Path, key: u64) -> ParseCache {
        let path = location(content_root, out_dir).map(|p| p.with_extension("dokumente"));
        let shards: Vec<Vec<Entry>> = (0..SHARDS)
            .into_par_iter()
            .map(|shard| {
                let Some(folder) = &path else {
                    return Vec::new();
                };
                std::fs::read(shard_file(folder, shard))
                    .ok()
                    .and_then(|bytes| postcard::from_bytes::<Stored>(&bytes).ok())
                    .filter(|stored| stored.format == FORMAT && stored.key == key)
                    .map(|stored| {
                        let saved_ns = stored.saved_ns;
                        stored
                            .entries
                            .into_iter()
                            // An entry in the wrong shard (a changed hash) would be stored twice.
                            .filter(|e| shard_of(&e.rel) == shard)
                            .filter(|e| e.stamp.modified_ns.saturating_add(RACY_NS) < saved_ns)
                            .filter(|e| e.stamp.changed_ns.saturating_add(RACY_NS) < saved_ns)
                            .filter(Entry::reusable)
                            .collect()
                    })
                    .unwrap_or_default()
            })
            .collect();
        let stored = shards.iter().map(Vec::len).collect();
        ParseCache {
            path,
            key,
            shards,
            stored,
        }
    }

    /// The stored entry of each source, in the order of `sources`, moved out of the cache
    /// (a rebuild at 130,000 documents would otherwise copy every document once more).
    /// Whether an entry still fits its file's stamp is for the caller to check.
    pub fn take_for(&mut self, sources: &[SourcePath]) -> Vec<Option<Entry>> {
        let index: HashMap<&str, usize, FxBuild> = sources
            .iter()
            .enumerate()
            .map(|(i, s)| (s.rel.as_str(), i))
            .collect();
        let mut slots: Vec<Option<Entry>> = Vec::with_capacity(sources.len());
        slots.resize_with(sources.len(), || None);
        for entry in std::mem::take(&mut self.shards).into_iter().flatten() {
            if let Some(i) = index.get(entry.rel.as_str()) {
                slots[*i] = Some(entry);
            }
        }
        slots
    }

    /// Writes the shards whose entries differ from what was read: one that holds a file
    /// parsed anew, or lost a file, or held entries that could not be reused. Returns how
    /// many shards were written.
    pub fn save(&self, parsed: &super::Parsed) -> io::Result<usize> {
        let Some(folder) = &self.path else {
            return Ok(0);
        };
        let mut shards: Vec<Vec<&Entry>> = vec![Vec::new(); SHARDS];
        let mut reused = [0usize; SHARDS];
        let mut fresh = [false; SHARDS];
        for (entry, from_cache) in parsed.entries.iter().zip(&parsed.from_cache) {
            let shard = shard_of(&entry.rel);
            shards[shard].push(entry);
            if *from_cache {
                reused[shard] += 1;
            } else {
                fresh[shard] = true;
            }
        }
        let dirty: Vec<usize> = (0..SHARDS)
            .filter(|s| fresh[*s] || reused[*s] != self.stored.get(*s).copied().unwrap_or(0))
            .collect();
        if dirty.is_empty() {
            return Ok(0);
        }
        crate::load::create_private_dir(folder)?;
        // The single file of the cache's format 2, if still there.
        let _ = std::fs::remove_file(folder.with_extension("bin"));
        let saved_ns = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        dirty
            .par_iter()
            .map(|shard| {
                #[derive(Serialize)]
                struct StoredRef<'a> {
                    format: u32,
                    key: u64,
                    saved_ns: u128,
                    entries: &'a [&'a Entry],
                }
                let bytes = postcard::to_allocvec(&StoredRef {
                    format: FORMAT,
                    key: self.key,
                    saved_ns,
                    entries: &shards[*shard],
                })
                .map_err(io::Error::other)?;
                crate::load::write_private(&shard_file(folder, *shard), &bytes, "dokumente")
            })
            .collect::<io::Result<()>>()?;
        Ok(dirty.len())
    }

    /// The cache's folder, for messages.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }
}

/// `$XDG_CACHE_HOME/portal` or `~/.cache/portal`: where portal keeps what must not sit
/// beside the output.
pub fn folder() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))?;
    Some(base.join("portal"))
}

/// `<cache folder>/portal/<hash of content and output folder>.bin`; the parse cache is the
/// folder `….dokumente`, the output's file list `….dateien`.
pub fn location(content_root: &Path, out_dir: &Path) -> Option<PathBuf> {
    let out = std::path::absolute(out_dir).unwrap_or_else(|_| out_dir.to_path_buf());
    let mut hasher = FxBuild::default().build_hasher();
    content_root.hash(&mut hasher);
    out.hash(&mut hasher);
    Some(folder()?.join(format!("{:016x}.bin", hasher.finish())))
}

/// What a cached document depends on besides its file: this program, the settings that
/// parsing reads, the content folder (as found and as spelled) and the working directory.
pub fn key(settings: &impl std::fmt::Debug, content_root: &Path, content_as_given: &Path) -> u64 {
    let mut hasher = FxBuild::default().build_hasher();
    FORMAT.hash(&mut hasher);
    if let Some(stamp) = std::env::current_exe()
        .ok()
        .and_then(|exe| FileStamp::of(&exe))
    {
        stamp.hash(&mut hasher);
    }
    format!("{settings:?}").hash(&mut hasher);
    content_root.hash(&mut hasher);
    // Paths in documents and messages are spelled as the content folder was given.
    content_as_given.hash(&mut hasher);
    std::env::current_dir().ok().hash(&mut hasher);
    hasher.finish()
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
