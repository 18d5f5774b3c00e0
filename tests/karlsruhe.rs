//! The second real corpus (Karlsruhe: other numbering, own book.toml) must build as well as
//! the seed. It has no licence, so it is read in place from ../shared and never copied into
//! the repository; these tests skip when ../shared is absent.

mod common;

use std::path::PathBuf;

use common::*;

fn corpus() -> Option<PathBuf> {
    let dir = repo().join("../shared/corpora/karlsruhe");
    if dir.join("book.toml").is_file() {
        Some(dir)
    } else {
        eprintln!("skipped: {} is not present", dir.display());
        None
    }
}

fn build() -> Option<(tempfile::TempDir, PathBuf)> {
    let corpus = corpus()?;
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("public");
    let output = portal(
        &[
            "build",
            "--root",
            corpus.to_str().expect("utf-8"),
            "--out",
            out.to_str().expect("utf-8"),
        ],
        &repo(),
    );
    assert!(
        output.status.success(),
        "Karlsruhe build failed:\n{}",
        stderr(&output)
    );
    Some((tmp, out))
}

#[test]
fn builds_with_its_own_numbering_and_links_resolve() {
    let Some((_tmp, out)) = build() else { return };
    for page in [
        "vorlagen/2025-0064/index.html",
        "vorlagen/2024-1329/index.html",
        "vorlagen/2024-1329-1/index.html",
        "vorlagen/2024-1329-4/index.html",
        "vorlagen/bv-2022-2028/index.html",
        "sitzungen/gr-07-2025/index.html",
        "sitzungen/or-groetzingen-2022-09-14/index.html",
        "anlagen/2025-0064-anlage-1/index.html",
    ] {
        assert!(out.join(page).is_file(), "{page} missing");
    }
    let broken = broken_links(&out, "/");
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn ergaenzungen_with_slash_suffix_belong_to_their_ursprung() {
    let Some((_tmp, out)) = build() else { return };
    let ergaenzung = read(&out, "vorlagen/2024-1329-1/index.html");
    assert!(text_of(&ergaenzung).contains("Ursprungsvorlage 2024/1329"));
    let ursprung = read(&out, "vorlagen/2024-1329/index.html");
    for child in ["2024-1329-1", "2024-1329-2", "2024-1329-3", "2024-1329-4"] {
        assert!(
            ursprung.contains(&format!("href=\"../../vorlagen/{child}/\"")),
            "{child} listed"
        );
    }
    // 2024/0523 is known only as the Ursprung of 2024/0523/2: a page that says so.
    let stub = text_of(&read(&out, "vorlagen/2024-0523/index.html"));
    assert!(stub.contains("nicht im Bestand"));
}

#[test]
fn beratungsverlauf_shows_beschluss_up_to_the_vote() {
    let Some((_tmp, out)) = build() else { return };
    let text = text_of(&read(&out, "vorlagen/2025-0002/index.html"));
    assert!(text.contains("Gemeinderat, 18.02.2025, TOP 3"), "{text}");
    assert!(text.contains("dem Abschluss der Belegungsvereinbarung über 120 Betten"));
    assert!(text.contains("Mehrheitliche Zustimmung (42 JA-Stimmen, 4 Nein-Stimmen)"));
    // The Beschluss box ends before the vote and the debate.
    let beschluss_start = text
        .find("Beschluss Der Gemeinderat stimmt")
        .expect("Beschluss shown");
    assert!(!text[beschluss_start..].contains("Der Vorsitzende ruft Tagesordnungspunkt 3"));
}

#[test]
fn non_public_items_publish_number_and_title_only() {
    let Some((_tmp, out)) = build() else { return };
    let sitzung = text_of(&read(
        &out,
        "sitzungen/or-groetzingen-2022-09-14/index.html",
    ));
    assert!(sitzung.contains("TOP N3 Besetzung der Schulleitungsstelle Karlsruhe-Grötzingen"));
    for file in files(&out) {
        let mut bytes = std::fs::read(out.join(&file)).expect("readable");
        if file.ends_with(".bin") {
            // The search index is gzip-compressed: look inside.
            let mut plain = Vec::new();
            std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut plain)
                .expect("gzip");
            bytes = plain;
        }
        let text = String::from_utf8_lossy(&bytes);
        for secret in [
            "Stefan Supper",
            "Ingo Zimmermann",
            "Beschluss des Ortschaftsrates",
            // Their stems, as the search index stores words.
            "supp",
            "zimmermann",
            "biergart",
            "auswahlkommission",
        ] {
            assert!(!text.contains(secret), "{secret} leaked into {file}");
        }
    }
}

#[test]
fn nested_sections_are_anchored() {
    let Some((_tmp, out)) = build() else { return };
    let html = read(&out, "sitzungen/gr-07-2025/index.html");
    for top in ["7", "7-1", "7-2", "7-3", "7-4", "7-5"] {
        assert!(html.contains(&format!("id=\"top-{top}\"")), "zu {top}");
    }
}
