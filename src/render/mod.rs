//! Render: every page through its Tera template, in parallel, straight into the staging
//! folder (no page is held in memory after it is written).

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
use crate::index::search::{IndexBuilder, IndexFile};
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
    errors: Mutex<Vec<Diagnostic>>,
}

impl<'a> RenderContext<'a> {
    pub fn new(
        site: &'a Site,
        config: &'a Config,
        matcher: &'a NrMatcher,
        staging: &'a Staging,
    ) -> Self {
        let (records, slots) = index::records(site);
        let (search, ids) = IndexBuilder::new(records);
        let record_ids = RecordIds::new(site, &slots, &ids);
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

/// Renders and writes every page, the theme's static files, the site's `static/` folder
/// and the original files of Anlagen. Returns the number of pages and of all files written.
pub fn render_site(
    rc: &RenderContext,
    tera: &Tera,
    mut phase: impl FnMut(&'static str),
) -> Result<(usize, usize), Vec<Diagnostic>> {
    let staging = rc.staging;
    let lists = pages::Lists::new(rc.site);
    let jobs = lists.jobs(rc.site, rc.config.search);
    let written: usize = jobs
        .par_iter()
        .map(|job| {
            let path = pages::path(rc.site, job);
            let (template, value) = pages::context(rc, &lists, job, &path);
            let context = match Context::from_value(value) {
                Ok(c) => c,
                Err(e) => {
                    rc.push(Diagnostic::error(template, 0, format!("Kontext ungültig: {e}")));
                    return 0;
                }
            };
            match tera.render(template, &context) {
                Ok(html) => {
                    let file = if path.is_empty() || path.ends_with('/') {
                        format!("{path}index.html")
                    } else {
                        path.clone()
                    };
                    match staging.write(&file, html.as_bytes()) {
                        Ok(()) => 1,
                        Err(e) => {
                            rc.push(Diagnostic::error(staging.target().join(&file), 0, format!("Schreiben fehlgeschlagen: {e}")));
                            0
                        }
                    }
                }
                Err(e) => {
                    rc.push(
                        Diagnostic::error(
                            Path::new("templates").join(template),
                            0,
                            format!("Seite {path} lässt sich nicht erzeugen: {}", templates::error_chain(&e)),
                        )
                        .with_hint("Prüfen Sie das Template; Variablen stehen in der Dokumentation (docs/templates.md)."),
                    );
                    0
                }
            }
        })
        .sum();
    phase("render");
    let mut files = written + write_index(rc);
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
        Ok((written, files))
    } else {
        Err(errors)
    }
}

/// The dictionary chunks, the entry file and the Vorlage-Nr lookup, compressed only
/// where their bytes changed since the last build.
fn write_index(rc: &RenderContext) -> usize {
    if !rc.config.search {
        return 0;
    }
    let mut files = rc.search.finish();
    for (key, entries) in index::nr::lookup_files(rc.site) {
        files.push(IndexFile {
            path: format!("suche/nr/{key}.bin"),
            raw: serde_json::to_vec(&entries).unwrap_or_default(),
            level: 9,
        });
    }
    let count = files.len();
    files.par_iter().for_each(|file| {
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
    count
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
                &doc.source.display,
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
