//! Render: every page through its Tera template, in parallel, straight into the staging
//! folder (no page is held in memory after it is written).

pub mod fingerprint;
pub mod html;
pub mod markdown;
pub mod pages;
pub mod templates;

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;

use rayon::prelude::*;
use tera::{Context, Tera};

use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::index::search::{IndexBuilder, IndexFile, IndexState, PreviousIndex};
use crate::index::{self, RecordIds};
use crate::link::Site;
use crate::model::Kind;
use crate::parse::nr::NrMatcher;
use crate::write::Staging;

pub struct RenderContext<'a> {
    pub site: &'a Site,
    pub config: &'a Config,
    pub matcher: &'a NrMatcher,
    pub staging: &'a Staging,
    pub search: IndexBuilder,
    pub record_ids: RecordIds,
    /// Path of the site root on its host (`/ratsinfo/`), for pages that need absolute links.
    pub base_path: String,
    pub person_by_name: HashMap<String, usize>,
    /// The theme's style sheet and script under content-hashed names.
    pub assets: Vec<templates::Asset>,
    /// Keep pages whose fingerprint is the one they were written with last time, instead
    /// of rendering them (a rebuild whose search index can be patched).
    pub skip_unchanged: bool,
    /// Render the pages that would be kept anyway, and report each that would have
    /// changed (`PORTAL_VERIFY_SKIPPED=1`; the tests build with it).
    pub verify_skipped: bool,
    errors: Mutex<Vec<Diagnostic>>,
}

impl<'a> RenderContext<'a> {
    /// `search` and `record_ids` come from `index::number_records`.
    pub fn new(
        site: &'a Site,
        config: &'a Config,
        matcher: &'a NrMatcher,
        staging: &'a Staging,
        (search, record_ids): (IndexBuilder, RecordIds),
    ) -> Self {
        let base_path = config
            .site_url
            .as_deref()
            .map(url_path)
            .unwrap_or_else(|| "/".to_string());
        let person_by_name = site
            .personen
            .iter()
            .enumerate()
            .map(|(i, p)| (p.name.clone(), i))
            .collect();
        RenderContext {
            site,
            config,
            matcher,
            staging,
            search,
            record_ids,
            base_path,
            person_by_name,
            assets: templates::assets(config.root.as_deref()),
            skip_unchanged: false,
            verify_skipped: std::env::var_os("PORTAL_VERIFY_SKIPPED").is_some_and(|v| v == "1"),
            errors: Mutex::new(Vec::new()),
        }
    }

    /// Adds a record's text to the search index.
    pub fn index_record(&self, id: u32, text: &str) {
        if self.config.search {
            self.search.add(id, text);
        }
    }

    pub fn report_io(&self, file: &Path, e: &std::io::Error) {
        self.push(Diagnostic::error(
            file,
            0,
            format!("Datei nicht lesbar: {e}"),
        ));
    }

    fn push(&self, d: Diagnostic) {
        if let Ok(mut errors) = self.errors.lock() {
            errors.push(d);
        }
    }
}

/// The path part of a URL: `https://example.org/ratsinfo/` → `/ratsinfo/`.
pub fn url_path(url: &str) -> String {
    let after_scheme = url.split_once("://").map(|(_, rest)| rest).unwrap_or(url);
    match after_scheme.find('/') {
        Some(i) => {
            let p = &after_scheme[i..];
            if p.ends_with('/') {
                p.to_string()
            } else {
                format!("{p}/")
            }
        }
        None => "/".to_string(),
    }
}

/// What `render_site` did.
#[derive(Debug, Default)]
pub struct Rendered {
    /// Pages of the site.
    pub pages: usize,
    /// Of those, pages rendered (the others were kept as they were).
    pub rendered: usize,
    /// Files of the site, pages included.
    pub files: usize,
    /// What the next build needs to patch the search index; to be saved once the output is
    /// published (`None` when the site has no search).
    pub index_state: Option<IndexState>,
    /// Why the search index could not be patched, when pages were kept but it had to be
    /// built whole (the kept pages' records were then indexed again).
    pub index_rebuilt: Option<String>,
}

/// Renders and writes every page, the theme's static files, the site's `static/` folder
/// and the original files of Anlagen. A page whose fingerprint is unchanged since the last
/// build is kept instead, when `rc.skip_unchanged` allows it.
///
/// `previous_index` is the search index state of the last build: pages are kept only with
/// it (or without search), because a kept page adds no records to the index.
pub fn render_site(
    rc: &RenderContext,
    tera: &Tera,
    templates_fingerprint: u64,
    previous_index: Option<PreviousIndex>,
    mut phase: impl FnMut(&'static str),
) -> Result<Rendered, Vec<Diagnostic>> {
    let staging = rc.staging;
    // Side by side: each is partly serial, and a rebuild after one edit waits for both.
    let (lists, fingerprints) = rayon::join(
        || pages::Lists::new(rc.site),
        || fingerprint::Fingerprints::new(rc, templates_fingerprint),
    );
    let jobs = lists.jobs(rc.site, rc.config.search);
    let skip = rc.skip_unchanged && (!rc.config.search || previous_index.is_some());
    // Per job: rendered, kept, or failed (reported).
    #[derive(Clone, Copy, PartialEq)]
    enum Done {
        Rendered,
        Kept,
        Failed,
    }
    let done: Vec<Done> = jobs
        .par_iter()
        .map(|job| {
            let path = pages::path(rc.site, job);
            let file = if path.is_empty() || path.ends_with('/') {
                format!("{path}index.html")
            } else {
                path.clone()
            };
            let fingerprint = fingerprints.page(rc, &lists, job);
            if let (true, Some(fingerprint)) = (skip, fingerprint) {
                match staging.keep_derived(&file, fingerprint) {
                    Ok(true) => {
                        if rc.verify_skipped {
                            verify_kept(rc, tera, &lists, job, &path, &file);
                        }
                        return Done::Kept;
                    }
                    Ok(false) => {}
                    Err(e) => {
                        rc.push(Diagnostic::error(
                            staging.target().join(&file),
                            0,
                            format!("Seite nicht lesbar: {e}"),
                        ));
                        return Done::Failed;
                    }
                }
            }
            let Some(html) = render_page(rc, tera, &lists, job, &path, true) else {
                return Done::Failed;
            };
            let written = match fingerprint {
                Some(fingerprint) => staging.write_with_input(&file, html.as_bytes(), fingerprint),
                None => staging.write(&file, html.as_bytes()),
            };
            match written {
                Ok(()) => Done::Rendered,
                Err(e) => {
                    rc.push(Diagnostic::error(
                        staging.target().join(&file),
                        0,
                        format!("Schreiben fehlgeschlagen: {e}"),
                    ));
                    Done::Failed
                }
            }
        })
        .collect();
    let rendered = done.iter().filter(|d| **d == Done::Rendered).count();
    phase("render");
    let patch = previous_index.filter(|_| done.contains(&Done::Kept));
    let (index, index_rebuilt) = match write_search_index(rc, patch) {
        Ok(index) => (index, None),
        Err(reason) => {
            // The kept pages' records are indexed again (their contexts, not their HTML),
            // and the index is built whole.
            jobs.par_iter()
                .zip(&done)
                .filter(|(_, done)| **done == Done::Kept)
                .for_each(|(job, _)| {
                    let path = pages::path(rc.site, job);
                    let _ = pages::context(rc, &lists, job, &path, true);
                });
            match write_search_index(rc, None) {
                Ok(index) => (index, Some(reason)),
                Err(e) => {
                    rc.push(Diagnostic::error(
                        rc.staging.target().join("suche"),
                        0,
                        format!("Suchindex nicht geschrieben: {e}"),
                    ));
                    (IndexWritten::default(), Some(reason))
                }
            }
        }
    };
    let mut files = jobs.len() + index.files;
    phase("index");
    files += copy_static(rc, staging);
    files += copy_dateien(rc, staging);
    phase("assets");
    let errors = rc
        .errors
        .lock()
        .map(|mut e| std::mem::take(&mut *e))
        .unwrap_or_default();
    if errors.is_empty() {
        Ok(Rendered {
            pages: jobs.len(),
            rendered,
            files,
            index_state: index.state,
            index_rebuilt,
        })
    } else {
        Err(errors)
    }
}

/// The HTML of one page; `None` (with the problem reported) when its template fails.
/// `index` adds the page's records to the search index.
fn render_page(
    rc: &RenderContext,
    tera: &Tera,
    lists: &pages::Lists,
    job: &pages::Job,
    path: &str,
    index: bool,
) -> Option<String> {
    let (template, value) = pages::context(rc, lists, job, path, index);
    let context = match Context::from_value(value) {
        Ok(c) => c,
        Err(e) => {
            rc.push(Diagnostic::error(
                template,
                0,
                format!("Kontext ungültig: {e}"),
            ));
            return None;
        }
    };
    match tera.render(template, &context) {
        Ok(html) => Some(html),
        Err(e) => {
            rc.push(
                Diagnostic::error(
                    Path::new("templates").join(template),
                    0,
                    format!("Seite {path} lässt sich nicht erzeugen: {}", templates::error_chain(&e)),
                )
                .with_hint("Prüfen Sie das Template; Variablen stehen in der Dokumentation (docs/templates.md)."),
            );
            None
        }
    }
}

/// Renders a page that was kept because its fingerprint did not change, and reports it when
/// its bytes would differ from the file kept: the fingerprint missed one of its inputs.
fn verify_kept(
    rc: &RenderContext,
    tera: &Tera,
    lists: &pages::Lists,
    job: &pages::Job,
    path: &str,
    file: &str,
) {
    let Some(html) = render_page(rc, tera, lists, job, path, false) else {
        return;
    };
    let on_disk = std::fs::read(rc.staging.target().join(file)).unwrap_or_default();
    if on_disk != html.as_bytes() {
        rc.push(Diagnostic::error(
            rc.staging.target().join(file),
            0,
            "Seite wurde als unverändert übersprungen, hätte sich aber geändert: ihr Fingerabdruck übersieht eine Eingabe (Fehler in portal, src/render/fingerprint.rs).",
        ));
    }
}

/// What `write_search_index` did.
#[derive(Debug, Default)]
pub struct IndexWritten {
    /// Files of the search index and the Vorlage-Nr lookup (written or kept).
    pub files: usize,
    /// What the next build needs to patch the index: save it (`IndexState::save`) once the
    /// output is published. None when the site has no search (then remove the old state).
    pub state: Option<IndexState>,
    /// Whether the index was patched rather than built whole.
    pub patched: bool,
}

/// Writes the search index and the Vorlage-Nr lookup. With `previous` (the state of the
/// last build, for a build that skipped pages and so added only some records) the index is
/// patched: only the files the added records touch are made again, the others kept. Pass
/// `None` when every page was rendered.
///
/// `Err(reason)`: the patch was refused and nothing of the index was registered with the
/// staging; add the records not added yet (`IndexBuilder::is_added`) and call again with
/// `None`.
pub fn write_search_index(
    rc: &RenderContext,
    previous: Option<PreviousIndex>,
) -> Result<IndexWritten, String> {
    if !rc.config.search {
        return Ok(IndexWritten {
            files: 0,
            state: None,
            patched: false,
        });
    }
    // The Vorlage-Nr lookup is made beside the index: a patch is partly serial, and a
    // rebuild after one edit waits for both.
    let (index, lookup) = rayon::join(
        || -> Result<_, String> {
            match previous {
                // Every record added: building it whole is cheaper than patching everything.
                Some(previous) if !rc.search.all_added() => {
                    let (files, kept, state) = rc.search.finish_patched(previous, rc.staging)?;
                    Ok((files, kept, state, true))
                }
                _ => {
                    let (files, state) = rc.search.finish();
                    Ok((files, Vec::new(), state, false))
                }
            }
        },
        || {
            index::nr::lookup_files(rc.site)
                .into_par_iter()
                .map(|(key, entries)| IndexFile {
                    path: format!("suche/nr/{key}.bin"),
                    raw: serde_json::to_vec(&entries).unwrap_or_default(),
                    level: 9,
                })
                .collect::<Vec<_>>()
        },
    );
    let (mut files, kept, state, patched) = index?;
    files.extend(lookup);
    // Checked by `finish_patched` a moment ago; a file changed since cannot be made again.
    kept.par_iter()
        .for_each(|path| match rc.staging.keep(path) {
            Ok(true) => {}
            Ok(false) => rc.push(Diagnostic::error(
                rc.staging.target().join(path),
                0,
                "Datei des Suchindex wurde während des Laufs geändert; bitte erneut bauen.",
            )),
            Err(e) => rc.push(Diagnostic::error(
                rc.staging.target().join(path),
                0,
                format!("Datei des Suchindex nicht lesbar: {e}"),
            )),
        });
    let count = files.len() + kept.len();
    // One task per file: after a patch, the few files to compress again sit together among
    // thousands of unchanged lookup files, and rayon's default split left them all to one
    // thread (0.2 s of gzip alone after an edit that re-weighted 140 chunks).
    files.par_iter().with_max_len(1).for_each(|file| {
        let written = rc.staging.write_derived(&file.path, &file.raw, |raw| {
            IndexFile::compress(raw, file.level)
        });
        if let Err(e) = written {
            rc.push(Diagnostic::error(
                rc.staging.target().join(&file.path),
                0,
                format!("Schreiben fehlgeschlagen: {e}"),
            ));
        }
    });
    Ok(IndexWritten {
        files: count,
        state: Some(state),
        patched,
    })
}

fn copy_static(rc: &RenderContext, staging: &Staging) -> usize {
    let mut count = 0;
    for asset in &rc.assets {
        match staging.write(&asset.path, &asset.bytes) {
            Ok(()) => count += 1,
            Err(e) => rc.push(Diagnostic::error(
                &asset.path,
                0,
                format!("Schreiben fehlgeschlagen: {e}"),
            )),
        }
    }
    let Some(root) = &rc.config.root else {
        return count;
    };
    let dir = root.join("static");
    if !dir.is_dir() {
        return count;
    }
    let canonical = dir.canonicalize().unwrap_or_else(|_| dir.clone());
    for entry in walkdir::WalkDir::new(&dir)
        .follow_links(true)
        .sort_by_file_name()
    {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                rc.push(Diagnostic::error(
                    &dir,
                    0,
                    format!("static/ nicht lesbar: {e}"),
                ));
                continue;
            }
        };
        if !entry.file_type().is_file() {
            continue;
        }
        let inside = entry
            .path()
            .canonicalize()
            .map(|p| p.starts_with(&canonical))
            .unwrap_or(false);
        if !inside {
            rc.push(
                Diagnostic::error(
                    entry.path(),
                    0,
                    "Symbolischer Link zeigt aus static/ hinaus.",
                )
                .with_hint("Kopieren Sie die Datei nach static/ oder entfernen Sie den Link."),
            );
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(&dir)
            .unwrap_or(entry.path())
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        match staging.copy(entry.path(), &format!("static/{rel}")) {
            Ok(()) => count += 1,
            Err(e) => rc.push(Diagnostic::error(
                entry.path(),
                0,
                format!("Kopieren fehlgeschlagen: {e}"),
            )),
        }
    }
    count
}

fn copy_dateien(rc: &RenderContext, staging: &Staging) -> usize {
    let mut count = 0;
    for a in &rc.site.anlagen {
        let doc = &rc.site.documents[a.doc];
        let Kind::Anlage(anlage) = &doc.kind else {
            continue;
        };
        let Some(datei) = &anlage.datei else { continue };
        let name = datei.rsplit('/').next().unwrap_or(datei);
        match staging.copy(
            &rc.config.content_dir.join(datei),
            &format!("anlagen/{}/{name}", a.slug),
        ) {
            Ok(()) => count += 1,
            Err(e) => rc.push(Diagnostic::error(
                &*doc.source.display,
                0,
                format!("`datei` {datei} kann nicht kopiert werden: {e}"),
            )),
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::url_path;

    #[test]
    fn url_paths() {
        assert_eq!(url_path("https://example.org/ratsinfo/"), "/ratsinfo/");
        assert_eq!(url_path("https://example.org/ratsinfo"), "/ratsinfo/");
        assert_eq!(url_path("https://example.org"), "/");
    }
}
