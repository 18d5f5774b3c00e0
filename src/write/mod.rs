//! Write: the output folder changes only when the whole build succeeded, and then only
//! where its bytes change.
//!
//! A first build writes every file into a fresh staging folder beside the output folder;
//! only when the whole build succeeded is the old output moved aside and the staging
//! folder renamed into its place.
//!
//! A rebuild knows from its manifest (path, length and hash of every file it wrote last
//! time) which files a page's new bytes would leave unchanged; those are not touched, so
//! their modification times stay and `rsync`, CDNs and browsers see no change. Changed
//! files are held in memory until the build has succeeded and are then written in place
//! (each through a temporary file and a rename), and files the site no longer has are
//! removed. When the changes outgrow `IN_PLACE_BUDGET` (a new template, say), the build
//! falls back to a staging folder, into which unchanged files are hard-linked from the
//! old output, and swaps it in as a first build would. Either way a failed build leaves the
//! published output as it was.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::index::search::FxBuild;

/// Changed bytes a rebuild keeps in memory before it falls back to a staging folder.
const IN_PLACE_BUDGET: usize = 256 * 1024 * 1024;

/// What the output folder held after a build: every file with its length and hash, and
/// the folder's identity, so that a folder replaced by someone else is not trusted.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Manifest {
    folder: Option<FolderId>,
    files: Vec<(String, FileStamp)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct FileStamp {
    len: u64,
    hash: u64,
}

impl FileStamp {
    fn of(bytes: &[u8]) -> FileStamp {
        let mut hasher = FxBuild::default().build_hasher();
        hasher.write(bytes);
        FileStamp {
            len: bytes.len() as u64,
            hash: hasher.finish(),
        }
    }

    /// A copied file is known by its source's path, length and modification time, so that
    /// large files (PDFs) need not be read to learn that they did not change.
    fn of_source(from: &Path) -> io::Result<FileStamp> {
        let meta = std::fs::metadata(from)?;
        let modified = crate::load::modified_ns(&meta);
        let mut hasher = FxBuild::default().build_hasher();
        hasher.write(from.as_os_str().as_encoded_bytes());
        hasher.write(&modified.to_le_bytes());
        Ok(FileStamp {
            len: meta.len(),
            hash: hasher.finish(),
        })
    }
}

/// Device, inode and modification time of the output folder (zero where the platform has
/// no inode numbers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct FolderId {
    device: u64,
    inode: u64,
    modified_ns: u128,
}

impl FolderId {
    fn of(folder: &Path) -> Option<FolderId> {
        let meta = std::fs::metadata(folder).ok()?;
        #[cfg(unix)]
        let (device, inode) = {
            use std::os::unix::fs::MetadataExt;
            (meta.dev(), meta.ino())
        };
        #[cfg(not(unix))]
        let (device, inode) = (0, 0);
        let modified_ns = crate::load::modified_ns(&meta);
        Some(FolderId {
            device,
            inode,
            modified_ns,
        })
    }
}

impl Manifest {
    pub fn load(path: Option<&Path>) -> Manifest {
        path.and_then(|p| std::fs::read(p).ok())
            .and_then(|bytes| postcard::from_bytes(&bytes).ok())
            .unwrap_or_default()
    }

    pub fn save(&self, path: Option<&Path>) -> io::Result<()> {
        let Some(path) = path else {
            return Ok(());
        };
        let bytes = postcard::to_allocvec(self).map_err(io::Error::other)?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let temporary = path.with_extension(format!("neu-{}", std::process::id()));
        std::fs::write(&temporary, bytes)?;
        std::fs::rename(&temporary, path)
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

/// A changed file waiting for the build to succeed.
enum Pending {
    Bytes(Vec<u8>),
    Copy(PathBuf),
}

#[derive(Default)]
struct State {
    produced: Vec<(String, FileStamp)>,
    pending: Vec<(String, Pending)>,
    pending_bytes: usize,
    /// The staging folder is in use (always on a first build).
    staging: bool,
}

pub struct Staging {
    /// The staging folder (created on a first build, or when a rebuild falls back to it).
    dir: PathBuf,
    target: PathBuf,
    /// The previous build's files; empty on a first build.
    previous: HashMap<String, FileStamp>,
    state: Mutex<State>,
}

/// What `publish` did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Published {
    /// Files written (new or changed).
    pub written: usize,
    /// Files removed because the site no longer has them.
    pub removed: usize,
}

impl Staging {
    /// Prepares writing into `target`. With the manifest of the build that produced the
    /// folder as it is now, only changed files will be written; otherwise everything goes
    /// into a staging folder next to `target` (same file system, so the final rename is
    /// atomic).
    pub fn create(target: &Path, previous: Manifest) -> io::Result<Staging> {
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent)?;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "site".to_string());
        let dir = parent.join(format!(".{name}.portal-neu-{}", std::process::id()));
        if dir.exists() {
            std::fs::remove_dir_all(&dir)?;
        }
        let trusted = previous.folder.is_some() && previous.folder == FolderId::of(target);
        let staging = Staging {
            dir,
            target: target.to_path_buf(),
            previous: if trusted {
                previous.files.into_iter().collect()
            } else {
                HashMap::new()
            },
            state: Mutex::new(State::default()),
        };
        if staging.previous.is_empty() {
            std::fs::create_dir_all(&staging.dir)?;
            staging.lock().staging = true;
        }
        Ok(staging)
    }

    /// Where files end up, for messages.
    pub fn target(&self) -> &Path {
        &self.target
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Writes `bytes` at `rel` (a `/`-separated path inside the site).
    pub fn write(&self, rel: &str, bytes: &[u8]) -> io::Result<()> {
        let path = self.path_for(&self.dir, rel)?;
        let stamp = FileStamp::of(bytes);
        if self.unchanged(rel, stamp)? {
            return Ok(());
        }
        let mut state = self.lock();
        if !state.staging && state.pending_bytes + bytes.len() <= IN_PLACE_BUDGET {
            state.pending_bytes += bytes.len();
            state
                .pending
                .push((rel.to_string(), Pending::Bytes(bytes.to_vec())));
            return Ok(());
        }
        self.spill(&mut state)?;
        drop(state);
        write_file(&path, bytes)
    }

    /// Copies the file `from` to `rel`.
    pub fn copy(&self, from: &Path, rel: &str) -> io::Result<()> {
        let path = self.path_for(&self.dir, rel)?;
        let stamp = FileStamp::of_source(from)?;
        if self.unchanged(rel, stamp)? {
            return Ok(());
        }
        let mut state = self.lock();
        if !state.staging {
            state
                .pending
                .push((rel.to_string(), Pending::Copy(from.to_path_buf())));
            return Ok(());
        }
        drop(state);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::copy(from, path).map(|_| ())
    }

    /// Records `rel` as part of the site; true when the previous build wrote the same
    /// bytes there and the file is still in place.
    fn unchanged(&self, rel: &str, stamp: FileStamp) -> io::Result<bool> {
        let same = self.previous.get(rel) == Some(&stamp)
            && std::fs::metadata(self.path_for(&self.target, rel)?)
                .is_ok_and(|m| m.is_file() && m.len() == stamp.len);
        self.lock().produced.push((rel.to_string(), stamp));
        Ok(same)
    }

    /// Moves the held changes into a (new) staging folder: from now on this build writes
    /// everything there.
    fn spill(&self, state: &mut State) -> io::Result<()> {
        if state.staging {
            return Ok(());
        }
        std::fs::create_dir_all(&self.dir)?;
        state.staging = true;
        for (rel, pending) in std::mem::take(&mut state.pending) {
            let path = self.path_for(&self.dir, &rel)?;
            match pending {
                Pending::Bytes(bytes) => write_file(&path, &bytes)?,
                Pending::Copy(from) => {
                    if let Some(parent) = path.parent() {
                        std::fs::create_dir_all(parent)?;
                    }
                    std::fs::copy(from, path)?;
                }
            }
        }
        state.pending_bytes = 0;
        Ok(())
    }

    fn path_for(&self, base: &Path, rel: &str) -> io::Result<PathBuf> {
        let rel_path = Path::new(rel);
        if rel_path
            .components()
            .any(|c| !matches!(c, Component::Normal(_)))
        {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("unzulässiger Ausgabepfad: {rel}"),
            ));
        }
        Ok(base.join(rel_path))
    }

    /// Makes the new site the published one; returns what changed and the manifest for
    /// the next build.
    pub fn publish(self) -> io::Result<(Published, Manifest)> {
        let mut state = std::mem::take(&mut *self.lock());
        state.produced.sort_by(|a, b| a.0.cmp(&b.0));
        state
            .produced
            .dedup_by(|later, earlier| later.0 == earlier.0);
        let published = if state.staging {
            self.swap(&state)?
        } else {
            self.update_in_place(&mut state)?
        };
        let manifest = Manifest {
            folder: FolderId::of(&self.target),
            files: state.produced,
        };
        Ok((published, manifest))
    }

    /// A rebuild whose changes fit in memory: write them, remove what is gone.
    fn update_in_place(&self, state: &mut State) -> io::Result<Published> {
        let mut published = Published::default();
        for (rel, pending) in std::mem::take(&mut state.pending) {
            let path = self.path_for(&self.target, &rel)?;
            let temporary = path.with_file_name(format!(
                ".{}.portal-neu-{}",
                path.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                std::process::id()
            ));
            match pending {
                Pending::Bytes(bytes) => write_file(&temporary, &bytes)?,
                Pending::Copy(from) => {
                    if let Some(parent) = temporary.parent() {
                        std::fs::create_dir_all(parent)?;
                    }
                    std::fs::copy(from, &temporary)?;
                }
            }
            std::fs::rename(&temporary, &path)?;
            published.written += 1;
        }
        let produced: std::collections::HashSet<&str> =
            state.produced.iter().map(|(rel, _)| rel.as_str()).collect();
        let mut gone: Vec<&String> = self
            .previous
            .keys()
            .filter(|rel| !produced.contains(rel.as_str()))
            .collect();
        gone.sort();
        for rel in gone {
            let path = self.path_for(&self.target, rel)?;
            match std::fs::remove_file(&path) {
                Ok(()) => published.removed += 1,
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
            // A page's folder goes with its last file; a folder that still holds anything
            // stays (remove_dir fails on it).
            let mut folder = path.parent();
            while let Some(dir) = folder {
                if dir == self.target || std::fs::remove_dir(dir).is_err() {
                    break;
                }
                folder = dir.parent();
            }
        }
        Ok(published)
    }

    /// A first build, or a rebuild with many changes: complete the staging folder and put
    /// it in place of the output.
    fn swap(&self, state: &State) -> io::Result<Published> {
        let mut published = Published::default();
        for (rel, stamp) in &state.produced {
            if self.previous.get(rel) == Some(stamp) {
                let to = self.path_for(&self.dir, rel)?;
                if to.exists() {
                    continue;
                }
                if let Some(parent) = to.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                let from = self.path_for(&self.target, rel)?;
                if std::fs::hard_link(&from, &to).is_err() {
                    std::fs::copy(&from, &to)?;
                }
            } else {
                published.written += 1;
            }
        }
        published.removed = self
            .previous
            .keys()
            .filter(|rel| {
                state
                    .produced
                    .binary_search_by(|(p, _)| p.cmp(rel))
                    .is_err()
            })
            .count();
        let old = self.dir.with_file_name(format!(
            ".{}.portal-alt-{}",
            self.target
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            std::process::id()
        ));
        let had_old = self.target.exists();
        if had_old {
            std::fs::rename(&self.target, &old)?;
        }
        if let Err(e) = std::fs::rename(&self.dir, &self.target) {
            if had_old {
                let _ = std::fs::rename(&old, &self.target);
            }
            return Err(e);
        }
        if had_old {
            std::fs::remove_dir_all(&old)?;
        }
        Ok(published)
    }
}

fn write_file(path: &Path, bytes: &[u8]) -> io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, bytes)
}

impl Drop for Staging {
    /// An abandoned or finished build leaves no staging folder behind.
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn publish_replaces_and_drop_discards() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let target = tmp.path().join("site");
        std::fs::create_dir_all(&target).expect("mkdir");
        std::fs::write(target.join("alt.html"), "alt").expect("write");

        let failed = Staging::create(&target, Manifest::default()).expect("staging");
        failed.write("neu.html", b"neu").expect("write");
        drop(failed);
        assert!(target.join("alt.html").exists());
        assert_eq!(std::fs::read_dir(tmp.path()).expect("ls").count(), 1);

        let staging = Staging::create(&target, Manifest::default()).expect("staging");
        staging.write("a/b/index.html", b"neu").expect("write");
        assert!(staging.write("../x", b"no").is_err());
        staging.publish().expect("publish");
        assert!(!target.join("alt.html").exists());
        assert!(target.join("a/b/index.html").exists());
        assert_eq!(std::fs::read_dir(tmp.path()).expect("ls").count(), 1);
    }

    fn mtime(path: &Path) -> std::time::SystemTime {
        std::fs::metadata(path)
            .and_then(|m| m.modified())
            .expect("mtime")
    }

    #[test]
    fn a_rebuild_touches_only_changed_files() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let target = tmp.path().join("site");
        let first = Staging::create(&target, Manifest::default()).expect("staging");
        first.write("a/index.html", b"a").expect("write");
        first.write("b/index.html", b"b").expect("write");
        first.write("c/index.html", b"c").expect("write");
        let (_, manifest) = first.publish().expect("publish");
        let a_time = mtime(&target.join("a/index.html"));
        std::thread::sleep(std::time::Duration::from_millis(20));

        // A failed rebuild changes nothing.
        let failed = Staging::create(&target, Manifest::load(None)).expect("staging");
        failed.write("a/index.html", b"x").expect("write");
        drop(failed);
        assert_eq!(
            std::fs::read(target.join("a/index.html")).expect("read"),
            b"a"
        );

        let second = Staging::create(&target, manifest).expect("staging");
        second.write("a/index.html", b"a").expect("write");
        second.write("b/index.html", b"B").expect("write");
        second.write("d/index.html", b"d").expect("write");
        let (published, manifest) = second.publish().expect("publish");
        assert_eq!(
            published,
            Published {
                written: 2,
                removed: 1
            }
        );
        assert_eq!(
            mtime(&target.join("a/index.html")),
            a_time,
            "unchanged file rewritten"
        );
        assert_eq!(
            std::fs::read(target.join("b/index.html")).expect("read"),
            b"B"
        );
        assert!(target.join("d/index.html").is_file());
        assert!(
            !target.join("c").exists(),
            "the folder of a removed page stays"
        );
        assert_eq!(manifest.len(), 3);
        let leftovers = std::fs::read_dir(tmp.path()).expect("ls").count();
        assert_eq!(leftovers, 1, "no staging folder or temporary file left");
    }
}
