//! Load: find the corpus's Markdown files and read them.
//!
//! This layer knows nothing about the format: it lists `*.md` files in a stable order,
//! refuses paths that leave the content folder, and hands out their text as UTF-8.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::diagnostics::Diagnostic;

/// A Markdown file of the corpus, not yet read.
#[derive(Debug, Clone)]
pub struct SourcePath {
    /// Absolute (or as given) path for reading.
    pub path: PathBuf,
    /// Path relative to the content folder, with `/` separators: stable across machines.
    pub rel: String,
    /// Path for messages: relative to the working directory where possible.
    pub display: PathBuf,
    /// Length and times when the folder was listed; `None` if the file could not be stat'ed.
    pub stamp: Option<FileStamp>,
}

/// Lists every `*.md` file below `content_dir`, sorted by relative path. Hidden files and
/// folders (names starting with `.`) are skipped. Symbolic links are followed only while they
/// stay inside the content folder.
pub fn discover(content_dir: &Path) -> (Vec<SourcePath>, Vec<Diagnostic>) {
    let mut files = Vec::new();
    let mut diagnostics = Vec::new();
    if !content_dir.is_dir() {
        diagnostics.push(
            Diagnostic::error(content_dir, 0, "Der Inhaltsordner existiert nicht.").with_hint(
                "Legen Sie ihn an oder geben Sie ihn mit `--content ORDNER` bzw. `src` in book.toml an.",
            ),
        );
        return (files, diagnostics);
    }
    let canonical_root = match content_dir.canonicalize() {
        Ok(p) => p,
        Err(e) => {
            diagnostics.push(Diagnostic::error(
                content_dir,
                0,
                format!("Inhaltsordner nicht lesbar: {e}"),
            ));
            return (files, diagnostics);
        }
    };
    // No sorting while walking: the list is sorted once at the end, by relative path.
    let walker = WalkDir::new(content_dir)
        .follow_links(true)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    let cwd = std::env::current_dir().ok();
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                let path = e.path().map(Path::to_path_buf).unwrap_or_default();
                diagnostics.push(Diagnostic::error(
                    path,
                    0,
                    format!("Datei oder Ordner nicht lesbar: {e}"),
                ));
                continue;
            }
        };
        if entry.path_is_symlink() {
            let inside = entry
                .path()
                .canonicalize()
                .map(|target| target.starts_with(&canonical_root))
                .unwrap_or(false);
            if !inside {
                diagnostics.push(
                    Diagnostic::error(
                        entry.path(),
                        0,
                        "Symbolischer Link zeigt aus dem Inhaltsordner hinaus.",
                    )
                    .with_hint(
                        "Kopieren Sie die Datei in den Inhaltsordner oder entfernen Sie den Link.",
                    ),
                );
                continue;
            }
        }
        if !entry.file_type().is_file() {
            continue;
        }
        if entry.path().extension().and_then(|e| e.to_str()) != Some("md") {
            continue;
        }
        let below = entry
            .path()
            .strip_prefix(content_dir)
            .unwrap_or(entry.path());
        let rel = match below.to_str() {
            Some(rel) if std::path::MAIN_SEPARATOR == '/' => rel.to_string(),
            _ => below
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/"),
        };
        files.push(SourcePath {
            display: display_path_from(entry.path(), cwd.as_deref()),
            path: entry.into_path(),
            rel,
            stamp: None,
        });
    }
    files.sort_by(|a, b| a.rel.cmp(&b.rel));
    stamp_by_folder(&mut files);
    (files, diagnostics)
}

/// Stamps every file through a listing of its folder: `DirEntry::metadata` asks relative
/// to the open folder, where a stat of the whole path walks every folder above it again
/// (at 130,000 files that was three times the CPU time). Symbolic links are followed.
fn stamp_by_folder(files: &mut [SourcePath]) {
    use rayon::prelude::*;
    use std::collections::HashMap;
    use std::ffi::OsString;
    let mut by_folder: HashMap<&Path, Vec<usize>> = HashMap::new();
    for (i, file) in files.iter().enumerate() {
        if let Some(folder) = file.path.parent() {
            by_folder.entry(folder).or_default().push(i);
        }
    }
    let stamps: Vec<(usize, FileStamp)> = by_folder
        .into_par_iter()
        .flat_map_iter(|(folder, wanted)| {
            let names: HashMap<OsString, usize> = wanted
                .iter()
                .filter_map(|i| Some((files[*i].path.file_name()?.to_os_string(), *i)))
                .collect();
            let listed = std::fs::read_dir(folder).into_iter().flatten().flatten();
            listed
                .filter_map(|entry| {
                    let i = *names.get(&entry.file_name())?;
                    let symlink = entry.file_type().ok()?.is_symlink();
                    let meta = if symlink {
                        std::fs::metadata(entry.path()).ok()?
                    } else {
                        entry.metadata().ok()?
                    };
                    Some((i, FileStamp::from(&meta)))
                })
                .collect::<Vec<_>>()
        })
        .collect();
    for (i, stamp) in stamps {
        files[i].stamp = Some(stamp);
    }
}

/// Reads a file as UTF-8 text; a file that is not UTF-8 is an error naming the first bad line.
pub fn read_text(source: &SourcePath) -> Result<String, Diagnostic> {
    let bytes = std::fs::read(&source.path)
        .map_err(|e| Diagnostic::error(&source.display, 0, format!("Datei nicht lesbar: {e}")))?;
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        let line = bytes[..valid].iter().filter(|b| **b == b'\n').count() + 1;
        Diagnostic::error(
            &source.display,
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
            u128::try_from(meta.ctime()).unwrap_or_default() * 1_000_000_000
                + u128::try_from(meta.ctime_nsec()).unwrap_or_default()
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
