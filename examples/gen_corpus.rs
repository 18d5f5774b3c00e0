//! `gen_corpus`: a deterministic generator of synthetic council-portal corpora.
//!
//! ```text
//! cargo run --release --example gen_corpus -- --sitzungen 300 --out /tmp/corpus-300 [--seed 1]
//! ```
//!
//! Writes `<out>/book.toml` and `<out>/content/{sitzungen,vorlagen,anlagen}/<Jahr>/*.md` in the
//! content format of docs/content-format.md. The same arguments (and the same seed content)
//! always give byte-identical output: every random decision comes from a small splitmix64
//! generator seeded from `--seed` and the index of the Sitzung, Vorlage or Anlage it belongs
//! to, so the parallel generation (rayon, one job per Sitzung) does not change the result.
//!
//! Sentences are sampled from the bodies of the seed corpus (`content/**/*.md` of this
//! project, read at runtime); persons, streets and projects are invented. Text that must never
//! be published (non-public agenda items, non-public Vorlagen and their Anlagen) carries the
//! marker `VERTRAULICH-<n>`. See docs/corpus-generator.md.

use std::collections::{BTreeSet, VecDeque};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;
use regex::Regex;
use walkdir::WalkDir;

/// The default Vorlage-Nr pattern of the portal (src/config.rs); generated numbers and
/// mentions must match it, sampled sentences must not.
const VORLAGE_NR: &str = r"\b[A-ZÄÖÜ][A-Za-zÄÖÜäöü]{0,5} ?\d{1,3}/\d{4}/WP\d{1,2}(?:-\d{1,2})?\b";

/// The marker word that opens every paragraph of non-public text.
const MARKER: &str = "VERTRAULICH";

/// Vorlagen written per Sitzung (uniform); with ~3 Anlagen and the Niederschrift this gives
/// ~21.8 documents per Sitzung.
const VORLAGEN_MIN: usize = 13;
const VORLAGEN_MAX: usize = 22;

/// Share (per mille) of invented template sentences among the sampled sentences.
const TEMPLATE_SHARE: usize = 350;

// ------------------------------------------------------------------------------------------
// Random numbers: splitmix64, seeded per stream and index.

const STREAM_DATES: u64 = 1;
const STREAM_PLAN: u64 = 2;
const STREAM_MEMBERS: u64 = 3;
const STREAM_SITZUNG: u64 = 4;
const STREAM_VORLAGE: u64 = 5;
const STREAM_BESCHLUSS: u64 = 6;

fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

struct Rng(u64);

impl Rng {
    fn new(seed: u64, stream: u64, index: u64) -> Rng {
        Rng(mix(
            mix(seed ^ mix(stream)) ^ index.wrapping_mul(0xD1B5_4A32_D192_ED03)
        ))
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `per_mille / 1000`.
    fn chance(&mut self, per_mille: usize) -> bool {
        self.below(1000) < per_mille
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

// ------------------------------------------------------------------------------------------
// Dates (days since 1970-01-01, proleptic Gregorian).

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Date(i64);

impl Date {
    fn from_ymd(y: i64, m: i64, d: i64) -> Date {
        let y = if m <= 2 { y - 1 } else { y };
        let era = if y >= 0 { y } else { y - 399 } / 400;
        let yoe = y - era * 400;
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        Date(era * 146_097 + doe - 719_468)
    }

    fn ymd(self) -> (i64, i64, i64) {
        let z = self.0 + 719_468;
        let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let y = yoe + era * 400;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        (if m <= 2 { y + 1 } else { y }, m, d)
    }

    /// 0 = Monday … 6 = Sunday.
    fn weekday(self) -> i64 {
        (self.0 + 3).rem_euclid(7)
    }

    fn plus(self, days: i64) -> Date {
        Date(self.0 + days)
    }

    fn year(self) -> i64 {
        self.ymd().0
    }

    fn iso(self) -> String {
        let (y, m, d) = self.ymd();
        format!("{y:04}-{m:02}-{d:02}")
    }

    fn german(self) -> String {
        let (y, m, d) = self.ymd();
        format!("{d:02}.{m:02}.{y:04}")
    }
}

/// The Wahlperiode (NRW municipal election periods, numbered as in Aachen: WP18 = 2020–2025).
fn wahlperiode(d: Date) -> u32 {
    let starts = [
        (Date::from_ymd(2025, 11, 1), 19),
        (Date::from_ymd(2020, 11, 1), 18),
        (Date::from_ymd(2014, 6, 1), 17),
        (Date::from_ymd(2009, 10, 21), 16),
        (Date::from_ymd(2004, 10, 21), 15),
    ];
    starts
        .iter()
        .find(|(start, _)| d >= *start)
        .map_or(14, |&(_, wp)| wp)
}

const FIRST_WP: u32 = 14;
const WP_COUNT: usize = 6;

// ------------------------------------------------------------------------------------------
// Fixed vocabulary: departments, committees, names, places.

struct Dept {
    prefix: &'static str,
    num: u32,
    name: &'static str,
    dezernat: usize,
    themen: &'static [&'static str],
}

const DEZERNATE: [&str; 7] = [
    "Dez I", "Dez II", "Dez III", "Dez IV", "Dez V", "Dez VI", "Dez VII",
];

const DEPTS: &[Dept] = &[
    Dept {
        prefix: "FB",
        num: 11,
        name: "Fachbereich Personal und Organisation",
        dezernat: 0,
        themen: &[
            "Personalentwicklungskonzept {jahr} – Bericht",
            "Betriebliches Gesundheitsmanagement – Sachstand {jahr}",
            "Einrichtung von {n} zusätzlichen Stellen im Bürgerservice {ort}",
            "Stellenplan {jahr} – Veränderungen gegenüber dem Vorjahr",
            "Digitalisierung der Verwaltung – Sachstandsbericht {jahr}",
            "Besetzung von Gremien – Benennung von Vertreterinnen und Vertretern",
            "Dienstvereinbarung zum mobilen Arbeiten – Evaluation",
            "Ausbildungsoffensive {jahr} – Bericht der Verwaltung",
        ],
    },
    Dept {
        prefix: "FB",
        num: 20,
        name: "Fachbereich Finanzsteuerung",
        dezernat: 1,
        themen: &[
            "Überplanmäßige Auszahlung für {zweck} im Haushaltsjahr {jahr}",
            "Kreditermächtigung {jahr} – Inanspruchnahme",
            "Zuwendung an den {traeger} – Verwendungsnachweis {vorjahr}",
            "Haushaltsplanberatungen {jahr} – Haushaltsplanentwurf {jahr} einschließlich Finanzplanung {jahr1} – {jahr3}",
            "Überplanmäßige Aufwendungen im Haushaltsjahr {jahr} für {zweck}",
            "Bericht über die Entwicklung der Haushaltslage zum {q}. Quartal {jahr}",
            "Jahresabschluss {vorjahr} – Feststellung und Entlastung",
            "Beteiligungsbericht {vorjahr}",
            "Hebesatzsatzung {jahr1} – Grundsteuer und Gewerbesteuer",
        ],
    },
    Dept {
        prefix: "FB",
        num: 32,
        name: "Fachbereich Sicherheit und Ordnung",
        dezernat: 3,
        themen: &[
            "Gefahrenabwehrverordnung für den {platz}",
            "Ordnungspartnerschaft {ort} – Bericht {jahr}",
            "Marktsatzung – Änderung für den Wochenmarkt in {ort}",
            "Ordnungsbehördliche Verordnung über das Offenhalten von Verkaufsstellen in {ort}",
            "Sondernutzungen im öffentlichen Straßenraum – Anpassung der Gebühren",
            "Bericht des Ordnungsdienstes zur Lage am {platz}",
            "Brandschutzbedarfsplan – Fortschreibung {jahr}",
            "Neubau der Feuer- und Rettungswache {ort} – Standortentscheidung",
        ],
    },
    Dept {
        prefix: "FB",
        num: 36,
        name: "Fachbereich Klima und Umwelt",
        dezernat: 2,
        themen: &[
            "Luftreinhalteplan – Messergebnisse {vorjahr} an der {str}",
            "Stadtbäume in {ort} – Nachpflanzprogramm {jahr}",
            "Förderprogramm Klimaschutz in {ort} – Zwischenbilanz",
            "Integriertes Klimaschutzkonzept – Fortschreibung {jahr}",
            "Baumschutzsatzung – Änderung der Ersatzpflanzungsregeln",
            "Förderprogramm Dachbegrünung – Bilanz {vorjahr}",
            "Lärmaktionsplan Stufe {n1} – Beteiligung der Öffentlichkeit",
            "Hitzeaktionsplan für {ort}",
            "Renaturierung des {bach} im Abschnitt {str}",
        ],
    },
    Dept {
        prefix: "FB",
        num: 40,
        name: "Fachbereich Kinder, Jugend und Schule",
        dezernat: 3,
        themen: &[
            "Schulhofumgestaltung an der {schule}",
            "Jugendzentrum {ort} – Trägerwechsel",
            "Plätze in der Kindertagespflege in {ort} – Ausbau {jahr}",
            "Schulentwicklungsplanung {jahr} – {jahr5}",
            "Erweiterung der {schule} um {n1} Züge",
            "Ausbau der Offenen Ganztagsschule an der {schule}",
            "Kita-Bedarfsplanung für das Kindergartenjahr {jahr}/{jahr1}",
            "Offene Kinder- und Jugendarbeit in {ort} – Förderung {jahr}",
            "Schulwegsicherung an der {schule}",
        ],
    },
    Dept {
        prefix: "FB",
        num: 45,
        name: "Kulturbetrieb",
        dezernat: 4,
        themen: &[
            "Zuschuss an den Kulturverein {ort} für das Projekt „{projekt}“",
            "Sanierung der Stadtbibliothek {ort} – Bericht",
            "Kulturnacht {jahr} – Bilanz und Ausblick",
            "Kulturförderung {jahr} – Vergabe der Projektmittel",
            "Wirtschaftsplan {jahr} des Kulturbetriebs",
            "Neukonzeption der Dauerausstellung im {museum}",
            "Spielzeit {jahr}/{jahr1} des Stadttheaters – Bericht",
            "Förderung der freien Kulturszene – Richtlinie {jahr}",
        ],
    },
    Dept {
        prefix: "FB",
        num: 56,
        name: "Fachbereich Wohnen, Soziales und Integration",
        dezernat: 5,
        themen: &[
            "Quartiersmanagement {ort} – Verlängerung bis {jahr3}",
            "Sozialticket {jahr} – Erfahrungsbericht",
            "Unterbringung Geflüchteter in {ort} – Sachstand",
            "Anträge der Träger der freien Wohlfahrtspflege auf Erhöhung der Zuschüsse {jahr}",
            "Zuschuss an den {traeger} für das Projekt „{projekt}“",
            "Sachstandsbericht zur Versorgung wohnungsloser Menschen in {ort}",
            "Kommunales Integrationsmanagement – Umsetzungsbericht {jahr}",
            "Vergabe von Mitteln aus dem Stadtteilfonds – Projektantrag „{projekt}“",
            "Handlungskonzept Wohnen – Fortschreibung {jahr}",
            "Seniorenarbeit in {ort} – Bericht der Verwaltung",
        ],
    },
    Dept {
        prefix: "FB",
        num: 61,
        name: "Fachbereich Stadtentwicklung und Stadtplanung",
        dezernat: 2,
        themen: &[
            "Vorhabenbezogener Bebauungsplan Nr. {n3} – {str} – Durchführungsvertrag",
            "Städtebaulicher Wettbewerb {ort} – Auslobung",
            "Veränderungssperre für den Bereich {str} in {ort}",
            "Bebauungsplan Nr. {n3} – {str} – Aufstellungsbeschluss",
            "Bebauungsplan Nr. {n3} – {str} – Beschluss zur Offenlage",
            "Bebauungsplan Nr. {n3} – {str} – Satzungsbeschluss",
            "Änderung Nr. {n2} des Flächennutzungsplans – {ort}",
            "Rahmenplanung {ort} – Ergebnisse der Bürgerbeteiligung",
            "Integriertes Handlungskonzept {ort} – Förderantrag {jahr}",
        ],
    },
    Dept {
        prefix: "FB",
        num: 63,
        name: "Fachbereich Bauaufsicht",
        dezernat: 2,
        themen: &[
            "Bauantrag zum Umbau eines Wohn- und Geschäftshauses, {str} {hn}",
            "Werbeanlage an der {str} {hn} – Befreiung",
            "Bauvoranfrage {str} {hn}",
            "Bauantrag zur Errichtung eines Mehrfamilienhauses, {str} {hn}",
            "Befreiung von den Festsetzungen des Bebauungsplans Nr. {n3}, {str} {hn}",
            "Nutzungsänderung einer Gewerbehalle, {str} {hn}",
        ],
    },
    Dept {
        prefix: "FB",
        num: 66,
        name: "Fachbereich Mobilität und Verkehr",
        dezernat: 2,
        themen: &[
            "Tempo 30 in der {str} in {ort}",
            "Radvorrangroute {ort} – Planungsstand",
            "Sanierung der Brücke in der {str}",
            "Radverkehrsführung in der {str}",
            "Umgestaltung des Knotenpunktes {str}/{str2}",
            "Bewohnerparken in {ort} – Erweiterung der Zone {zone}",
            "Busbeschleunigung auf der Linie {linie}",
            "Verkehrsberuhigung {str} – Anregung nach § 24 GO NRW",
            "Mobilitätsstation am {platz}",
        ],
    },
    Dept {
        prefix: "E",
        num: 18,
        name: "Stadtbetrieb",
        dezernat: 2,
        themen: &[
            "Abfallwirtschaftssatzung – Gebühren {jahr1}",
            "Straßenbeleuchtung in {ort} – Umrüstung auf LED",
            "Unterhaltung der Grünflächen in {ort} – Pflegekonzept",
            "Wirtschaftsplan {jahr} des Stadtbetriebs",
            "Straßenreinigungs- und Winterdienstsatzung – Gebührenkalkulation {jahr}",
            "Sanierung der Grünanlage {park}",
            "Friedhofsgebührensatzung {jahr}",
            "Spielplatzprogramm {jahr} – Erneuerung des Spielplatzes {str}",
        ],
    },
    Dept {
        prefix: "E",
        num: 26,
        name: "Gebäudemanagement",
        dezernat: 1,
        themen: &[
            "Sanierung der Sporthalle der {schule}",
            "Brandschutzertüchtigung der {schule}",
            "Anmietung von Büroflächen in der {str}",
            "Sanierung der {schule} – Baubeschluss",
            "Energetische Sanierung des Verwaltungsgebäudes {str}",
            "Bauprogramm {jahr} – Prioritätenliste",
            "Photovoltaik auf städtischen Dächern – Ausbauprogramm {jahr}",
            "Neubau einer Turnhalle an der {schule} – Planungsbeschluss",
        ],
    },
    Dept {
        prefix: "FB",
        num: 1,
        name: "Büro des Rates",
        dezernat: 0,
        themen: &[
            "Ehrungen und Jubiläen – Richtlinie",
            "Neuregelung der Aufwandsentschädigungen ab {jahr1}",
            "Änderung der Zuständigkeitsordnung für die Ausschüsse",
            "Umbesetzung in Ausschüssen – Antrag der {fr}",
            "Sitzungskalender {jahr1}",
            "Geschäftsordnung für den Rat und die Ausschüsse – Änderung",
        ],
    },
];

/// Department used for the "Genehmigung der Niederschrift" Vorlagen of Rat and Hauptausschuss.
const DEPT_RAT: usize = 12;

#[derive(Clone, Copy, PartialEq, Eq)]
enum GKind {
    Rat,
    Ausschuss,
    Bezirk,
}

struct Gremium {
    name: &'static str,
    kuerzel: &'static str,
    nominativ: &'static str,
    genitiv: &'static str,
    dativ: &'static str,
    kind: GKind,
    /// Members (Ratsmitglieder or Bezirksvertreter).
    mitglieder: usize,
    /// Sachkundige Bürgerinnen und Bürger (committees only).
    buerger: usize,
    depts: &'static [usize],
    ort: &'static str,
    /// Relative frequency of its Sitzungen.
    weight: usize,
    /// Gremien that may deal with a Vorlage after this one.
    next: &'static [usize],
    /// Allowed weekdays (0 = Monday).
    days: &'static [i64],
}

const RAT: usize = 0;

const GREMIEN: &[Gremium] = &[
    Gremium {
        name: "Rat der Stadt",
        kuerzel: "RAT",
        nominativ: "Der Rat der Stadt",
        genitiv: "des Rates der Stadt",
        dativ: "dem Rat der Stadt",
        kind: GKind::Rat,
        mitglieder: 46,
        buerger: 0,
        depts: &[0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12],
        ort: "Krönungssaal, Rathaus, Markt",
        weight: 60,
        next: &[],
        days: &[2],
    },
    Gremium {
        name: "Hauptausschuss",
        kuerzel: "HA",
        nominativ: "Der Hauptausschuss",
        genitiv: "des Hauptausschusses",
        dativ: "dem Hauptausschuss",
        kind: GKind::Ausschuss,
        mitglieder: 19,
        buerger: 0,
        depts: &[12, 1, 0, 2, 11],
        ort: "Weißer Saal, Rathaus, Markt",
        weight: 80,
        next: &[RAT],
        days: &[1, 2],
    },
    Gremium {
        name: "Ausschuss für Soziales, Integration und Demographie",
        kuerzel: "ASID",
        nominativ: "Der Ausschuss für Soziales, Integration und Demographie",
        genitiv: "des Ausschusses für Soziales, Integration und Demographie",
        dativ: "dem Ausschuss für Soziales, Integration und Demographie",
        kind: GKind::Ausschuss,
        mitglieder: 11,
        buerger: 8,
        depts: &[6],
        ort: "Sitzungssaal 1, Verwaltungsgebäude am Marschiertor",
        weight: 100,
        next: &[1, RAT],
        days: &[0, 1, 2, 3],
    },
    Gremium {
        name: "Planungsausschuss",
        kuerzel: "PLA",
        nominativ: "Der Planungsausschuss",
        genitiv: "des Planungsausschusses",
        dativ: "dem Planungsausschuss",
        kind: GKind::Ausschuss,
        mitglieder: 12,
        buerger: 7,
        depts: &[7, 8, 7],
        ort: "Ratssaal, Verwaltungsgebäude Lagerhausstraße",
        weight: 100,
        next: &[RAT],
        days: &[0, 1, 2, 3],
    },
    Gremium {
        name: "Mobilitätsausschuss",
        kuerzel: "MOA",
        nominativ: "Der Mobilitätsausschuss",
        genitiv: "des Mobilitätsausschusses",
        dativ: "dem Mobilitätsausschuss",
        kind: GKind::Ausschuss,
        mitglieder: 12,
        buerger: 6,
        depts: &[9],
        ort: "Ratssaal, Verwaltungsgebäude Lagerhausstraße",
        weight: 100,
        next: &[RAT, 1],
        days: &[0, 1, 2, 3],
    },
    Gremium {
        name: "Finanzausschuss",
        kuerzel: "FA",
        nominativ: "Der Finanzausschuss",
        genitiv: "des Finanzausschusses",
        dativ: "dem Finanzausschuss",
        kind: GKind::Ausschuss,
        mitglieder: 13,
        buerger: 4,
        depts: &[1, 1, 0],
        ort: "Weißer Saal, Rathaus, Markt",
        weight: 100,
        next: &[1, RAT],
        days: &[0, 1, 2, 3],
    },
    Gremium {
        name: "Schulausschuss",
        kuerzel: "SCHA",
        nominativ: "Der Schulausschuss",
        genitiv: "des Schulausschusses",
        dativ: "dem Schulausschuss",
        kind: GKind::Ausschuss,
        mitglieder: 11,
        buerger: 6,
        depts: &[4, 11],
        ort: "Sitzungssaal 2, Verwaltungsgebäude am Marschiertor",
        weight: 100,
        next: &[RAT, 5],
        days: &[0, 1, 2, 3],
    },
    Gremium {
        name: "Kinder- und Jugendausschuss",
        kuerzel: "KJA",
        nominativ: "Der Kinder- und Jugendausschuss",
        genitiv: "des Kinder- und Jugendausschusses",
        dativ: "dem Kinder- und Jugendausschuss",
        kind: GKind::Ausschuss,
        mitglieder: 10,
        buerger: 8,
        depts: &[4, 6],
        ort: "Sitzungssaal 2, Verwaltungsgebäude am Marschiertor",
        weight: 100,
        next: &[RAT],
        days: &[0, 1, 2, 3],
    },
    Gremium {
        name: "Ausschuss für Umwelt und Klimaschutz",
        kuerzel: "AUK",
        nominativ: "Der Ausschuss für Umwelt und Klimaschutz",
        genitiv: "des Ausschusses für Umwelt und Klimaschutz",
        dativ: "dem Ausschuss für Umwelt und Klimaschutz",
        kind: GKind::Ausschuss,
        mitglieder: 12,
        buerger: 6,
        depts: &[3, 10],
        ort: "Sitzungssaal 1, Verwaltungsgebäude am Marschiertor",
        weight: 100,
        next: &[RAT, 3],
        days: &[0, 1, 2, 3],
    },
    Gremium {
        name: "Betriebsausschuss Kultur",
        kuerzel: "BAK",
        nominativ: "Der Betriebsausschuss Kultur",
        genitiv: "des Betriebsausschusses Kultur",
        dativ: "dem Betriebsausschuss Kultur",
        kind: GKind::Ausschuss,
        mitglieder: 10,
        buerger: 5,
        depts: &[5],
        ort: "Foyer des Stadttheaters",
        weight: 80,
        next: &[RAT, 5],
        days: &[0, 1, 2, 3],
    },
    Gremium {
        name: "Bezirksvertretung Aachen-Mitte",
        kuerzel: "BV-Mitte",
        nominativ: "Die Bezirksvertretung Aachen-Mitte",
        genitiv: "der Bezirksvertretung Aachen-Mitte",
        dativ: "der Bezirksvertretung Aachen-Mitte",
        kind: GKind::Bezirk,
        mitglieder: 19,
        buerger: 0,
        depts: &[7, 8, 9, 10],
        ort: "Ratssaal, Verwaltungsgebäude Lagerhausstraße",
        weight: 90,
        next: &[3, 4],
        days: &[2, 3],
    },
    Gremium {
        name: "Bezirksvertretung Aachen-Brand",
        kuerzel: "BV-Brand",
        nominativ: "Die Bezirksvertretung Aachen-Brand",
        genitiv: "der Bezirksvertretung Aachen-Brand",
        dativ: "der Bezirksvertretung Aachen-Brand",
        kind: GKind::Bezirk,
        mitglieder: 15,
        buerger: 0,
        depts: &[7, 9, 10, 8],
        ort: "Sitzungssaal, Bezirksamt Brand",
        weight: 70,
        next: &[3, 4],
        days: &[1, 2],
    },
];

const FEMALE: &[&str] = &[
    "Anna",
    "Birgit",
    "Claudia",
    "Doris",
    "Elke",
    "Franziska",
    "Gabriele",
    "Hannah",
    "Ines",
    "Julia",
    "Katrin",
    "Laura",
    "Monika",
    "Nadine",
    "Petra",
    "Renate",
    "Sabine",
    "Tanja",
    "Ursula",
    "Verena",
    "Andrea",
    "Brigitte",
    "Carola",
    "Daniela",
    "Eva",
    "Frauke",
    "Gisela",
    "Heike",
    "Iris",
    "Jutta",
    "Karin",
    "Lena",
    "Marion",
    "Nicole",
    "Ulrike",
    "Sandra",
    "Silke",
    "Stefanie",
    "Susanne",
    "Martina",
];

const MALE: &[&str] = &[
    "Andreas",
    "Bernd",
    "Christian",
    "Dieter",
    "Erik",
    "Frank",
    "Georg",
    "Hans-Peter",
    "Ingo",
    "Jürgen",
    "Klaus",
    "Lars",
    "Markus",
    "Norbert",
    "Oliver",
    "Peter",
    "Rainer",
    "Stefan",
    "Thomas",
    "Uwe",
    "Volker",
    "Wolfgang",
    "Achim",
    "Bernhard",
    "Carsten",
    "Detlef",
    "Elmar",
    "Florian",
    "Gerd",
    "Heinz",
    "Jan",
    "Karl-Heinz",
    "Lothar",
    "Manfred",
    "Nils",
    "Ralf",
    "Sebastian",
    "Torsten",
    "Werner",
    "Michael",
];

const SURNAMES: &[&str] = &[
    "Adams",
    "Arens",
    "Bach",
    "Bartels",
    "Baumann",
    "Beckers",
    "Bergmann",
    "Beyer",
    "Bischoff",
    "Blum",
    "Bongartz",
    "Brandt",
    "Breuer",
    "Brock",
    "Büttgen",
    "Classen",
    "Conrads",
    "Cremer",
    "Dahmen",
    "Delhougne",
    "Dohmen",
    "Dreßen",
    "Eckert",
    "Engels",
    "Erdmann",
    "Esser",
    "Faber",
    "Fey",
    "Frings",
    "Fuchs",
    "Gehlen",
    "Gerhards",
    "Gillessen",
    "Görtz",
    "Graf",
    "Gülpen",
    "Haas",
    "Hahn",
    "Hamacher",
    "Hansen",
    "Hartmann",
    "Heinen",
    "Hennes",
    "Hermanns",
    "Heuser",
    "Hilgers",
    "Hoven",
    "Hülsmann",
    "Jansen",
    "Jöris",
    "Jordans",
    "Kaiser",
    "Kalff",
    "Keller",
    "Kessels",
    "Keuchen",
    "Klein",
    "Klinkenberg",
    "Knops",
    "Kohnen",
    "Körfer",
    "Kraus",
    "Kreutz",
    "Kuckartz",
    "Kuhn",
    "Lambertz",
    "Lange",
    "Lennartz",
    "Lenzen",
    "Linden",
    "Löhr",
    "Lorenz",
    "Maassen",
    "Mainz",
    "Marx",
    "Mertens",
    "Meuser",
    "Moonen",
    "Moll",
    "Nellessen",
    "Neumann",
    "Nießen",
    "Offermann",
    "Olbertz",
    "Ortmanns",
    "Otten",
    "Pauls",
    "Peters",
    "Pütz",
    "Quadflieg",
    "Ramacher",
    "Reiners",
    "Renner",
    "Reuter",
    "Rinkens",
    "Römer",
    "Rütten",
    "Sauer",
    "Savelsberg",
    "Schaffrath",
    "Schiffers",
    "Schlebusch",
    "Schmitz",
    "Schneiders",
    "Scholl",
    "Schroeder",
    "Schüller",
    "Schumacher",
    "Schwartz",
    "Simons",
    "Sistemich",
    "Sommer",
    "Spelthahn",
    "Stollenwerk",
    "Strauch",
    "Thelen",
    "Thissen",
    "Tillmann",
    "Ullrich",
    "Vaaßen",
    "Vogt",
    "Vossen",
    "Wagemann",
    "Walter",
    "Weber",
    "Weiden",
    "Wetzels",
    "Wilms",
    "Wings",
    "Winkens",
    "Wirtz",
    "Wolff",
    "Zander",
    "Ziemons",
    "Zimmermanns",
    "Abels-Hoven",
    "Bremen-Lutz",
    "Dunkel-Krings",
    "Falk-Mertens",
    "Gerlach-Busch",
    "Henn-Pohlen",
    "Jacobs-Wiertz",
    "Kessler-Brand",
    "Lenz-Offergeld",
    "Mohr-Kamp",
    "van den Berg",
    "van Dyck",
    "de Haan",
    "von Loë",
    "ter Horst",
    "Ahrens",
    "Bungart",
    "Crumbach",
    "Drießen",
    "Ehlert",
];

const ORTE: &[&str] = &[
    "Brand",
    "Eilendorf",
    "Haaren",
    "Kornelimünster",
    "Laurensberg",
    "Richterich",
    "Burtscheid",
    "Forst",
    "Frankenberger Viertel",
    "Ostviertel",
    "Westpark",
    "Soers",
    "Vaalserquartier",
    "Rothe Erde",
    "Walheim",
    "Lichtenbusch",
];

/// Street names, all feminine ("an der Lindenstraße").
const STRASSEN: &[&str] = &[
    "Lindenstraße",
    "Kirchstraße",
    "Mühlenstraße",
    "Wiesengrundstraße",
    "Bahnhofstraße",
    "Schulstraße",
    "Gartenstraße",
    "Hülsstraße",
    "Talstraße",
    "Bergstraße",
    "Ringstraße",
    "Lindenallee",
    "Feldstraße",
    "Rosenstraße",
    "Buchenallee",
    "Kastanienallee",
    "Hochstraße",
    "Weiherstraße",
    "Brückenstraße",
    "Marktstraße",
    "Heidestraße",
    "Klostergasse",
    "Wiesenstraße",
    "Eichendorffstraße",
    "Schillerstraße",
    "Goethestraße",
    "Tuchmacherstraße",
    "Wallstraße",
    "Sandkaulstraße",
    "Pastorstraße",
    "Birkenallee",
    "Mühlengasse",
];

const PLAETZE: &[&str] = &[
    "Marktplatz",
    "Kaiserplatz",
    "Bahnhofsvorplatz",
    "Elisenbrunnen",
    "Hansemannplatz",
    "Lindenplatz",
    "Kirchplatz",
    "Blücherplatz",
];

const PARKS: &[&str] = &[
    "Stadtgarten",
    "Westpark",
    "Kennedypark",
    "Ferberpark",
    "Moltkepark",
    "Hangeweiher",
    "Burgpark",
];

const BAECHE: &[&str] = &[
    "Wurmbachs",
    "Haarbachs",
    "Indebachs",
    "Beverbachs",
    "Johannisbachs",
];

const MUSEEN: &[&str] = &[
    "Stadtmuseum",
    "Museum für Stadtgeschichte",
    "Zeitungsmuseum",
    "Couven-Museum",
    "Internationalen Zeitungsmuseum",
];

const TRAEGER: &[&str] = &[
    "Caritasverband",
    "Diakonischen Werk",
    "Kreisverband der Arbeiterwohlfahrt",
    "Paritätischen Wohlfahrtsverband",
    "Kreisverband des Deutschen Roten Kreuzes",
    "Verein für Jugendhilfe e.V.",
    "Förderverein Stadtteilarbeit e.V.",
    "Nachbarschaftshilfe e.V.",
];

const PROJEKTE: &[&str] = &[
    "Stadtteilmobil",
    "Quartierstreff",
    "Lernpaten",
    "Mittagstisch für Seniorinnen und Senioren",
    "Sprachcafé",
    "Nachbarschaftsgarten",
    "Jugendtreff am Abend",
    "Familienlotsen",
    "Schuldnerberatung vor Ort",
];

const ZWECKE: &[&str] = &[
    "die Unterbringung Geflüchteter",
    "gestiegene Energiekosten",
    "die Schulbuchausleihe",
    "den Winterdienst",
    "Tarifsteigerungen",
    "die Sanierung von Sportstätten",
];

const FRAKTIONEN: &[&str] = &[
    "CDU-Fraktion",
    "SPD-Fraktion",
    "Fraktion Bündnis 90/Die Grünen",
    "FDP-Fraktion",
    "Fraktion Die Linke",
    "Fraktionen von CDU und SPD",
    "Fraktionen von Grünen und SPD",
];

const NP_TITEL: &[&str] = &[
    "Personalangelegenheit",
    "Grundstücksangelegenheit – Ankauf einer Fläche in {ort}",
    "Grundstücksangelegenheit – Verkauf des Grundstücks {str} {hn}",
    "Vergabe von Bauleistungen für die {schule}",
    "Vertragsangelegenheit",
    "Rechtsstreit in einer Bauangelegenheit",
    "Stundung von Forderungen",
    "Mitteilungen der Verwaltung (nichtöffentlich)",
    "Vergabe eines Rahmenvertrags über Reinigungsleistungen",
    "Erbbaurechtsvertrag {str}",
];

const ANLAGE_TITEL: &[&str] = &[
    "Kostenaufstellung",
    "Finanzierungsplan",
    "Übersicht der Zuwendungen",
    "Maßnahmenliste",
    "Kalkulation",
    "Tischvorlage",
    "Prioritätenliste",
    "Mittelverteilung",
];

const KOSTENARTEN: &[&str] = &[
    "Personalkosten",
    "Sachkosten",
    "Mietkosten",
    "Honorarkosten",
    "Instandhaltung",
    "Öffentlichkeitsarbeit",
    "Fortbildung",
    "Ausstattung",
    "Energiekosten",
    "Reinigung",
    "Planungskosten",
    "Baukosten",
    "Dolmetschkosten",
    "Verwaltungskostenpauschale",
];

/// Invented, topic-neutral sentences mixed into the seed sentences for variety.
const TEMPLATES: &[&str] = &[
    "Die Verwaltung hat die Planung im Jahr {jahr} mit den betroffenen Fachbereichen abgestimmt.",
    "Die Kosten belaufen sich nach derzeitiger Schätzung auf rund {betrag}.",
    "Die erforderlichen Mittel stehen im Haushalt {jahr} unter dem Produkt {produkt} zur Verfügung.",
    "Mit der Umsetzung der Maßnahme soll im {monat} {jahr1} begonnen werden.",
    "Die Bürgerinnen und Bürger in {ort} wurden im Rahmen einer Informationsveranstaltung beteiligt.",
    "Im Bereich der {str} wurden im vergangenen Jahr {n} Beschwerden registriert.",
    "Die Bezirksvertretung hat sich mit dem Vorhaben befasst und eine Empfehlung ausgesprochen.",
    "Eine Förderung aus Landesmitteln wurde beantragt; der Bewilligungsbescheid steht noch aus.",
    "Der {traeger} hat seine Kalkulation fristgerecht vorgelegt.",
    "Die Verwaltung wird über den Fortgang der Arbeiten regelmäßig berichten.",
    "Die Maßnahme ist mit dem Integrierten Klimaschutzkonzept vereinbar.",
    "Für die weitere Planung wurde ein externes Ingenieurbüro beauftragt.",
    "Der Personalmehrbedarf beträgt {n} Vollzeitstellen.",
    "Der Zuschuss soll ab {jahr1} auf {betrag} jährlich angehoben werden.",
    "Die Ausschreibung erfolgt voraussichtlich im {monat} {jahr}.",
    "Die Stellungnahmen der Träger öffentlicher Belange wurden ausgewertet und sind in die Abwägung eingeflossen.",
    "Die Fläche an der {str} befindet sich im Eigentum der Stadt.",
    "Eine Alternative zu der vorgeschlagenen Lösung besteht nach Einschätzung der Verwaltung nicht.",
    "Die Folgekosten werden auf jährlich rund {betrag} geschätzt.",
    "Über die Ergebnisse der Prüfung wird die Verwaltung in einer der nächsten Sitzungen berichten.",
    "Die Zahl der Teilnehmenden ist gegenüber dem Vorjahr um {prozent} Prozent gestiegen.",
    "Die Anregung aus der Bürgerschaft wurde geprüft und wird in Teilen aufgegriffen.",
    "Die Arbeiten sollen bis Ende {jahr1} abgeschlossen sein.",
    "Die Abstimmung mit der Unteren Denkmalbehörde ist erfolgt.",
    "Die Haltestelle {str} wird im Zuge der Maßnahme barrierefrei ausgebaut.",
    "Der bisherige Ansatz reicht aufgrund gestiegener Baupreise nicht aus.",
    "Die Elternbefragung hat eine hohe Nachfrage nach Ganztagsplätzen in {ort} ergeben.",
    "Die Verkehrszählung an der {str} ergab durchschnittlich {n4} Fahrzeuge pro Tag.",
    "Die Grünfläche an der {str} soll naturnah umgestaltet werden.",
    "Das Angebot wird von rund {n3} Besucherinnen und Besuchern im Jahr genutzt.",
    "Die Verwaltung schlägt vor, das Projekt zunächst für zwei Jahre zu fördern.",
    "Eine Evaluation ist nach Ablauf des ersten Förderjahres vorgesehen.",
    "Die Gebühren sind nach den Vorgaben des Kommunalabgabengesetzes kostendeckend kalkuliert.",
    "Die Satzung tritt am Tag nach ihrer öffentlichen Bekanntmachung in Kraft.",
    "Die Beteiligung der Kinder und Jugendlichen erfolgte in zwei Workshops in {ort}.",
    "Der Seniorenrat und der Integrationsrat wurden beteiligt.",
    "Die Personalvertretung wurde nach dem Landespersonalvertretungsgesetz beteiligt.",
    "Die Mittel werden aus dem Budget des Fachbereichs gedeckt.",
    "Mit dem {traeger} wird eine Leistungsvereinbarung für die Jahre {jahr} bis {jahr3} geschlossen.",
    "Die Auswirkungen auf den Verkehr in {ort} wurden gutachterlich untersucht.",
    "Im {monat} {jahr} fand ein Ortstermin an der {str} statt.",
    "Der Eigenanteil der Stadt beträgt {prozent} Prozent der förderfähigen Kosten.",
    "Die Baugenehmigung für das Vorhaben an der {str} liegt vor.",
    "Aus Sicht der Verwaltung ist die Maßnahme wirtschaftlich und zweckmäßig.",
    "Die Nachfrage übersteigt das vorhandene Angebot in {ort} deutlich.",
    "Eine Verlängerung der Frist bis zum {monat} {jahr1} wurde beim Zuwendungsgeber beantragt.",
];

const MONATE: &[&str] = &portal::model::date::MONTHS;

// ------------------------------------------------------------------------------------------
// Persons.

struct Person {
    name: String,
    surname: String,
    female: bool,
}

/// Person `k` of the invented population: a bijection from `k` onto (first name, surname)
/// pairs, so different `k` give different names.
fn person(k: usize) -> Person {
    let firsts = FEMALE.len() + MALE.len();
    let combos = firsts * SURNAMES.len();
    let p = (k * 7919 + 101) % combos;
    let f = p % firsts;
    let (first, female) = if f < FEMALE.len() {
        (FEMALE[f], true)
    } else {
        (MALE[f - FEMALE.len()], false)
    };
    let surname = SURNAMES[p / firsts];
    let dr = k.is_multiple_of(23);
    let name = if dr {
        format!("Dr. {first} {surname}")
    } else {
        format!("{first} {surname}")
    };
    Person {
        name,
        surname: surname.to_string(),
        female,
    }
}

fn herr_frau(p: &Person) -> &'static str {
    if p.female {
        "Frau"
    } else {
        "Herr"
    }
}

#[derive(Clone)]
struct Member {
    k: usize,
    anrede: String,
}

/// Ratsmitglieder of a Wahlperiode: a sliding window over the population, so that many persons
/// serve several periods.
fn rat_pool(w: usize) -> Vec<usize> {
    (w * 22..w * 22 + 64).collect()
}

fn wp_index(wp: u32) -> usize {
    (wp - FIRST_WP) as usize
}

/// The members of a Gremium in a Wahlperiode, chair first.
fn members(seed: u64, g: usize, wp: u32) -> Vec<Member> {
    let gr = &GREMIEN[g];
    let w = wp_index(wp);
    let mut rng = Rng::new(seed, STREAM_MEMBERS, (g * 16 + w) as u64);
    let rat_anrede = |k: usize| {
        if person(k).female {
            "Ratsfrau"
        } else {
            "Ratsherr"
        }
        .to_string()
    };
    let mut out = Vec::new();
    match gr.kind {
        GKind::Rat | GKind::Ausschuss => {
            let mut pool = rat_pool(w);
            // Partial Fisher-Yates: the first `mitglieder` of a seeded shuffle.
            let n = gr.mitglieder.min(pool.len());
            for i in 0..n {
                let j = i + rng.below(pool.len() - i);
                pool.swap(i, j);
            }
            for &k in &pool[..n] {
                out.push(Member {
                    k,
                    anrede: rat_anrede(k),
                });
            }
            for b in 0..gr.buerger {
                let k = 1000 + g * 60 + w * 6 + b;
                out.push(Member {
                    k,
                    anrede: herr_frau(&person(k)).to_string(),
                });
            }
            if gr.kind == GKind::Rat {
                // Two Bürgermeister(innen) among the Ratsmitglieder.
                for m in out.iter_mut().take(2) {
                    m.anrede = if person(m.k).female {
                        "Bürgermeisterin"
                    } else {
                        "Bürgermeister"
                    }
                    .to_string();
                }
            }
        }
        GKind::Bezirk => {
            for b in 0..gr.mitglieder {
                let k = 2000 + g * 60 + w * 7 + b;
                out.push(Member {
                    k,
                    anrede: herr_frau(&person(k)).to_string(),
                });
            }
        }
    }
    out
}

fn chair_funktion(g: usize, female: bool) -> &'static str {
    match (GREMIEN[g].kind, female) {
        (GKind::Rat, _) => "Vorsitz",
        (GKind::Ausschuss, true) => "Ausschussvorsitzende",
        (GKind::Ausschuss, false) => "Ausschussvorsitzender",
        (GKind::Bezirk, true) => "Bezirksbürgermeisterin",
        (GKind::Bezirk, false) => "Bezirksbürgermeister",
    }
}

/// The Oberbürgermeister(in) of a Wahlperiode (chairs the Rat, heads Dez I).
fn ob(w: usize) -> usize {
    7500 + w / 2
}

fn dezernent(dez: usize, w: usize) -> usize {
    if dez == 0 {
        ob(w)
    } else {
        7000 + dez * 10 + w / 2
    }
}

fn fb_person(dept: usize, w: usize, slot: usize) -> usize {
    4000 + dept * 30 + w * 3 + slot
}

// ------------------------------------------------------------------------------------------
// Seed sentences.

struct TextPool {
    /// Sentences of the seed bodies without names of persons.
    sentences: Vec<String>,
    /// Seed sentences that named a person; the name is replaced by [`PERSON`].
    person_sentences: Vec<String>,
}

/// Placeholder for a person in [`TextPool::person_sentences`].
const PERSON: &str = "\u{1}";

/// The year the seed documents were written; years in seed sentences are shifted by the
/// distance between a document's year and this one.
const SEED_YEAR: i64 = 2021;

const ABBREVIATIONS: &[&str] = &[
    "bzw", "ca", "Nr", "Dr", "Prof", "vgl", "ggf", "inkl", "Abs", "gem", "evtl", "sog", "usw",
    "etc", "Std", "Mio", "Mrd", "Tsd", "max", "min", "zzgl", "bspw", "insb", "ff", "lfd", "stellv",
    "Hr", "Fr", "Str", "Tel", "iHv", "bez", "Gez", "gez", "Jh", "Kap", "Anl",
];

fn is_abbreviation(word: &str) -> bool {
    let core = word.trim_end_matches('.');
    let core = core.trim_start_matches(['(', '„', '"']);
    core.chars().count() <= 2
        || core.contains('.')
        || core.chars().all(|c| c.is_ascii_digit())
        || ABBREVIATIONS.contains(&core)
}

fn split_sentences(text: &str) -> Vec<&str> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = Vec::new();
    let mut start = 0;
    for k in 0..chars.len() {
        let (pos, c) = chars[k];
        if !matches!(c, '.' | '!' | '?') || k + 2 >= chars.len() {
            continue;
        }
        let next = chars[k + 2].1;
        if chars[k + 1].1 != ' ' || !(next.is_uppercase() || next == '„') {
            continue;
        }
        let word_start = text[..pos].rfind(' ').map_or(0, |p| p + 1);
        if c == '.' && is_abbreviation(&text[word_start..=pos]) {
            continue;
        }
        if start <= pos {
            out.push(text[start..=pos].trim());
        }
        start = chars[k + 2].0;
    }
    if start < text.len() {
        out.push(text[start..].trim());
    }
    out
}

fn acceptable(s: &str, nr: &Regex) -> bool {
    let n = s.chars().count();
    (40..=320).contains(&n)
        && s.chars().next().is_some_and(char::is_uppercase)
        && s.ends_with('.')
        && !s.contains(|c| "|<>[]*_`#\\{}~".contains(c))
        && !nr.is_match(s)
        && ![
            "http",
            "www",
            "@",
            "Herr ",
            "Frau ",
            "Herrn ",
            "Ratsherr",
            "Ratsfrau",
            "TOP ",
            "Gez.",
            "Anlage ",
            "Tagesordnungspunkt",
            "Vorsitzende",
            "vgl.",
            "S. ",
            "):",
            "(20",
            "Ausschuss für Soziales",
            "einstimmig",
            "Enthaltung",
            "Beschluss erfolgt",
            "Beschlussfassung",
            "Stand:",
        ]
        .iter()
        .any(|w| s.contains(w))
        // Footnote digits glued to the last word ("verortet1.").
        && !s
            .trim_end_matches('.')
            .chars()
            .last()
            .is_some_and(|c| c.is_ascii_digit())
}

fn body_of(text: &str) -> &str {
    let Some(rest) = text.strip_prefix("---") else {
        return text;
    };
    match rest.find("\n---") {
        Some(end) => {
            let after = &rest[end + 4..];
            after.split_once('\n').map_or("", |(_, body)| body)
        }
        None => text,
    }
}

fn paragraphs(body: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let flush = |cur: &mut String, out: &mut Vec<String>| {
        if !cur.trim().is_empty() {
            out.push(std::mem::take(cur));
        }
        cur.clear();
    };
    for line in body.lines() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') || t.starts_with('|') {
            flush(&mut cur, &mut out);
            continue;
        }
        let item = t
            .strip_prefix("- ")
            .or_else(|| t.strip_prefix("* "))
            .or_else(|| {
                let digits = t.chars().take_while(char::is_ascii_digit).count();
                if digits > 0 {
                    t[digits..].strip_prefix(". ")
                } else {
                    None
                }
            });
        if let Some(rest) = item {
            flush(&mut cur, &mut out);
            cur.push_str(rest);
            flush(&mut cur, &mut out);
            continue;
        }
        let t = t.strip_suffix('\\').unwrap_or(t);
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(t);
    }
    flush(&mut cur, &mut out);
    out
}

fn load_sentences(dir: &Path, nr: &Regex) -> Result<TextPool, String> {
    let link = Regex::new(r"\[([^\]]*)\]\([^)]*\)").expect("link pattern");
    let tag = Regex::new(r"</?[A-Za-z][^>]*>").expect("tag pattern");
    let mut files = Vec::new();
    for entry in WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.map_err(|e| format!("Seed-Inhalt {}: {e}", dir.display()))?;
        let hidden = entry
            .file_name()
            .to_str()
            .is_some_and(|n| n.starts_with('.') && n.len() > 1);
        if entry.file_type().is_file()
            && !hidden
            && entry.path().extension().is_some_and(|e| e == "md")
        {
            files.push(entry.into_path());
        }
    }
    let person = Regex::new(
        r"\b(?:Herrn?|Frau)(?: Bürgermeister(?:in)?| Prof\.| Dr\.)*(?: (?:van der|van|de|von) )?(?: ?[A-ZÄÖÜ][a-zäöüß]+(?:-[A-ZÄÖÜ][a-zäöüß]+)?)",
    )
    .expect("person pattern");
    let year = Regex::new(r"\b20[0-3]\d\b").expect("year pattern");
    let relative = |s: &str| -> String {
        year.replace_all(s, |c: &regex::Captures| {
            let y: i64 = c[0].parse().unwrap_or(SEED_YEAR);
            format!("{{y{:+}}}", y - SEED_YEAR)
        })
        .into_owned()
    };
    let mut seen = BTreeSet::new();
    let mut sentences = Vec::new();
    let mut person_sentences = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file)
            .map_err(|e| format!("Seed-Datei {} nicht lesbar: {e}", file.display()))?;
        for para in paragraphs(body_of(&text)) {
            let para = link.replace_all(&para, "$1");
            let para = tag.replace_all(&para, "");
            let para = para.replace("**", "");
            let para = para.split_whitespace().collect::<Vec<_>>().join(" ");
            for s in split_sentences(&para) {
                if person.is_match(s) {
                    let replaced = person.replace_all(s, PERSON);
                    let probe = replaced.replace(PERSON, "Person");
                    if acceptable(&probe, nr) && seen.insert(replaced.to_string()) {
                        person_sentences.push(relative(&replaced));
                    }
                } else if acceptable(s, nr) && seen.insert(s.to_string()) {
                    sentences.push(relative(s));
                }
            }
        }
    }
    if sentences.len() < 50 {
        return Err(format!(
            "Im Seed-Inhalt {} wurden nur {} brauchbare Sätze gefunden (mindestens 50 nötig).",
            dir.display(),
            sentences.len()
        ));
    }
    Ok(TextPool {
        sentences,
        person_sentences,
    })
}

// ------------------------------------------------------------------------------------------
// The plan: everything that links Sitzungen and Vorlagen, decided sequentially in date order.

#[derive(Clone, Copy, PartialEq, Eq)]
enum Art {
    Beschluss,
    Mitteilung,
    Antrag,
    Ergaenzung,
}

impl Art {
    fn label(self) -> &'static str {
        match self {
            Art::Beschluss => "Beschlussvorlage",
            Art::Mitteilung => "Mitteilungsvorlage",
            Art::Antrag => "Tagesordnungsantrag",
            Art::Ergaenzung => "Ergänzungsvorlage",
        }
    }
}

struct Beratung {
    gremium: usize,
    datum: Date,
    zustaendigkeit: &'static str,
}

/// The one Beratung of a Vorlage decided in the Sitzung that creates it.
fn decided_in(gremium: usize, datum: Date) -> Vec<Beratung> {
    vec![Beratung {
        gremium,
        datum,
        zustaendigkeit: "Entscheidung",
    }]
}

struct VorlagePlan {
    nr: String,
    dept: usize,
    datum: Date,
    art: Art,
    public: bool,
    ursprung: Option<usize>,
    titel: String,
    beratung: Vec<Beratung>,
    ergaenzungen: u32,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum ItemKind {
    Eroeffnung,
    Genehmigung,
    Sache,
    Mitteilungen,
    Anfragen,
    NichtOeffentlich,
}

struct Item {
    top: String,
    titel: String,
    vorlage: Option<usize>,
    kind: ItemKind,
    /// The next item is a sub-item (x.1) of this one.
    has_sub: bool,
}

struct SitzungPlan {
    gremium: usize,
    datum: Date,
    wp: u32,
    nr: String,
    prev: Option<Date>,
    items: Vec<Item>,
    /// Vorlagen written together with this Sitzung.
    own: Vec<usize>,
}

struct Plan {
    sitzungen: Vec<SitzungPlan>,
    vorlagen: Vec<VorlagePlan>,
}

struct Pending {
    vorlage: usize,
    step: usize,
    earliest: Date,
}

/// Replaces `{placeholders}` in a title template.
fn fill(rng: &mut Rng, template: &str, datum: Date) -> String {
    let year = datum.year();
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        let key = &rest[open + 1..open + close];
        match key {
            "jahr" => write!(out, "{year}"),
            "jahr1" => write!(out, "{}", year + 1),
            "jahr3" => write!(out, "{}", year + 3),
            "jahr5" => write!(out, "{}", year + 5),
            "vorjahr" => write!(out, "{}", year - 1),
            "q" => write!(out, "{}", rng.range(1, 3)),
            "n1" => write!(out, "{}", rng.range(1, 3)),
            "n2" => write!(out, "{}", rng.range(100, 160)),
            "n3" => write!(out, "{}", rng.range(700, 1050)),
            "hn" => write!(out, "{}", rng.range(1, 120)),
            "linie" => write!(out, "{}", rng.range(1, 75)),
            "zone" => write!(out, "{}", (b'A' + rng.below(12) as u8) as char),
            "ort" => write!(out, "{}", rng.pick(ORTE)),
            "str" | "str2" => write!(out, "{}", rng.pick(STRASSEN)),
            "platz" => write!(out, "{}", rng.pick(PLAETZE)),
            "park" => write!(out, "{}", rng.pick(PARKS)),
            "bach" => write!(out, "{}", rng.pick(BAECHE)),
            "museum" => write!(out, "{}", rng.pick(MUSEEN)),
            "traeger" => write!(out, "{}", rng.pick(TRAEGER)),
            "projekt" => {
                let p = *rng.pick(PROJEKTE);
                write!(out, "{p} {}", rng.pick(ORTE))
            }
            "zweck" => write!(out, "{}", rng.pick(ZWECKE)),
            "fr" => write!(out, "{}", rng.pick(FRAKTIONEN)),
            "schule" => {
                let kind = *rng.pick(&[
                    "Grundschule",
                    "Gesamtschule",
                    "Realschule",
                    "Sekundarschule",
                    "Förderschule",
                ]);
                if kind == "Grundschule" {
                    write!(out, "{kind} {}", rng.pick(STRASSEN))
                } else {
                    write!(out, "{kind} {}", rng.pick(ORTE))
                }
            }
            "datum" => write!(out, "{}", datum.german()),
            "n" => write!(out, "{}", rng.range(2, 14)),
            "n4" => write!(out, "{}", rng.range(1200, 24_000)),
            "prozent" => write!(out, "{}", rng.range(3, 40)),
            "monat" => write!(out, "{}", rng.pick(MONATE)),
            "betrag" => write!(out, "{}", euro(amount(rng))),
            "produkt" => write!(
                out,
                "{:02}-{:02}-{:02}",
                rng.range(1, 16),
                rng.range(1, 12),
                rng.range(1, 20)
            ),
            other => match other.strip_prefix('y').and_then(|o| o.parse::<i64>().ok()) {
                // Years of the seed text, relative to the seed's year.
                Some(offset) => write!(out, "{}", year + offset),
                None => write!(out, "{{{other}}}"),
            },
        }
        .expect("writing to a String");
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

fn dept_nr(dept: usize, n: u32, wp: u32) -> String {
    let d = &DEPTS[dept];
    format!("{} {:02}/{n:04}/WP{wp}", d.prefix, d.num)
}

struct Planner {
    seed: u64,
    vorlagen: Vec<VorlagePlan>,
    counters: Vec<u32>,
    queues: Vec<VecDeque<Pending>>,
    /// Titles already on the current Sitzung's agenda.
    used_titles: BTreeSet<String>,
    /// Vorlagen written so far beyond the per-Sitzung targets.
    surplus: i64,
}

impl Planner {
    fn number(&mut self, dept: usize, wp: u32) -> Result<String, String> {
        let c = &mut self.counters[dept * WP_COUNT + wp_index(wp)];
        *c += 1;
        if *c > 9999 {
            return Err(format!(
                "Mehr als 9999 Vorlagen für {} in WP{wp}: das Nummernformat reicht nicht (weniger Sitzungen wählen).",
                DEPTS[dept].name
            ));
        }
        Ok(dept_nr(dept, *c, wp))
    }

    fn push(&mut self, v: VorlagePlan) -> usize {
        self.vorlagen.push(v);
        self.vorlagen.len() - 1
    }

    /// The Beratungsfolge after the first Gremium, with planned dates.
    fn follow_ups(&mut self, rng: &mut Rng, first: usize, datum: Date, art: Art) -> Vec<Beratung> {
        let mut out = Vec::new();
        let mut g = first;
        let mut d = datum;
        let mut p = 380;
        while !GREMIEN[g].next.is_empty() && out.len() < 2 && rng.chance(p) {
            g = *rng.pick(GREMIEN[g].next);
            d = d.plus(rng.range(14, 42) as i64);
            out.push(Beratung {
                gremium: g,
                datum: d,
                zustaendigkeit: "Entscheidung",
            });
            p = 400;
        }
        if art == Art::Mitteilung {
            for b in &mut out {
                b.zustaendigkeit = "Kenntnisnahme";
            }
        }
        out
    }

    fn finish_beratung(first: Beratung, rest: Vec<Beratung>, art: Art) -> Vec<Beratung> {
        let mut all = vec![first];
        all.extend(rest);
        let n = all.len();
        for (i, b) in all.iter_mut().enumerate() {
            b.zustaendigkeit = if art == Art::Mitteilung {
                "Kenntnisnahme"
            } else if i + 1 < n {
                if GREMIEN[b.gremium].kind == GKind::Bezirk {
                    "Anhörung/Empfehlung"
                } else {
                    "Vorberatung"
                }
            } else {
                "Entscheidung"
            };
        }
        all
    }

    fn enqueue(&mut self, vid: usize, step: usize, earliest: Date) {
        if let Some(b) = self.vorlagen[vid].beratung.get(step) {
            let g = b.gremium;
            self.queues[g].push_back(Pending {
                vorlage: vid,
                step,
                earliest,
            });
        }
    }

    /// Takes a pending Beratung for Gremium `g` on day `d`, dropping stale ones.
    fn pop(&mut self, g: usize, d: Date) -> Option<(usize, usize)> {
        let queue = &mut self.queues[g];
        while queue.front().is_some_and(|p| p.earliest.0 + 150 < d.0) {
            queue.pop_front();
        }
        let pos = queue.iter().take(8).position(|p| p.earliest <= d)?;
        let p = queue.remove(pos)?;
        Some((p.vorlage, p.step))
    }

    /// A new Vorlage of Gremium `g` (first Beratung on `datum`, or planned later).
    fn new_vorlage(
        &mut self,
        rng: &mut Rng,
        g: usize,
        datum: Date,
        wp: u32,
    ) -> Result<usize, String> {
        let dept = *rng.pick(GREMIEN[g].depts);
        let roll = rng.below(1000);
        let art = if roll < 620 {
            Art::Beschluss
        } else if roll < 880 {
            Art::Mitteilung
        } else {
            Art::Antrag
        };
        // A title not yet used in this Sitzung (a few tries).
        let mut thema = String::new();
        for _ in 0..8 {
            let template = rng_pick_str(rng, DEPTS[dept].themen);
            thema = fill(rng, template, datum);
            if !self.used_titles.contains(&thema) {
                break;
            }
        }
        self.used_titles.insert(thema.clone());
        let titel = match art {
            Art::Antrag => {
                let fr = *rng.pick(FRAKTIONEN);
                let am = datum.plus(-(rng.range(20, 70) as i64));
                format!("{thema} – Tagesordnungsantrag der {fr} vom {}", am.german())
            }
            Art::Mitteilung if rng.chance(400) => format!("Sachstandsbericht: {thema}"),
            _ => thema,
        };
        let nr = self.number(dept, wp)?;
        let rest = self.follow_ups(rng, g, datum, art);
        let first = Beratung {
            gremium: g,
            datum,
            zustaendigkeit: "Entscheidung",
        };
        let beratung = Planner::finish_beratung(first, rest, art);
        let created = datum.plus(-(rng.range(9, 40) as i64));
        Ok(self.push(VorlagePlan {
            nr,
            dept,
            datum: created,
            art,
            public: true,
            ursprung: None,
            titel,
            beratung,
            ergaenzungen: 0,
        }))
    }
}

fn rng_pick_str(rng: &mut Rng, items: &[&'static str]) -> &'static str {
    items[rng.below(items.len())]
}

fn allowed_day(d: Date, days: &[i64]) -> bool {
    let (_, m, day) = d.ymd();
    let summer = (m == 7 && day >= 15) || (m == 8 && day <= 15);
    let christmas = (m == 12 && day >= 20) || (m == 1 && day <= 7);
    !summer && !christmas && days.contains(&d.weekday())
}

fn plan(seed: u64, n: usize) -> Result<Plan, String> {
    // 1. Dates and Gremien, spread evenly over 2004–2026.
    let start = Date::from_ymd(2004, 1, 12);
    let end = Date::from_ymd(2026, 12, 10);
    let span = end.0 - start.0;
    let total_weight: usize = GREMIEN.iter().map(|g| g.weight).sum();
    let mut taken: BTreeSet<(usize, Date)> = BTreeSet::new();
    let mut raw: Vec<(Date, usize)> = Vec::with_capacity(n);
    for i in 0..n {
        let mut rng = Rng::new(seed, STREAM_DATES, i as u64);
        let mut w = rng.below(total_weight);
        let mut g = 0;
        while w >= GREMIEN[g].weight {
            w -= GREMIEN[g].weight;
            g += 1;
        }
        let base = start.0 + ((2 * i as i64 + 1) * span) / (2 * n as i64);
        let mut d = Date(base + rng.range(0, 6) as i64 - 3);
        let mut forward = true;
        loop {
            if d > Date::from_ymd(2026, 12, 18) {
                forward = false;
            }
            if allowed_day(d, GREMIEN[g].days) && !taken.contains(&(g, d)) {
                break;
            }
            d = d.plus(if forward { 1 } else { -1 });
        }
        taken.insert((g, d));
        raw.push((d, g));
    }
    raw.sort();

    // 2. Numbers: laufende Nr per Gremium and Wahlperiode.
    let mut lfd = vec![0u32; GREMIEN.len() * WP_COUNT];
    let mut prev: Vec<Option<Date>> = vec![None; GREMIEN.len()];
    let mut sitzungen: Vec<SitzungPlan> = Vec::with_capacity(n);
    for &(datum, g) in &raw {
        let wp = wahlperiode(datum);
        let c = &mut lfd[g * WP_COUNT + wp_index(wp)];
        *c += 1;
        sitzungen.push(SitzungPlan {
            gremium: g,
            datum,
            wp,
            nr: format!("{}/{:02}/WP{wp}", GREMIEN[g].kuerzel, c),
            prev: prev[g],
            items: Vec::new(),
            own: Vec::new(),
        });
        prev[g] = Some(datum);
    }

    // 3. Agendas and Vorlagen, in date order.
    let mut planner = Planner {
        seed,
        vorlagen: Vec::with_capacity(n * 18),
        counters: vec![0; DEPTS.len() * WP_COUNT],
        queues: (0..GREMIEN.len()).map(|_| VecDeque::new()).collect(),
        used_titles: BTreeSet::new(),
        surplus: 0,
    };
    for (i, s) in sitzungen.iter_mut().enumerate() {
        let mut rng = Rng::new(planner.seed, STREAM_PLAN, i as u64);
        planner.used_titles.clear();
        let g = s.gremium;
        let gr = &GREMIEN[g];
        let n_total = rng.range(5, 15) + rng.range(5, 15);
        let n_np = rng.range(1, 4);
        let n_pub = n_total - n_np;
        let anfragen = rng.chance(300);
        let body_end = n_pub - 1 - usize::from(anfragen);
        let mut items: Vec<Item> = Vec::with_capacity(n_total);
        let mut own: Vec<usize> = Vec::new();
        let mut top = 1;
        items.push(Item {
            top: "1".into(),
            titel: "Eröffnung der Sitzung".into(),
            vorlage: None,
            kind: ItemKind::Eroeffnung,
            has_sub: false,
        });
        if let Some(p) = s.prev {
            let dept = if matches!(gr.kind, GKind::Rat) || g == 1 {
                DEPT_RAT
            } else {
                gr.depts[0]
            };
            let titel = format!(
                "Genehmigung der Niederschrift über die Sitzung {} vom {} – öffentlicher Teil",
                gr.genitiv,
                p.german()
            );
            let nr = planner.number(dept, s.wp)?;
            let vid = planner.push(VorlagePlan {
                nr,
                dept,
                datum: s.datum.plus(-(rng.range(10, 21) as i64)),
                art: Art::Beschluss,
                public: true,
                ursprung: None,
                titel: titel.clone(),
                beratung: decided_in(g, s.datum),
                ergaenzungen: 0,
            });
            own.push(vid);
            top += 1;
            items.push(Item {
                top: top.to_string(),
                titel,
                vorlage: Some(vid),
                kind: ItemKind::Genehmigung,
                has_sub: false,
            });
        }
        let mut sub = 0;
        while items.len() < body_end {
            let last = items.last().expect("Eröffnung is always there");
            let can_sub = last.kind == ItemKind::Sache
                && last.vorlage.is_some_and(|v| {
                    planner.vorlagen[v].public
                        && matches!(planner.vorlagen[v].art, Art::Beschluss | Art::Antrag)
                })
                && sub == 0;
            if can_sub && rng.chance(105) {
                // An Ergänzungsvorlage as sub-item x.1 of the previous item.
                let parent = last.vorlage.expect("checked above");
                let pv = &mut planner.vorlagen[parent];
                pv.ergaenzungen += 1;
                let nr = format!("{}-{}", pv.nr, pv.ergaenzungen);
                let titel = match rng.below(3) {
                    0 => format!("{} – Ergänzungsvorlage", pv.titel),
                    1 => format!("Nachträgliche Genehmigung: {}", pv.titel),
                    _ => format!("Ergänzung zur Vorlage {}: {}", pv.nr, pv.titel),
                };
                let dept = pv.dept;
                let vid = planner.push(VorlagePlan {
                    nr,
                    dept,
                    datum: s.datum.plus(-(rng.range(1, 8) as i64)),
                    art: Art::Ergaenzung,
                    public: true,
                    ursprung: Some(parent),
                    titel: titel.clone(),
                    beratung: decided_in(g, s.datum),
                    ergaenzungen: 0,
                });
                own.push(vid);
                sub += 1;
                if let Some(l) = items.last_mut() {
                    l.has_sub = true;
                }
                items.push(Item {
                    top: format!("{top}.{sub}"),
                    titel,
                    vorlage: Some(vid),
                    kind: ItemKind::Sache,
                    has_sub: false,
                });
                continue;
            }
            sub = 0;
            top += 1;
            let follow = if rng.chance(300) {
                planner.pop(g, s.datum)
            } else {
                None
            };
            let vid = match follow {
                Some((vid, step)) => {
                    planner.vorlagen[vid].beratung[step].datum = s.datum;
                    planner.enqueue(vid, step + 1, s.datum.plus(7));
                    vid
                }
                None => {
                    let vid = planner.new_vorlage(&mut rng, g, s.datum, s.wp)?;
                    own.push(vid);
                    planner.enqueue(vid, 1, s.datum.plus(7));
                    vid
                }
            };
            items.push(Item {
                top: top.to_string(),
                titel: planner.vorlagen[vid].titel.clone(),
                vorlage: Some(vid),
                kind: ItemKind::Sache,
                has_sub: false,
            });
        }
        top += 1;
        items.push(Item {
            top: top.to_string(),
            titel: "Mitteilungen der Verwaltung".into(),
            vorlage: None,
            kind: ItemKind::Mitteilungen,
            has_sub: false,
        });
        if anfragen {
            top += 1;
            items.push(Item {
                top: top.to_string(),
                titel: "Anfragen der Mitglieder".into(),
                vorlage: None,
                kind: ItemKind::Anfragen,
                has_sub: false,
            });
        }
        // Non-public part, numbered N1, N2, … so no number occurs in both parts.
        for k in 1..=n_np {
            let (titel, vorlage) = if k == 1 && s.prev.is_some() && rng.chance(300) {
                (
                    format!(
                        "Genehmigung der Niederschrift über die Sitzung {} vom {} – nichtöffentlicher Teil",
                        gr.genitiv,
                        s.prev.map(Date::german).unwrap_or_default()
                    ),
                    None,
                )
            } else {
                let template = rng_pick_str(&mut rng, NP_TITEL);
                let titel = fill(&mut rng, template, s.datum);
                if rng.chance(150) {
                    let dept = *rng.pick(gr.depts);
                    let nr = planner.number(dept, s.wp)?;
                    let vid = planner.push(VorlagePlan {
                        nr,
                        dept,
                        datum: s.datum.plus(-(rng.range(9, 30) as i64)),
                        art: Art::Beschluss,
                        public: false,
                        ursprung: None,
                        titel: titel.clone(),
                        beratung: decided_in(g, s.datum),
                        ergaenzungen: 0,
                    });
                    own.push(vid);
                    (titel, Some(vid))
                } else {
                    (titel, None)
                }
            };
            items.push(Item {
                top: format!("N{k}"),
                titel,
                vorlage,
                kind: ItemKind::NichtOeffentlich,
                has_sub: false,
            });
        }
        // Vorlagen written now whose first Beratung is in a later Sitzung.
        // The number of Vorlagen per Sitzung does not depend on how many follow-ups the
        // agenda took, so the proportions stay the same at every corpus size.
        // Sitzungen whose agenda already brought more own Vorlagen than their target leave a
        // surplus that later Sitzungen balance by writing fewer extra Vorlagen.
        let target = rng.range(VORLAGEN_MIN, VORLAGEN_MAX) + usize::from(rng.chance(300));
        let wanted = (target as i64 - own.len() as i64 - planner.surplus).max(0) as usize;
        planner.surplus += (own.len() + wanted) as i64 - target as i64;
        for _ in 0..wanted {
            let target = if rng.chance(500) {
                g
            } else {
                rng.below(GREMIEN.len())
            };
            let first = s.datum.plus(rng.range(14, 50) as i64);
            let vid = planner.new_vorlage(&mut rng, target, first, s.wp)?;
            planner.vorlagen[vid].datum = s.datum.plus(-(rng.range(0, 10) as i64));
            own.push(vid);
            planner.enqueue(vid, 0, first.plus(-7));
        }
        s.items = items;
        s.own = own;
    }
    Ok(Plan {
        sitzungen,
        vorlagen: planner.vorlagen,
    })
}

// ------------------------------------------------------------------------------------------
// Text helpers.

fn q(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn slugify(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut dash = false;
    for c in s.chars().flat_map(char::to_lowercase) {
        let rep: Option<&str> = match c {
            'ä' => Some("ae"),
            'ö' => Some("oe"),
            'ü' => Some("ue"),
            'ß' => Some("ss"),
            'é' | 'è' | 'ê' => Some("e"),
            _ => None,
        };
        if let Some(r) = rep {
            out.push_str(r);
            dash = false;
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
            dash = false;
        } else if !dash && !out.is_empty() {
            out.push('-');
            dash = true;
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// `12.345,00 €`
fn euro(cents: u64) -> String {
    let euros = cents / 100;
    let digits = euros.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(c);
    }
    format!("{grouped},{:02} €", cents % 100)
}

fn amount(rng: &mut Rng) -> u64 {
    let magnitude = [100u64, 1_000, 10_000, 100_000, 1_000_000][rng.below(5)];
    let euros = magnitude + rng.below((magnitude * 9) as usize) as u64;
    let euros = if euros > 10_000 {
        euros / 100 * 100
    } else {
        euros
    };
    euros * 100
}

struct Ctx<'a> {
    seed: u64,
    plan: &'a Plan,
    pool: &'a TextPool,
    /// Members per (Gremium, Wahlperiode).
    members: Vec<Vec<Member>>,
    content: PathBuf,
}

impl Ctx<'_> {
    /// `n` sentences: mostly from the seed, some from [`TEMPLATES`] (filled for `datum`).
    fn sentences(&self, rng: &mut Rng, n: usize, datum: Date, out: &mut String) {
        for i in 0..n {
            if i > 0 {
                out.push(' ');
            }
            if rng.chance(TEMPLATE_SHARE) {
                let template = rng_pick_str(rng, TEMPLATES);
                out.push_str(&fill(rng, template, datum));
            } else {
                let sentence = rng.pick(&self.pool.sentences);
                if sentence.contains('{') {
                    out.push_str(&fill(rng, sentence, datum));
                } else {
                    out.push_str(sentence);
                }
            }
        }
    }

    /// A sentence that mentions another Vorlage (one created before `before`).
    fn mention(&self, rng: &mut Rng, before: usize) -> Option<String> {
        if before == 0 {
            return None;
        }
        let v = &self.plan.vorlagen[rng.below(before)];
        let nr = if rng.chance(200) {
            v.nr.replacen(' ', "", 1)
        } else {
            v.nr.clone()
        };
        let s = match rng.below(6) {
            0 => format!("Auf die Vorlage {nr} wird verwiesen."),
            1 => format!("Siehe hierzu auch die Vorlage {nr}."),
            2 => format!("Der Sachverhalt wurde bereits mit der Vorlage {nr} dargestellt."),
            3 => format!("Ergänzend wird auf die Vorlage {nr} Bezug genommen."),
            4 => format!("Die Ausführungen schließen an die Vorlage {nr} an."),
            _ => format!("Vergleiche hierzu die Beschlusslage zu {nr}."),
        };
        Some(s)
    }

    fn members_of(&self, g: usize, wp: u32) -> &[Member] {
        &self.members[g * WP_COUNT + wp_index(wp)]
    }
}

/// Numbered marker words for non-public text.
struct Marker {
    base: usize,
    next: usize,
}

impl Marker {
    fn next(&mut self) -> String {
        self.next += 1;
        format!("{MARKER}-{}", self.base + self.next)
    }
}

struct Out {
    files: usize,
    bytes: u64,
}

impl Out {
    fn write(
        &mut self,
        content: &Path,
        kind: &str,
        year: i64,
        stem: &str,
        text: &str,
    ) -> Result<(), String> {
        let dir = content.join(kind).join(year.to_string());
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("Ordner {} nicht anlegbar: {e}", dir.display()))?;
        let path = dir.join(format!("{stem}.md"));
        std::fs::write(&path, text)
            .map_err(|e| format!("Datei {} nicht schreibbar: {e}", path.display()))?;
        self.files += 1;
        self.bytes += text.len() as u64;
        Ok(())
    }
}

// ------------------------------------------------------------------------------------------
// Vorlagen.

/// The Beschlussvorschlag's core, the same in the Vorlage and in the Beschluss of the minutes.
fn beschluss_kern(ctx: &Ctx, vid: usize) -> String {
    let v = &ctx.plan.vorlagen[vid];
    let mut rng = Rng::new(ctx.seed, STREAM_BESCHLUSS, vid as u64);
    let mut s = match v.art {
        Art::Mitteilung => match rng.below(3) {
            0 => "nimmt die Ausführungen der Verwaltung zur Kenntnis.".to_string(),
            1 => "nimmt den Bericht der Verwaltung zur Kenntnis und bittet um regelmäßige Fortschreibung.".to_string(),
            _ => "nimmt den Sachstandsbericht zur Kenntnis.".to_string(),
        },
        Art::Antrag => match rng.below(2) {
            0 => "beauftragt die Verwaltung, den Antrag zu prüfen und in einer der nächsten Sitzungen zu berichten.".to_string(),
            _ => "stimmt dem Antrag zu und beauftragt die Verwaltung mit der Umsetzung.".to_string(),
        },
        Art::Ergaenzung => {
            "beschließt die Vorlage in der Fassung der Ergänzungsvorlage.".to_string()
        }
        Art::Beschluss => match rng.below(4) {
            0 => format!("beschließt entsprechend den Ausführungen der Verwaltung: {}.", v.titel),
            1 => "beschließt den Beschlussvorschlag der Verwaltung und beauftragt sie mit der Umsetzung.".to_string(),
            2 => "stimmt dem Vorhaben in der vorgelegten Fassung zu.".to_string(),
            _ => "beauftragt die Verwaltung, die Maßnahme wie dargestellt umzusetzen.".to_string(),
        },
    };
    if v.art != Art::Mitteilung {
        s.push(' ');
        let n = rng.range(1, 2);
        ctx.sentences(&mut rng, n, v.datum, &mut s);
    }
    s
}

fn signature(v: &VorlagePlan, out: &mut String) {
    let w = wp_index(wahlperiode(v.datum));
    let dez = DEPTS[v.dept].dezernat;
    let p = person(dezernent(dez, w));
    let role = match (dez, p.female) {
        (0, true) => "Oberbürgermeisterin",
        (0, false) => "Oberbürgermeister",
        (_, true) => "Beigeordnete",
        (_, false) => "Beigeordneter",
    };
    let _ = write!(out, "{}\\\n({role})\n", p.name);
}

fn money_table(rng: &mut Rng, year: i64, out: &mut String) {
    out.push_str("| Haushaltsjahr | Ansatz | Veränderung | Neuer Ansatz |\n|---|---:|---:|---:|\n");
    let n = rng.range(3, 6);
    let mut total = 0;
    for y in 0..n {
        let a = amount(rng);
        let c = amount(rng) / 10 / 100 * 100;
        total += a + c;
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            year + y as i64,
            euro(a),
            euro(c),
            euro(a + c)
        );
    }
    let _ = writeln!(out, "| **Gesamt** | | | **{}** |", euro(total));
}

fn gen_vorlage(ctx: &Ctx, vid: usize, marker: &mut Marker) -> String {
    let v = &ctx.plan.vorlagen[vid];
    let mut rng = Rng::new(ctx.seed, STREAM_VORLAGE, vid as u64);
    let dept = &DEPTS[v.dept];
    let mut t = String::with_capacity(6000);
    t.push_str("---\ntyp: vorlage\n");
    let _ = writeln!(t, "nr: {}", q(&v.nr));
    let _ = writeln!(t, "titel: {}", q(&v.titel));
    let _ = writeln!(t, "datum: {}", v.datum.iso());
    let _ = writeln!(
        t,
        "status: {}",
        if v.public {
            "öffentlich"
        } else {
            "nichtöffentlich"
        }
    );
    let _ = writeln!(t, "art: {}", v.art.label());
    if let Some(u) = v.ursprung {
        let _ = writeln!(t, "ursprung: {}", q(&ctx.plan.vorlagen[u].nr));
    }
    let _ = writeln!(t, "federfuehrend: {}", q(dept.name));
    if rng.chance(350) {
        t.push_str("beteiligt:\n");
        for _ in 0..rng.range(1, 2) {
            if rng.chance(300) {
                let _ = writeln!(t, "  - {}", q(DEZERNATE[dept.dezernat.max(1)]));
            } else {
                let other = &DEPTS[rng.below(DEPTS.len())];
                let _ = writeln!(t, "  - {}", q(other.name));
            }
        }
    }
    let _ = writeln!(
        t,
        "verfasser: {}",
        q(&format!(
            "{} {:02}/{}00",
            dept.prefix,
            dept.num,
            rng.range(1, 6)
        ))
    );
    if rng.chance(450) {
        let z = *rng.pick(&[
            "Klimarelevanz keine",
            "Klimarelevanz keine",
            "Klimarelevanz positiv",
            "Klimarelevanz negativ, Ausgleich wird geprüft",
        ]);
        let _ = writeln!(t, "ziele: {}", q(z));
    }
    t.push_str("beratungsfolge:\n");
    for b in &v.beratung {
        let _ = writeln!(
            t,
            "  - datum: {}\n    gremium: {}\n    zustaendigkeit: {}",
            b.datum.iso(),
            q(GREMIEN[b.gremium].name),
            b.zustaendigkeit
        );
    }
    t.push_str("---\n\n");

    let secret = !v.public;
    let open = |m: &mut Marker, t: &mut String| {
        if secret {
            let _ = write!(t, "{}: ", m.next());
        }
    };
    let decider = v.beratung.last().map_or(0, |b| b.gremium);
    t.push_str("## Beschlussvorschlag\n\n");
    open(marker, &mut t);
    let _ = write!(
        t,
        "{} {}",
        GREMIEN[decider].nominativ,
        beschluss_kern(ctx, vid)
    );
    t.push_str("\n\n");
    if v.beratung.len() > 1 && v.art != Art::Mitteilung {
        let _ = writeln!(
            t,
            "{} empfiehlt {}, entsprechend zu beschließen.\n",
            GREMIEN[v.beratung[0].gremium].nominativ, GREMIEN[decider].dativ
        );
    }
    t.push_str("## Erläuterungen\n\n");
    if let Some(u) = v.ursprung {
        let _ = writeln!(
            t,
            "Diese Vorlage ergänzt die Vorlage {} „{}“.\n",
            ctx.plan.vorlagen[u].nr, ctx.plan.vorlagen[u].titel
        );
    }
    let paras = rng.range(3, 7);
    let mention_at = if rng.chance(850) {
        rng.below(paras)
    } else {
        usize::MAX
    };
    let subhead_at = if paras >= 3 && rng.chance(500) {
        rng.range(1, paras - 1)
    } else {
        usize::MAX
    };
    for p in 0..paras {
        if p == subhead_at {
            let h = *rng.pick(&[
                "Sachstand",
                "Weiteres Vorgehen",
                "Ausgangslage",
                "Finanzierung",
                "Beteiligung",
            ]);
            let _ = writeln!(t, "### {h}\n");
        }
        open(marker, &mut t);
        let n = rng.range(3, 6);
        ctx.sentences(&mut rng, n, v.datum, &mut t);
        if p == mention_at {
            if let Some(m) = ctx.mention(&mut rng, vid) {
                t.push(' ');
                t.push_str(&m);
            }
        }
        t.push_str("\n\n");
    }
    if rng.chance(250) {
        t.push_str("## Finanzielle Auswirkungen\n\n");
        open(marker, &mut t);
        let n = rng.range(1, 2);
        ctx.sentences(&mut rng, n, v.datum, &mut t);
        t.push_str("\n\n");
        money_table(&mut rng, v.datum.year(), &mut t);
        t.push('\n');
    }
    signature(v, &mut t);
    t
}

// ------------------------------------------------------------------------------------------
// Niederschriften.

struct Attendee {
    name: String,
    surname: String,
    female: bool,
    anrede: String,
    funktion: Option<String>,
    vertretung_fuer: Option<String>,
}

impl Attendee {
    /// How the minutes name this person: "Herr Schmitz".
    fn spoken(&self) -> String {
        let a = if self.female { "Frau" } else { "Herr" };
        format!("{a} {}", self.surname)
    }

    /// "Herrn Schmitz"
    fn spoken_dativ(&self) -> String {
        let a = if self.female { "Frau" } else { "Herrn" };
        format!("{a} {}", self.surname)
    }
}

struct Ergebnis {
    ergebnis: Option<String>,
    abstimmung: Option<String>,
}

/// A vote as the minutes word it, for `size` members present.
fn abstimmung(rng: &mut Rng, dafuer: bool, size: usize) -> String {
    let size = size.max(8);
    let minority = |rng: &mut Rng| rng.range(1, size / 3);
    if dafuer {
        match rng.below(10) {
            0..=3 => "einstimmig".to_string(),
            4 | 5 => "einstimmig ohne Enthaltung".to_string(),
            6 => format!("einstimmig bei {} Enthaltungen", rng.range(2, 4)),
            7 => format!("mehrheitlich bei {} Gegenstimmen", minority(rng)),
            8 => format!(
                "mehrheitlich bei {} Gegenstimmen und {} Enthaltungen",
                minority(rng),
                rng.range(1, 3)
            ),
            _ => {
                let nein = minority(rng);
                let enth = rng.range(1, 3);
                format!(
                    "mit {} Ja-Stimmen, {nein} Nein-Stimmen und {enth} Enthaltungen",
                    size.saturating_sub(nein + enth).max(1)
                )
            }
        }
    } else {
        let ja = minority(rng);
        match rng.below(2) {
            0 => format!("mehrheitlich bei {ja} Ja-Stimmen"),
            _ => {
                let enth = rng.range(1, 3);
                format!(
                    "mit {} Nein-Stimmen, {ja} Ja-Stimmen und {enth} Enthaltungen",
                    size.saturating_sub(ja + enth).max(1)
                )
            }
        }
    }
}

fn ergebnis_for(rng: &mut Rng, plan: &Plan, item: &Item, size: usize) -> Ergebnis {
    let none = Ergebnis {
        ergebnis: None,
        abstimmung: None,
    };
    match item.kind {
        ItemKind::Eroeffnung => none,
        ItemKind::Anfragen => Ergebnis {
            ergebnis: Some("erledigt".into()),
            abstimmung: None,
        },
        ItemKind::Mitteilungen => Ergebnis {
            ergebnis: Some("zur Kenntnis genommen".into()),
            abstimmung: None,
        },
        ItemKind::Genehmigung => Ergebnis {
            ergebnis: Some("beschlossen".into()),
            abstimmung: Some(if rng.chance(700) {
                "einstimmig".into()
            } else {
                format!(
                    "einstimmig bei {} Enthaltungen wegen Nichtanwesenheit",
                    rng.range(2, 6)
                )
            }),
        },
        ItemKind::NichtOeffentlich => Ergebnis {
            ergebnis: Some("beschlossen".into()),
            abstimmung: Some(abstimmung(rng, true, size)),
        },
        ItemKind::Sache => {
            if item.has_sub && rng.chance(500) {
                return Ergebnis {
                    ergebnis: Some(format!("s. TOP {}.1", item.top)),
                    abstimmung: None,
                };
            }
            let art = item
                .vorlage
                .map_or(Art::Beschluss, |v| plan.vorlagen[v].art);
            if art == Art::Mitteilung {
                return Ergebnis {
                    ergebnis: Some("zur Kenntnis genommen".into()),
                    abstimmung: None,
                };
            }
            let roll = rng.below(1000);
            let (e, a) = if roll < 720 {
                ("beschlossen", Some(abstimmung(rng, true, size)))
            } else if roll < 790 {
                ("geändert beschlossen", Some(abstimmung(rng, true, size)))
            } else if roll < 880 {
                ("vertagt", None)
            } else if roll < 920 {
                ("abgelehnt", Some(abstimmung(rng, false, size)))
            } else if roll < 950 {
                ("verwaltungsseitig zurückgezogen", None)
            } else {
                ("zur Kenntnis genommen", None)
            };
            Ergebnis {
                ergebnis: Some(e.into()),
                abstimmung: a,
            }
        }
    }
}

const OPENERS: &[&str] = &[
    "{P} erläutert die Vorlage und geht auf die wesentlichen Punkte ein.",
    "{P} bedankt sich für die ausführliche Darstellung der Verwaltung.",
    "{P} erkundigt sich nach dem weiteren Zeitplan.",
    "{P} weist darauf hin, dass die Finanzierung noch nicht abschließend geklärt ist.",
    "{P} regt an, das Thema in einer der nächsten Sitzungen erneut aufzugreifen.",
    "{P} fragt, ob die Stellungnahmen der Bezirksvertretungen bereits vorliegen.",
    "{P} sagt zu, die offenen Fragen bis zur nächsten Sitzung schriftlich zu beantworten.",
    "{P} unterstützt den Beschlussvorschlag ausdrücklich.",
    "{P} äußert Bedenken hinsichtlich der Folgekosten.",
    "{P} bittet darum, die Ortspolitik frühzeitig zu beteiligen.",
    "Auf Nachfrage von {PD} führt {Q} aus:",
    "{P} berichtet über die Ergebnisse der Gespräche mit den Beteiligten.",
    "{P} stellt klar, dass es sich um eine freiwillige Leistung handelt.",
    "{P} schlägt vor, die Verwaltung um eine ergänzende Stellungnahme zu bitten.",
];

fn discussion(ctx: &Ctx, rng: &mut Rng, people: &[&Attendee], datum: Date, out: &mut String) {
    let p = rng.pick(people);
    if !ctx.pool.person_sentences.is_empty() && rng.chance(300) {
        let sentence = rng.pick(&ctx.pool.person_sentences);
        let mut sentence = sentence.clone();
        for prep in ["von ", "mit ", "bei "] {
            sentence = sentence.replace(
                &format!("{prep}{PERSON}"),
                &format!("{prep}{}", p.spoken_dativ()),
            );
        }
        let sentence = sentence.replace(PERSON, &p.spoken());
        out.push_str(&fill(rng, &sentence, datum));
    } else {
        let opener = *rng.pick(OPENERS);
        let qn = rng.pick(people).spoken();
        out.push_str(
            &opener
                .replace("{PD}", &p.spoken_dativ())
                .replace("{P}", &p.spoken())
                .replace("{Q}", &qn),
        );
    }
    out.push(' ');
    let n = rng.range(1, 4);
    ctx.sentences(rng, n, datum, out);
    out.push_str("\n\n");
}

fn person_attendee(k: usize, anrede: String, funktion: Option<String>) -> Attendee {
    let p = person(k);
    Attendee {
        name: p.name,
        surname: p.surname,
        female: p.female,
        anrede,
        funktion,
        vertretung_fuer: None,
    }
}

fn gen_sitzung(ctx: &Ctx, i: usize) -> Result<Out, String> {
    let plan = ctx.plan;
    let s = &plan.sitzungen[i];
    let g = s.gremium;
    let gr = &GREMIEN[g];
    let w = wp_index(s.wp);
    let mut rng = Rng::new(ctx.seed, STREAM_SITZUNG, i as u64);
    let mut marker = Marker {
        base: i * 1000,
        next: 0,
    };
    let mut out = Out { files: 0, bytes: 0 };

    // Attendance.
    let members = ctx.members_of(g, s.wp);
    let mut anwesend: Vec<Attendee> = Vec::new();
    let mut abwesend: Vec<(Attendee, &'static str)> = Vec::new();
    if gr.kind == GKind::Rat {
        let p = person(ob(w));
        let anrede = if p.female {
            "Oberbürgermeisterin"
        } else {
            "Oberbürgermeister"
        };
        anwesend.push(person_attendee(
            ob(w),
            anrede.into(),
            Some("Vorsitz".into()),
        ));
    }
    let n_abs = rng.range(0, 3);
    let mut absent_idx: Vec<usize> = (0..n_abs)
        .map(|_| rng.range(1, members.len() - 1))
        .collect();
    absent_idx.sort_unstable();
    absent_idx.dedup();
    let rat_members: BTreeSet<usize> = members.iter().map(|m| m.k).collect();
    let mut substitutes: Vec<Attendee> = Vec::new();
    for (idx, m) in members.iter().enumerate() {
        let p = person(m.k);
        let funktion = if idx == 0 && gr.kind != GKind::Rat {
            Some(chair_funktion(g, p.female).to_string())
        } else if idx == 1 && gr.kind == GKind::Ausschuss {
            Some(format!("stellv. {}", chair_funktion(g, p.female)))
        } else {
            None
        };
        if absent_idx.binary_search(&idx).is_ok() {
            let grund = *rng.pick(&[
                "entschuldigt",
                "entschuldigt",
                "entschuldigt",
                "dienstlich verhindert",
                "unentschuldigt",
            ]);
            if gr.kind == GKind::Ausschuss && rng.chance(600) {
                // A substitute from the Rat who is not a member of this committee.
                let pool = rat_pool(w);
                let candidates: Vec<usize> = pool
                    .into_iter()
                    .filter(|k| !rat_members.contains(k))
                    .collect();
                if !candidates.is_empty() {
                    let k = *rng.pick(&candidates);
                    let sp = person(k);
                    let anrede = if sp.female { "Ratsfrau" } else { "Ratsherr" };
                    let mut a = person_attendee(k, anrede.into(), None);
                    a.vertretung_fuer = Some(format!("{} {}", m.anrede, p.name));
                    substitutes.push(a);
                }
            }
            abwesend.push((person_attendee(m.k, m.anrede.clone(), None), grund));
        } else {
            anwesend.push(person_attendee(m.k, m.anrede.clone(), funktion));
        }
    }
    anwesend.extend(substitutes);

    let mut verwaltung: Vec<Attendee> = Vec::new();
    let depts: Vec<usize> = {
        let mut d: Vec<usize> = gr.depts.to_vec();
        d.sort_unstable();
        d.dedup();
        if d.len() > 3 {
            let start = rng.below(d.len());
            (0..3).map(|k| d[(start + k) % d.len()]).collect()
        } else {
            d
        }
    };
    let lead = depts[0];
    let dez = DEPTS[lead].dezernat;
    if dez != 0 || gr.kind != GKind::Rat {
        let p = person(dezernent(dez, w));
        let f = if dez == 0 {
            format!(
                "{} – {}",
                DEZERNATE[dez],
                if p.female {
                    "Oberbürgermeisterin"
                } else {
                    "Oberbürgermeister"
                }
            )
        } else {
            format!(
                "{} – {}",
                DEZERNATE[dez],
                if p.female {
                    "Beigeordnete"
                } else {
                    "Beigeordneter"
                }
            )
        };
        verwaltung.push(person_attendee(
            dezernent(dez, w),
            herr_frau(&p).into(),
            Some(f),
        ));
    }
    for &d in &depts {
        let k = fb_person(d, w, 0);
        let p = person(k);
        verwaltung.push(person_attendee(
            k,
            herr_frau(&p).into(),
            Some(format!("{} – Fachbereichsleitung", DEPTS[d].name)),
        ));
        for _ in 0..rng.range(0, 2) {
            let k = fb_person(d, w, rng.range(1, 6));
            if verwaltung.iter().any(|a| a.name == person(k).name) {
                continue;
            }
            let p = person(k);
            verwaltung.push(person_attendee(
                k,
                herr_frau(&p).into(),
                Some(DEPTS[d].name.to_string()),
            ));
        }
    }
    let schrift = person(6000 + g * 10 + w + rng.below(2));

    let ergebnisse: Vec<Ergebnis> = s
        .items
        .iter()
        .map(|it| ergebnis_for(&mut rng, plan, it, anwesend.len()))
        .collect();

    // Times.
    let beginn_h = match gr.kind {
        GKind::Rat => *rng.pick(&[14u32, 15, 16]),
        GKind::Ausschuss => *rng.pick(&[15u32, 16, 17, 17]),
        GKind::Bezirk => *rng.pick(&[17u32, 18, 18]),
    };
    let beginn_m = if rng.chance(200) { 30 } else { 0 };
    let dauer = 30 + s.items.len() * 6 + rng.below(60);
    let ende_total = beginn_h as usize * 60 + beginn_m + dauer / 5 * 5;
    let erstellt = s.datum.plus(rng.range(12, 40) as i64);

    // Frontmatter.
    let mut t = String::with_capacity(40_000);
    t.push_str("---\ntyp: niederschrift\n");
    let _ = writeln!(t, "nr: {}", q(&s.nr));
    let _ = writeln!(
        t,
        "titel: {}",
        q(&format!(
            "Niederschrift öffentliche/nichtöffentliche Sitzung {}",
            gr.genitiv
        ))
    );
    let _ = writeln!(t, "gremium: {}", q(gr.name));
    let _ = writeln!(t, "gremium_kuerzel: {}", q(gr.kuerzel));
    let _ = writeln!(t, "datum: {}", s.datum.iso());
    let _ = writeln!(t, "erstellt: {}", erstellt.iso());
    let _ = writeln!(t, "beginn: '{beginn_h:02}:{beginn_m:02}'");
    let _ = writeln!(
        t,
        "ende: '{:02}:{:02}'",
        (ende_total / 60).min(23),
        ende_total % 60
    );
    let _ = writeln!(t, "ort: {}", q(gr.ort));
    t.push_str("status: öffentlich\nanwesend:\n");
    for a in &anwesend {
        let _ = writeln!(t, "  - name: {}\n    anrede: {}", q(&a.name), q(&a.anrede));
        if let Some(f) = &a.funktion {
            let _ = writeln!(t, "    funktion: {}", q(f));
        }
        if let Some(v) = &a.vertretung_fuer {
            let _ = writeln!(t, "    vertretung_fuer: {}", q(v));
        }
    }
    if !abwesend.is_empty() {
        t.push_str("abwesend:\n");
        for (a, grund) in &abwesend {
            let _ = writeln!(
                t,
                "  - name: {}\n    anrede: {}\n    grund: {grund}",
                q(&a.name),
                q(&a.anrede)
            );
        }
    }
    t.push_str("verwaltung:\n");
    for a in &verwaltung {
        let _ = writeln!(t, "  - name: {}\n    anrede: {}", q(&a.name), q(&a.anrede));
        if let Some(f) = &a.funktion {
            let _ = writeln!(t, "    funktion: {}", q(f));
        }
    }
    let _ = writeln!(
        t,
        "schriftfuehrung:\n  - {}",
        q(&format!("{} {}", herr_frau(&schrift), schrift.surname))
    );
    t.push_str("tagesordnung:\n");
    for (it, e) in s.items.iter().zip(&ergebnisse) {
        let _ = writeln!(t, "  - top: {}\n    titel: {}", q(&it.top), q(&it.titel));
        if let Some(v) = it.vorlage {
            let _ = writeln!(t, "    vorlage: {}", q(&plan.vorlagen[v].nr));
        }
        if let Some(x) = &e.ergebnis {
            let _ = writeln!(t, "    ergebnis: {}", q(x));
        }
        if let Some(x) = &e.abstimmung {
            let _ = writeln!(t, "    abstimmung: {}", q(x));
        }
        if it.kind == ItemKind::NichtOeffentlich {
            t.push_str("    teil: nichtöffentlich\n");
        }
    }
    t.push_str("---\n\n## Öffentlicher Teil\n\n");

    // Body.
    let chair = &anwesend[0];
    let people: Vec<&Attendee> = anwesend.iter().chain(verwaltung.iter()).collect();
    let before = s.own.first().copied().unwrap_or(plan.vorlagen.len());
    let mut mentions_left = rng.range(1, 3);
    let mut closed_public = false;
    for (it, e) in s.items.iter().zip(&ergebnisse) {
        if it.kind == ItemKind::NichtOeffentlich && !closed_public {
            closed_public = true;
            let public_end = beginn_h as usize * 60 + beginn_m + dauer * 3 / 4;
            let _ = writeln!(
                t,
                "{} schließt den öffentlichen Teil der Sitzung um {:02}.{:02} Uhr.\n",
                chair.spoken(),
                (public_end / 60).min(23),
                public_end % 60
            );
            t.push_str("## Nichtöffentlicher Teil\n\n");
        }
        let _ = writeln!(t, "### zu {} {}\n", it.top, it.titel);
        if it.kind == ItemKind::NichtOeffentlich {
            let n = rng.range(1, 2);
            for _ in 0..n {
                let _ = write!(t, "{}: ", marker.next());
                discussion(ctx, &mut rng, &people, s.datum, &mut t);
            }
            let _ = write!(t, "**Beschluss:**\n\n{}: {} ", marker.next(), gr.nominativ);
            t.push_str("stimmt dem Vorschlag der Verwaltung zu. ");
            ctx.sentences(&mut rng, 1, s.datum, &mut t);
            t.push_str("\n\n");
            continue;
        }
        if let Some(v) = it.vorlage {
            let _ = writeln!(t, "Vorlage: {}\n", plan.vorlagen[v].nr);
        }
        match it.kind {
            ItemKind::Eroeffnung => {
                let (der, er) = if chair.female {
                    ("Die Vorsitzende", "Sie")
                } else {
                    ("Der Vorsitzende", "Er")
                };
                let _ = write!(
                    t,
                    "{der}, {}, eröffnet die Sitzung um {beginn_h:02}.{beginn_m:02} Uhr und begrüßt die Anwesenden. {er} stellt die form- und fristgerechte Einladung sowie die Beschlussfähigkeit fest.\n\n",
                    chair.spoken()
                );
                if rng.chance(400) {
                    discussion(ctx, &mut rng, &people, s.datum, &mut t);
                }
                t.push_str("Gegen die Tagesordnung werden keine Einwände erhoben.\n\n");
            }
            ItemKind::Genehmigung => {
                t.push_str("Keine Wortmeldungen.\n\n");
                let a = e.abstimmung.clone().unwrap_or_else(|| "einstimmig".into());
                let _ = write!(
                    t,
                    "Der Beschluss erfolgt {a}.\n\n**Beschluss:**\n\n{} genehmigt die Niederschrift über die Sitzung vom {} – öffentlicher Teil.\n\n",
                    gr.nominativ,
                    s.prev.map(Date::german).unwrap_or_default()
                );
            }
            ItemKind::Mitteilungen | ItemKind::Anfragen => {
                for _ in 0..rng.range(1, 3) {
                    discussion(ctx, &mut rng, &people, s.datum, &mut t);
                }
                if mentions_left > 0 {
                    if let Some(m) = ctx.mention(&mut rng, before) {
                        let _ = writeln!(t, "{m}\n");
                        mentions_left -= 1;
                    }
                }
            }
            ItemKind::Sache => {
                let ergebnis = e.ergebnis.as_deref().unwrap_or("");
                if ergebnis.starts_with("s. TOP") {
                    let _ = writeln!(
                        t,
                        "Die Beratung und Beschlussfassung erfolgen unter TOP {}.1.\n",
                        it.top
                    );
                    continue;
                }
                match ergebnis {
                    "verwaltungsseitig zurückgezogen" => {
                        t.push_str("Die Vorlage wurde von der Verwaltung zurückgezogen.\n\n");
                        continue;
                    }
                    "vertagt" => {
                        if rng.chance(500) {
                            discussion(ctx, &mut rng, &people, s.datum, &mut t);
                        }
                        let p = rng.pick(&people).spoken_dativ();
                        let _ = writeln!(
                            t,
                            "Auf Antrag von {p} wird die Beratung in die nächste Sitzung vertagt.\n"
                        );
                        continue;
                    }
                    _ => {}
                }
                let n = rng.range(1, 4);
                for k in 0..n {
                    discussion(ctx, &mut rng, &people, s.datum, &mut t);
                    if k == 0 && mentions_left > 0 && rng.chance(150) {
                        if let Some(m) = ctx.mention(&mut rng, before) {
                            let _ = writeln!(t, "{m}\n");
                            mentions_left -= 1;
                        }
                    }
                }
                let vid = it.vorlage.expect("a Sache item has a Vorlage");
                let decider_is_us = plan.vorlagen[vid]
                    .beratung
                    .last()
                    .is_none_or(|b| b.gremium == g);
                let kern = beschluss_kern(ctx, vid);
                match ergebnis {
                    "zur Kenntnis genommen" => {
                        let _ = write!(
                            t,
                            "**Beschluss:**\n\n{} nimmt die Ausführungen der Verwaltung zur Kenntnis.\n\n",
                            gr.nominativ
                        );
                    }
                    "abgelehnt" => {
                        let a = e.abstimmung.clone().unwrap_or_default();
                        let _ = write!(t, "Der Beschlussvorschlag wird {a} abgelehnt.\n\n");
                    }
                    _ => {
                        let a = e.abstimmung.clone().unwrap_or_else(|| "einstimmig".into());
                        let _ = write!(t, "Der Beschluss erfolgt {a}.\n\n**Beschluss:**\n\n");
                        if decider_is_us {
                            let _ = write!(t, "{} {kern}", gr.nominativ);
                        } else {
                            let decider = plan.vorlagen[vid]
                                .beratung
                                .last()
                                .map_or(RAT, |b| b.gremium);
                            let _ = write!(
                                t,
                                "{} empfiehlt {}: {} {kern}",
                                gr.nominativ, GREMIEN[decider].dativ, GREMIEN[decider].nominativ
                            );
                        }
                        if ergebnis == "geändert beschlossen" {
                            t.push_str(
                                " Die in der Sitzung vereinbarte Änderung ist zu berücksichtigen.",
                            );
                        }
                        t.push_str("\n\n");
                    }
                }
            }
            ItemKind::NichtOeffentlich => {}
        }
    }
    out.write(
        &ctx.content,
        "sitzungen",
        s.datum.year(),
        &slugify(&s.nr),
        &t,
    )?;

    // Vorlagen written with this Sitzung.
    for &vid in &s.own {
        let v = &plan.vorlagen[vid];
        let text = gen_vorlage(ctx, vid, &mut marker);
        out.write(
            &ctx.content,
            "vorlagen",
            v.datum.year(),
            &slugify(&v.nr),
            &text,
        )?;
    }

    // Anlagen.
    let mut numbers: Vec<(String, Option<String>, u32)> = Vec::new();
    let public_with_vorlage: Vec<&Item> = s
        .items
        .iter()
        .filter(|it| it.kind == ItemKind::Sache)
        .collect();
    for _ in 0..rng.range(0, 6) {
        let to_vorlage = !s.own.is_empty() && rng.chance(500);
        let (zu, parent_titel, top, hidden, datum) = if to_vorlage {
            let vid = *rng.pick(&s.own);
            let v = &plan.vorlagen[vid];
            (v.nr.clone(), v.titel.clone(), None, !v.public, v.datum)
        } else {
            let roll = rng.below(1000);
            let datum = s.datum.plus(-(rng.range(0, 7) as i64));
            if roll < 100 || public_with_vorlage.is_empty() {
                (
                    s.nr.clone(),
                    format!("Sitzung vom {}", s.datum.german()),
                    None,
                    false,
                    datum,
                )
            } else if roll < 150 {
                let np: Vec<&Item> = s
                    .items
                    .iter()
                    .filter(|it| it.kind == ItemKind::NichtOeffentlich)
                    .collect();
                let it = *rng.pick(&np);
                (
                    s.nr.clone(),
                    it.titel.clone(),
                    Some(it.top.clone()),
                    true,
                    datum,
                )
            } else {
                let it = *rng.pick(&public_with_vorlage);
                (
                    s.nr.clone(),
                    it.titel.clone(),
                    Some(it.top.clone()),
                    false,
                    datum,
                )
            }
        };
        let nummer = match numbers.iter_mut().find(|(z, tp, _)| *z == zu && *tp == top) {
            Some(entry) => {
                entry.2 += 1;
                entry.2
            }
            None => {
                numbers.push((zu.clone(), top.clone(), 1));
                1
            }
        };
        let slug = match &top {
            Some(tp) => format!("{}-top-{}-anlage-{nummer}", slugify(&zu), slugify(tp)),
            None => format!("{}-anlage-{nummer}", slugify(&zu)),
        };
        let mut a = String::with_capacity(4000);
        let kind = *rng.pick(ANLAGE_TITEL);
        let short: String = parent_titel.chars().take(90).collect();
        let titel = if hidden {
            format!("{kind} ({}) – {short}", marker.next())
        } else {
            format!("{kind} – {short}")
        };
        a.push_str("---\ntyp: anlage\n");
        let _ = writeln!(a, "titel: {}", q(&titel));
        let _ = writeln!(a, "datum: {}", datum.iso());
        let _ = writeln!(a, "zu: {}", q(&zu));
        if let Some(tp) = &top {
            let _ = writeln!(a, "top: {}", q(tp));
        }
        let _ = writeln!(a, "nummer: {nummer}\nstatus: öffentlich\n---\n");
        if hidden {
            let _ = write!(a, "{}: ", marker.next());
        }
        let n = rng.range(1, 3);
        ctx.sentences(&mut rng, n, datum, &mut a);
        if rng.chance(300) {
            if let Some(m) = ctx.mention(&mut rng, before) {
                a.push(' ');
                a.push_str(&m);
            }
        }
        a.push_str("\n\n");
        anlage_table(
            &mut rng,
            datum.year(),
            hidden.then(|| marker.next()),
            &mut a,
        );
        a.push('\n');
        if hidden {
            let _ = write!(a, "{}: ", marker.next());
        }
        let n = rng.range(3, 6);
        ctx.sentences(&mut rng, n, datum, &mut a);
        a.push('\n');
        out.write(&ctx.content, "anlagen", datum.year(), &slug, &a)?;
    }
    Ok(out)
}

fn anlage_table(rng: &mut Rng, year: i64, secret: Option<String>, out: &mut String) {
    let rows = rng.range(5, 40);
    let variant = rng.below(3);
    match variant {
        0 => out.push_str("| Pos. | Maßnahme | PSP-Element | Betrag |\n|---|---|---|---:|\n"),
        1 => {
            let _ = write!(
                out,
                "| Träger / Projekt | Zuschuss {} | Zuschuss {year} | Veränderung |\n|---|---:|---:|---:|\n",
                year - 1
            );
        }
        _ => {
            let _ = write!(
                out,
                "| Produkt | Bezeichnung | Ansatz {year} | Ansatz {} |\n|---|---|---:|---:|\n",
                year + 1
            );
        }
    }
    let mut total = 0u64;
    let mut total2 = 0u64;
    for r in 0..rows {
        let a = amount(rng);
        let label = format!("{} {}", rng.pick(KOSTENARTEN), rng.pick(PROJEKTE));
        let label = match (&secret, r) {
            (Some(m), 0) => format!("{m} {label}"),
            _ => label,
        };
        match variant {
            0 => {
                total += a;
                let _ = writeln!(
                    out,
                    "| {} | {label} | {}-{:06}-{:03}-{} | {} |",
                    r + 1,
                    rng.range(1, 9),
                    rng.range(10_000, 129_999),
                    rng.range(100, 999),
                    rng.range(0, 9),
                    euro(a)
                );
            }
            1 => {
                let b = a + amount(rng) / 20 / 100 * 100;
                total += a;
                total2 += b;
                let _ = writeln!(
                    out,
                    "| {} {} | {} | {} | {} |",
                    rng.pick(TRAEGER),
                    rng.pick(ORTE),
                    euro(a),
                    euro(b),
                    euro(b - a)
                );
            }
            _ => {
                let b = a / 100 * rng.range(90, 115) as u64;
                total += a;
                total2 += b;
                let _ = writeln!(
                    out,
                    "| {:02}{:02}{:02} | {label} | {} | {} |",
                    rng.range(1, 16),
                    rng.range(1, 12),
                    rng.range(1, 20),
                    euro(a),
                    euro(b)
                );
            }
        }
    }
    match variant {
        0 => {
            let _ = writeln!(out, "| | **Summe** | | **{}** |", euro(total));
        }
        1 => {
            let _ = writeln!(
                out,
                "| **Summe** | **{}** | **{}** | **{}** |",
                euro(total),
                euro(total2),
                euro(total2 - total)
            );
        }
        _ => {
            let _ = writeln!(
                out,
                "| | **Summe** | **{}** | **{}** |",
                euro(total),
                euro(total2)
            );
        }
    }
}

// ------------------------------------------------------------------------------------------
// Command line.

struct Args {
    sitzungen: usize,
    out: PathBuf,
    seed: u64,
    seed_content: PathBuf,
    force: bool,
}

const USAGE: &str = "Aufruf: cargo run --release --example gen_corpus -- --sitzungen N --out DIR [--seed S] [--seed-content DIR] [--force]";

fn parse_args() -> Result<Args, String> {
    let mut sitzungen = None;
    let mut out = None;
    let mut seed = 1u64;
    let mut seed_content = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/content"));
    let mut force = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .ok_or_else(|| format!("{name} braucht einen Wert.\n{USAGE}"))
        };
        match a.as_str() {
            "--sitzungen" => {
                let v = value("--sitzungen")?;
                sitzungen = Some(
                    v.parse::<usize>()
                        .map_err(|e| format!("--sitzungen {v}: {e}"))?,
                );
            }
            "--out" => out = Some(PathBuf::from(value("--out")?)),
            "--seed" => {
                let v = value("--seed")?;
                seed = v.parse().map_err(|e| format!("--seed {v}: {e}"))?;
            }
            "--seed-content" => seed_content = PathBuf::from(value("--seed-content")?),
            "--force" => force = true,
            "-h" | "--help" => return Err(USAGE.to_string()),
            other => return Err(format!("Unbekanntes Argument „{other}“.\n{USAGE}")),
        }
    }
    let sitzungen = sitzungen.ok_or_else(|| format!("--sitzungen fehlt.\n{USAGE}"))?;
    if sitzungen == 0 {
        return Err("--sitzungen muss mindestens 1 sein.".into());
    }
    let out = out.ok_or_else(|| format!("--out fehlt.\n{USAGE}"))?;
    Ok(Args {
        sitzungen,
        out,
        seed,
        seed_content,
        force,
    })
}

fn prepare_out(args: &Args) -> Result<PathBuf, String> {
    let content = args.out.join("content");
    let book = args.out.join("book.toml");
    if content.exists() || book.exists() {
        if !args.force {
            return Err(format!(
                "{} enthält schon einen Korpus (content/ oder book.toml); --force ersetzt ihn.",
                args.out.display()
            ));
        }
        if content.exists() {
            std::fs::remove_dir_all(&content)
                .map_err(|e| format!("{} nicht löschbar: {e}", content.display()))?;
        }
    }
    for kind in ["sitzungen", "vorlagen", "anlagen"] {
        let dir = content.join(kind);
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("Ordner {} nicht anlegbar: {e}", dir.display()))?;
    }
    Ok(content)
}

fn book_toml(args: &Args) -> String {
    format!(
        "# Synthetic test corpus written by examples/gen_corpus.rs\n\
         # (--sitzungen {} --seed {}); see docs/corpus-generator.md.\n\
         # Persons, streets and projects are invented; sentences are recombined from the seed corpus.\n\
         [book]\n\
         title = \"Ratsinformation – synthetischer Testkorpus ({} Sitzungen, Seed {})\"\n\
         description = \"Synthetische Vorlagen, Niederschriften und Anlagen für Last- und Regressionstests.\"\n\
         language = \"de\"\n\
         src = \"content\"\n\
         \n\
         [build]\n\
         build-dir = \"site\"\n\
         \n\
         [output.html]\n\
         site-url = \"https://ratsinfo.example.invalid/\"\n\
         \n\
         [links]\n\
         # Defaults: Vorlage-Nr `<Kürzel> <Zahl>/<vierstellige Zahl>/WP<Zahl>` with an optional\n\
         # `-<Zahl>` suffix for Ergänzungsvorlagen.\n",
        args.sitzungen, args.seed, args.sitzungen, args.seed
    )
}

fn run() -> Result<(), String> {
    let args = parse_args()?;
    let started = Instant::now();
    let nr = Regex::new(VORLAGE_NR).expect("Vorlage-Nr pattern");
    let pool = load_sentences(&args.seed_content, &nr)?;
    let plan = plan(args.seed, args.sitzungen)?;
    let planned = started.elapsed();

    // Every generated number must match the portal's default pattern.
    for v in &plan.vorlagen {
        if nr.find(&v.nr).map(|m| m.as_str()) != Some(v.nr.as_str()) {
            return Err(format!(
                "interner Fehler: „{}“ passt nicht zum Muster",
                v.nr
            ));
        }
    }

    let content = prepare_out(&args)?;
    let book = book_toml(&args);
    let book_path = args.out.join("book.toml");
    std::fs::write(&book_path, &book)
        .map_err(|e| format!("{} nicht schreibbar: {e}", book_path.display()))?;

    let mut members = Vec::with_capacity(GREMIEN.len() * WP_COUNT);
    for g in 0..GREMIEN.len() {
        for w in 0..WP_COUNT {
            members.push(self::members(args.seed, g, FIRST_WP + w as u32));
        }
    }
    let ctx = Ctx {
        seed: args.seed,
        plan: &plan,
        pool: &pool,
        members,
        content,
    };
    let results: Vec<Result<Out, String>> = (0..plan.sitzungen.len())
        .into_par_iter()
        .map(|i| gen_sitzung(&ctx, i))
        .collect();
    let mut files = 1usize;
    let mut bytes = book.len() as u64;
    for r in results {
        let o = r?;
        files += o.files;
        bytes += o.bytes;
    }
    let documents = files - 1;
    let elapsed = started.elapsed();
    println!(
        "{} Sitzungen, {} Vorlagen (davon {} nichtöffentlich), {} + {} Seed-Sätze",
        plan.sitzungen.len(),
        plan.vorlagen.len(),
        plan.vorlagen.iter().filter(|v| !v.public).count(),
        pool.sentences.len(),
        pool.person_sentences.len()
    );
    println!(
        "{documents} Dokumente, {bytes} Bytes ({:.1} MB) in {} — Planung {:.2} s, gesamt {:.2} s",
        bytes as f64 / 1e6,
        args.out.display(),
        planned.as_secs_f64(),
        elapsed.as_secs_f64()
    );
    Ok(())
}

fn main() {
    if let Err(e) = run() {
        eprintln!("gen_corpus: {e}");
        std::process::exit(1);
    }
}
