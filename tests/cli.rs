//! The command line as a clerk and city IT use it: help, defaults, check, strict mode,
//! atomic output and hosting under a sub-path.

mod common;

use std::path::Path;

use common::*;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("readable") {
        let path = entry.expect("entry").path();
        let target = to.join(path.file_name().expect("name"));
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).expect("copy");
        }
    }
}

/// A site folder with the seed content and the given book.toml.
fn site_folder(book_toml: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tempdir");
    copy_dir(&repo().join("content"), &tmp.path().join("content"));
    std::fs::write(tmp.path().join("book.toml"), book_toml).expect("write");
    tmp
}

#[test]
fn help_is_there_for_every_command() {
    for args in [
        vec!["--help"],
        vec!["build", "--help"],
        vec!["check", "--help"],
    ] {
        let output = portal(&args, &repo());
        assert!(output.status.success(), "{args:?}");
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(
            text.contains("Usage") || text.contains("Aufruf"),
            "{args:?}: {text}"
        );
    }
    let build_help =
        String::from_utf8_lossy(&portal(&["build", "--help"], &repo()).stdout).into_owned();
    for option in ["--content", "--out", "--root", "--strict"] {
        assert!(build_help.contains(option), "{option}");
    }
}

#[test]
fn build_without_arguments_uses_the_current_folder_and_book_toml() {
    let tmp = site_folder("[book]\ntitle = \"Testrat\"\n[build]\nbuild-dir = \"public\"\n");
    let output = portal(&["build"], tmp.path());
    assert!(output.status.success(), "{}", stderr(&output));
    let index = read(&tmp.path().join("public"), "index.html");
    assert!(index.contains("<title>Testrat</title>"));
    let summary = stderr(&output);
    assert!(
        summary.contains("Seiten") && summary.contains("Warnungen") && summary.contains(" s."),
        "one-line summary: {summary}"
    );
}

#[test]
fn check_validates_and_writes_nothing() {
    let tmp = site_folder("");
    let output = portal(&["check"], tmp.path());
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(!tmp.path().join("site").exists());
    std::fs::write(
        tmp.path().join("content/kaputt.md"),
        "---\ntyp: vorlage\ntitel: x\ndatum: 2021-02-30\nnr: FB 56/0099/WP18\n---\n",
    )
    .expect("write");
    let output = portal(&["check"], tmp.path());
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(
        message.contains("kaputt.md:4"),
        "names file and line: {message}"
    );
    assert!(message.contains("2021-02-30"), "{message}");
}

#[test]
fn failed_build_leaves_published_output_untouched() {
    let tmp = site_folder("");
    let out = tmp.path().join("site");
    assert!(portal(&["build"], tmp.path()).status.success());
    let before = snapshot(&out);
    std::fs::write(
        tmp.path().join("content/sitzungen/asid-07-wp18.md"),
        "---\ntyp: niederschrift\ntitel: [offen\n---\n",
    )
    .expect("write");
    let output = portal(&["build"], tmp.path());
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("asid-07-wp18.md:"),
        "{}",
        stderr(&output)
    );
    assert!(before == snapshot(&out), "published output changed");
    let leftovers: Vec<String> = std::fs::read_dir(tmp.path())
        .expect("ls")
        .map(|e| e.expect("e").file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("portal-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn strict_turns_warnings_into_errors() {
    let tmp = site_folder("");
    std::fs::write(
        tmp.path().join("content/vorlagen/extra.md"),
        "---\ntyp: vorlage\nnr: FB 56/0098/WP18\ntittel: Tippfehler\ntitel: Richtig\ndatum: 2021-02-01\n---\nText\n",
    )
    .expect("write");
    let output = portal(&["check"], tmp.path());
    assert!(output.status.success());
    assert!(
        stderr(&output).contains("Meinten Sie `titel`?"),
        "{}",
        stderr(&output)
    );
    let output = portal(&["check", "--strict"], tmp.path());
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn works_under_a_sub_path() {
    let tmp = site_folder("[output.html]\nsite-url = \"https://example.org/ratsinfo/\"\n");
    let output = portal(&["build"], tmp.path());
    assert!(output.status.success(), "{}", stderr(&output));
    let out = tmp.path().join("site");
    let broken = broken_links(&out, "/ratsinfo/");
    assert!(
        broken.is_empty(),
        "broken under /ratsinfo/:\n{}",
        broken.join("\n")
    );
    for file in files(&out).into_iter().filter(|f| f.ends_with(".html")) {
        let html = read(&out, &file);
        for href in attribute_values(&html, "href")
            .into_iter()
            .chain(attribute_values(&html, "src"))
        {
            assert!(
                !href.starts_with('/') || href.starts_with("/ratsinfo/"),
                "{file}: {href} ignores the sub-path"
            );
        }
    }
    let page = read(&out, "vorlagen/fb-56-0051-wp18/index.html");
    assert!(page.contains(
        "<link rel=\"canonical\" href=\"https://example.org/ratsinfo/vorlagen/fb-56-0051-wp18/\">"
    ));
}

#[test]
fn content_and_out_build_any_corpus_with_the_built_in_theme() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let content = tmp.path().join("korpus");
    copy_dir(&repo().join("content"), &content);
    let out = tmp.path().join("ausgabe");
    let output = portal(
        &[
            "build",
            "--content",
            content.to_str().expect("utf-8"),
            "--out",
            out.to_str().expect("utf-8"),
        ],
        tmp.path(),
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(out.join("sitzungen/asid-07-wp18/index.html").is_file());
    let style = stylesheet(&out, "index.html");
    assert!(out.join(&style).is_file(), "{style}");
}

/// The style sheet a page links to, as a path below the site root.
fn stylesheet(out: &Path, page: &str) -> String {
    let html = read(out, page);
    let start = html
        .find("<link rel=\"stylesheet\" href=\"")
        .expect("stylesheet link")
        + 29;
    let end = start + html[start..].find('"').expect("end of href");
    html[start..end].trim_start_matches("./").to_string()
}

#[test]
fn theme_assets_carry_their_content_hash_in_the_name() {
    let tmp = site_folder("");
    let output = portal(&["build"], tmp.path());
    assert!(output.status.success(), "{}", stderr(&output));
    let out = tmp.path().join("site");
    let style = stylesheet(&out, "index.html");
    assert!(
        style.starts_with("static/style.") && style.ends_with(".css") && style.len() == 33,
        "{style}"
    );
    assert_eq!(
        style,
        format!(
            "static/{}",
            stylesheet(&out, "sitzungen/asid-07-wp18/index.html")
                .trim_start_matches("../../static/")
        )
    );
    let search = read(&out, "suche/index.html");
    assert!(
        search.contains("<script src=\"../static/suche."),
        "{search}"
    );

    // A changed style sheet gets a new name, so no browser keeps the old one.
    std::fs::create_dir_all(tmp.path().join("static")).expect("mkdir");
    std::fs::write(
        tmp.path().join("static/style.css"),
        "body { color: black; }",
    )
    .expect("write");
    let output = portal(&["build"], tmp.path());
    assert!(output.status.success(), "{}", stderr(&output));
    let changed = stylesheet(&out, "index.html");
    assert_ne!(changed, style);
    assert_eq!(read(&out, &changed), "body { color: black; }");
}

#[test]
fn site_templates_and_static_files_override_the_built_in_theme() {
    let tmp = site_folder("");
    std::fs::create_dir_all(tmp.path().join("templates")).expect("mkdir");
    std::fs::create_dir_all(tmp.path().join("static/bilder")).expect("mkdir");
    std::fs::write(
        tmp.path().join("templates/index.html"),
        "{% extends \"base.html\" %}{% block content %}<h1>Eigene Startseite</h1>{% endblock content %}",
    )
    .expect("write");
    std::fs::write(tmp.path().join("static/bilder/wappen.svg"), "<svg/>").expect("write");
    let output = portal(&["build"], tmp.path());
    assert!(output.status.success(), "{}", stderr(&output));
    let out = tmp.path().join("site");
    assert!(read(&out, "index.html").contains("<h1>Eigene Startseite</h1>"));
    // Only that one template is replaced; the others stay built in.
    assert!(read(&out, "sitzungen/asid-07-wp18/index.html").contains("Tagesordnung"));
    assert_eq!(read(&out, "static/bilder/wappen.svg"), "<svg/>");
    let style = stylesheet(&out, "index.html");
    assert!(out.join(&style).is_file(), "{style}");
}

#[test]
fn a_broken_template_is_reported_with_its_name() {
    let tmp = site_folder("");
    std::fs::create_dir_all(tmp.path().join("templates")).expect("mkdir");
    std::fs::write(tmp.path().join("templates/vorlage.html"), "{% if %}").expect("write");
    let output = portal(&["build"], tmp.path());
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("vorlage.html"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn serve_previews_the_site_and_rebuilds_on_change() {
    use std::io::{Read, Write};
    let tmp = site_folder("[output.html]\nsite-url = \"https://example.org/ratsinfo/\"\n");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("addr")
        .port();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_portal"))
        .args(["serve", "--port", &port.to_string()])
        .current_dir(tmp.path())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("serve starts");
    let get = |path: &str| -> Option<String> {
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
        write!(stream, "GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n").ok()?;
        let mut response = String::new();
        stream.read_to_string(&mut response).ok()?;
        Some(response)
    };
    let mut first = None;
    for _ in 0..100 {
        first = get("/ratsinfo/vorlagen/fb-56-0051-wp18/");
        if first.is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let result = (|| {
        let first = first.ok_or("server did not answer")?;
        if !first.starts_with("HTTP/1.1 200") || !first.contains("Genehmigung der Niederschrift") {
            return Err(format!(
                "unexpected page: {}",
                &first[..first.len().min(300)]
            ));
        }
        let missing = get("/ratsinfo/gibt-es-nicht/").ok_or("no answer")?;
        if !missing.starts_with("HTTP/1.1 404") {
            return Err("missing page is not 404".to_string());
        }
        let file = tmp.path().join("content/vorlagen/fb-56-0051-wp18.md");
        let text = std::fs::read_to_string(&file).map_err(|e| e.to_string())?;
        std::fs::write(
            &file,
            text.replace("Keine.", "Geänderter Erläuterungstext."),
        )
        .map_err(|e| e.to_string())?;
        for _ in 0..100 {
            std::thread::sleep(std::time::Duration::from_millis(100));
            if get("/ratsinfo/vorlagen/fb-56-0051-wp18/")
                .is_some_and(|p| p.contains("Geänderter Erläuterungstext."))
            {
                return Ok(());
            }
        }
        Err("the change did not show up".to_string())
    })();
    let _ = child.kill();
    let _ = child.wait();
    if let Err(e) = result {
        panic!("{e}");
    }
}

#[test]
fn datei_is_published_beside_the_anlage_and_must_stay_inside_the_content_folder() {
    let tmp = site_folder("");
    let anlage = tmp
        .path()
        .join("content/anlagen/asid-07-wp18-top-17-anlage-1.md");
    let text = std::fs::read_to_string(&anlage).expect("read");
    std::fs::write(
        &anlage,
        text.replacen(
            "typ: anlage",
            "typ: anlage\ndatei: refugio-kalkulation.pdf",
            1,
        ),
    )
    .expect("write");
    std::fs::write(
        tmp.path().join("content/anlagen/refugio-kalkulation.pdf"),
        b"%PDF-1.4 test",
    )
    .expect("write");
    let output = portal(&["build"], tmp.path());
    assert!(output.status.success(), "{}", stderr(&output));
    let out = tmp.path().join("site");
    assert_eq!(
        std::fs::read(out.join("anlagen/asid-07-wp18-top-17-anlage-1/refugio-kalkulation.pdf"))
            .expect("copied"),
        b"%PDF-1.4 test"
    );
    assert!(
        read(&out, "anlagen/asid-07-wp18-top-17-anlage-1/index.html").contains(
            "href=\"../../anlagen/asid-07-wp18-top-17-anlage-1/refugio-kalkulation.pdf\""
        )
    );

    std::fs::write(tmp.path().join("geheim.pdf"), b"x").expect("write");
    std::fs::write(
        &anlage,
        text.replacen("typ: anlage", "typ: anlage\ndatei: ../../geheim.pdf", 1),
    )
    .expect("write");
    let output = portal(&["build"], tmp.path());
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("außerhalb des Inhaltsordners"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn search_index_is_written_and_can_be_switched_off() {
    let tmp = site_folder("");
    assert!(portal(&["build"], tmp.path()).status.success());
    let out = tmp.path().join("site");
    assert!(out.join("suche/index.html").is_file());
    assert!(out.join("suche/index.bin").is_file());
    assert!(out.join("suche/nr/0013.bin").is_file());
    assert!(read(&out, "index.html").contains("action=\"suche/\""));

    let tmp = site_folder("[output.html.search]\nenable = false\n");
    assert!(portal(&["build"], tmp.path()).status.success());
    let out = tmp.path().join("site");
    assert!(!out.join("suche").exists());
    assert!(!read(&out, "index.html").contains("action=\"suche/\""));
    let broken = broken_links(&out, "/");
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

#[test]
fn legal_pages_are_filled_from_book_toml_and_missing_settings_warn() {
    let tmp = site_folder("");
    let output = portal(&["build"], tmp.path());
    assert!(output.status.success());
    let messages = stderr(&output);
    assert!(
        messages.contains("`[impressum] herausgeber` fehlt"),
        "{messages}"
    );
    assert!(
        messages.contains("keinen Kontakt für Rückmeldungen"),
        "{messages}"
    );
    let out = tmp.path().join("site");
    for page in [
        "impressum/index.html",
        "barrierefreiheit/index.html",
        "leichte-sprache/index.html",
    ] {
        assert!(out.join(page).is_file(), "{page}");
    }
    assert!(read(&out, "index.html").contains("href=\"leichte-sprache/\""));

    let tmp = site_folder(
        "[impressum]\nherausgeber = \"Stadt Musterstadt\"\nanschrift = [\"Markt 1\", \"12345 Musterstadt\"]\nemail = \"rat@musterstadt.example\"\n[barrierefreiheit]\nstand = \"2026-11-26\"\nkontakt-email = \"barrierefrei@musterstadt.example\"\nbarrieren = [\"Alte Scans sind nicht durchsuchbar.\"]\n",
    );
    let output = portal(&["check", "--strict"], tmp.path());
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(portal(&["build"], tmp.path()).status.success());
    let out = tmp.path().join("site");
    let impressum = text_of(&read(&out, "impressum/index.html"));
    assert!(
        impressum.contains("Stadt Musterstadt Markt 1 12345 Musterstadt"),
        "{impressum}"
    );
    let erklaerung = text_of(&read(&out, "barrierefreiheit/index.html"));
    assert!(erklaerung.contains("barrierefrei@musterstadt.example"));
    assert!(erklaerung.contains("am 26. November 2026 erstellt"));
    assert!(erklaerung.contains("Alte Scans sind nicht durchsuchbar."));
    assert!(erklaerung.contains("Schlichtungsverfahren"));
}

/// Every file below `dir` with its bytes, sorted by path.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    files(dir)
        .into_iter()
        .map(|f| {
            let bytes = std::fs::read(dir.join(&f)).expect("read");
            (f, bytes)
        })
        .collect()
}

/// Modification times of every file below `dir`.
fn mtimes(dir: &Path) -> Vec<(String, std::time::SystemTime)> {
    files(dir)
        .into_iter()
        .map(|f| {
            let time = std::fs::metadata(dir.join(&f))
                .and_then(|m| m.modified())
                .expect("mtime");
            (f, time)
        })
        .collect()
}

#[test]
fn a_rebuild_parses_and_writes_only_what_changed_and_equals_a_clean_build() {
    let tmp = site_folder("");
    let anlage = tmp
        .path()
        .join("content/anlagen/asid-07-wp18-top-12-anlage-1.md");
    let text = std::fs::read_to_string(&anlage).expect("read");
    std::fs::write(&anlage, text.replacen("---\n", "---\nanmerkung: x\n", 1)).expect("write");
    let out = tmp.path().join("site");
    let cache = tmp.path().join("cache");
    let build = || portal_with_cache(&["build"], tmp.path(), &cache);
    // Files changed within two seconds before the cache was saved are not trusted (the
    // clock of the file system may not have moved since).
    std::thread::sleep(std::time::Duration::from_millis(2100));

    let first = build();
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(
        !stderr(&first).contains("unverändert seit"),
        "{}",
        stderr(&first)
    );
    assert!(stderr(&first).contains("Unbekanntes Feld `anmerkung`"));
    // The parse cache and the output's file list; the lock of the output folder aside.
    let (locks, cache_files): (Vec<String>, Vec<String>) = files(&cache)
        .into_iter()
        .partition(|f| f.ends_with(".sperre"));
    assert_eq!(locks.len(), 1, "{locks:?}");
    // The output's file list, the parse cache's shards in the folder of the same name, and
    // the search index's state with its shards.
    let manifest = cache_files
        .iter()
        .find(|f| f.ends_with(".dateien"))
        .expect("file list");
    assert!(manifest.starts_with("portal/"), "{cache_files:?}");
    let stem = manifest.trim_end_matches(".dateien");
    let shard_folder = format!("{stem}.dokumente/");
    let index_state = format!("{stem}.suche");
    let index_folder = format!("{stem}.suche.d/");
    assert!(cache_files.contains(&index_state), "{cache_files:?}");
    assert!(cache_files.len() > 3, "{cache_files:?}");
    assert!(
        cache_files.iter().all(|f| f == manifest
            || *f == index_state
            || ((f.starts_with(&shard_folder) || f.starts_with(&index_folder))
                && f.ends_with(".bin"))),
        "{cache_files:?}"
    );
    let shard_times = || {
        mtimes(&cache)
            .into_iter()
            .filter(|(f, _)| f.starts_with(&shard_folder))
            .collect::<Vec<_>>()
    };
    let shards_before = shard_times();
    let clean = snapshot(&out);
    let times = mtimes(&out);
    std::thread::sleep(std::time::Duration::from_millis(20));

    // Nothing changed: every file comes from the parse cache, no output file is touched,
    // and the warning of the unchanged file is reported again.
    let second = build();
    assert!(second.status.success(), "{}", stderr(&second));
    let message = stderr(&second);
    assert!(message.contains("0 davon neu oder geändert)"), "{message}");
    assert!(
        message.contains("aus 7 Dokumenten (7 davon unverändert seit dem letzten Lauf)"),
        "{message}"
    );
    assert!(message.contains("Unbekanntes Feld `anmerkung`"));
    assert!(
        snapshot(&out) == clean,
        "a build from the cache differs from a clean build"
    );
    assert!(mtimes(&out) == times, "an unchanged file was rewritten");
    assert!(
        shard_times() == shards_before,
        "the parse cache was rewritten"
    );

    // One Vorlage edited: it alone is parsed again, only the files whose bytes change are
    // written, and the result equals a clean build of the edited corpus.
    let vorlage = tmp.path().join("content/vorlagen/fb-56-0051-wp18.md");
    let text = std::fs::read_to_string(&vorlage).expect("read");
    std::fs::write(
        &vorlage,
        text.replacen("titel: Genehmigung", "titel: Geänderte Genehmigung", 1),
    )
    .expect("write");
    let third = build();
    assert!(third.status.success(), "{}", stderr(&third));
    let message = stderr(&third);
    assert!(message.contains("(6 davon unverändert"), "{message}");
    assert!(read(&out, "vorlagen/fb-56-0051-wp18/index.html").contains("Geänderte Genehmigung"));
    let shards_after = shard_times();
    let rewritten_shards = shards_after
        .iter()
        .filter(|(f, t)| shards_before.iter().any(|(g, u)| g == f && u != t))
        .count();
    assert_eq!(shards_after.len(), shards_before.len());
    assert_eq!(
        rewritten_shards, 1,
        "only the edited file's shard is written"
    );
    let rewritten: Vec<String> = mtimes(&out)
        .into_iter()
        .filter(|(f, t)| times.iter().any(|(g, u)| g == f && u != t))
        .map(|(f, _)| f)
        .collect();
    assert!(
        !rewritten.is_empty() && rewritten.len() < clean.len() / 2,
        "{} of {} files rewritten: {rewritten:?}",
        rewritten.len(),
        clean.len()
    );
    let fresh = tmp.path().join("frisch");
    let clean_build = portal_with_cache(
        &["build", "--out", fresh.to_str().expect("utf-8")],
        tmp.path(),
        &tmp.path().join("leerer-cache"),
    );
    assert!(clean_build.status.success(), "{}", stderr(&clean_build));
    assert!(
        snapshot(&out) == snapshot(&fresh),
        "the rebuilt site differs from a clean build"
    );

    // A page that is gone is removed, with its folder.
    std::fs::remove_file(
        tmp.path()
            .join("content/anlagen/asid-07-wp18-top-20-anlage-1.md"),
    )
    .expect("rm");
    let fourth = build();
    assert!(fourth.status.success(), "{}", stderr(&fourth));
    assert!(!out.join("anlagen/asid-07-wp18-top-20-anlage-1").exists());

    // A broken cache is ignored, not trusted.
    for file in &cache_files {
        std::fs::write(cache.join(file), b"kaputt").expect("write");
    }
    let fifth = build();
    assert!(fifth.status.success(), "{}", stderr(&fifth));
    assert!(
        !stderr(&fifth).contains("unverändert seit"),
        "{}",
        stderr(&fifth)
    );
}

#[test]
fn a_planned_beratung_that_took_place_is_shown_once_with_its_result() {
    let tmp = site_folder("");
    std::fs::write(
        tmp.path().join("content/vorlagen/fb-56-0025-wp18.md"),
        "---\ntyp: vorlage\nnr: FB 56/0025/WP18\ntitel: Anträge der Träger der freien Wohlfahrtspflege\n\
         datum: 2021-02-01\nberatungsfolge:\n  - datum: 2021-02-25\n    gremium: Ausschuss für Soziales, Integration und Demographie\n    \
         zustaendigkeit: Vorberatung\n  - datum: 2021-03-10\n    gremium: Rat der Stadt\n    zustaendigkeit: Entscheidung\n---\n\nText.\n",
    )
    .expect("write");
    let output = portal(&["build"], tmp.path());
    assert!(output.status.success(), "{}", stderr(&output));
    let html = read(
        &tmp.path().join("site"),
        "vorlagen/fb-56-0025-wp18/index.html",
    );
    let start = html.find("id=\"beratungen\"").expect("Beratungen");
    let end = html[start..].find("</section>").expect("end") + start;
    let beratungen = text_of(&html[start..end]);
    // Held on the planned date: one entry, with the planned Zuständigkeit and the result.
    assert_eq!(beratungen.matches("25.02.2021").count(), 1, "{beratungen}");
    assert!(
        beratungen
            .contains("Ausschuss für Soziales, Integration und Demographie, 25.02.2021, TOP 19")
            && beratungen.contains("Zuständigkeit Vorberatung Ergebnis Beratung/Beschlussfassung"),
        "{beratungen}"
    );
    // Planned, with no Niederschrift in the corpus.
    assert!(
        beratungen.contains(
            "Rat der Stadt, 10.03.2021 Entscheidung; geplant, kein veröffentlichtes Protokoll"
        ),
        "{beratungen}"
    );
}

#[test]
fn a_beschluss_in_the_words_of_the_beschlussvorschlag_links_there_instead_of_repeating_it() {
    let tmp = site_folder("");
    let minutes = std::fs::read_to_string(tmp.path().join("content/sitzungen/asid-07-wp18.md"))
        .expect("read");
    let start = minutes
        .find("In Erweiterung des Beschlusses vom 27.08.2020")
        .expect("Beschluss of TOP 6");
    let end = minutes[start..].find("\n### ").expect("next section") + start;
    let beschluss = minutes[start..end].trim();
    let vorlage = tmp.path().join("content/vorlagen/fb-56-0011-wp18.md");
    let write = |vorschlag: &str| {
        let text = format!(
            "---\ntyp: vorlage\nnr: FB 56/0011/WP18\ntitel: Kofinanzierung der Mehrgenerationenhäuser\n\
             datum: 2021-02-01\n---\n\n## Beschlussvorschlag\n\n{vorschlag}\n\n## Erläuterungen\n\nText.\n"
        );
        std::fs::write(&vorlage, text).expect("write");
        let output = portal(&["build"], tmp.path());
        assert!(output.status.success(), "{}", stderr(&output));
        read(
            &tmp.path().join("site"),
            "vorlagen/fb-56-0011-wp18/index.html",
        )
    };

    let html = write(beschluss);
    assert!(
        html.contains("<h4>Beschluss</h4><p>Wortgleich mit „<a href=\"#beschlussvorschlag\">Beschlussvorschlag</a>“ im Text der Vorlage.</p>"),
        "{html}"
    );
    assert_eq!(html.matches("In Erweiterung des Beschlusses").count(), 1);
    assert!(html.contains("<h3 id=\"beschlussvorschlag\">"));

    // One word changed: the Beschluss is shown in full beside the Beschlussvorschlag.
    let html = write(&beschluss.replace("beiden", "zwei"));
    assert!(!html.contains("Wortgleich"), "{html}");
    assert_eq!(html.matches("In Erweiterung des Beschlusses").count(), 2);
}

/// A seed site built once with its cache in `<site>/cache`, and the cache file of that
/// build with the extension `ext`.
fn built_site_and_cache_file(ext: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = site_folder("");
    let output = portal_with_cache(&["build"], tmp.path(), &tmp.path().join("cache"));
    assert!(output.status.success(), "{}", stderr(&output));
    let file = std::fs::read_dir(tmp.path().join("cache/portal"))
        .expect("cache folder")
        .map(|e| e.expect("entry").path())
        .find(|p| p.extension().is_some_and(|e| e == ext))
        .expect("cache file");
    (tmp, file)
}

/// Edits the seed Vorlage's title, builds again, and expects the build to fail with
/// `message` and to leave the output as it was.
fn an_edit_is_not_published(tmp: &Path, message: &str) {
    let site = tmp.join("site");
    let before = snapshot(&site);
    let vorlage = tmp.join("content/vorlagen/fb-56-0051-wp18.md");
    let text = std::fs::read_to_string(&vorlage).expect("read");
    std::fs::write(&vorlage, text.replacen("titel:", "titel: Geändert", 1)).expect("write");
    let output = portal_with_cache(&["build"], tmp, &tmp.join("cache"));
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stderr(&output).contains(message), "{}", stderr(&output));
    assert!(snapshot(&site) == before, "the output stays as it was");
}

#[test]
fn a_build_into_a_folder_another_build_holds_writes_nothing_and_says_why() {
    let (tmp, lock_file) = built_site_and_cache_file("sperre");
    // This test plays the other build.
    let other = std::fs::OpenOptions::new()
        .write(true)
        .open(&lock_file)
        .expect("open");
    other.lock().expect("lock");
    an_edit_is_not_published(tmp.path(), "Ein anderer Lauf von portal");
    other.unlock().expect("unlock");
    let output = portal_with_cache(&["build"], tmp.path(), &tmp.path().join("cache"));
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(read(
        &tmp.path().join("site"),
        "vorlagen/fb-56-0051-wp18/index.html"
    )
    .contains("Geändert"));
}

#[test]
fn a_file_list_that_cannot_be_removed_stops_the_build_before_it_touches_the_output() {
    let (tmp, manifest) = built_site_and_cache_file("dateien");
    // A folder in its place cannot be removed as a file, not even by root.
    std::fs::remove_file(&manifest).expect("remove");
    std::fs::create_dir(&manifest).expect("mkdir");
    std::fs::write(manifest.join("x"), b"x").expect("write");
    an_edit_is_not_published(tmp.path(), "Dateiliste des letzten Laufs");
}

/// A rebuild with `PORTAL_VERIFY_SKIPPED=1`: every page kept because its fingerprint did not
/// change is rendered anyway, and the build fails if one of them would have changed.
fn verified_build(site: &Path, out: &Path, cache: &Path) -> std::process::Output {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_portal"))
        .args(["build", "--out", out.to_str().expect("utf-8 path")])
        .current_dir(site)
        .env("XDG_CACHE_HOME", cache)
        .env("PORTAL_VERIFY_SKIPPED", "1")
        .output()
        .expect("portal runs");
    assert!(output.status.success(), "{}", stderr(&output));
    output
}

/// Pages kept unrendered, from the build's summary ("…, 12 ohne geänderte Eingaben übernommen").
fn kept_pages(output: &std::process::Output) -> usize {
    let message = stderr(output);
    message
        .split(" ohne geänderte Eingaben übernommen")
        .next()
        .filter(|head| head.len() < message.len())
        .and_then(|head| head.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

#[test]
fn a_rebuild_renders_only_the_pages_whose_inputs_changed_and_equals_a_clean_build() {
    let tmp = site_folder("[book]\ntitle = \"Ratsinfo\"\n");
    let site = tmp.path();
    let out = site.join("site");
    let cache = site.join("cache");
    let edit = |rel: &str, from: &str, to: &str| {
        let path = site.join(rel);
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(text.contains(from), "{rel} has no {from:?}");
        std::fs::write(&path, text.replacen(from, to, 1)).expect("write");
    };
    let vorlage = "content/vorlagen/fb-56-0051-wp18.md";
    let sitzung = "content/sitzungen/asid-07-wp18.md";
    let anlage = "content/anlagen/asid-07-wp18-top-12-anlage-1.md";
    // Files changed less than two seconds before a build count as changed in the next one
    // too (the clock of the file system may not have moved since); the copy must settle.
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let first = verified_build(site, &out, &cache);
    assert_eq!(kept_pages(&first), 0, "{}", stderr(&first));
    let pages = stderr(&first)
        .split(" Seiten")
        .next()
        .and_then(|head| head.rsplit(' ').next())
        .and_then(|n| n.parse::<usize>().ok())
        .expect("page count");

    // What a clerk changes, and how many pages may stay as they are: in this corpus of one
    // Sitzung every Vorlage, Anlage and person page shows the Niederschrift. A new date
    // moves the Vorlage's search record among the others (records are numbered by date), so
    // the index is built whole and every page rendered; so does a Vorlage that loses its
    // only Beratung (and with it its date).
    enum Kept {
        Most,
        Some,
        None,
    }
    let first_in = |folder: &Path| {
        std::fs::read_dir(folder)
            .expect("folder")
            .filter_map(Result::ok)
            .map(|e| e.path())
            .min()
            .expect("a file")
    };
    type Change<'a> = (&'a str, Box<dyn Fn() + 'a>, Kept);
    let changes: Vec<Change> = vec![
        (
            "title of a Vorlage",
            Box::new(|| {
                edit(
                    vorlage,
                    "titel: Genehmigung",
                    "titel: Geänderte Genehmigung",
                )
            }),
            Kept::Most,
        ),
        (
            "excerpt files changed by hand that the index patch keeps (not the edited Vorlage's)",
            Box::new(|| {
                let folder = first_in(&site.join("site/suche/f"));
                let mut changed = 0;
                for entry in std::fs::read_dir(folder).expect("folder").flatten() {
                    let mut bytes = std::fs::read(entry.path()).expect("read");
                    let mut json = String::new();
                    std::io::Read::read_to_string(
                        &mut flate2::read::GzDecoder::new(bytes.as_slice()),
                        &mut json,
                    )
                    .expect("gzip");
                    // The edited Vorlage's file is read back by the patch and refused there.
                    if json.contains("Geänderte Genehmigung") {
                        continue;
                    }
                    bytes.push(b' ');
                    std::fs::write(entry.path(), bytes).expect("write");
                    changed += 1;
                }
                assert!(changed > 0, "no excerpt file without the Vorlage");
                edit(vorlage, "Keine.", "Keine!");
            }),
            Kept::Most,
        ),
        (
            "files of the output changed by hand: a search index chunk, a kept page, a page rendered anyway",
            Box::new(|| {
                let first_in = |folder: &str| first_in(&site.join(folder));
                let person = first_in("site/personen").join("index.html");
                for file in [
                    first_in("site/suche/i"),
                    person,
                    site.join("site/impressum/index.html"),
                ] {
                    let mut bytes = std::fs::read(&file).expect("read");
                    bytes.push(b' ');
                    std::fs::write(&file, bytes).expect("write");
                }
                edit(vorlage, "Keine!", "Keine weiteren.");
            }),
            Kept::Most,
        ),
        (
            "text of a Vorlage, now mentioning another one",
            Box::new(|| edit(vorlage, "Keine weiteren.", "Keine, siehe FB 56/0031/WP18.")),
            Kept::Most,
        ),
        (
            "date of a Vorlage",
            Box::new(|| edit(vorlage, "datum: 2021-04-08", "datum: 2021-04-09")),
            Kept::None,
        ),
        (
            "vote on an agenda item with a Vorlage",
            Box::new(|| {
                edit(
                    sitzung,
                    "abstimmung: einstimmig\n",
                    "abstimmung: mit großer Mehrheit\n",
                )
            }),
            Kept::Some,
        ),
        (
            "title of an agenda item",
            Box::new(|| {
                edit(
                    sitzung,
                    "titel: Eröffnung der Sitzung",
                    "titel: Eröffnung der Sitzung und Begrüßung",
                )
            }),
            Kept::Some,
        ),
        (
            "Vorlage of an agenda item",
            Box::new(|| {
                edit(
                    sitzung,
                    "vorlage: FB 56/0009/WP18",
                    "vorlage: FB 56/0008/WP18",
                )
            }),
            Kept::None,
        ),
        (
            "role of an attendee",
            Box::new(|| {
                edit(
                    sitzung,
                    "funktion: Ausschussvorsitzender",
                    "funktion: Vorsitzender",
                )
            }),
            Kept::Some,
        ),
        (
            "title and text of an Anlage",
            Box::new(|| {
                edit(
                    anlage,
                    "**Ausschuss für Soziales",
                    "**Der Ausschuss für Soziales",
                );
                edit(
                    anlage,
                    "titel: Kommunales Integrationsmanagement",
                    "titel: Kommunales Integrationsmanagement (Entwurf)",
                );
            }),
            Kept::Most,
        ),
        (
            "an Anlage removed",
            Box::new(|| {
                std::fs::remove_file(site.join("content/anlagen/asid-07-wp18-top-17-anlage-2.md"))
                    .expect("remove")
            }),
            Kept::None,
        ),
        (
            "a template of the site",
            Box::new(|| {
                let builtin =
                    std::fs::read_to_string(repo().join("templates/vorlage.html")).expect("read");
                std::fs::create_dir_all(site.join("templates")).expect("mkdir");
                std::fs::write(
                    site.join("templates/vorlage.html"),
                    builtin.replacen("</h1>", "</h1><p>Geprüft.</p>", 1),
                )
                .expect("write");
            }),
            Kept::None,
        ),
        (
            "book.toml",
            Box::new(|| {
                std::fs::write(
                    site.join("book.toml"),
                    "[book]\ntitle = \"Ratsinfo Aachen\"\n",
                )
                .expect("write")
            }),
            Kept::None,
        ),
    ];
    for (step, (what, change, expected)) in changes.into_iter().enumerate() {
        change();
        std::thread::sleep(std::time::Duration::from_millis(2100));
        let rebuilt = verified_build(site, &out, &cache);
        let kept = kept_pages(&rebuilt);
        match expected {
            Kept::Most => assert!(
                kept * 2 > pages,
                "{what}: only {kept} of {pages} pages kept"
            ),
            Kept::Some => assert!(kept > 0, "{what}: no page kept"),
            Kept::None => assert_eq!(kept, 0, "{what}: pages kept after a change all depend on"),
        }
        let clean = site.join(format!("clean-{step}"));
        let fresh = verified_build(site, &clean, &site.join(format!("cache-{step}")));
        assert_eq!(kept_pages(&fresh), 0);
        assert!(
            snapshot(&out) == snapshot(&clean),
            "{what}: the rebuild differs from a clean build"
        );
    }
}
