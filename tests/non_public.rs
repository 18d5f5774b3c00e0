//! Nothing marked nichtöffentlich reaches the output, in any file format. Canary strings are
//! planted in every kind of non-public content; every output byte is searched for them,
//! compressed files (the search index) decompressed first.

mod common;

use std::io::Read;

use common::*;

const FILES: &[(&str, &str)] = &[
    (
        "vorlagen/geheim.md",
        "---\ntyp: vorlage\nnr: FB 56/0777/WP18\ntitel: KANARIE-VORLAGE-TITEL\ndatum: 2021-03-01\nstatus: nichtöffentlich\n---\nKANARIE-VORLAGE-TEXT\n",
    ),
    (
        "anlagen/geheim-anlage.md",
        "---\ntyp: anlage\nzu: FB 56/0777/WP18\nnummer: 1\ntitel: KANARIE-ANLAGE-DER-VORLAGE\ndatum: 2021-03-01\n---\nKANARIE-ANLAGE-TEXT\n",
    ),
    (
        "vorlagen/offen.md",
        "---\ntyp: vorlage\nnr: FB 56/0100/WP18\ntitel: Öffentliche Vorlage\ndatum: 2021-03-01\n---\nVerweis auf FB 56/0777/WP18 bleibt Text.\n",
    ),
    (
        "sitzungen/offen.md",
        "---\ntyp: niederschrift\nnr: ASID/08/WP18\ntitel: Sitzung\ngremium: Ausschuss für Soziales, Integration und Demographie\ndatum: 2021-04-01\ntagesordnung:\n  - top: '1'\n    titel: Öffentlicher Punkt\n    vorlage: FB 56/0100/WP18\n  - top: N1\n    titel: Personalangelegenheit\n    teil: nichtöffentlich\n    vorlage: FB 56/0888/WP18\n    ergebnis: KANARIE-ERGEBNIS\n    abstimmung: KANARIE-ABSTIMMUNG\n  - top: N2\n    titel: Grundstücksangelegenheit\n    teil: nichtöffentlich\n---\n## Öffentlicher Teil\n\n### zu 1 Öffentlicher Punkt\n\nÖffentlicher Text.\n\n## zu N2 Grundstücksangelegenheit\n\nKANARIE-ZU-N2 außerhalb des nichtöffentlichen Teils, FB 56/0998/WP18.\n\n## Nichtöffentlicher Teil\n\n### zu N1 Personalangelegenheit\n\nKANARIE-PROTOKOLL mit FB 56/0999/WP18.\n\n| Spalte |\n|---|\n| KANARIE-TABELLE |\n",
    ),
    (
        "anlagen/anlage-n1.md",
        "---\ntyp: anlage\nzu: ASID/08/WP18\ntop: N1\nnummer: 1\ntitel: KANARIE-ANLAGE-TOP-TITEL\ndatum: 2021-04-01\n---\nKANARIE-ANLAGE-TOP-TEXT\n",
    ),
    (
        "sitzungen/geheim.md",
        "---\ntyp: niederschrift\nnr: ASID/09/WP18\ntitel: KANARIE-SITZUNG\ngremium: KANARIE-GREMIUM\ndatum: 2021-05-01\nstatus: nichtoeffentlich\nanwesend:\n  - name: KANARIE-PERSON\n---\nKANARIE-SITZUNG-TEXT\n",
    ),
    (
        "anlagen/anlage-geheime-sitzung.md",
        "---\ntyp: anlage\nzu: ASID/09/WP18\nnummer: 1\ntitel: KANARIE-ANLAGE-SITZUNG\ndatum: 2021-05-01\n---\nText\n",
    ),
];

fn all_output_text(out: &std::path::Path) -> Vec<(String, String)> {
    files(out)
        .into_iter()
        .map(|f| {
            let bytes = std::fs::read(out.join(&f)).expect("read");
            let mut plain = Vec::new();
            let bytes = if bytes.starts_with(&[0x1f, 0x8b]) {
                flate2::read::GzDecoder::new(&bytes[..])
                    .read_to_end(&mut plain)
                    .expect("gzip");
                plain
            } else {
                bytes
            };
            (f, String::from_utf8_lossy(&bytes).to_lowercase())
        })
        .collect()
}

#[test]
fn no_canary_reaches_any_output_file() {
    let tmp = tempfile::tempdir().expect("tempdir");
    for (path, text) in FILES {
        let file = tmp.path().join("content").join(path);
        std::fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
        std::fs::write(file, text).expect("write");
    }
    let output = portal(&["build"], tmp.path());
    assert!(output.status.success(), "{}", stderr(&output));
    let out = tmp.path().join("site");
    let texts = all_output_text(&out);
    assert!(
        texts.iter().any(|(f, _)| f == "suche/index.bin"),
        "the search index is searched too"
    );
    let mut leaks = Vec::new();
    for (file, text) in &texts {
        // Stems as the search index stores them: "kanarie" → "kanari".
        // (FB 56/0777/WP18 may appear: a public text mentions it, as plain text.)
        for needle in ["kanari", "0888", "0998", "0999"] {
            if text.contains(needle) {
                leaks.push(format!("{needle} in {file}"));
            }
        }
    }
    assert!(leaks.is_empty(), "leaked:\n{}", leaks.join("\n"));

    // What is published: the public parts, and the non-public items' number and title.
    let sitzung = text_of(&read(&out, "sitzungen/asid-08-wp18/index.html"));
    assert!(sitzung.contains("TOP N1 Personalangelegenheit"));
    assert!(sitzung.contains("TOP N2 Grundstücksangelegenheit"));
    assert!(sitzung.contains("Öffentlicher Text."));
    let offen = read(&out, "vorlagen/fb-56-0100-wp18/index.html");
    assert!(
        offen.contains("Verweis auf FB 56/0777/WP18 bleibt Text."),
        "mention of a non-public number stays plain text"
    );
    for page in [
        "vorlagen/fb-56-0777-wp18",
        "vorlagen/fb-56-0888-wp18",
        "vorlagen/fb-56-0998-wp18",
        "vorlagen/fb-56-0999-wp18",
        "sitzungen/asid-09-wp18",
    ] {
        assert!(!out.join(page).exists(), "{page} must not exist");
    }
}
