//! Seed fidelity: the Aachen seed document (tests/fixtures/seed/000_5c389ca28df2f588.txt,
//! a byte-identical copy of the original) was converted by hand into content/ (one Vorlage,
//! one Niederschrift, five Anlagen; see docs/seed-conversion.md). The rule of that conversion is
//! "faithful": every sentence and every table cell of the seed survives, spelled as in the seed.
//!
//! The seed is cut into fragments (one per line, per tab-separated cell, long lines per
//! sentence, markup removed) and every fragment must be found
//! - in the text of the content files (`content_*` tests, no build needed), and
//! - in the visible text of the built site (`site_shows_every_seed_fragment`).
//!
//! Two explicit lists are the only exceptions: `is_print_artefact` (dropped on purpose) and
//! `STRUCTURED` (fragments the site shows as structured data from the frontmatter, checked
//! against the YAML text of the content files instead).
//!
//! Only std (and the dev-dependency `tempfile`) is used.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

const SEED: &str = "tests/fixtures/seed/000_5c389ca28df2f588.txt";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

// ---------------------------------------------------------------------------------------------
// Exception list 1: print artefacts
// ---------------------------------------------------------------------------------------------

/// Print artefacts of the PDF export that are dropped on purpose. They are whole lines of the
/// seed (the page header/footer of the printed minutes); nothing else is skipped.
fn is_print_artefact(line: &str) -> bool {
    let t = line.trim();
    // 1. the print date in every page footer
    t == "Ausdruck vom: 30.03.2021"
        // 2. the page number, "Seite: 1/23" ... "Seite: 23/23"
        || t
            .strip_prefix("Seite: ")
            .and_then(|r| r.strip_suffix("/23"))
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        // 3. the Sitzungs-Nr. repeated as page header beside them (a line of its own; the
        //    number itself is the `nr` of the Niederschrift)
        || t == "ASID/07/WP18"
}

// ---------------------------------------------------------------------------------------------
// Exception list 2: fragments shown in structured form
// ---------------------------------------------------------------------------------------------

/// What a structured fragment must be found as in a content file.
enum Expect {
    /// A line of the file (trimmed, a leading "- " of a YAML list item removed) equals this.
    Line(&'static str, &'static str),
    /// No frontmatter key of this name: the field is empty in the seed and therefore omitted.
    NoKey(&'static str, &'static str),
}

struct Structured {
    fragment: &'static str,
    expect: &'static [Expect],
}

const VORLAGE: &str = "vorlagen/fb-56-0051-wp18.md";
const SITZUNG: &str = "sitzungen/asid-07-wp18.md";

/// Fragments of the seed that the site shows in a structured form (frontmatter values rendered
/// by the templates, labels of those values, reformatted dates) instead of verbatim.
/// Each one is checked against the YAML text of the content files.
const STRUCTURED: &[Structured] = &[
    // --- Vorlage FB 56/0051/WP18: header block of the printed Vorlage -------------------------
    // "Vorlage-Nr:" label + number -> nr
    Structured { fragment: "Vorlage-Nr: FB 56/0051/WP18", expect: &[Expect::Line(VORLAGE, "nr: FB 56/0051/WP18")] },
    // two labels in one PDF cell; "Beteiligte Dienststelle/n:" is empty in the seed
    Structured {
        fragment: "Federführende Dienststelle: Fachbereich Wohnen, Soziales und Integration Beteiligte Dienststelle/n:",
        expect: &[
            Expect::Line(VORLAGE, "federfuehrend: Fachbereich Wohnen, Soziales und Integration"),
            Expect::NoKey(VORLAGE, "beteiligt"),
        ],
    },
    Structured { fragment: "Status: öffentlich", expect: &[Expect::Line(VORLAGE, "status: öffentlich")] },
    // German date -> ISO date
    Structured { fragment: "Datum: 08.04.2021", expect: &[Expect::Line(VORLAGE, "datum: 2021-04-08")] },
    // empty in the seed -> key omitted
    Structured { fragment: "Verfasser/in:", expect: &[Expect::NoKey(VORLAGE, "verfasser")] },
    // extra key `ziele`
    Structured { fragment: "Ziele: Klimarelevanz keine", expect: &[Expect::Line(VORLAGE, "ziele: Klimarelevanz keine")] },
    // the Beratungsfolge table: its label and column heads are the keys of `beratungsfolge`
    Structured { fragment: "Beratungsfolge:", expect: &[Expect::Line(VORLAGE, "beratungsfolge:")] },
    Structured { fragment: "Datum", expect: &[Expect::Line(VORLAGE, "datum: 2021-05-06")] },
    Structured {
        fragment: "Gremium",
        expect: &[Expect::Line(VORLAGE, "gremium: Ausschuss für Soziales, Integration und Demographie")],
    },
    Structured { fragment: "Zuständigkeit", expect: &[Expect::Line(VORLAGE, "zustaendigkeit: Entscheidung")] },
    Structured { fragment: "06.05.2021", expect: &[Expect::Line(VORLAGE, "datum: 2021-05-06")] },
    // the bold labels "Beschlussvorschlag:" / "Erläuterungen:" are Markdown headings (no colon)
    Structured { fragment: "Beschlussvorschlag:", expect: &[Expect::Line(VORLAGE, "## Beschlussvorschlag")] },
    Structured { fragment: "Erläuterungen:", expect: &[Expect::Line(VORLAGE, "## Erläuterungen")] },
    // --- Niederschrift ASID/07/WP18: heading, header block, attendance -----------------------
    // letter-spaced heading word -> first word of the titel
    Structured {
        fragment: "N i e d e r s c h r i f t",
        expect: &[Expect::Line(
            SITZUNG,
            "titel: Niederschrift öffentliche/nichtöffentliche Sitzung des Ausschusses für Soziales, Integration und Demographie",
        )],
    },
    // date printed under the heading -> extra key `erstellt`
    Structured { fragment: "30. März 2021", expect: &[Expect::Line(SITZUNG, "erstellt: 2021-03-30")] },
    Structured { fragment: "Sitzungstermin:", expect: &[Expect::Line(SITZUNG, "datum: 2021-02-25")] },
    Structured { fragment: "Donnerstag, 25.02.2021", expect: &[Expect::Line(SITZUNG, "datum: 2021-02-25")] },
    Structured { fragment: "Sitzungsbeginn:", expect: &[Expect::Line(SITZUNG, "beginn: '17:00'")] },
    Structured { fragment: "17:00 Uhr", expect: &[Expect::Line(SITZUNG, "beginn: '17:00'")] },
    Structured { fragment: "Sitzungsende:", expect: &[Expect::Line(SITZUNG, "ende: '18:00'")] },
    Structured { fragment: "18:00 Uhr", expect: &[Expect::Line(SITZUNG, "ende: '18:00'")] },
    Structured {
        fragment: "Ort, Raum:",
        expect: &[Expect::Line(SITZUNG, "ort: Brüsselsaal, EUROGRESS Aachen, Monheimsallee 48, 52062 Aachen")],
    },
    Structured { fragment: "Anwesende:", expect: &[Expect::Line(SITZUNG, "anwesend:")] },
    Structured { fragment: "Als Ausschussvorsitzender", expect: &[Expect::Line(SITZUNG, "funktion: Ausschussvorsitzender")] },
    Structured {
        fragment: "Als Vertreter für Ratsherr Tjark Zimmer",
        expect: &[Expect::Line(SITZUNG, "vertretung_fuer: Ratsherr Tjark Zimmer")],
    },
    Structured { fragment: "Abwesende:", expect: &[Expect::Line(SITZUNG, "abwesend:")] },
    Structured { fragment: "(entschuldigt)", expect: &[Expect::Line(SITZUNG, "grund: entschuldigt")] },
    Structured { fragment: "von der Verwaltung:", expect: &[Expect::Line(SITZUNG, "verwaltung:")] },
    Structured { fragment: "als Schriftführer:", expect: &[Expect::Line(SITZUNG, "schriftfuehrung:")] },
    // page-section headings that the site renders itself: the agenda is `tagesordnung`,
    // the Protokoll is the body of the `typ: niederschrift` document
    Structured { fragment: "Tagesordnung:", expect: &[Expect::Line(SITZUNG, "tagesordnung:")] },
    Structured { fragment: "Protokoll:", expect: &[Expect::Line(SITZUNG, "typ: niederschrift")] },
    // heading of the non-public part of the printed agenda -> `teil` of those two items
    Structured { fragment: "Nichtöffentlicher Teil", expect: &[Expect::Line(SITZUNG, "teil: nichtöffentlich")] },
];

fn is_structured(fragment: &str) -> bool {
    STRUCTURED.iter().any(|s| s.fragment == fragment)
}

// ---------------------------------------------------------------------------------------------
// Fragments of the seed
// ---------------------------------------------------------------------------------------------

/// A piece of seed text that must survive, with its 1-based line number.
struct Fragment {
    line: usize,
    text: String,
}

fn read_seed() -> String {
    fs::read_to_string(repo().join(SEED)).expect("seed fixture")
}

/// Remove the markup of the seed (or of a Markdown body): autolinks and Markdown links become
/// their text, HTML tags (`<b>`, `<u>`, `<sup>`, `<a href>` ...) disappear, `**` and emphasis
/// `*` disappear, `\*` becomes `*`, `\\_` and `\_` become `_`, other backslash escapes become the
/// character, a backslash hard break at the end of a line disappears.
fn strip_markup(s: &str) -> String {
    let s = replace_autolinks(s);
    let s = replace_md_links(&s);
    let s = remove_html_tags(&s);
    let s = s.replace("\\\\_", "_").replace("\\*", "\u{0}");
    let s = remove_emphasis_stars(&s);
    let s = s.replace('\u{0}', "*");
    unescape_backslashes(&s)
}

/// `<http://x>` / `<https://x>` / `<mailto:x>` -> `x`
fn replace_autolinks(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let is_uri = ["http://", "https://", "mailto:"]
            .iter()
            .any(|p| after.starts_with(p));
        match after.find('>') {
            Some(j) if is_uri && !after[..j].contains(char::is_whitespace) => {
                out.push_str(&after[..j]);
                rest = &after[j + 1..];
            }
            _ => {
                out.push('<');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `[text](url)` -> `text`
fn replace_md_links(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('[') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let link = after.find("](").and_then(|j| {
            let url = &after[j + 2..];
            url.find(')').map(|k| (j, j + 2 + k + 1))
        });
        match link {
            Some((j, end)) if !after[..j].contains('[') => {
                out.push_str(&after[..j]);
                rest = &after[end..];
            }
            _ => {
                out.push('[');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Remove `<name ...>` and `</name>` (ASCII tag names only, so "<" in text survives).
fn remove_html_tags(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let name_start = after.strip_prefix('/').unwrap_or(after);
        let name_len = name_start
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        let starts_alpha = name_start
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic());
        let next = name_start[name_len..].chars().next();
        let tag_end = if starts_alpha && matches!(next, Some('>') | Some(' ') | Some('/')) {
            after.find('>')
        } else {
            None
        };
        match tag_end {
            Some(j) => rest = &after[j + 1..],
            None => {
                out.push('<');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Drop `*` used as emphasis; keep a `*` between two letters/digits ("Migrant*innen").
fn remove_emphasis_stars(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    for (i, &c) in chars.iter().enumerate() {
        if c == '*' {
            let prev = i.checked_sub(1).map(|p| chars[p]);
            let next = chars.get(i + 1).copied();
            let intraword =
                prev.is_some_and(char::is_alphanumeric) && next.is_some_and(char::is_alphanumeric);
            if !intraword {
                continue;
            }
        }
        out.push(c);
    }
    out
}

/// `\x` -> `x` for ASCII punctuation; a backslash before a line end (hard break) disappears.
fn unescape_backslashes(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        if c == '\\' {
            match it.peek() {
                Some(&n) if n.is_ascii_punctuation() => {
                    out.push(n);
                    it.next();
                    continue;
                }
                Some('\n') | Some('\r') | None => continue,
                _ => {}
            }
        }
        out.push(c);
    }
    out
}

/// Leading heading/list markers of a seed line: `#`-runs, `- `, single-digit ordered-list
/// markers (`1. `), and the agenda numbers of the printed Tagesordnung (`- 5.1 **Title**`; the
/// number is the `top` of the agenda item).
fn strip_markers(raw: &str, s: &str) -> String {
    let mut t = s;
    loop {
        let u = t.trim_start();
        let hashes = u.bytes().take_while(|&b| b == b'#').count();
        if hashes > 0 && u[hashes..].starts_with(' ') {
            t = &u[hashes + 1..];
        } else if let Some(r) = u.strip_prefix("- ") {
            t = r;
        } else if u.len() >= 3 && u.as_bytes()[0].is_ascii_digit() && &u.as_bytes()[1..3] == b". " {
            t = &u[3..];
        } else {
            t = u;
            break;
        }
    }
    if let Some(n) = agenda_number(raw) {
        if let Some(r) = t.strip_prefix(n).and_then(|r| r.strip_prefix(' ')) {
            t = r;
        }
    }
    t.to_string()
}

/// `- 5.1 **...` -> Some("5.1")
fn agenda_number(raw: &str) -> Option<&str> {
    let r = raw.strip_prefix("- ")?;
    let n = r
        .bytes()
        .take_while(|b| b.is_ascii_digit() || *b == b'.')
        .count();
    if n == 0 || !r[n..].starts_with(" **") {
        return None;
    }
    Some(&r[..n])
}

fn normalise_ws(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Long cells are checked per sentence, so that a failure points at the sentence.
fn split_sentences(s: &str) -> Vec<String> {
    if s.chars().count() <= 150 {
        return vec![s.to_string()];
    }
    let mut pieces = Vec::new();
    let mut start = 0;
    let bytes = s.as_bytes();
    for (i, c) in s.char_indices() {
        if matches!(c, '.' | '!' | '?') && bytes.get(i + 1) == Some(&b' ') {
            pieces.push(&s[start..=i]);
            start = i + 2;
        }
    }
    pieces.push(&s[start..]);
    let mut out: Vec<String> = Vec::new();
    let mut buf = String::new();
    for p in pieces {
        if !buf.is_empty() {
            buf.push(' ');
        }
        buf.push_str(p);
        if buf.chars().count() >= 30 {
            out.push(std::mem::take(&mut buf));
        }
    }
    if !buf.is_empty() {
        match out.last_mut() {
            Some(last) => {
                last.push(' ');
                last.push_str(&buf);
            }
            None => out.push(buf),
        }
    }
    out
}

/// All fragments of the seed, deduplicated, in seed order.
fn seed_fragments() -> Vec<Fragment> {
    let seed = read_seed();
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for (i, raw) in seed.split('\n').enumerate() {
        if is_print_artefact(raw) {
            continue;
        }
        let line = strip_markers(raw, &strip_markup(raw));
        for cell in line.split('\t') {
            let cell = normalise_ws(cell);
            if !cell.chars().any(char::is_alphanumeric) {
                continue; // empty cells, "---" rules
            }
            for text in split_sentences(&cell) {
                if seen.insert(text.clone()) {
                    out.push(Fragment { line: i + 1, text });
                }
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Text of the content files
// ---------------------------------------------------------------------------------------------

fn content_dir() -> PathBuf {
    repo().join("content")
}

fn files_with_ext(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files_with_ext(&p, ext, out);
        } else if p.extension().is_some_and(|e| e == ext) {
            out.push(p);
        }
    }
}

/// (frontmatter, body) of a content file.
fn split_frontmatter(text: &str) -> (&str, &str) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if let Some(rest) = text.strip_prefix("---\n") {
        if let Some(end) = rest.find("\n---\n") {
            return (&rest[..end + 1], &rest[end + 5..]);
        }
    }
    ("", text)
}

fn yaml_scalar(v: &str) -> String {
    let v = v.trim();
    if v.len() >= 2 && v.starts_with('\'') && v.ends_with('\'') {
        v[1..v.len() - 1].replace("''", "'")
    } else if v.len() >= 2 && v.starts_with('"') && v.ends_with('"') {
        v[1..v.len() - 1].to_string()
    } else {
        v.to_string()
    }
}

/// The site shows a person of `anwesend`/`abwesend`/`verwaltung` as "<anrede> <name>"
/// ("Ratsherr Hans Leo Deumens", "Prof. Dr. Sicking"), the way the seed prints it.
fn persons(frontmatter: &str) -> Vec<String> {
    let mut out = Vec::new();
    let (mut name, mut anrede): (Option<String>, Option<String>) = (None, None);
    let mut flush = |name: &mut Option<String>, anrede: &mut Option<String>| {
        if let (Some(n), Some(a)) = (name.take(), anrede.take()) {
            out.push(format!("{a} {n}"));
        }
    };
    for line in frontmatter.lines() {
        let t = line.trim_start();
        let new_item = t.starts_with("- ");
        if new_item || !line.starts_with(' ') {
            flush(&mut name, &mut anrede);
        }
        let t = t.strip_prefix("- ").unwrap_or(t);
        if let Some(v) = t.strip_prefix("name:") {
            name = Some(yaml_scalar(v));
        } else if let Some(v) = t.strip_prefix("anrede:") {
            anrede = Some(yaml_scalar(v));
        }
    }
    flush(&mut name, &mut anrede);
    out
}

/// Normalised text of all content files: frontmatter as written, "<anrede> <name>" of every
/// person, and the body with its Markdown markup removed.
fn content_text() -> String {
    let mut files = Vec::new();
    files_with_ext(&content_dir(), "md", &mut files);
    assert!(!files.is_empty(), "no content/**/*.md files");
    let mut parts = Vec::new();
    for f in files {
        let text = fs::read_to_string(&f).unwrap();
        let (fm, body) = split_frontmatter(&text);
        parts.push(fm.to_string());
        parts.extend(persons(fm));
        parts.push(strip_markup(body));
    }
    normalise_ws(&parts.join("\n \n"))
}

fn content_lines(rel: &str) -> Vec<String> {
    let text = fs::read_to_string(content_dir().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    text.lines()
        .map(|l| {
            let t = l.trim();
            t.strip_prefix("- ").unwrap_or(t).to_string()
        })
        .collect()
}

/// Problems of the STRUCTURED list: entries not found as described, and entries whose
/// fragment no longer occurs in the seed (a stale exception would hide nothing, but lies).
fn structured_problems(fragments: &[Fragment]) -> Vec<String> {
    let mut problems = Vec::new();
    for s in STRUCTURED {
        if !fragments.iter().any(|f| f.text == s.fragment) {
            problems.push(format!(
                "STRUCTURED entry {:?} is not a fragment of the seed",
                s.fragment
            ));
        }
        for e in s.expect {
            match e {
                Expect::Line(file, want) => {
                    if !content_lines(file).iter().any(|l| l == want) {
                        problems.push(format!(
                            "{:?}: content/{file} has no line {want:?}",
                            s.fragment
                        ));
                    }
                }
                Expect::NoKey(file, key) => {
                    let text = fs::read_to_string(content_dir().join(file)).unwrap();
                    let (fm, _) = split_frontmatter(&text);
                    let prefix = format!("{key}:");
                    if fm.lines().any(|l| l.trim_start().starts_with(&prefix)) {
                        problems.push(format!(
                            "{:?}: the field is empty in the seed, but content/{file} has a key {key:?}",
                            s.fragment
                        ));
                    }
                }
            }
        }
    }
    problems
}

fn report(what: &str, missing: &[&Fragment], total: usize) -> String {
    let mut msg = format!(
        "{} of {} seed fragments missing from {}:\n",
        missing.len(),
        total,
        what
    );
    for f in missing {
        msg.push_str(&format!("  seed line {:>4}: {:?}\n", f.line, f.text));
    }
    msg
}

// ---------------------------------------------------------------------------------------------
// Visible text of the built site
// ---------------------------------------------------------------------------------------------

const BLOCK_TAGS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "br",
    "caption",
    "dd",
    "details",
    "dialog",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "html",
    "body",
    "li",
    "main",
    "nav",
    "ol",
    "option",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "title",
    "tr",
    "ul",
    "button",
    "label",
    "select",
    "textarea",
    "input",
];

/// Visible text of an HTML page: tags removed (block tags count as a space), the contents of
/// <head>, <script>, <style> and comments dropped, entities decoded, whitespace normalised.
fn html_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let lower = html.to_ascii_lowercase();
    let mut i = 0;
    while i < html.len() {
        let rest = &html[i..];
        let Some(lt) = rest.find('<') else {
            out.push_str(rest);
            break;
        };
        out.push_str(&rest[..lt]);
        i += lt;
        if lower[i..].starts_with("<!--") {
            i = lower[i..].find("-->").map_or(html.len(), |j| i + j + 3);
            continue;
        }
        // end of the tag, skipping quoted attribute values
        let bytes = html.as_bytes();
        let mut j = i + 1;
        let mut quote: Option<u8> = None;
        while j < bytes.len() {
            let b = bytes[j];
            match quote {
                Some(q) if b == q => quote = None,
                Some(_) => {}
                None if b == b'"' || b == b'\'' => quote = Some(b),
                None if b == b'>' => break,
                None => {}
            }
            j += 1;
        }
        let tag = &lower[i + 1..j.min(html.len())];
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '!')
            .collect();
        i = (j + 1).min(html.len());
        if !closing && matches!(name.as_str(), "head" | "script" | "style" | "template") {
            let end = format!("</{name}");
            i = lower[i..].find(&end).map_or(html.len(), |k| {
                let after = i + k;
                lower[after..]
                    .find('>')
                    .map_or(html.len(), |m| after + m + 1)
            });
            out.push(' ');
            continue;
        }
        if BLOCK_TAGS.contains(&name.as_str()) {
            out.push(' ');
        }
    }
    normalise_ws(&decode_entities(&out))
}

fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let semi = after.find(';').filter(|&j| j <= 10);
        let decoded = semi.and_then(|j| {
            let name = &after[..j];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                _ if name.starts_with("#x") || name.starts_with("#X") => {
                    u32::from_str_radix(&name[2..], 16)
                        .ok()
                        .and_then(char::from_u32)
                }
                _ if name.starts_with('#') => {
                    name[1..].parse::<u32>().ok().and_then(char::from_u32)
                }
                _ => None,
            };
            c.map(|c| (c, j))
        });
        match decoded {
            Some((c, j)) => {
                out.push(c);
                rest = &after[j + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

/// The fragment cutter itself: artefacts out, known typos and table cells in.
#[test]
fn content_fragment_extraction_is_sane() {
    let fragments = seed_fragments();
    let texts: BTreeSet<&str> = fragments.iter().map(|f| f.text.as_str()).collect();
    assert!(fragments.len() > 900, "only {} fragments", fragments.len());
    for artefact in [
        "Ausdruck vom: 30.03.2021",
        "Seite: 1/23",
        "Seite: 23/23",
        "ASID/07/WP18",
    ] {
        assert!(
            !texts.contains(artefact),
            "print artefact {artefact:?} not skipped"
        );
    }
    for expected in [
        "Prof. Dr .Sicking",
        "-17.300,00 €",
        "Miete minus Maxförderung minus Soz. Beratung",
        "Hilfen für Obdachlose Frauen: Neues Angebot",
        "Mehrbedarf der Clearingstelle (Beratungsstelle für Migrant*innen)",
        "Herr Deumens schließt den öffentlichen Teil der Sitzung um 17.57 Uhr.",
        "Regionale Beratung Kreis 1",
        "sevim.dogan@mail.aachen.de",
    ] {
        assert!(
            texts.contains(expected),
            "expected fragment {expected:?} not cut from the seed"
        );
    }
}

/// Text level: every fragment is in content/**/*.md, or listed in STRUCTURED and found there.
#[test]
fn content_md_keeps_every_seed_fragment() {
    let fragments = seed_fragments();
    let text = content_text();
    let missing: Vec<&Fragment> = fragments
        .iter()
        .filter(|f| !is_structured(&f.text) && !text.contains(&f.text))
        .collect();
    let problems = structured_problems(&fragments);
    let mut msg = String::new();
    if !missing.is_empty() {
        msg.push_str(&report("content/**/*.md", &missing, fragments.len()));
    }
    if !problems.is_empty() {
        msg.push_str(&format!(
            "{} structured fragments not found as described:\n",
            problems.len()
        ));
        for p in &problems {
            msg.push_str(&format!("  {p}\n"));
        }
    }
    assert!(msg.is_empty(), "{msg}");
    eprintln!(
        "seed fidelity (content): {} fragments checked ({} verbatim, {} structured)",
        fragments.len(),
        fragments.len() - STRUCTURED.len(),
        STRUCTURED.len()
    );
}

/// The Protokoll has exactly one `### zu <top> ` heading per public agenda item, in agenda
/// order, and nothing before "## Öffentlicher Teil".
#[test]
fn content_protocol_has_one_section_per_public_agenda_item() {
    let text = fs::read_to_string(content_dir().join(SITZUNG)).unwrap();
    let (fm, body) = split_frontmatter(&text);
    let mut tops = Vec::new();
    let mut current: Option<(String, bool)> = None;
    for line in fm.lines() {
        let t = line.trim_start();
        if let Some(top) = t.strip_prefix("- top:") {
            if let Some(c) = current.take() {
                tops.push(c);
            }
            current = Some((yaml_scalar(top), false));
        } else if let Some(teil) = t.strip_prefix("teil:") {
            if let (true, Some(c)) = (yaml_scalar(teil).starts_with("nicht"), current.as_mut()) {
                c.1 = true;
            }
        }
    }
    tops.extend(current);
    let public: Vec<&str> = tops
        .iter()
        .filter(|(_, np)| !np)
        .map(|(t, _)| t.as_str())
        .collect();
    assert_eq!(public.len(), 24, "public agenda items: {public:?}");
    let headings: Vec<&str> = body.lines().filter(|l| l.starts_with("### zu ")).collect();
    let numbers: Vec<&str> = headings
        .iter()
        .map(|h| h["### zu ".len()..].split(' ').next().unwrap())
        .collect();
    assert_eq!(
        numbers, public,
        "### zu <top> headings vs. public agenda items"
    );
    assert!(
        body.trim_start().starts_with("## Öffentlicher Teil\n"),
        "the body must start with \"## Öffentlicher Teil\""
    );
}

/// Site level: build the site with the portal binary and find every fragment in the visible
/// text of the HTML pages (STRUCTURED fragments are checked in the content YAML instead).
#[test]
fn site_shows_every_seed_fragment() {
    let out = tempfile::tempdir().expect("tempdir");
    let result = Command::new(env!("CARGO_BIN_EXE_portal"))
        .arg("build")
        .arg("--content")
        .arg(content_dir())
        .arg("--out")
        .arg(out.path())
        .output()
        .expect("run portal");
    assert!(
        result.status.success(),
        "portal build failed ({}):\n{}\n{}",
        result.status,
        String::from_utf8_lossy(&result.stdout),
        String::from_utf8_lossy(&result.stderr)
    );

    let mut pages = Vec::new();
    files_with_ext(out.path(), "html", &mut pages);
    assert!(!pages.is_empty(), "the build wrote no *.html files");
    let site: String = pages
        .iter()
        .map(|p| html_text(&fs::read_to_string(p).unwrap_or_default()))
        .collect::<Vec<_>>()
        .join(" \n ");

    let fragments = seed_fragments();
    let missing: Vec<&Fragment> = fragments
        .iter()
        .filter(|f| !is_structured(&f.text) && !site.contains(&f.text))
        .collect();
    let problems = structured_problems(&fragments);
    let mut msg = String::new();
    if !missing.is_empty() {
        msg.push_str(&report(
            &format!("the built site ({} pages)", pages.len()),
            &missing,
            fragments.len(),
        ));
    }
    for p in &problems {
        msg.push_str(&format!("  {p}\n"));
    }
    assert!(msg.is_empty(), "{msg}");
}

#[test]
fn content_html_text_helper_works() {
    let html = "<html><head><title>x</title><style>p{}</style></head><body><p>Herr&nbsp;Deumens \
                <b>schlie&szlig;t</b></p><script>var a='<p>';</script><td>a</td><td>&#x27;b&#39;</td>\
                <p>verortet<sup>1</sup>.</p><!-- c --></body></html>";
    let t = html_text(html);
    assert!(t.contains("Herr Deumens"), "{t}");
    assert!(t.contains("a 'b'"), "{t}");
    assert!(t.contains("verortet1."), "{t}");
    assert!(
        !t.contains("var a") && !t.contains("p{}") && !t.contains(" c "),
        "{t}"
    );
}
