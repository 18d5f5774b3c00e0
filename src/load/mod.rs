//! Load: find the corpus's Markdown files and read them.
//!
//! This layer knows nothing about the format: it lists `*.md` files in a stable order,
//! refuses paths that leave the content folder, and hands out their text as UTF-8.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diagnostics::Diagnostic;

/// A Markdown file of the corpus, not yet read.
#[derive(Debug, Clone)]
pub struct SourcePath {
    /// Absolute (or as given) path for reading.
    pub path: Arc<Path>,
    /// Path relative to the content folder, with `/` separators: stable across machines.
    pub rel: String,
    /// Path for messages: relative to the working directory where possible.
    pub display: Arc<Path>,
    /// Length and times when the folder was listed; `None` if the file could not be stat'ed.
    pub stamp: Option<FileStamp>,
}

/// Lists every `*.md` file below `content_dir`, sorted by relative path, each with its
/// stamp. Hidden files and folders (names starting with `.`) are skipped. Symbolic links
/// are followed only while they stay inside the content folder.
pub fn discover(content_dir: &Path) -> (Vec<SourcePath>, Vec<Diagnostic>) {
    if !content_dir.is_dir() {
        let problem = Diagnostic::error(content_dir, 0, "Der Inhaltsordner existiert nicht.")
            .with_hint(
                "Legen Sie ihn an oder geben Sie ihn mit `--content ORDNER` bzw. `src` in book.toml an.",
            );
        return (Vec::new(), vec![problem]);
    }
    let canonical_root = match content_dir.canonicalize() {
        Ok(p) => p,
        Err(e) => {
            let problem =
                Diagnostic::error(content_dir, 0, format!("Inhaltsordner nicht lesbar: {e}"));
            return (Vec::new(), vec![problem]);
        }
    };
    let walk = Walk {
        canonical_root,
        cwd: std::env::current_dir().ok(),
    };
    let found = walk.folder(content_dir, "");
    // Relative paths are unique, so an unstable sort gives the one order.
    // In byte order of `rel` already: see `Walk::folder`.
    (found.files, found.problems)
}

struct Walk {
    canonical_root: PathBuf,
    cwd: Option<PathBuf>,
}

#[derive(Default)]
struct Found {
    files: Vec<SourcePath>,
    problems: Vec<Diagnostic>,
}

impl Walk {
    /// The Markdown files below `dir` (whose path relative to the content folder is `rel`,
    /// empty or ending in `/`). Subfolders are walked in parallel, and each file is stamped
    /// through its folder's listing (`DirEntry::metadata` asks relative to the open folder;
    /// a stat of the whole path walks every folder above it again).
    fn folder(&self, dir: &Path, rel: &str) -> Found {
        use rayon::prelude::*;
        let mut found = Found::default();
        let unreadable = |path: &Path, e: std::io::Error| {
            Diagnostic::error(path, 0, format!("Datei oder Ordner nicht lesbar: {e}"))
        };
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) => {
                found.problems.push(unreadable(dir, e));
                return found;
            }
        };
        let mut folders: Vec<(PathBuf, String)> = Vec::new();
        // When the folder is shown as it is found (the content folder was not given below
        // the working directory, or relatively), so is each of its files: their messages
        // share the path instead of a copy each.
        let shown_as_found = display_path_from(dir, self.cwd.as_deref()) == dir;
        for entry in entries {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    found.problems.push(unreadable(dir, e));
                    continue;
                }
            };
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.') {
                continue;
            }
            let path = entry.path();
            let file_type = match entry.file_type() {
                Ok(t) => t,
                Err(e) => {
                    found.problems.push(unreadable(&path, e));
                    continue;
                }
            };
            let metadata = if file_type.is_symlink() {
                match self.follow(dir, &path) {
                    Ok(metadata) => metadata,
                    Err(problem) => {
                        found.problems.push(problem);
                        continue;
                    }
                }
            } else if file_type.is_dir() {
                folders.push((path, format!("{rel}{name}/")));
                continue;
            } else if !name.ends_with(".md") {
                continue;
            } else {
                match entry.metadata() {
                    Ok(metadata) => metadata,
                    Err(e) => {
                        found.problems.push(unreadable(&path, e));
                        continue;
                    }
                }
            };
            if metadata.is_dir() {
                folders.push((path, format!("{rel}{name}/")));
            } else if metadata.is_file() && name.ends_with(".md") {
                let display: Arc<Path> = if shown_as_found {
                    Arc::from(path.as_path())
                } else {
                    display_path_from(&path, self.cwd.as_deref()).into()
                };
                let path = if *display == *path {
                    Arc::clone(&display)
                } else {
                    path.into()
                };
                found.files.push(SourcePath {
                    display,
                    path,
                    rel: format!("{rel}{name}"),
                    stamp: Some(FileStamp::from(&metadata)),
                });
            }
        }
        // In byte order of `rel`, sorted folder by folder (a few names each, instead of
        // every path of the site at the end): a folder's `rel` ends in `/`, so everything
        // in it sorts among its neighbours just where the folder does.
        found.files.sort_unstable_by(|a, b| a.rel.cmp(&b.rel));
        folders.sort_unstable_by(|a, b| a.1.cmp(&b.1));
        let below: Vec<Found> = folders
            .par_iter()
            .map(|(path, rel)| self.folder(path, rel))
            .collect();
        let mut files = std::mem::take(&mut found.files).into_iter().peekable();
        let mut merged =
            Vec::with_capacity(files.len() + below.iter().map(|b| b.files.len()).sum::<usize>());
        for ((_, folder), mut more) in folders.iter().zip(below) {
            while let Some(file) = files.next_if(|f| f.rel < *folder) {
                merged.push(file);
            }
            merged.append(&mut more.files);
            found.problems.append(&mut more.problems);
        }
        merged.extend(files);
        found.files = merged;
        found
    }

    /// The metadata of the target of the symbolic link `path` in `dir`, if it stays inside
    /// the content folder and does not lead back to a folder it is in.
    fn follow(&self, dir: &Path, path: &Path) -> Result<std::fs::Metadata, Diagnostic> {
        let target = path.canonicalize().map_err(|e| {
            Diagnostic::error(path, 0, format!("Datei oder Ordner nicht lesbar: {e}"))
        })?;
        if !target.starts_with(&self.canonical_root) {
            return Err(Diagnostic::error(
                path,
                0,
                "Symbolischer Link zeigt aus dem Inhaltsordner hinaus.",
            )
            .with_hint(
                "Kopieren Sie die Datei in den Inhaltsordner oder entfernen Sie den Link.",
            ));
        }
        let metadata = std::fs::metadata(&target).map_err(|e| {
            Diagnostic::error(path, 0, format!("Datei oder Ordner nicht lesbar: {e}"))
        })?;
        let inside_itself = metadata.is_dir()
            && dir
                .canonicalize()
                .is_ok_and(|here| here.starts_with(&target));
        if inside_itself {
            return Err(Diagnostic::error(
                path,
                0,
                "Symbolischer Link zeigt auf einen Ordner, in dem er selbst liegt (eine Schleife).",
            )
            .with_hint("Entfernen Sie den Link."));
        }
        Ok(metadata)
    }
}

/// Reads a file as UTF-8 text; a file that is not UTF-8 is an error naming the first bad line.
pub fn read_text(source: &SourcePath) -> Result<String, Diagnostic> {
    let bytes = std::fs::read(&source.path)
        .map_err(|e| Diagnostic::error(&*source.display, 0, format!("Datei nicht lesbar: {e}")))?;
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        let line = bytes[..valid].iter().filter(|b| **b == b'\n').count() + 1;
        Diagnostic::error(
            &*source.display,
            line,
            "Die Datei ist nicht in UTF-8 kodiert.",
        )
        .with_hint("Speichern Sie die Datei im Editor als „UTF-8“ (nicht Windows-1252/ANSI).")
    })
}

/// A path as a clerk would type it: relative to the working directory when below it.
pub fn display_path(path: &Path) -> PathBuf {
    display_path_from(path, std::env::current_dir().ok().as_deref())
}

fn display_path_from(path: &Path, cwd: Option<&Path>) -> PathBuf {
    let relative = cwd
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf());
    relative
        .strip_prefix(".")
        .map(Path::to_path_buf)
        .unwrap_or(relative)
}

/// Length, modification time and status-change time of a file (nanoseconds since 1970, 0
/// where the platform has none): how the caches tell that a file changed. The status-change
/// time moves on every write and cannot be set back by tools that keep modification times
/// (`cp -p`, `rsync -t`, unzip).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct FileStamp {
    pub len: u64,
    pub modified_ns: u128,
    pub changed_ns: u128,
}

impl FileStamp {
    pub fn of(path: &Path) -> Option<FileStamp> {
        std::fs::metadata(path)
            .ok()
            .map(|meta| FileStamp::from(&meta))
    }
}

/// A file time given as seconds and nanoseconds since 1970 (as `stat` has it) in
/// nanoseconds; 0 before 1970, as `modified()` gives it there.
pub fn nanos_since_epoch(seconds: i64, nanos: i64) -> u128 {
    match u128::try_from(seconds) {
        Ok(seconds) => seconds * 1_000_000_000 + u128::try_from(nanos).unwrap_or_default(),
        Err(_) => 0,
    }
}

impl From<&std::fs::Metadata> for FileStamp {
    fn from(meta: &std::fs::Metadata) -> FileStamp {
        let modified_ns = meta
            .modified()
            .ok()
            .and_then(|m| m.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        #[cfg(unix)]
        let changed_ns = {
            use std::os::unix::fs::MetadataExt;
            nanos_since_epoch(meta.ctime(), meta.ctime_nsec())
        };
        #[cfg(not(unix))]
        let changed_ns = 0;
        FileStamp {
            len: meta.len(),
            modified_ns,
            changed_ns,
        }
    }
}

/// Creates `dir` (and its parents) readable by the user alone where the platform allows:
/// the caches hold non-public documents.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// Writes `bytes` to `path` through a temporary file beside it, readable by the user alone,
/// so that a reader sees the old file or the new one, never half of one.
pub fn write_private(path: &Path, bytes: &[u8], tag: &str) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent() {
        create_private_dir(dir)?;
    }
    let temporary = path.with_extension(format!("{tag}-neu-{}", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let result = options
        .open(&temporary)
        .and_then(|mut file| file.write_all(bytes))
        .and_then(|()| std::fs::rename(&temporary, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::discover;

    #[test]
    fn finds_markdown_in_order_with_stamps_and_skips_hidden_files() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path();
        for rel in [
            "b/z.md",
            "a/y/x.md",
            "a.md",
            "a-b.md",
            "a0.md",
            "a/y.md",
            "a/y-1/x.md",
            "ä/x.md",
            "b.md",
            ".versteckt/v.md",
            "b/.w.md",
            "b/bild.png",
        ] {
            let path = root.join(rel);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(&path, "x").expect("write");
        }
        let (files, problems) = discover(root);
        assert!(problems.is_empty(), "{problems:?}");
        let rels: Vec<&str> = files.iter().map(|f| f.rel.as_str()).collect();
        // Byte order of the whole path, though each folder is listed on its own: `-` and
        // `.` sort before a folder's `/`, `0` after it.
        assert_eq!(
            rels,
            [
                "a-b.md",
                "a.md",
                "a/y-1/x.md",
                "a/y.md",
                "a/y/x.md",
                "a0.md",
                "b.md",
                "b/z.md",
                "ä/x.md"
            ]
        );
        assert!(files.iter().all(|f| f.stamp.is_some_and(|s| s.len == 1)));
    }

    #[test]
    fn files_are_shown_relative_to_the_working_directory_when_below_it() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let content = tmp.path().join("inhalt");
        std::fs::create_dir_all(content.join("a")).expect("mkdir");
        std::fs::write(content.join("a/b.md"), "x").expect("write");
        let found_from = |cwd: Option<&std::path::Path>| {
            let walk = super::Walk {
                canonical_root: content.canonicalize().expect("canonical"),
                cwd: cwd.map(std::path::Path::to_path_buf),
            };
            walk.folder(&content, "").files
        };
        let below = found_from(Some(tmp.path()));
        assert_eq!(&*below[0].path, content.join("a/b.md"));
        assert_eq!(&*below[0].display, std::path::Path::new("inhalt/a/b.md"));
        for cwd in [Some(std::path::Path::new("/anderswo")), None] {
            let elsewhere = found_from(cwd);
            assert_eq!(&*elsewhere[0].path, content.join("a/b.md"));
            assert_eq!(elsewhere[0].display, elsewhere[0].path, "{cwd:?}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_symbolic_link_back_to_its_own_folder_is_reported_not_followed_forever() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path();
        std::fs::create_dir_all(root.join("a/b")).expect("mkdir");
        std::fs::write(root.join("a/b/v.md"), "x").expect("write");
        std::os::unix::fs::symlink(root.join("a"), root.join("a/b/zurueck")).expect("symlink");
        std::os::unix::fs::symlink(root.join("a/b"), root.join("auch")).expect("symlink");
        let (files, problems) = discover(root);
        let rels: Vec<&str> = files.iter().map(|f| f.rel.as_str()).collect();
        // A link to a folder elsewhere in the content folder is followed.
        assert_eq!(rels, ["a/b/v.md", "auch/v.md"]);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems.iter().all(|p| p.message.contains("Schleife")));
    }
}
