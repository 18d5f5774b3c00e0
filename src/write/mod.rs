//! Write: the output folder changes only when the whole build succeeded, and then only
//! where its bytes change.
//!
//! A first build writes every file into a fresh staging folder beside the output folder;
//! only when the whole build succeeded is the old output moved aside and the staging
//! folder renamed into its place.
//!
//! A rebuild knows from its manifest (path, length and hash of every file it wrote last
//! time, and the file's time stamps on disk then) which files a page's new bytes would
//! leave unchanged; those are not touched, so
//! their modification times stay and `rsync`, CDNs and browsers see no change. Changed
//! files are held in memory until the build has succeeded and are then written in place
//! (each through a temporary file and a rename), and files the site no longer has are
//! removed. When the changes outgrow `IN_PLACE_BUDGET` (a new template, say), the build
//! falls back to a staging folder, into which unchanged files are hard-linked from the
//! old output, and swaps it in as a first build would. Either way a failed build leaves the
//! published output as it was.

use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, Hasher};
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::index::search::FxBuild;
use crate::load::FileStamp;

/// Changed bytes a rebuild keeps in memory before it falls back to a staging folder.
const IN_PLACE_BUDGET: usize = 256 * 1024 * 1024;

/// Changes whenever the manifest's layout (or the hash of its contents) does.
const FORMAT: u32 = 4;

/// What the output folder held after a build: every file with the length and hash of its
/// bytes and its stamp on disk, and the folder's identity, so that a folder or file changed
/// by someone else is not trusted.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Manifest {
    format: u32,
    folder: Option<FolderId>,
    /// Path, bytes, stamp on disk, and for a derived file the hash of its input.
    files: Vec<(String, Content, FileStamp, Option<u64>)>,
}

/// Length and hash of a file's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Content {
    len: u64,
    hash: u64,
}

impl Content {
    /// XXH3, a hash made for checksums: a file whose hash is unchanged is not written again,
    /// so a hash-table hash (FxHash) would risk stale files.
    fn of(bytes: &[u8]) -> Content {
        Content {
            len: bytes.len() as u64,
            hash: xxhash_rust::xxh3::xxh3_64(bytes),
        }
    }

    /// A copied file is known by its source's path and stamp, so that large files (PDFs)
    /// need not be read to learn that they did not change.
    fn of_source(from: &Path) -> io::Result<Content> {
        let stamp = FileStamp::from(&std::fs::metadata(from)?);
        let mut hasher = xxhash_rust::xxh3::Xxh3Default::new();
        hasher.write(from.as_os_str().as_encoded_bytes());
        std::hash::Hash::hash(&stamp, &mut hasher);
        Ok(Content {
            len: stamp.len,
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
        let modified_ns = FileStamp::from(&meta).modified_ns;
        Some(FolderId {
            device,
            inode,
            modified_ns,
        })
    }
}

/// One file the previous build wrote.
#[derive(Debug)]
struct PreviousFile {
    content: Content,
    /// Its stamp on disk after that build.
    stamp: FileStamp,
    /// For a derived file, the hash of its input.
    input: Option<u64>,
    /// Whether the file on disk still has that stamp, when already checked.
    intact: Option<bool>,
    /// Whether this build made or kept a file at its path (`Staging::register`): those
    /// not claimed when the build ends are gone.
    claimed: AtomicBool,
    /// Whether this build kept the file as it is, from the same input: then this entry is
    /// also the file's entry in the next manifest, and nothing about it is copied
    /// (a rebuild after one edit keeps 160,000 files).
    kept_as_is: AtomicBool,
}

impl PreviousFile {
    /// Whether the file at `path` still has the stamp the previous build saw.
    fn still_at(&self, path: &Path) -> bool {
        FileStamp::of(path) == Some(self.stamp)
    }
}

/// The previous build's files by path, as `Staging::create` needs them.
///
/// A rebuild that keeps nearly every page asks about each of the previous build's 200,000
/// files whether it is still on disk as written; `PreviousFiles::load_checked` asks them
/// all beforehand, on another thread while the link phase keeps mostly one core busy.
#[derive(Default)]
pub struct PreviousFiles {
    folder: Option<FolderId>,
    files: HashMap<String, PreviousFile, FxBuild>,
}

impl PreviousFiles {
    /// The manifest at `path`, and whether each of its files in `target` is still as the
    /// previous build wrote it; empty when there is no manifest, it cannot be read, or it
    /// was not written for the folder `target` is now.
    pub fn load_checked(path: Option<&Path>, target: &Path) -> PreviousFiles {
        let manifest = Manifest::load(path);
        let target = canonical(target);
        if manifest.folder.is_none() || manifest.folder != FolderId::of(&target) {
            return PreviousFiles::default();
        }
        // One thread, not rayon's pool: the link phase running meanwhile would wait for
        // the pool. In the manifest's order, not the map's: the manifest lists files as
        // they were made, folder by folder, so one file's folder is mostly the last one's.
        let mut stamps = FolderStamps::new(&target);
        PreviousFiles::with_checks(manifest, |rel, stamp| {
            Some(stamps.stamp(rel) == Some(stamp))
        })
    }

    /// The files of `manifest`, each with what `check` says about whether it is intact.
    fn with_checks(
        manifest: Manifest,
        mut check: impl FnMut(&str, FileStamp) -> Option<bool>,
    ) -> PreviousFiles {
        let mut files = HashMap::with_capacity_and_hasher(manifest.files.len(), FxBuild::default());
        files.extend(
            manifest
                .files
                .into_iter()
                .map(|(rel, content, stamp, input)| {
                    let file = PreviousFile {
                        content,
                        stamp,
                        input,
                        intact: check(&rel, stamp),
                        claimed: AtomicBool::new(false),
                        kept_as_is: AtomicBool::new(false),
                    };
                    (rel, file)
                }),
        );
        PreviousFiles {
            folder: manifest.folder,
            files,
        }
    }
}

impl From<Manifest> for PreviousFiles {
    fn from(manifest: Manifest) -> PreviousFiles {
        PreviousFiles::with_checks(manifest, |_, _| None)
    }
}

/// Stamps the files of an output folder by their paths inside it. On Linux each file is
/// asked relative to its grandparent folder, opened once (`fstatat`): a stat of the whole
/// path walks every folder above the file again, and the 200,000 files of a large site lie
/// in a few hundred grandparents (`vorlagen/2019/<slug>/index.html`).
struct FolderStamps<'a> {
    target: &'a Path,
    #[cfg(target_os = "linux")]
    folders: HashMap<String, Option<std::fs::File>, FxBuild>,
    /// The folder asked last and its descriptor (owned by `folders`): asked again without
    /// a lookup while the files stay in it.
    #[cfg(target_os = "linux")]
    last: Option<(String, Option<std::os::fd::RawFd>)>,
    #[cfg(target_os = "linux")]
    name: Vec<u8>,
}

impl<'a> FolderStamps<'a> {
    fn new(target: &'a Path) -> FolderStamps<'a> {
        FolderStamps {
            target,
            #[cfg(target_os = "linux")]
            folders: HashMap::default(),
            #[cfg(target_os = "linux")]
            last: None,
            #[cfg(target_os = "linux")]
            name: Vec::new(),
        }
    }

    /// The stamp of the file at `rel`; `None` when it is missing or `rel` would leave the
    /// folder.
    #[cfg(not(target_os = "linux"))]
    fn stamp(&mut self, rel: &str) -> Option<FileStamp> {
        FileStamp::of(&path_in(self.target, rel).ok()?)
    }

    /// The stamp of the file at `rel`; `None` when it is missing or `rel` would leave the
    /// folder.
    #[cfg(target_os = "linux")]
    fn stamp(&mut self, rel: &str) -> Option<FileStamp> {
        use std::os::fd::AsRawFd;
        if !inside(rel) {
            return None;
        }
        let mut parts = rel.rsplitn(3, '/');
        let (_, _, grandparent) = (parts.next(), parts.next(), parts.next());
        let (folder, below) = match grandparent {
            Some(folder) => (folder, &rel[folder.len() + 1..]),
            None => ("", rel),
        };
        let dir = match &self.last {
            Some((last, fd)) if last == folder => (*fd)?,
            _ => {
                let opened = self
                    .folders
                    .entry(folder.to_string())
                    .or_insert_with(|| std::fs::File::open(self.target.join(folder)).ok());
                let fd = opened.as_ref().map(|f| f.as_raw_fd());
                self.last = Some((folder.to_string(), fd));
                fd?
            }
        };
        self.name.clear();
        self.name.extend_from_slice(below.as_bytes());
        self.name.push(0);
        let name = std::ffi::CStr::from_bytes_with_nul(&self.name).ok()?;
        let mut stat = std::mem::MaybeUninit::<libc::stat>::uninit();
        // SAFETY: `dir` is a folder that `folders` keeps open, `name` a NUL-terminated path
        // below it, and `stat` is written by the call before it is read (only when it
        // succeeded).
        let stat = unsafe {
            if libc::fstatat(dir, name.as_ptr(), stat.as_mut_ptr(), 0) != 0 {
                return None;
            }
            stat.assume_init()
        };
        if stat.st_mode & libc::S_IFMT != libc::S_IFREG {
            return None;
        }
        // As `FileStamp::from(&Metadata)` computes it, so that both kinds of stamp compare.
        Some(FileStamp {
            len: u64::try_from(stat.st_size).unwrap_or_default(),
            modified_ns: crate::load::nanos_since_epoch(stat.st_mtime, stat.st_mtime_nsec),
            changed_ns: crate::load::nanos_since_epoch(stat.st_ctime, stat.st_ctime_nsec),
        })
    }
}

/// Whether `rel` is a plain path inside a folder (no `..`, no root, no `.`).
fn inside(rel: &str) -> bool {
    Path::new(rel)
        .components()
        .all(|c| matches!(c, Component::Normal(_)))
}

/// An output folder reached through a symbolic link is updated where it really is.
fn canonical(target: &Path) -> PathBuf {
    target
        .canonicalize()
        .unwrap_or_else(|_| target.to_path_buf())
}

impl Manifest {
    pub fn load(path: Option<&Path>) -> Manifest {
        path.and_then(|p| std::fs::read(p).ok())
            .and_then(|bytes| postcard::from_bytes::<Manifest>(&bytes).ok())
            .filter(|m| m.format == FORMAT)
            .unwrap_or_default()
    }

    pub fn save(&self, path: Option<&Path>) -> io::Result<()> {
        let Some(path) = path else {
            return Ok(());
        };
        let bytes = postcard::to_allocvec(self).map_err(io::Error::other)?;
        crate::load::write_private(path, &bytes, "dateien")
    }
}

/// A changed file waiting for the build to succeed.
enum Pending {
    Bytes(Vec<u8>),
    Copy(PathBuf),
}

impl Pending {
    /// Writes the file at `path`, creating its folders.
    fn store(self, path: &Path) -> io::Result<()> {
        match self {
            Pending::Bytes(bytes) => write_file(path, &bytes),
            Pending::Copy(from) => {
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                std::fs::copy(from, path).map(|_| ())
            }
        }
    }
}

/// A file of the new site.
struct Produced {
    rel: String,
    content: Content,
    /// The hash of its input, for a derived file.
    input: Option<u64>,
    /// Its stamp on disk, when it was found unchanged (and so is not written).
    checked: Option<FileStamp>,
}

#[derive(Default)]
struct State {
    /// Every file of the new site, with the hash of its input if it is derived, except
    /// those kept as they are (`PreviousFile::kept_as_is`).
    produced: Vec<Produced>,
    /// The paths of `produced` that the previous build did not write (those it wrote are
    /// `PreviousFile::claimed`): a path written twice is an error.
    new_paths: HashSet<String, FxBuild>,
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
    previous: HashMap<String, PreviousFile, FxBuild>,
    state: Mutex<State>,
    /// Changed bytes held in memory before falling back to a staging folder
    /// (`IN_PLACE_BUDGET`; smaller in tests).
    budget: usize,
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
    pub fn create(target: &Path, previous: impl Into<PreviousFiles>) -> io::Result<Staging> {
        let previous = previous.into();
        let target = &canonical(target);
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
        let expected = previous.files.len();
        let staging = Staging {
            dir,
            target: target.to_path_buf(),
            previous: if trusted {
                previous.files
            } else {
                HashMap::default()
            },
            // Sized for a site like the last one: growing them rehashes and copies every
            // path registered so far, several times over at 200,000 files. A rebuild lists
            // only the files it did not keep as they are.
            state: Mutex::new(State {
                produced: Vec::with_capacity(if trusted { 1024 } else { expected }),
                new_paths: HashSet::with_capacity_and_hasher(
                    if trusted { 0 } else { expected },
                    FxBuild::default(),
                ),
                ..State::default()
            }),
            budget: IN_PLACE_BUDGET,
        };
        if staging.previous.is_empty() {
            std::fs::create_dir_all(&staging.dir)?;
            staging.lock().staging = true;
        }
        Ok(staging)
    }

    /// Whether a previous build's files are known (and so can be kept).
    pub fn has_previous(&self) -> bool {
        !self.previous.is_empty()
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
        self.write_new(rel, bytes, None)
    }

    /// Writes at `rel` what `make` derives from `input` (the gzip of a search index file).
    /// When the previous build wrote `rel` from the same input and the file on disk is
    /// still that one, `make` is not even called: a rebuild after one edit would otherwise
    /// compress the whole search index again to learn that most of it did not change.
    /// `make` must be deterministic.
    pub fn write_derived(
        &self,
        rel: &str,
        input: &[u8],
        make: impl FnOnce(&[u8]) -> Vec<u8>,
    ) -> io::Result<()> {
        let input_hash = Content::of(input).hash ^ input.len() as u64;
        if let Some(previous) = self.previous.get(rel) {
            if previous.input == Some(input_hash) && self.intact(rel, previous)? {
                return self.keep_as_is(rel, previous);
            }
        }
        self.write_new(rel, &make(input), Some(input_hash))
    }

    /// Writes `bytes` at `rel` and remembers `input`, the hash of everything they were made
    /// from (a page's fingerprint), so that the next build can `keep_derived` the file
    /// without making it again.
    pub fn write_with_input(&self, rel: &str, bytes: &[u8], input: u64) -> io::Result<()> {
        self.write_new(rel, bytes, Some(input))
    }

    /// Keeps the file the previous build made at `rel` from the same `input`: true when it
    /// did and the file on disk is still the one it wrote. The file is then part of the new
    /// site as it is, and the caller need not make it.
    pub fn keep_derived(&self, rel: &str, input: u64) -> io::Result<bool> {
        match self.previous.get(rel) {
            Some(previous) if previous.input == Some(input) && self.intact(rel, previous)? => {
                self.keep_as_is(rel, previous)?;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    /// Keeps the file the previous build wrote at `rel`, whatever it was made from: true
    /// when it is still on disk as written (a search index file that an edit elsewhere
    /// left alone).
    pub fn keep(&self, rel: &str) -> io::Result<bool> {
        match self.previous.get(rel) {
            Some(previous) if self.intact(rel, previous)? => {
                self.keep_as_is(rel, previous)?;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    /// Whether the previous build wrote `rel` and the file was still the one it wrote when
    /// the previous files were checked (or now, if they were not): enough for a file that
    /// is kept, not read, like a kept page.
    pub fn previous_kept_intact(&self, rel: &str) -> io::Result<bool> {
        match self.previous.get(rel) {
            Some(previous) => self.intact(rel, previous),
            None => Ok(false),
        }
    }

    /// Whether the previous build wrote `rel` and the file in the output folder is still
    /// the one it wrote, so that its bytes can be read back and trusted.
    pub fn previous_intact(&self, rel: &str) -> bool {
        // Stat'ed now, not taken from `PreviousFiles::load_checked`: the caller is about to
        // read the file back, seconds after that check, and these are few.
        match self.previous.get(rel) {
            Some(previous) => self
                .path_for(&self.target, rel)
                .is_ok_and(|path| previous.still_at(&path)),
            None => false,
        }
    }

    fn write_new(&self, rel: &str, bytes: &[u8], input: Option<u64>) -> io::Result<()> {
        let path = self.path_for(&self.dir, rel)?;
        let stamp = Content::of(bytes);
        if self.unchanged(rel, stamp, input)? {
            return Ok(());
        }
        let mut state = self.lock();
        if !state.staging && state.pending_bytes + bytes.len() <= self.budget {
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
        let stamp = Content::of_source(from)?;
        if self.unchanged(rel, stamp, None)? {
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
        Pending::Copy(from.to_path_buf()).store(&path)
    }

    /// Records `rel` as part of the site; true when the previous build wrote the same
    /// bytes there and the file on disk is still the one it wrote.
    fn unchanged(&self, rel: &str, content: Content, input: Option<u64>) -> io::Result<bool> {
        let same = self.same_on_disk(rel, content)?;
        self.register(rel, content, input, same)?;
        Ok(same)
    }

    /// Whether the previous build wrote `content` at `rel` and the file is still that one.
    fn same_on_disk(&self, rel: &str, content: Content) -> io::Result<bool> {
        match self.previous.get(rel) {
            Some(previous) if previous.content == content => self.intact(rel, previous),
            _ => Ok(false),
        }
    }

    /// Whether the file the previous build wrote at `rel` is still the one it wrote: as
    /// checked when the build started, or now if it was not.
    fn intact(&self, rel: &str, previous: &PreviousFile) -> io::Result<bool> {
        Ok(match previous.intact {
            Some(intact) => intact,
            None => previous.still_at(&self.path_for(&self.target, rel)?),
        })
    }

    /// Keeps the previous build's file at `rel` as it is (`previous` is its entry): the
    /// callers found it intact, from the same input. One lookup of the path, not three:
    /// a rebuild after one edit keeps 160,000 files.
    fn keep_as_is(&self, rel: &str, previous: &PreviousFile) -> io::Result<()> {
        if previous.claimed.swap(true, Ordering::Relaxed) {
            return Err(written_twice(rel));
        }
        previous.kept_as_is.store(true, Ordering::Relaxed);
        Ok(())
    }

    fn register(
        &self,
        rel: &str,
        content: Content,
        input: Option<u64>,
        same: bool,
    ) -> io::Result<()> {
        // Everything but the insertions happens before taking the lock: every file of the
        // site passes here, from all threads at once. A path the previous build wrote is
        // claimed in its entry, without a lock or a copy of the path.
        let twice = || written_twice(rel);
        let previous = self.previous.get(rel);
        match previous {
            Some(previous) => {
                if previous.claimed.swap(true, Ordering::Relaxed) {
                    return Err(twice());
                }
                if same && previous.content == content && previous.input == input {
                    previous.kept_as_is.store(true, Ordering::Relaxed);
                    return Ok(());
                }
                let produced = Produced {
                    rel: rel.to_string(),
                    content,
                    input,
                    checked: same.then_some(previous.stamp),
                };
                self.lock().produced.push(produced);
            }
            None => {
                let produced = Produced {
                    rel: rel.to_string(),
                    content,
                    input,
                    checked: None,
                };
                let path = rel.to_string();
                let mut state = self.lock();
                if !state.new_paths.insert(path) {
                    return Err(twice());
                }
                state.produced.push(produced);
            }
        }
        Ok(())
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
            pending.store(&self.path_for(&self.dir, &rel)?)?;
        }
        state.pending_bytes = 0;
        Ok(())
    }

    fn path_for(&self, base: &Path, rel: &str) -> io::Result<PathBuf> {
        path_in(base, rel)
    }

    /// Makes the new site the published one; returns what changed and the manifest for
    /// the next build.
    pub fn publish(mut self) -> io::Result<(Published, Manifest)> {
        // In the order the files were made, which varies from run to run: the manifest is
        // read into a map, and sorting 200,000 paths took 0.04 s of every rebuild.
        let mut state = std::mem::take(&mut *self.lock());
        let published = if state.staging {
            self.swap(&state)?
        } else {
            self.update_in_place(&mut state)?
        };
        // Each file's stamp as it is now on disk: a file changed later by someone else does
        // not count as unchanged in the next build. An unchanged file updated in place was
        // stat'ed a moment ago; a swap hard-links it, which moves its change time.
        let swapped = state.staging;
        let stamp_of = |rel: &str, checked: Option<FileStamp>| match checked.filter(|_| !swapped) {
            Some(stamp) => Some(stamp),
            None => FileStamp::of(&self.target.join(rel)),
        };
        let previous = std::mem::take(&mut self.previous);
        let mut files: Vec<(String, Content, FileStamp, Option<u64>)> = state
            .produced
            .into_par_iter()
            .filter_map(|file| {
                let stamp = stamp_of(&file.rel, file.checked)?;
                Some((file.rel, file.content, stamp, file.input))
            })
            .collect();
        // The files kept as they are: path, bytes, stamp and input are what the last build
        // recorded.
        files.par_extend(
            previous
                .par_iter()
                .filter(|(_, file)| file.kept_as_is.load(Ordering::Relaxed))
                .filter_map(|(rel, file)| {
                    let stamp = stamp_of(rel, Some(file.stamp))?;
                    Some((rel.clone(), file.content, stamp, file.input))
                }),
        );
        let manifest = Manifest {
            format: FORMAT,
            folder: FolderId::of(&self.target),
            files,
        };
        // The last build's files (200,000 paths at 130,000 documents) are freed on a thread
        // of their own: the build is done with them, and freeing them here took 0.04 s of
        // every rebuild.
        let leftovers = (previous, state.new_paths);
        // (When no thread can be started, they are freed here, with the refused closure.)
        let _ = std::thread::Builder::new().spawn(move || drop(leftovers));
        Ok((published, manifest))
    }

    /// A rebuild whose changes fit in memory: write them, remove what is gone. All new
    /// files are written to temporary names first and renamed only when every one of them
    /// could be written.
    fn update_in_place(&self, state: &mut State) -> io::Result<Published> {
        let mut published = Published::default();
        let mut renames: Vec<(PathBuf, PathBuf)> = Vec::new();
        let mut written: io::Result<()> = Ok(());
        for (rel, pending) in std::mem::take(&mut state.pending) {
            let path = self.path_for(&self.target, &rel)?;
            let temporary = path.with_file_name(format!(
                ".{}.portal-neu-{}",
                path.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                std::process::id()
            ));
            written = pending.store(&temporary);
            renames.push((temporary, path));
            if written.is_err() {
                break;
            }
        }
        if let Err(e) = written {
            for (temporary, _) in &renames {
                let _ = std::fs::remove_file(temporary);
            }
            return Err(e);
        }
        for (temporary, path) in renames {
            std::fs::rename(&temporary, &path)?;
            published.written += 1;
        }
        let mut gone: Vec<&String> = self
            .previous
            .par_iter()
            .filter(|(_, previous)| !previous.claimed.load(Ordering::Relaxed))
            .map(|(rel, _)| rel)
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
        let kept = self
            .previous
            .iter()
            .filter(|(_, previous)| previous.kept_as_is.load(Ordering::Relaxed))
            .map(|(rel, previous)| (rel, &previous.content));
        let produced = state.produced.iter().map(|p| (&p.rel, &p.content));
        for (rel, content) in produced.chain(kept) {
            if let Some(previous) = self
                .previous
                .get(rel)
                .filter(|previous| previous.content == *content)
            {
                let to = self.path_for(&self.dir, rel)?;
                if to.exists() {
                    continue;
                }
                if let Some(parent) = to.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                let from = self.path_for(&self.target, rel)?;
                // Checked when the build started (`PreviousFiles::load_checked`); a file
                // changed since then must not become part of the new site as unchanged.
                if !previous.still_at(&from) {
                    return Err(io::Error::other(format!(
                        "{rel} wurde während des Laufs geändert; bitte erneut bauen"
                    )));
                }
                if std::fs::hard_link(&from, &to).is_err() {
                    std::fs::copy(&from, &to)?;
                }
            } else {
                published.written += 1;
            }
        }
        published.removed = self
            .previous
            .values()
            .filter(|previous| !previous.claimed.load(Ordering::Relaxed))
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
            // The new site is in place; an old copy that cannot be removed stays behind
            // as `.<name>.portal-alt-<pid>` and is no reason to fail the build.
            let _ = std::fs::remove_dir_all(&old);
        }
        Ok(published)
    }
}

/// The error for a path that one build writes twice.
fn written_twice(rel: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::AlreadyExists,
        format!("{rel} wird zweimal geschrieben (eine Datei gleichen Namens neben einer Seite?)"),
    )
}

/// `rel` (a `/`-separated path inside the site) under `base`; an error for a path that
/// would leave it.
fn path_in(base: &Path, rel: &str) -> io::Result<PathBuf> {
    if !inside(rel) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("unzulässiger Ausgabepfad: {rel}"),
        ));
    }
    Ok(base.join(rel))
}

fn write_file(path: &Path, bytes: &[u8]) -> io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, bytes)
}

/// Why the output folder could not be held for this build.
#[derive(Debug)]
pub enum LockError {
    /// Another build holds it.
    Busy,
    Io(io::Error),
}

/// Holds the output folder for this process until the returned file is dropped: two builds
/// into one folder would interleave their in-place writes and manifests. The lock file lives
/// in `cache_folder` (named after the output folder), and the operating system releases
/// the lock when the process ends, however it ends.
pub fn lock_output(cache_folder: &Path, out_dir: &Path) -> Result<std::fs::File, LockError> {
    let out = std::path::absolute(out_dir).unwrap_or_else(|_| out_dir.to_path_buf());
    let mut hasher = FxBuild::default().build_hasher();
    std::hash::Hash::hash(&out, &mut hasher);
    crate::load::create_private_dir(cache_folder).map_err(LockError::Io)?;
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(cache_folder.join(format!("{:016x}.sperre", hasher.finish())))
        .map_err(LockError::Io)?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(LockError::Busy),
        Err(std::fs::TryLockError::Error(e)) => Err(LockError::Io(e)),
    }
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
    fn folder_stamps_agree_with_stamps_by_path() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let target = tmp.path();
        let files = [
            "index.html",
            "suche/index.bin",
            "suche/f/0/1.json.gz",
            "vorlagen/2019/fb-56-0051-wp18/index.html",
            "vorlagen/2019/fb-56-0052-wp18/index.html",
            "a/b/c/d/e.html",
        ];
        for rel in files {
            write_file(&target.join(rel), rel.as_bytes()).expect("write");
        }
        let mut stamps = FolderStamps::new(target);
        for rel in files {
            let stamp = stamps.stamp(rel);
            assert!(stamp.is_some(), "{rel}");
            assert_eq!(stamp, FileStamp::of(&target.join(rel)), "{rel}");
        }
        for missing in [
            "fehlt.html",
            "vorlagen/2019/fehlt/index.html",
            "vorlagen/2019",
            "../x",
            "",
        ] {
            assert_eq!(stamps.stamp(missing), None, "{missing}");
        }
    }

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

    #[test]
    fn a_derived_file_is_made_again_only_when_its_input_or_the_file_changed() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let target = tmp.path().join("site");
        let made = std::sync::atomic::AtomicUsize::new(0);
        let upper = |raw: &[u8]| {
            made.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            raw.to_ascii_uppercase()
        };
        let build = |manifest: Manifest, input: &[u8]| {
            let staging = Staging::create(&target, manifest).expect("staging");
            staging
                .write_derived("i/a.bin", input, upper)
                .expect("write");
            staging.publish().expect("publish").1
        };
        let manifest = build(Manifest::default(), b"abc");
        assert_eq!(made.load(std::sync::atomic::Ordering::Relaxed), 1);
        assert_eq!(std::fs::read(target.join("i/a.bin")).expect("read"), b"ABC");

        // Same input: not made again, the file stays.
        let manifest = build(manifest, b"abc");
        assert_eq!(made.load(std::sync::atomic::Ordering::Relaxed), 1);
        assert_eq!(std::fs::read(target.join("i/a.bin")).expect("read"), b"ABC");

        // The file was changed by hand: made and written again.
        std::fs::write(target.join("i/a.bin"), b"xyz").expect("write");
        let manifest = build(manifest, b"abc");
        assert_eq!(made.load(std::sync::atomic::Ordering::Relaxed), 2);
        assert_eq!(std::fs::read(target.join("i/a.bin")).expect("read"), b"ABC");

        // New input: made again.
        build(manifest, b"abd");
        assert_eq!(made.load(std::sync::atomic::Ordering::Relaxed), 3);
        assert_eq!(std::fs::read(target.join("i/a.bin")).expect("read"), b"ABD");
    }

    fn mtime(path: &Path) -> std::time::SystemTime {
        std::fs::metadata(path)
            .and_then(|m| m.modified())
            .expect("mtime")
    }

    #[test]
    fn files_checked_beforehand_are_kept_only_when_still_as_written() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let target = tmp.path().join("site");
        let saved = tmp.path().join("cache/x.dateien");
        let first = Staging::create(&target, Manifest::default()).expect("staging");
        for (rel, bytes) in [("a/index.html", b"a"), ("b/index.html", b"b")] {
            first.write_with_input(rel, bytes, 7).expect("write");
        }
        let (_, manifest) = first.publish().expect("publish");
        manifest.save(Some(&saved)).expect("save");
        // Changed by hand after the build, same length.
        std::fs::write(target.join("b/index.html"), b"X").expect("write");

        let checked = PreviousFiles::load_checked(Some(&saved), &target);
        let intact = |rel: &str| checked.files.get(rel).and_then(|f| f.intact);
        assert_eq!(intact("a/index.html"), Some(true));
        assert_eq!(intact("b/index.html"), Some(false));
        let second = Staging::create(&target, checked).expect("staging");
        assert!(second.has_previous());
        assert_eq!(second.keep_derived("a/index.html", 7).ok(), Some(true));
        assert_eq!(
            second.keep_derived("b/index.html", 7).ok(),
            Some(false),
            "a file changed by hand is made again"
        );
        assert_eq!(second.keep_derived("c/index.html", 7).ok(), Some(false));

        // Changed after that check, while the build ran, and the changes went to a
        // staging folder: the build must not publish the file as unchanged.
        let a_after = {
            let mut staging =
                Staging::create(&target, PreviousFiles::load_checked(Some(&saved), &target))
                    .expect("staging");
            assert_eq!(staging.keep_derived("a/index.html", 7).ok(), Some(true));
            staging.budget = 0;
            staging.write("b/index.html", b"B").expect("write");
            std::fs::write(target.join("a/index.html"), b"Y").expect("write");
            let failed = staging.publish();
            assert!(
                failed
                    .as_ref()
                    .is_err_and(|e| e.to_string().contains("während des Laufs geändert")),
                "{:?}",
                failed.map(|(p, _)| p)
            );
            std::fs::read(target.join("a/index.html")).expect("read")
        };
        assert_eq!(a_after, b"Y", "the output stays as it was");

        // A manifest of another folder is not trusted: nothing is known, nothing kept.
        let elsewhere = tmp.path().join("other");
        std::fs::create_dir_all(&elsewhere).expect("mkdir");
        let other = PreviousFiles::load_checked(Some(&saved), &elsewhere);
        assert!(other.files.is_empty());
        assert!(PreviousFiles::load_checked(None, &target).files.is_empty());
    }

    #[test]
    fn files_kept_as_they_are_stay_in_the_manifest_and_in_a_swapped_site() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let target = tmp.path().join("site");
        let entry = |manifest: &Manifest, rel: &str| {
            manifest
                .files
                .iter()
                .find(|file| file.0 == rel)
                .map(|file| (file.1, file.3))
        };
        let first = Staging::create(&target, Manifest::default()).expect("staging");
        first
            .write_with_input("a/index.html", b"a", 1)
            .expect("write");
        first
            .write_with_input("b/index.html", b"b", 2)
            .expect("write");
        let (_, manifest) = first.publish().expect("publish");

        // In place: a is kept as it is, b is made again from a new input.
        let second = Staging::create(&target, manifest).expect("staging");
        assert_eq!(second.keep_derived("a/index.html", 1).ok(), Some(true));
        second
            .write_with_input("b/index.html", b"B", 3)
            .expect("write");
        let (_, manifest) = second.publish().expect("publish");
        assert_eq!(
            entry(&manifest, "a/index.html"),
            Some((Content::of(b"a"), Some(1)))
        );
        assert_eq!(
            entry(&manifest, "b/index.html"),
            Some((Content::of(b"B"), Some(3)))
        );

        // Kept again by a build that falls back to a staging folder: the kept file is part
        // of the swapped-in site, and its entry has its stamp as it is now.
        let mut third = Staging::create(&target, manifest).expect("staging");
        third.budget = 0;
        assert_eq!(third.keep_derived("a/index.html", 1).ok(), Some(true));
        third
            .write_with_input("b/index.html", b"BB", 4)
            .expect("write");
        let (_, manifest) = third.publish().expect("publish");
        assert_eq!(
            std::fs::read(target.join("a/index.html")).expect("read"),
            b"a"
        );
        assert_eq!(
            std::fs::read(target.join("b/index.html")).expect("read"),
            b"BB"
        );
        assert_eq!(manifest.files.len(), 2);
        for (rel, _, stamp, _) in &manifest.files {
            assert_eq!(FileStamp::of(&target.join(rel)), Some(*stamp), "{rel}");
        }
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

        // Someone changes e/index.html in the output by hand (same length): it is not
        // trusted, and written again.
        let hand = Staging::create(&target, manifest).expect("staging");
        for (rel, bytes) in [
            ("a/index.html", b"a"),
            ("b/index.html", b"b"),
            ("c/index.html", b"c"),
            ("e/index.html", b"e"),
        ] {
            hand.write(rel, bytes).expect("write");
        }
        let (_, manifest) = hand.publish().expect("publish");
        std::fs::write(target.join("e/index.html"), b"X").expect("write");

        let second = Staging::create(&target, manifest).expect("staging");
        second.write("a/index.html", b"a").expect("write");
        second.write("b/index.html", b"B").expect("write");
        second.write("d/index.html", b"d").expect("write");
        second.write("e/index.html", b"e").expect("write");
        assert!(
            second.write("e/index.html", b"e").is_err(),
            "a path of the last build written twice"
        );
        assert!(
            second.write("d/index.html", b"d").is_err(),
            "a new path written twice"
        );
        assert!(
            second.write("a/index.html", b"a").is_err(),
            "a kept path written twice"
        );
        let (published, manifest) = second.publish().expect("publish");
        assert_eq!(
            published,
            Published {
                written: 3,
                removed: 1
            }
        );
        assert_eq!(
            std::fs::read(target.join("e/index.html")).expect("read"),
            b"e"
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
        assert_eq!(manifest.files.len(), 4);
        let leftovers = std::fs::read_dir(tmp.path()).expect("ls").count();
        assert_eq!(leftovers, 1, "no staging folder or temporary file left");
    }
}
