//! portal: a static-site generator for public council information portals.
//!
//! The pipeline is one module per phase: `load` → `parse` → `link` → `render` → `write`.
//! Each phase returns its result together with the problems it found; only the CLI decides
//! what they mean for the exit code.

pub mod config;
pub mod diagnostics;
pub mod index;
pub mod link;
pub mod load;
pub mod model;
pub mod order;
pub mod parse;
pub mod render;
pub mod serve;
pub mod write;

use std::time::{Duration, Instant};

use config::Config;
use diagnostics::Diagnostic;

#[derive(Debug, Clone, Copy, Default)]
pub struct BuildOptions {
    /// Warnings count as errors.
    pub strict: bool,
    /// `false` for `portal check`: validate only.
    pub write: bool,
    /// The process ends after this build (`portal build`, `portal check`): the documents and
    /// the linked site are left to the operating system instead of being freed piece by
    /// piece, which took a fifth of a second at 130,000 documents. `portal serve` builds
    /// again and again, and frees.
    pub exit_after: bool,
}

#[derive(Debug, Default)]
pub struct BuildReport {
    /// Markdown files found.
    pub sources: usize,
    /// Documents that passed validation.
    pub documents: usize,
    /// Files whose parse result came from the parse cache.
    pub reused: usize,
    pub pages: usize,
    /// Pages rendered; the others were kept because their inputs did not change.
    pub rendered: usize,
    /// Why the search index was built whole although pages were kept (its state from the
    /// last build did not fit).
    pub index_rebuilt: Option<String>,
    pub files: usize,
    pub diagnostics: Vec<Diagnostic>,
    pub phases: Vec<(&'static str, Duration)>,
    pub elapsed: Duration,
    /// Whether the output folder was replaced.
    pub published: bool,
    /// Files that were new or changed, and files removed, when publishing.
    pub written: usize,
    pub removed: usize,
}

impl BuildReport {
    pub fn errors(&self) -> usize {
        diagnostics::count_errors(&self.diagnostics)
    }

    pub fn warnings(&self) -> usize {
        self.diagnostics.len() - self.errors()
    }
}

/// Runs the pipeline. Nothing is written unless every phase succeeded; the previous output
/// stays untouched otherwise.
pub fn build(config: &Config, options: BuildOptions) -> BuildReport {
    let started = Instant::now();
    let mut report = BuildReport::default();
    let lap = std::cell::Cell::new(Instant::now());
    let phase = |report: &mut BuildReport, name: &'static str| {
        report.phases.push((name, lap.get().elapsed()));
        lap.set(Instant::now());
    };
    let finish = |mut report: BuildReport| {
        diagnostics::sort(&mut report.diagnostics);
        if options.strict {
            for d in &mut report.diagnostics {
                d.severity = diagnostics::Severity::Error;
            }
        }
        report.elapsed = started.elapsed();
        report
    };

    let matcher = match parse::nr::NrMatcher::new(&config.links) {
        Ok(m) => m,
        Err(message) => {
            let file = config
                .book_toml
                .clone()
                .unwrap_or_else(|| "book.toml".into());
            report
                .diagnostics
                .push(Diagnostic::error(file, 0, message).with_hint(
                    "Die Muster folgen der Syntax des Rust-Crates `regex` (ohne Look-around).",
                ));
            return finish(report);
        }
    };
    let tera = match render::templates::load(config.root.as_deref()) {
        Ok(t) => t,
        Err(d) => {
            report.diagnostics.push(d);
            return finish(report);
        }
    };

    let content_root = config
        .content_dir
        .canonicalize()
        .unwrap_or_else(|_| config.content_dir.clone());
    // The manifest of the files the last build wrote, beside the parse cache; read, and
    // its files checked, on another thread while this one loads, parses and links (the
    // link phase keeps mostly one core busy).
    let manifest = parse::cache::location(&content_root, &config.out_dir)
        .map(|path| path.with_extension("dateien"));
    // Held until the build ends, and taken before the manifest is read: another build may
    // be publishing. On a file system without locks, builds run unguarded, as before.
    let output_lock = options
        .write
        .then(|| parse::cache::folder().map(|f| write::lock_output(&f, &config.out_dir)))
        .flatten();
    let busy = matches!(output_lock, Some(Err(write::LockError::Busy)));
    // Idle priority: load and parse keep both cores busy, the link phase mostly one, and
    // this thread's half second of `statx` calls should fill the gaps, not slow the
    // phases down (docs/performance.md).
    let previous_files = (options.write && !busy).then(|| {
        let (path, target) = (manifest.clone(), config.out_dir.clone());
        std::thread::spawn(move || {
            run_only_when_a_core_is_idle();
            write::PreviousFiles::load_checked(path.as_deref(), &target)
        })
    });
    report.diagnostics.extend(legal_pages_warnings(config));
    let (sources, mut found) = load::discover(&config.content_dir);
    report.diagnostics.append(&mut found);
    report.sources = sources.len();
    phase(&mut report, "load");

    let ctx = parse::ParseContext {
        matcher,
        content_root,
    };
    let mut cache = parse::ParseCache::open(
        &ctx.content_root,
        &config.out_dir,
        parse::cache::key(&config.links, &ctx.content_root, &config.content_dir),
    );
    let cached = cache.take_for(&sources);
    let parsed = parse::parse_all(&sources, &ctx, cached);
    report.reused = parsed.reused;
    // Saved even when a later phase fails: what was parsed stays true. Only the shards
    // whose entries changed are written.
    if let Err(e) = cache.save(&parsed) {
        report.diagnostics.push(Diagnostic::warning(
            cache.path().unwrap_or(&config.out_dir),
            0,
            format!("Zwischenspeicher nicht geschrieben (der nächste Lauf liest alles neu): {e}"),
        ));
    }
    drop(cache);
    let (documents, mut found) = parsed.into_documents();
    report.diagnostics.append(&mut found);
    report.documents = documents.len();
    phase(&mut report, "parse");

    let (site, mut found) = link::link(documents, &ctx.matcher);
    report.diagnostics.append(&mut found);
    phase(&mut report, "link");

    let blocked = report.errors() > 0 || (options.strict && !report.diagnostics.is_empty());
    if blocked || !options.write {
        release((site, sources), options.exit_after);
        return finish(report);
    }

    if busy {
        report.diagnostics.push(
            Diagnostic::error(
                &config.out_dir,
                0,
                "Ein anderer Lauf von portal schreibt gerade in diesen Ausgabeordner; dieser Lauf hat nichts geschrieben.",
            )
            .with_hint("Warten Sie, bis der andere Lauf (etwa `portal serve`) fertig ist, und starten Sie dann neu."),
        );
        return finish(report);
    }
    // Before waiting for the check of the last build's files: numbering the records leaves
    // a core idle now and then, which that check fills.
    let numbered = index::number_records(&site);
    let staging = match write::Staging::create(
        &config.out_dir,
        previous_files
            .and_then(|t| t.join().ok())
            .unwrap_or_default(),
    ) {
        Ok(s) => s,
        Err(e) => {
            report.diagnostics.push(Diagnostic::error(
                &config.out_dir,
                0,
                format!("Ausgabeordner kann nicht angelegt werden: {e}"),
            ));
            return finish(report);
        }
    };
    // The search index's state, for patching it in the next build; beside the manifest,
    // and like it trusted only while the output is what the last build published.
    let index_state = manifest.as_ref().map(|path| path.with_extension("suche"));
    let mut rc = render::RenderContext::new(&site, config, &ctx.matcher, &staging, numbered);
    rc.skip_unchanged = staging.has_previous();
    let previous_index = index_state
        .as_deref()
        .filter(|_| config.search && staging.has_previous())
        .and_then(|path| index::search::PreviousIndex::load(path, &rc.search));
    let mut render_phases: Vec<(&'static str, std::time::Duration)> = Vec::new();
    let templates = render::templates::fingerprint(config.root.as_deref());
    let rendered = render::render_site(&rc, &tera, templates, previous_index, |name| {
        render_phases.push((name, lap.get().elapsed()));
        lap.set(Instant::now());
    });
    report.phases.extend(render_phases);
    let next_index = match rendered {
        Ok(rendered) => {
            report.pages = rendered.pages;
            report.rendered = rendered.rendered;
            report.files = rendered.files;
            report.index_rebuilt = rendered.index_rebuilt;
            rendered.index_state
        }
        Err(mut errors) => {
            report.diagnostics.append(&mut errors);
            return finish(report);
        }
    };
    release(rc, options.exit_after);
    // Gone while the output changes: if this build dies halfway, the next one must not
    // trust the old manifest.
    if let Some(path) = &manifest {
        match std::fs::remove_file(path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                report.diagnostics.push(
                    Diagnostic::error(
                        path,
                        0,
                        format!("Dateiliste des letzten Laufs lässt sich nicht entfernen, die Ausgabe bleibt unverändert: {e}"),
                    )
                    .with_hint("Prüfen Sie die Rechte am Zwischenspeicher-Ordner oder löschen Sie die Datei von Hand."),
                );
                return finish(report);
            }
            _ => {}
        }
    }
    if let Some(path) = &index_state {
        if let Err(e) = index::search::IndexState::remove(path) {
            report.diagnostics.push(
                Diagnostic::error(
                    path,
                    0,
                    format!("Stand des Suchindex lässt sich nicht entfernen, die Ausgabe bleibt unverändert: {e}"),
                )
                .with_hint("Prüfen Sie die Rechte am Zwischenspeicher-Ordner oder löschen Sie die Datei von Hand."),
            );
            return finish(report);
        }
    }
    match staging.publish() {
        Ok((published, files)) => {
            report.published = true;
            report.written = published.written;
            report.removed = published.removed;
            if let (Some(state), Some(path)) = (&next_index, &index_state) {
                if let Err(e) = state.save(path) {
                    report.diagnostics.push(Diagnostic::warning(
                        path,
                        0,
                        format!("Stand des Suchindex nicht gespeichert (der nächste Lauf erzeugt alle Seiten neu): {e}"),
                    ));
                }
            }
            if let Err(e) = files.save(manifest.as_deref()) {
                report.diagnostics.push(Diagnostic::warning(
                    manifest.as_deref().unwrap_or(&config.out_dir),
                    0,
                    format!(
                        "Dateiliste nicht gespeichert (der nächste Lauf schreibt alles neu): {e}"
                    ),
                ));
            }
        }
        Err(e) => report.diagnostics.push(Diagnostic::error(
            &config.out_dir,
            0,
            format!("Ausgabe kann nicht veröffentlicht werden: {e}"),
        )),
    }
    phase(&mut report, "publish");
    release((site, sources), options.exit_after);
    finish(report)
}

/// Lowers the calling thread to the idle scheduling class (Linux: `SCHED_IDLE`): it runs
/// only on a core that nothing else wants. Elsewhere, or when refused, it runs as before.
fn run_only_when_a_core_is_idle() {
    #[cfg(target_os = "linux")]
    {
        let param = libc::sched_param { sched_priority: 0 };
        // SAFETY: pid 0 is the calling thread; `param` outlives the call. A refusal
        // (a sandbox, say) only leaves the priority as it was.
        unsafe { libc::sched_setscheduler(0, libc::SCHED_IDLE, &param) };
    }
}

/// Frees `value` now, or leaves it to the operating system when the process ends right
/// after this build (see `BuildOptions::exit_after`).
fn release<T>(value: T, exit_after: bool) {
    if exit_after {
        std::mem::forget(value);
    } else {
        drop(value);
    }
}

/// Public bodies must publish an Impressum and an Erklärung zur Barrierefreiheit with a
/// feedback contact (BITV 2.0 § 7); the pages are built either way, but say what is missing.
fn legal_pages_warnings(config: &Config) -> Vec<Diagnostic> {
    let file = config
        .book_toml
        .as_deref()
        .map(load::display_path)
        .unwrap_or_else(|| "book.toml".into());
    let mut warnings = Vec::new();
    if config
        .impressum
        .as_ref()
        .and_then(|i| i.herausgeber.as_ref())
        .is_none()
    {
        warnings.push(
            Diagnostic::warning(&file, 0, "Das Impressum ist unvollständig: `[impressum] herausgeber` fehlt.")
                .with_hint("Ergänzen Sie in book.toml einen Abschnitt [impressum] mit herausgeber, anschrift, email und verantwortlich (siehe README)."),
        );
    }
    let contact = config
        .barrierefreiheit
        .as_ref()
        .is_some_and(|b| b.kontakt_email.is_some() || b.kontakt_telefon.is_some());
    if !contact {
        warnings.push(
            Diagnostic::warning(&file, 0, "Die Erklärung zur Barrierefreiheit hat keinen Kontakt für Rückmeldungen (BITV 2.0 § 7).")
                .with_hint("Ergänzen Sie in book.toml [barrierefreiheit] kontakt-email (und stand, status, barrieren)."),
        );
    }
    warnings
}
