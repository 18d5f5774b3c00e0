//! The `portal` command line: turns arguments into a validated configuration once, runs the
//! pipeline, prints the problems for a clerk and decides the exit code.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use portal::config::{Config, Overrides};
use portal::diagnostics::Diagnostic;
use portal::{build, BuildOptions, BuildReport};

/// mimalloc instead of glibc's malloc: rendering allocates many small strings on every
/// thread, and glibc's arenas spent a sixth of the build in malloc/free (docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc 2 and 3 (`mimalloc.h`, `mi_option_e`).
const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;

extern "C" {
    /// Part of mimalloc's public C API, linked in by the `mimalloc` crate.
    fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
}

/// A one-shot build keeps the memory it freed instead of handing it back to the OS after
/// mimalloc's delay (a second in mimalloc 3): a build frees and allocates again all the
/// time (the parse cache's buffers, the manifest's map, the index state), and every page
/// handed back was zeroed by the kernel when touched again — about 0.3 s of CPU time in a
/// rebuild at 6,000 Sitzungen (docs/performance.md). `portal serve` keeps the default: it
/// idles between builds and should not hold a build's peak.
fn keep_freed_memory() {
    // SAFETY: `mi_option_set` only stores the value; mimalloc reads it at its next purge.
    unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, -1) }
}

#[derive(Parser)]
#[command(
    name = "portal",
    version,
    about = "Baut ein statisches Ratsinformationsportal aus Markdown-Dateien mit YAML-Kopf.",
    long_about = "Baut ein statisches Ratsinformationsportal (Vorlagen, Niederschriften, Anlagen) aus Markdown-Dateien mit YAML-Kopf. Die Einstellungen stehen in book.toml im Site-Ordner."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Baut die Website (Standard: den Site-Ordner im aktuellen Verzeichnis).
    Build(BuildArgs),
    /// Prüft alle Dokumente und meldet Fehler, ohne etwas zu schreiben.
    Check(SiteArgs),
    /// Baut die Website, zeigt sie unter http://127.0.0.1:PORT/ und baut bei jeder Änderung neu.
    Serve(ServeArgs),
}

#[derive(Args)]
struct ServeArgs {
    #[command(flatten)]
    build: BuildArgs,
    /// Port auf 127.0.0.1.
    #[arg(long, default_value_t = 3000)]
    port: u16,
    /// Die Vorschau im Browser öffnen.
    #[arg(long)]
    open: bool,
}

#[derive(Args)]
struct SiteArgs {
    /// Site-Ordner mit book.toml, templates/ und static/ (Standard: aktuelles Verzeichnis;
    /// mit --content: der Ordner über DIR, wenn er eine book.toml hat).
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
    /// Inhaltsordner mit den Markdown-Dateien (Standard: `src` aus book.toml, sonst content/).
    #[arg(long, value_name = "DIR")]
    content: Option<PathBuf>,
    /// Warnungen als Fehler behandeln.
    #[arg(long)]
    strict: bool,
    /// Die Dauer jeder Phase ausgeben (load, parse, link, render, index, publish).
    #[arg(long)]
    timings: bool,
}

#[derive(Args)]
struct BuildArgs {
    #[command(flatten)]
    site: SiteArgs,
    /// Ausgabeordner (Standard: `build-dir` aus book.toml, sonst site/).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build(args) => {
            keep_freed_memory();
            run(&args.site, args.out, true)
        }
        Command::Check(args) => {
            keep_freed_memory();
            run(&args, None, false)
        }
        Command::Serve(args) => serve(&args),
    }
}

fn serve(args: &ServeArgs) -> ExitCode {
    let config = match load_config(&args.build.site, args.build.out.clone()) {
        Ok(c) => c,
        Err(d) => {
            eprintln!("{d}");
            return ExitCode::from(1);
        }
    };
    let options = BuildOptions {
        strict: args.build.site.strict,
        write: true,
        exit_after: false,
    };
    let report = build(&config, options);
    print_report(&report, &config, true);
    let listener = match std::net::TcpListener::bind(("127.0.0.1", args.port)) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("Fehler: Port {} ist nicht frei ({e}).\n  Hinweis: Wählen Sie einen anderen mit `--port 3001`.", args.port);
            return ExitCode::from(1);
        }
    };
    let base = config
        .site_url
        .as_deref()
        .map(portal::render::url_path)
        .unwrap_or_else(|| "/".to_string());
    let url = format!("http://127.0.0.1:{}{base}", args.port);
    eprintln!("Vorschau: {url}  (Änderungen werden automatisch übernommen; beenden mit Strg+C)");
    let dir = config.out_dir.clone();
    std::thread::spawn(move || portal::serve::serve(listener, dir, base));
    if args.open {
        let opener = if cfg!(target_os = "macos") {
            "open"
        } else {
            "xdg-open"
        };
        if std::process::Command::new(opener)
            .arg(&url)
            .spawn()
            .is_err()
        {
            eprintln!("Hinweis: Kein Browser gefunden; öffnen Sie {url} selbst.");
        }
    }
    let mut watched: Vec<PathBuf> = vec![config.content_dir.clone()];
    if let Some(root) = &config.root {
        watched.extend([
            root.join("templates"),
            root.join("static"),
            root.join("book.toml"),
        ]);
    }
    let mut last = portal::serve::fingerprint(&watched);
    loop {
        std::thread::sleep(std::time::Duration::from_millis(700));
        let now = portal::serve::fingerprint(&watched);
        if now != last {
            last = now;
            let config =
                load_config(&args.build.site, args.build.out.clone()).unwrap_or_else(|d| {
                    eprintln!("{d}");
                    config.clone()
                });
            let report = build(&config, options);
            print_report(&report, &config, true);
        }
    }
}

fn print_report(report: &BuildReport, config: &Config, write: bool) {
    for d in &report.diagnostics {
        eprintln!("{d}");
    }
    eprintln!("{}", summary(report, config, write));
}

fn print_timings(report: &BuildReport) {
    for (phase, duration) in &report.phases {
        eprintln!("  {phase:<8} {:>8.3} s", duration.as_secs_f64());
    }
}

/// Where book.toml, templates/ and static/ are looked up.
fn site_root(args: &SiteArgs) -> Option<PathBuf> {
    if let Some(root) = &args.root {
        return Some(root.clone());
    }
    match &args.content {
        Some(content) => {
            let parent = content
                .canonicalize()
                .ok()
                .and_then(|c| c.parent().map(Path::to_path_buf))?;
            parent.join("book.toml").is_file().then_some(parent)
        }
        None => Some(PathBuf::from(".")),
    }
}

fn load_config(args: &SiteArgs, out: Option<PathBuf>) -> Result<Config, Diagnostic> {
    let overrides = Overrides {
        content_dir: args.content.clone(),
        out_dir: out.clone(),
    };
    match site_root(args) {
        Some(root) => Config::load(&root, &overrides),
        None => {
            let content = args
                .content
                .clone()
                .unwrap_or_else(|| PathBuf::from("content"));
            Ok(Config::defaults_for(
                content,
                out.unwrap_or_else(|| PathBuf::from("site")),
            ))
        }
    }
}

fn run(args: &SiteArgs, out: Option<PathBuf>, write: bool) -> ExitCode {
    let config = match load_config(args, out) {
        Ok(c) => c,
        Err(d) => {
            eprintln!("{d}");
            return ExitCode::from(1);
        }
    };
    let report = build(
        &config,
        BuildOptions {
            strict: args.strict,
            write,
            exit_after: true,
        },
    );
    print_report(&report, &config, write);
    if args.timings {
        print_timings(&report);
    }
    if report.errors() > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn summary(report: &BuildReport, config: &Config, write: bool) -> String {
    let seconds = format!("{:.2}", report.elapsed.as_secs_f64()).replace('.', ",");
    let warnings = match report.warnings() {
        1 => "1 Warnung".to_string(),
        n => format!("{n} Warnungen"),
    };
    if report.errors() > 0 {
        let errors = match report.errors() {
            1 => "1 Fehler".to_string(),
            n => format!("{n} Fehler"),
        };
        let what = if write {
            "nichts geschrieben, die bisherige Ausgabe ist unverändert"
        } else {
            "Prüfung fehlgeschlagen"
        };
        return format!(
            "portal: {errors}, {warnings} in {} Dateien – {what} ({seconds} s).",
            report.sources
        );
    }
    let unchanged = match report.reused {
        0 => String::new(),
        n => format!(" ({n} davon unverändert seit dem letzten Lauf)"),
    };
    if write {
        let removed = match report.removed {
            0 => String::new(),
            n => format!(", {n} entfernt"),
        };
        let kept = match report.pages - report.rendered.min(report.pages) {
            0 => String::new(),
            n => format!(", {n} ohne geänderte Eingaben übernommen"),
        };
        format!(
            "portal: {} Seiten{kept} ({} Dateien, {} davon neu oder geändert{removed}) aus {} Dokumenten{unchanged} nach {} geschrieben, {warnings}, {seconds} s.",
            report.pages,
            report.files,
            report.written,
            report.documents,
            config.out_dir.display()
        )
    } else {
        format!(
            "portal check: {} Dokumente{unchanged} geprüft, keine Fehler, {warnings}, {seconds} s.",
            report.documents
        )
    }
}
