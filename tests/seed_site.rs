//! Builds the repository's own site (the Aachen seed) and checks what a reader gets.

mod common;

use common::*;

fn site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    build_seed(&dir.path().join("site"));
    dir
}

/// The `<main>` part of a page, so assertions ignore header and footer.
fn main_of(html: &str) -> &str {
    let start = html.find("<main").expect("page has <main>");
    let end = html.rfind("</main>").expect("page closes <main>");
    &html[start..end]
}

#[test]
fn every_internal_link_and_anchor_resolves() {
    let dir = site();
    let broken = broken_links(&dir.path().join("site"), "/");
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn all_23_vorlage_numbers_of_the_seed_have_pages_and_department_codes_do_not() {
    let dir = site();
    let out = dir.path().join("site");
    let pages: Vec<String> = files(&out)
        .into_iter()
        .filter(|f| f.starts_with("vorlagen/fb-") && f.ends_with("/index.html"))
        .collect();
    assert_eq!(pages.len(), 23, "{pages:#?}");
    for nr in [
        "0008", "0009", "0010", "0011", "0013", "0014", "0016", "0020", "0022", "0023", "0024",
        "0025", "0026", "0027", "0028", "0031", "0032", "0033", "0034", "0039", "0051",
    ] {
        assert!(
            out.join(format!("vorlagen/fb-56-{nr}-wp18/index.html"))
                .is_file(),
            "{nr}"
        );
    }
    assert!(out.join("vorlagen/fb-56-0010-wp18-1/index.html").is_file());
    assert!(out.join("vorlagen/fb-56-0013-wp18-1/index.html").is_file());
    // The department code "FB 56/100" in Anlage 2 of TOP 17 stays plain text.
    let tischvorlage = read(&out, "anlagen/asid-07-wp18-top-17-anlage-2/index.html");
    assert!(tischvorlage.contains("FB 56/100"));
    assert!(!tischvorlage.contains(">FB 56/100</a>"));
}

#[test]
fn spelling_variants_link_to_the_canonical_page() {
    let dir = site();
    let sitzung = read(
        &dir.path().join("site"),
        "sitzungen/asid-07-wp18/index.html",
    );
    assert!(
        sitzung.contains("<a href=\"../../vorlagen/fb-56-0025-wp18/\">FB56/0025/WP18</a>"),
        "the variant FB56/0025/WP18 in the Beschluss of TOP 20 links to FB 56/0025/WP18"
    );
}

#[test]
fn sitzung_page_reads_like_the_minutes() {
    let dir = site();
    let html = read(
        &dir.path().join("site"),
        "sitzungen/asid-07-wp18/index.html",
    );
    let main = main_of(&html);
    let text = text_of(main);
    for expected in [
        "Sitzungstermin Donnerstag, 25.02.2021",
        "Sitzungsbeginn 17:00 Uhr",
        "Sitzungsende 18:00 Uhr",
        "Ort, Raum Brüsselsaal, EUROGRESS Aachen, Monheimsallee 48, 52062 Aachen",
        "Niederschrift vom 30. März 2021",
        "Ratsherr Hans Leo Deumens, Ausschussvorsitzender",
        "Herr Michael Mauer, Vertretung für Ratsherr Tjark Zimmer",
        "Herr Norbert Klüppel (entschuldigt)",
        "Prof. Dr. Sicking, Dezernat VI – Beigeordneter",
        "Schriftführung Herr Rahn-Bergner",
    ] {
        assert!(text.contains(expected), "missing: {expected}");
    }
    // Agenda: every public TOP, in order, each with its anchor.
    let tops = [
        "1", "2", "3", "4", "5", "5.1", "6", "7", "7.1", "8", "9", "10", "11", "12", "13", "14",
        "15", "16", "17", "18", "19", "20", "21", "22",
    ];
    let mut last = 0;
    for top in tops {
        let anchor = format!("id=\"tagesordnung-top-{}\"", top.replace('.', "-"));
        let at = main
            .find(&anchor)
            .unwrap_or_else(|| panic!("agenda item {top} missing"));
        assert!(at > last, "TOP {top} out of order");
        last = at;
        // Every agenda item has its Protokoll section, and links there.
        assert!(
            main.contains(&format!("id=\"top-{}\"", top.replace('.', "-"))),
            "section zu {top}"
        );
        assert!(
            main.contains(&format!("href=\"#top-{}\"", top.replace('.', "-"))),
            "link to zu {top}"
        );
    }
    assert!(text.contains("TOP 4 Erstellung eines Konzepts"));
    assert!(text.contains("Ergebnis vertagt"));
    // The non-public part: titles only, under their own heading.
    let np = main
        .find("Nichtöffentlicher Teil")
        .expect("non-public part listed");
    let np_text = text_of(&main[np..main.find("id=\"protokoll\"").expect("protokoll")]);
    assert!(np_text.contains("TOP 1 Kenntnisnahme der Niederschrift über die Sitzung des Ausschusses für Soziales, Integration und Demographie vom 27.08.2020 – nichtöffentlicher Teil"));
    assert!(np_text.contains("TOP 2 Mitteilungen der Verwaltung"));
    assert!(!np_text.contains("Ergebnis"));
    // Anlagen by TOP.
    for slug in [
        "top-12-anlage-1",
        "top-12-anlage-2",
        "top-17-anlage-1",
        "top-17-anlage-2",
        "top-20-anlage-1",
    ] {
        assert!(
            main.contains(&format!("../../anlagen/asid-07-wp18-{slug}/")),
            "{slug}"
        );
    }
    // Persons link to their pages.
    assert!(main.contains("href=\"../../personen/hans-leo-deumens/\""));
}

#[test]
fn vorlage_page_shows_beratungsverlauf_with_beschluss_and_ursprung() {
    let dir = site();
    let out = dir.path().join("site");
    let html = read(&out, "vorlagen/fb-56-0010-wp18-1/index.html");
    let main = main_of(&html);
    let text = text_of(main);
    assert!(
        text.contains("Ausschuss für Soziales, Integration und Demographie, 25.02.2021, TOP 5.1"),
        "{text}"
    );
    assert!(text.contains(
        "genehmigt nachträglich die am 14.12.2020 einvernehmlich freigegebene Förderung"
    ));
    assert!(text.contains("Abstimmung einstimmig ohne Enthaltung"));
    assert!(main.contains("href=\"../../sitzungen/asid-07-wp18/#top-5-1\""));
    assert!(text.contains("Ursprungsvorlage FB 56/0010/WP18"));
    assert!(text.contains("Der Text dieser Vorlage ist nicht im Bestand"));
    let parent = read(&out, "vorlagen/fb-56-0010-wp18/index.html");
    assert!(
        parent.contains("href=\"../../vorlagen/fb-56-0010-wp18-1/\""),
        "Ergänzung listed on the Ursprungsvorlage"
    );
}

#[test]
fn vorlage_with_text_shows_its_planned_beratung_and_body() {
    let dir = site();
    let html = read(
        &dir.path().join("site"),
        "vorlagen/fb-56-0051-wp18/index.html",
    );
    let text = text_of(main_of(&html));
    assert!(
        text.contains("Federführende Dienststelle Fachbereich Wohnen, Soziales und Integration")
    );
    // Planned in the Beratungsfolge; the minutes of that Sitzung are not in the corpus.
    assert!(
        text.contains(
            "Ausschuss für Soziales, Integration und Demographie, 06.05.2021 Entscheidung; geplant"
        ),
        "{text}"
    );
    assert!(text.contains("genehmigt die Niederschrift über die Sitzung"));
    assert!(!text.contains("nicht im Bestand"));
}

#[test]
fn mentions_are_listed_with_their_place() {
    let dir = site();
    let html = read(
        &dir.path().join("site"),
        "vorlagen/fb-56-0025-wp18/index.html",
    );
    let main = main_of(&html);
    // TOP 19 is its Beratung; the Beschluss of TOP 20 mentions it.
    assert!(text_of(main).contains("TOP 19"));
    assert!(
        main.contains("href=\"../../sitzungen/asid-07-wp18/#top-20\""),
        "mention in TOP 20"
    );
}

#[test]
fn anlage_page_names_parent_and_top_and_keeps_tables() {
    let dir = site();
    let html = read(
        &dir.path().join("site"),
        "anlagen/asid-07-wp18-top-17-anlage-1/index.html",
    );
    let main = main_of(&html);
    assert!(main.contains("href=\"../../sitzungen/asid-07-wp18/#tagesordnung-top-17\""));
    assert!(main.contains("<table>"));
    assert!(main.contains("class=\"table-scroll\""));
    assert!(text_of(main).contains("76.220,00 €"));
}

#[test]
fn person_and_gremium_pages() {
    let dir = site();
    let out = dir.path().join("site");
    let person = text_of(main_of(&read(&out, "personen/hans-leo-deumens/index.html")));
    assert!(person.contains("Ausschuss für Soziales, Integration und Demographie am 25.02.2021"));
    assert!(
        person.contains("TOP 1: Eröffnung der Sitzung"),
        "named in the Protokoll of TOP 1"
    );
    assert!(
        person.contains("TOP 20"),
        "named in the Protokoll of TOP 20"
    );
    let frankenberger = text_of(main_of(&read(&out, "personen/frankenberger/index.html")));
    assert!(frankenberger.contains("für die Verwaltung"));
    assert!(frankenberger.contains("TOP 12"));
    let gremium = text_of(main_of(&read(
        &out,
        "gremien/ausschuss-fuer-soziales-integration-und-demographie/index.html",
    )));
    assert!(gremium.contains("Sitzung am Donnerstag, 25.02.2021"));
    assert!(gremium.contains("Hans Leo Deumens"));
}

#[test]
fn every_page_has_breadcrumbs_one_h1_and_german_language() {
    let dir = site();
    let out = dir.path().join("site");
    for file in files(&out).into_iter().filter(|f| f.ends_with(".html")) {
        let html = read(&out, &file);
        assert!(html.contains("<html lang=\"de\">"), "{file}");
        assert_eq!(html.matches("<h1").count(), 1, "{file} has one h1");
        if file != "index.html" && file != "404.html" {
            assert!(
                html.contains("aria-label=\"Sie sind hier\""),
                "{file} has breadcrumbs"
            );
        }
    }
}

#[test]
fn start_page_lists_latest_sitzungen_vorlagen_and_gremien() {
    let dir = site();
    let html = read(&dir.path().join("site"), "index.html");
    assert!(html.contains("href=\"sitzungen/asid-07-wp18/\""));
    assert!(html.contains("href=\"vorlagen/fb-56-0051-wp18/\""));
    assert!(html.contains("href=\"gremien/ausschuss-fuer-soziales-integration-und-demographie/\""));
}

#[test]
fn builds_are_byte_identical_whatever_the_number_of_threads() {
    let build_with = |threads: &str| {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("site");
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_portal"))
            .args(["build", "--out", out.to_str().expect("utf-8")])
            .env("RAYON_NUM_THREADS", threads)
            .current_dir(repo())
            .output()
            .expect("portal runs");
        assert!(output.status.success(), "{}", stderr(&output));
        dir
    };
    let a = build_with("1");
    let b = build_with("4");
    let (a, b) = (a.path().join("site"), b.path().join("site"));
    let (fa, fb) = (files(&a), files(&b));
    assert_eq!(fa, fb);
    assert!(
        fa.iter().any(|f| f.starts_with("suche/i/")),
        "the search index is compared too"
    );
    for f in fa {
        assert!(
            std::fs::read(a.join(&f)).expect("a") == std::fs::read(b.join(&f)).expect("b"),
            "{f} differs"
        );
    }
}
