//! Bad input gets a message a clerk can act on: file, line, what is wrong, how to fix it.
//! Each case is data: the files of a small corpus and the messages expected for them.

mod common;

use std::path::Path;

use common::*;

const VORLAGE: &str =
    "---\ntyp: vorlage\nnr: FB 56/0001/WP18\ntitel: Gut\ndatum: 2021-02-01\n---\nText\n";
const SITZUNG: &str = "---\ntyp: niederschrift\nnr: ASID/01/WP18\ntitel: Sitzung\ngremium: Ausschuss\ndatum: 2021-02-25\ntagesordnung:\n  - top: '1'\n    titel: Eröffnung\n---\n## zu 1 Eröffnung\n\nText\n";

struct Case {
    name: &'static str,
    files: &'static [(&'static str, &'static [u8])],
    /// (text that must appear in one message line: `file:line` and a fragment)
    expected: &'static [(&'static str, &'static str)],
}

const CASES: &[Case] = &[
    Case {
        name: "invalid YAML",
        files: &[("v.md", b"---\ntyp: vorlage\nnr: FB 56/0002/WP18\ntitel: \"offen\ndatum: 2021-02-01\n---\n")],
        expected: &[("v.md:", "YAML")],
    },
    Case {
        name: "frontmatter not closed",
        files: &[("v.md", b"---\ntyp: vorlage\ntitel: x\n")],
        expected: &[("v.md:1", "nie geschlossen")],
    },
    Case {
        name: "no frontmatter",
        files: &[("v.md", b"# Nur Text\n")],
        expected: &[("v.md:1", "Dateikopf")],
    },
    Case {
        name: "missing typ",
        files: &[("v.md", b"---\ntitel: x\ndatum: 2021-02-01\n---\n")],
        expected: &[("v.md:1", "`typ` fehlt")],
    },
    Case {
        name: "unknown typ with suggestion",
        files: &[("v.md", b"---\ntyp: vorlag\ntitel: x\ndatum: 2021-02-01\n---\n")],
        expected: &[("v.md:2", "Unbekannter `typ`"), ("Hinweis", "Meinten Sie `typ: vorlage`?")],
    },
    Case {
        name: "missing required keys per typ",
        files: &[
            ("a.md", b"---\ntyp: vorlage\ntitel: x\ndatum: 2021-02-01\n---\n"),
            ("b.md", b"---\ntyp: niederschrift\nnr: X/1\ntitel: x\ndatum: 2021-02-01\n---\n"),
            ("c.md", b"---\ntyp: anlage\ntitel: x\ndatum: 2021-02-01\n---\n"),
            ("d.md", b"---\ntyp: anlage\nzu: FB 56/0001/WP18\ndatum: 2021-02-01\n---\n"),
        ],
        expected: &[("a.md:1", "`nr` fehlt"), ("b.md:1", "`gremium` fehlt"), ("c.md:1", "`zu` fehlt"), ("d.md:1", "`titel` fehlt")],
    },
    Case {
        name: "impossible date",
        files: &[("v.md", b"---\ntyp: vorlage\nnr: FB 56/0002/WP18\ntitel: x\ndatum: 2021-02-30\n---\n")],
        expected: &[("v.md:5", "2021-02-30"), ("Hinweis", "JJJJ-MM-TT")],
    },
    Case {
        name: "impossible time and date in a list",
        files: &[("s.md", b"---\ntyp: niederschrift\nnr: X/1\ntitel: x\ngremium: G\ndatum: 2021-02-01\nbeginn: '25:99'\n---\n"), ("v.md", b"---\ntyp: vorlage\nnr: FB 56/0003/WP18\ntitel: x\ndatum: 2021-02-01\nberatungsfolge:\n  - datum: 2021-13-01\n    gremium: Rat\n---\n")],
        expected: &[("s.md:7", "Uhrzeit"), ("v.md:7", "2021-13-01")],
    },
    Case {
        name: "duplicate Vorlage numbers name both files",
        files: &[("a.md", VORLAGE.as_bytes()), ("b.md", b"---\ntyp: vorlage\nnr: FB56/0001/WP18\ntitel: Doppelt\ndatum: 2021-02-02\n---\n")],
        expected: &[("b.md:1", "doppelt"), ("b.md:1", "a.md")],
    },
    Case {
        name: "duplicate TOP numbers",
        files: &[("s.md", b"---\ntyp: niederschrift\nnr: X/1\ntitel: x\ngremium: G\ndatum: 2021-02-01\ntagesordnung:\n  - top: '1'\n    titel: A\n  - top: '1'\n    titel: B\n---\n")],
        expected: &[("s.md:10", "TOP 1 steht zweimal")],
    },
    Case {
        name: "Anlage whose zu names nothing",
        files: &[("v.md", VORLAGE.as_bytes()), ("a.md", b"---\ntyp: anlage\nzu: FB 56/0999/WP18\ntitel: x\ndatum: 2021-02-01\n---\n")],
        expected: &[("a.md:1", "nennt keine Vorlage und keine Niederschrift")],
    },
    Case {
        name: "Anlage of a TOP that does not exist",
        files: &[("s.md", SITZUNG.as_bytes()), ("a.md", b"---\ntyp: anlage\nzu: ASID/01/WP18\ntop: '9'\ntitel: x\ndatum: 2021-02-01\n---\n")],
        expected: &[("a.md:1", "keinen öffentlichen TOP 9")],
    },
    Case {
        name: "file that is not UTF-8",
        files: &[("v.md", b"---\ntyp: vorlage\ntitel: Gr\xfc\xdfe\n---\n")],
        expected: &[("v.md:3", "nicht in UTF-8")],
    },
    Case {
        name: "empty file",
        files: &[("v.md", b"")],
        expected: &[("v.md", "leer")],
    },
    Case {
        name: "datei that does not exist",
        files: &[("v.md", VORLAGE.as_bytes()), ("a.md", b"---\ntyp: anlage\nzu: FB 56/0001/WP18\ntitel: x\ndatum: 2021-02-01\ndatei: fehlt.pdf\n---\n")],
        expected: &[("a.md:6", "existiert nicht")],
    },
    Case {
        name: "datei outside the content folder",
        files: &[("v.md", VORLAGE.as_bytes()), ("a.md", b"---\ntyp: anlage\nzu: FB 56/0001/WP18\ntitel: x\ndatum: 2021-02-01\ndatei: ../../../../../../etc/hostname\n---\n")],
        expected: &[("a.md:6", "außerhalb des Inhaltsordners")],
    },
    Case {
        name: "unknown status",
        files: &[("v.md", b"---\ntyp: vorlage\nnr: FB 56/0002/WP18\ntitel: x\ndatum: 2021-02-01\nstatus: geheim\n---\n")],
        expected: &[("v.md:6", "Unbekannter `status`")],
    },
];

fn run_case(case: &Case, extra_args: &[&str]) -> (Option<i32>, String) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let content = tmp.path().join("content");
    std::fs::create_dir_all(&content).expect("mkdir");
    for (name, bytes) in case.files {
        std::fs::write(content.join(name), bytes).expect("write");
    }
    let mut args = vec!["check"];
    args.extend_from_slice(extra_args);
    let output = portal(&args, tmp.path());
    (output.status.code(), stderr(&output))
}

#[test]
fn every_bad_input_is_reported_with_file_line_and_hint() {
    let mut failures = Vec::new();
    for case in CASES {
        let (code, messages) = run_case(case, &[]);
        if code != Some(1) {
            failures.push(format!("{}: exit code {code:?}\n{messages}", case.name));
            continue;
        }
        for (place, fragment) in case.expected {
            let found = messages
                .lines()
                .any(|l| l.contains(place) && l.contains(fragment));
            if !found {
                failures.push(format!(
                    "{}: no line with `{place}` and `{fragment}` in:\n{messages}",
                    case.name
                ));
            }
        }
        if !messages.contains("Hinweis:") {
            failures.push(format!("{}: no hint in:\n{messages}", case.name));
        }
        if messages.contains("panicked") {
            failures.push(format!("{}: panic:\n{messages}", case.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn all_problems_of_a_run_are_reported_at_once() {
    let files: Vec<(&str, &[u8])> = CASES.iter().flat_map(|c| c.files.iter().copied()).collect();
    let tmp = tempfile::tempdir().expect("tempdir");
    let content = tmp.path().join("content");
    for (i, (name, bytes)) in files.iter().enumerate() {
        let dir = content.join(format!("{i:02}"));
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::write(dir.join(name), bytes).expect("write");
    }
    let output = portal(&["check"], tmp.path());
    assert_eq!(output.status.code(), Some(1));
    let errors = stderr(&output)
        .lines()
        .filter(|l| l.starts_with("Fehler:"))
        .count();
    assert!(errors >= 15, "{errors} errors:\n{}", stderr(&output));
}

#[test]
fn unknown_keys_warn_with_a_suggestion_and_strict_makes_them_errors() {
    const CASE: Case = Case {
        name: "unknown key",
        files: &[("v.md", "---\ntyp: vorlage\nnr: FB 56/0002/WP18\ntittel: x\ntitel: y\ndatum: 2021-02-01\nfederführend: FB 56\n---\n".as_bytes())],
        expected: &[],
    };
    let (code, messages) = run_case(&CASE, &[]);
    assert_eq!(code, Some(0), "{messages}");
    assert!(
        messages.contains("Warnung: content/v.md:4: Unbekanntes Feld `tittel`"),
        "{messages}"
    );
    assert!(messages.contains("Meinten Sie `titel`?"), "{messages}");
    assert!(
        messages.contains("Meinten Sie `federfuehrend`?"),
        "{messages}"
    );
    let (code, _) = run_case(&CASE, &["--strict"]);
    assert_eq!(code, Some(1));
}

#[test]
fn symbolic_links_that_leave_the_content_folder_are_refused() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let content = tmp.path().join("content");
    std::fs::create_dir_all(&content).expect("mkdir");
    std::fs::write(content.join("v.md"), VORLAGE).expect("write");
    let outside = tmp.path().join("geheim.md");
    std::fs::write(
        &outside,
        "---\ntyp: vorlage\nnr: FB 56/0009/WP18\ntitel: GEHEIMNIS\ndatum: 2021-02-01\n---\n",
    )
    .expect("write");
    std::os::unix::fs::symlink(&outside, content.join("link.md")).expect("symlink");
    let output = portal(&["build"], tmp.path());
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("Symbolischer Link zeigt aus dem Inhaltsordner hinaus"),
        "{}",
        stderr(&output)
    );
    assert!(!tmp.path().join("site").exists());

    // A link inside the content folder is fine.
    std::fs::remove_file(content.join("link.md")).expect("rm");
    std::fs::create_dir_all(content.join("sub")).expect("mkdir");
    std::os::unix::fs::symlink(content.join("v.md"), content.join("sub/auch.md")).expect("symlink");
    let output = portal(&["check"], tmp.path());
    // The same Vorlage twice through the link: reported as a duplicate, not as escaping.
    assert!(!stderr(&output).contains("hinaus"), "{}", stderr(&output));

    // static/ may not leak files from outside either.
    std::fs::remove_file(content.join("sub/auch.md")).expect("rm");
    std::fs::create_dir_all(tmp.path().join("static")).expect("mkdir");
    std::os::unix::fs::symlink(&outside, tmp.path().join("static/geheim.md")).expect("symlink");
    let output = portal(&["build"], tmp.path());
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stderr(&output).contains("static/"), "{}", stderr(&output));
    assert!(!Path::new(&tmp.path().join("site/static/geheim.md")).exists());
}
