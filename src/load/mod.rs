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
    let walker = WalkDir::new(content_dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
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
        let rel = entry
            .path()
            .strip_prefix(content_dir)
            .unwrap_or(entry.path())
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        files.push(SourcePath {
            path: entry.path().to_path_buf(),
            display: display_path(entry.path()),
            rel,
        });
    }
    files.sort_by(|a, b| a.rel.cmp(&b.rel));
    (files, diagnostics)
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
    let relative = std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(&cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf());
    relative
        .strip_prefix(".")
        .map(Path::to_path_buf)
        .unwrap_or(relative)
}

/// A file's modification time in nanoseconds since 1970 (0 where the platform has none):
/// with its length, how caches tell that a file changed.
pub fn modified_ns(meta: &std::fs::Metadata) -> u128 {
    meta.modified()
        .ok()
        .and_then(|m| m.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_nanos())
        .unwrap_or_default()
}
