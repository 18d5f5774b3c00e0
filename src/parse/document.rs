//! Turns one file's text into a validated `Document`, collecting every problem of the file.

use std::path::{Path, PathBuf};

use crate::diagnostics::{suggest, Diagnostic};
use crate::load::SourcePath;
use crate::model::date::parse_time;
use crate::model::{
    Anlage, Beratung, Date, Document, FrontmatterMention, Kind, Niederschrift, Person, Source, Top,
    Vorlage,
};

use super::frontmatter::{self, SplitError};
use super::markdown::{self, TopRef};
use super::nr::NrMatcher;
use super::schema::{self, PersonEntry, RawFrontmatter, Text, TextList};
use super::yaml;

/// What every file's parse needs to know about the site.
pub struct ParseContext {
    pub matcher: NrMatcher,
    /// Canonical content folder: files referenced by `datei` must stay inside it.
    pub content_root: PathBuf,
}

/// Collects the problems of one file with the right line numbers.
struct Report<'a> {
    file: &'a Path,
    yaml: &'a str,
    yaml_line: usize,
    diagnostics: Vec<Diagnostic>,
    /// Lines of the list items per key, found once: a Niederschrift lists dozens of TOPs.
    item_lines: Vec<(&'static str, Vec<usize>)>,
}

impl Report<'_> {
    fn key_line(&self, key: &str) -> usize {
        schema::top_level_keys(self.yaml)
            .into_iter()
            .find(|(k, _)| k == key)
            .map(|(_, line)| self.yaml_line + line - 1)
            .unwrap_or(1)
    }

    fn item_line(&mut self, key: &'static str, index: usize) -> usize {
        let position = match self.item_lines.iter().position(|(k, _)| *k == key) {
            Some(position) => position,
            None => {
                self.item_lines
                    .push((key, schema::list_item_lines(self.yaml, key)));
                self.item_lines.len() - 1
            }
        };
        self.item_lines[position]
            .1
            .get(index)
            .map(|line| self.yaml_line + line - 1)
            .unwrap_or_else(|| self.key_line(key))
    }

    fn error(&mut self, line: usize, message: impl Into<String>, hint: impl Into<String>) {
        self.diagnostics
            .push(Diagnostic::error(self.file, line, message).with_hint(hint));
    }

    fn warning(&mut self, line: usize, message: impl Into<String>, hint: impl Into<String>) {
        self.diagnostics
            .push(Diagnostic::warning(self.file, line, message).with_hint(hint));
    }

    fn missing(&mut self, key: &str, typ: &str, example: &str) {
        self.error(
            1,
            format!("Pflichtfeld `{key}` fehlt (nötig für `typ: {typ}`)."),
            format!("Ergänzen Sie im Kopf der Datei eine Zeile wie `{key}: {example}`."),
        );
    }
}

fn text(value: &Option<Text>) -> Option<String> {
    value
        .as_ref()
        .map(|t| t.as_str().to_string())
        .filter(|t| !t.is_empty())
}

fn texts(value: &Option<TextList>) -> Vec<String> {
    value
        .as_ref()
        .map(|l| {
            l.0.iter()
                .map(|t| t.as_str().to_string())
                .filter(|t| !t.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// Parses and validates one file. Returns `None` when the file has errors; the diagnostics
/// say why (all of them, not only the first).
pub fn parse_file(
    source: &SourcePath,
    file_text: &str,
    ctx: &ParseContext,
) -> (Option<Document>, Vec<Diagnostic>) {
    let file: &Path = &source.display;
    let split = match frontmatter::split(file_text) {
        Ok(split) => split,
        Err(e) => {
            let d = match e {
                SplitError::Empty => Diagnostic::error(file, 0, "Die Datei ist leer.").with_hint(
                    "Füllen Sie die Datei (Kopf mit `---`, `typ`, `titel`, `datum`) oder löschen Sie sie.",
                ),
                SplitError::NoFrontmatter => Diagnostic::error(
                    file,
                    1,
                    "Der Dateikopf (YAML-Frontmatter) fehlt: die erste Zeile muss `---` sein.",
                )
                .with_hint("Beginnen Sie die Datei mit `---`, dann `typ: …`, `titel: …`, `datum: …` und wieder `---`."),
                SplitError::NotClosed => Diagnostic::error(
                    file,
                    1,
                    "Der Dateikopf wird mit `---` geöffnet, aber nie geschlossen.",
                )
                .with_hint("Setzen Sie nach der letzten Kopfzeile eine Zeile, die nur `---` enthält."),
            };
            return (None, vec![d]);
        }
    };
    let mut report = Report {
        file,
        yaml: split.yaml,
        yaml_line: split.yaml_line,
        diagnostics: Vec::new(),
        item_lines: Vec::new(),
    };
    let raw: RawFrontmatter = match yaml::from_str(split.yaml) {
        Ok(raw) => raw,
        Err(e) => {
            let line = if e.line > 0 {
                split.yaml_line + e.line - 1
            } else {
                split.yaml_line
            };
            let d = Diagnostic::error(file, line, e.message)
                .at_column(e.column)
                .with_hint("Prüfen Sie Einrückung und Doppelpunkte; Texte mit `:` oder `#` in Anführungszeichen setzen.");
            return (None, vec![d]);
        }
    };
    for (key, line) in schema::top_level_keys(split.yaml) {
        if !schema::KNOWN_KEYS.contains(&key.as_str()) {
            let hint = match suggest(&key, schema::KNOWN_KEYS) {
                Some(s) => format!("Meinten Sie `{s}`?"),
                None => format!("Bekannte Felder: {}.", schema::KNOWN_KEYS.join(", ")),
            };
            report.warning(
                split.yaml_line + line - 1,
                format!("Unbekanntes Feld `{key}` wird ignoriert."),
                hint,
            );
        }
    }

    let typ = text(&raw.typ);
    let titel = text(&raw.titel);
    let datum = parse_date(&mut report, &raw.datum, "datum");
    let public = parse_status(&mut report, &raw.status);
    let quelle = texts(&raw.quelle);
    for url in &quelle {
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            let line = report.key_line("quelle");
            report.warning(
                line,
                format!("`quelle` „{url}“ ist keine http(s)-Adresse und wird nicht verlinkt."),
                "Geben Sie die vollständige Adresse an, z. B. https://…",
            );
        }
    }
    let kind = match typ.as_deref() {
        None => {
            report.error(
                1,
                "Pflichtfeld `typ` fehlt.",
                "Ergänzen Sie `typ: vorlage`, `typ: niederschrift` oder `typ: anlage`.",
            );
            None
        }
        Some("vorlage") => parse_vorlage(&mut report, &raw, ctx).map(Kind::Vorlage),
        Some("niederschrift") => {
            parse_niederschrift(&mut report, &raw, ctx).map(|n| Kind::Niederschrift(Box::new(n)))
        }
        Some("anlage") => parse_anlage(&mut report, &raw, ctx, source).map(Kind::Anlage),
        Some(other) => {
            let line = report.key_line("typ");
            let hint = match suggest(other, &["vorlage", "niederschrift", "anlage"]) {
                Some(s) => format!("Meinten Sie `typ: {s}`?"),
                None => "Erlaubt sind `vorlage`, `niederschrift` und `anlage`.".to_string(),
            };
            report.error(line, format!("Unbekannter `typ`: „{other}“."), hint);
            None
        }
    };
    if titel.is_none() {
        report.missing(
            "titel",
            typ.as_deref().unwrap_or("…"),
            "Genehmigung der Niederschrift …",
        );
    }
    if raw.datum.is_none() {
        report.missing("datum", typ.as_deref().unwrap_or("…"), "2021-02-25");
    }
    let (Some(kind), Some(titel), Some(datum), Some(public)) = (kind, titel, datum, public) else {
        return (None, report.diagnostics);
    };
    if report.diagnostics.iter().any(Diagnostic::is_error) {
        return (None, report.diagnostics);
    }

    // The body's structure: sections need the agenda, person mentions need the persons.
    let (tops, surnames): (Vec<TopRef>, Vec<String>) = match &kind {
        Kind::Niederschrift(n) => (
            n.tagesordnung
                .iter()
                .map(|t| TopRef {
                    top: &t.top,
                    public: t.public,
                })
                .collect(),
            n.persons().map(|(_, p)| p.surname()).collect(),
        ),
        _ => (Vec::new(), Vec::new()),
    };
    let scan = markdown::scan(split.body, &tops, &surnames, &ctx.matcher);
    let line_of = |offset: usize| {
        split.body_line
            + split.body[..offset.min(split.body.len())]
                .matches('\n')
                .count()
    };
    for (offset, heading) in &scan.unmatched {
        report.warning(
            line_of(*offset),
            format!("Die Überschrift „{heading}“ passt zu keinem TOP der Tagesordnung."),
            "Die Nummer nach `zu` muss genau einer `top`-Nummer der `tagesordnung` entsprechen (z. B. `zu 5.1`).",
        );
    }
    let mut frontmatter_mentions: Vec<FrontmatterMention> = ctx
        .matcher
        .find_all(&titel)
        .map(|(_, nr)| FrontmatterMention {
            nr,
            top_index: None,
        })
        .collect();
    if let Kind::Niederschrift(n) = &kind {
        for (i, top) in n.tagesordnung.iter().enumerate() {
            frontmatter_mentions.extend(ctx.matcher.find_all(&top.titel).map(|(_, nr)| {
                FrontmatterMention {
                    nr,
                    top_index: Some(i),
                }
            }));
        }
    }
    let document = Document {
        source: Source {
            rel: source.rel.clone(),
            path: source.path.clone(),
            display: source.display.clone(),
            body_offset: split.body_offset,
            body_line: split.body_line,
            stamp: source.stamp.unwrap_or_default(),
        },
        titel,
        datum,
        public,
        quelle,
        kind,
        scan,
        frontmatter_mentions,
    };
    (Some(document), report.diagnostics)
}

fn parse_date(report: &mut Report, value: &Option<Text>, key: &str) -> Option<Date> {
    let value = value.as_ref()?;
    match Date::parse_iso(value.as_str()) {
        Ok(d) => Some(d),
        Err(message) => {
            let line = report.key_line(key);
            report.error(
                line,
                format!("`{key}`: {message}."),
                "Schreiben Sie das Datum als JJJJ-MM-TT, z. B. `2021-02-25`.",
            );
            None
        }
    }
}

fn parse_status(report: &mut Report, value: &Option<Text>) -> Option<bool> {
    let Some(value) = value else {
        return Some(true);
    };
    match public_word(value.as_str()) {
        Some(public) => Some(public),
        None => {
            let line = report.key_line("status");
            report.error(
                line,
                format!("Unbekannter `status`: „{}“.", value.as_str()),
                "Erlaubt sind `öffentlich` und `nichtöffentlich` (auch `oeffentlich`, `nichtoeffentlich`).",
            );
            None
        }
    }
}

/// `öffentlich` → true, `nichtöffentlich` → false, in the spellings the contract allows.
fn public_word(word: &str) -> Option<bool> {
    match word.trim().to_lowercase().as_str() {
        "öffentlich" | "oeffentlich" => Some(true),
        "nichtöffentlich" | "nichtoeffentlich" | "nicht öffentlich" | "nicht-öffentlich" => {
            Some(false)
        }
        _ => None,
    }
}

fn canonical_nr(
    report: &mut Report,
    ctx: &ParseContext,
    raw: &str,
    line: usize,
    key: &str,
) -> String {
    let nr = ctx.matcher.canonical(raw);
    if !ctx.matcher.is_nr(&nr) {
        report.warning(
            line,
            format!("`{key}` „{raw}“ passt nicht zum Muster für Vorlage-Nummern; Erwähnungen im Text werden nicht darauf verlinkt."),
            "Prüfen Sie die Schreibweise oder `[links] vorlage-nr` in book.toml.",
        );
    }
    nr
}

fn parse_vorlage(report: &mut Report, raw: &RawFrontmatter, ctx: &ParseContext) -> Option<Vorlage> {
    let Some(nr_raw) = text(&raw.nr) else {
        report.missing("nr", "vorlage", "FB 56/0051/WP18");
        return None;
    };
    let nr_line = report.key_line("nr");
    let nr = canonical_nr(report, ctx, &nr_raw, nr_line, "nr");
    let ursprung = text(&raw.ursprung).map(|u| {
        let line = report.key_line("ursprung");
        canonical_nr(report, ctx, &u, line, "ursprung")
    });
    let mut beratungsfolge = Vec::new();
    for (i, b) in raw.beratungsfolge.iter().flatten().enumerate() {
        let line = report.item_line("beratungsfolge", i);
        let datum = match &b.datum {
            Some(d) => match Date::parse_iso(d.as_str()) {
                Ok(d) => Some(d),
                Err(message) => {
                    report.error(
                        line,
                        format!("`beratungsfolge`, Eintrag {}: `datum`: {message}.", i + 1),
                        "Schreiben Sie das Datum als JJJJ-MM-TT.",
                    );
                    None
                }
            },
            None => None,
        };
        let Some(gremium) = text(&b.gremium) else {
            report.error(
                line,
                format!("`beratungsfolge`, Eintrag {}: `gremium` fehlt.", i + 1),
                "Jeder Eintrag braucht `gremium: <Name des Gremiums>`.",
            );
            continue;
        };
        beratungsfolge.push(Beratung {
            datum,
            gremium,
            zustaendigkeit: text(&b.zustaendigkeit),
        });
    }
    Some(Vorlage {
        nr,
        ursprung,
        art: text(&raw.art),
        federfuehrend: text(&raw.federfuehrend),
        beteiligt: texts(&raw.beteiligt),
        verfasser: text(&raw.verfasser),
        ziele: text(&raw.ziele),
        beratungsfolge,
    })
}

fn parse_persons(
    report: &mut Report,
    list: &Option<Vec<PersonEntry>>,
    key: &'static str,
) -> Vec<Person> {
    let mut persons = Vec::new();
    for (i, entry) in list.iter().flatten().enumerate() {
        let Some(name) = text(&entry.name) else {
            let line = report.item_line(key, i);
            report.error(
                line,
                format!("`{key}`, Eintrag {}: `name` fehlt.", i + 1),
                "Jeder Eintrag braucht mindestens `name: …`.",
            );
            continue;
        };
        persons.push(Person {
            name,
            anrede: text(&entry.anrede),
            funktion: text(&entry.funktion),
            vertretung_fuer: text(&entry.vertretung_fuer),
            grund: text(&entry.grund),
        });
    }
    persons
}

/// Plain-name entries (`schriftfuehrung: [Herr Rahn-Bergner]`) carry the Anrede in the name;
/// split it off so that the person is the same as in the other lists.
fn split_anrede(mut person: Person) -> Person {
    const ANREDEN: &[&str] = &[
        "Herr",
        "Herrn",
        "Frau",
        "Ratsherr",
        "Ratsfrau",
        "Stadtrat",
        "Stadträtin",
    ];
    if person.anrede.is_none() {
        if let Some((first, rest)) = person.name.split_once(' ') {
            if ANREDEN.contains(&first) && !rest.trim().is_empty() {
                person.anrede = Some(first.to_string());
                person.name = rest.trim().to_string();
            }
        }
    }
    person
}

fn parse_niederschrift(
    report: &mut Report,
    raw: &RawFrontmatter,
    ctx: &ParseContext,
) -> Option<Niederschrift> {
    let nr = text(&raw.nr);
    if nr.is_none() {
        report.missing("nr", "niederschrift", "ASID/07/WP18");
    }
    let gremium = text(&raw.gremium);
    if gremium.is_none() {
        report.missing(
            "gremium",
            "niederschrift",
            "Ausschuss für Soziales, Integration und Demographie",
        );
    }
    let mut times = [None, None];
    for (slot, key, value) in [(0, "beginn", &raw.beginn), (1, "ende", &raw.ende)] {
        if let Some(v) = text(value) {
            match parse_time(&v) {
                Ok(t) => times[slot] = Some(t),
                Err(message) => {
                    let line = report.key_line(key);
                    report.error(
                        line,
                        format!("`{key}`: {message}."),
                        "Schreiben Sie die Uhrzeit als `'17:00'` (in Anführungszeichen).",
                    );
                }
            }
        }
    }
    let erstellt = parse_date(report, &raw.erstellt, "erstellt");
    let mut tagesordnung: Vec<Top> = Vec::new();
    for (i, item) in raw.tagesordnung.iter().flatten().enumerate() {
        let line = report.item_line("tagesordnung", i);
        let (Some(top), Some(titel)) = (text(&item.top), text(&item.titel)) else {
            report.error(
                line,
                format!(
                    "`tagesordnung`, Eintrag {}: `top` und `titel` sind Pflicht.",
                    i + 1
                ),
                "Jeder TOP braucht z. B. `- top: '5.1'` und `titel: …`.",
            );
            continue;
        };
        let public = match &item.teil {
            None => true,
            Some(t) => match public_word(t.as_str()) {
                Some(p) => p,
                None => {
                    report.error(
                        line,
                        format!("TOP {top}: unbekannter `teil` „{}“.", t.as_str()),
                        "Erlaubt sind `öffentlich` und `nichtöffentlich`.",
                    );
                    false
                }
            },
        };
        if tagesordnung
            .iter()
            .any(|t| t.top == top && t.public == public)
        {
            report.error(
                line,
                format!(
                    "TOP {top} steht zweimal im {} Teil der Tagesordnung.",
                    if public {
                        "öffentlichen"
                    } else {
                        "nichtöffentlichen"
                    }
                ),
                "Jede TOP-Nummer darf je Teil nur einmal vorkommen.",
            );
            continue;
        }
        let vorlage = text(&item.vorlage).map(|v| canonical_nr(report, ctx, &v, line, "vorlage"));
        tagesordnung.push(Top {
            top,
            titel,
            vorlage,
            ergebnis: text(&item.ergebnis),
            abstimmung: text(&item.abstimmung),
            public,
        });
    }
    let anwesend = parse_persons(report, &raw.anwesend, "anwesend");
    let abwesend = parse_persons(report, &raw.abwesend, "abwesend");
    let verwaltung = parse_persons(report, &raw.verwaltung, "verwaltung");
    let schriftfuehrung = parse_persons(report, &raw.schriftfuehrung, "schriftfuehrung")
        .into_iter()
        .map(split_anrede)
        .collect();
    Some(Niederschrift {
        nr: nr?,
        gremium: gremium?,
        gremium_kuerzel: text(&raw.gremium_kuerzel),
        beginn: times[0].take(),
        ende: times[1].take(),
        ort: text(&raw.ort),
        erstellt,
        anwesend,
        abwesend,
        verwaltung,
        schriftfuehrung,
        tagesordnung,
    })
}

fn parse_anlage(
    report: &mut Report,
    raw: &RawFrontmatter,
    ctx: &ParseContext,
    source: &SourcePath,
) -> Option<Anlage> {
    let Some(zu) = text(&raw.zu) else {
        report.missing("zu", "anlage", "ASID/07/WP18");
        return None;
    };
    let zu = if ctx.matcher.is_nr(&zu) {
        ctx.matcher.canonical(&zu)
    } else {
        zu
    };
    let datei = match text(&raw.datei) {
        None => None,
        Some(d) => {
            let line = report.key_line("datei");
            let dir = source.path.parent().unwrap_or(Path::new("."));
            let target = dir.join(&d);
            match target.canonicalize() {
                Ok(resolved) if resolved.starts_with(&ctx.content_root) && resolved.is_file() => {
                    resolved.strip_prefix(&ctx.content_root).ok().map(|p| {
                        p.components()
                            .map(|c| c.as_os_str().to_string_lossy().into_owned())
                            .collect::<Vec<_>>()
                            .join("/")
                    })
                }
                Ok(resolved) if !resolved.starts_with(&ctx.content_root) => {
                    report.error(
                        line,
                        format!("`datei` „{d}“ liegt außerhalb des Inhaltsordners."),
                        "Legen Sie die Datei in den Inhaltsordner und geben Sie den Pfad relativ zur Markdown-Datei an.",
                    );
                    None
                }
                _ => {
                    report.error(
                        line,
                        format!("`datei` „{d}“ existiert nicht (gesucht: {}).", target.display()),
                        "Der Pfad ist relativ zur Markdown-Datei, z. B. `datei: anlage-1.pdf` für eine PDF daneben.",
                    );
                    None
                }
            }
        }
    };
    Some(Anlage {
        zu,
        top: text(&raw.top),
        nummer: text(&raw.nummer),
        datei,
    })
}
