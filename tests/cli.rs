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
    let before: Vec<(String, Vec<u8>)> = files(&out)
        .into_iter()
        .map(|f| {
            let bytes = std::fs::read(out.join(&f)).expect("read");
            (f, bytes)
        })
        .collect();
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
    let after: Vec<(String, Vec<u8>)> = files(&out)
        .into_iter()
        .map(|f| {
            let bytes = std::fs::read(out.join(&f)).expect("read");
            (f, bytes)
        })
        .collect();
    assert!(before == after, "published output changed");
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
    assert!(out.join("static/style.css").is_file());
}
