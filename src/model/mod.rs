//! The validated documents of a corpus. Everything here has passed validation: dates are
//! real dates, numbers are canonical, required keys are present.

pub mod date;
pub mod slug;

use std::path::Path;
use std::sync::Arc;

pub use date::Date;

use crate::parse::markdown::BodyScan;

/// Where a document came from, and where its body starts (the render phase reads the body
/// again from disk instead of keeping every body in memory).
fn no_path() -> Arc<Path> {
    Arc::from(Path::new(""))
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Source {
    /// Relative to the content folder, `/`-separated.
    pub rel: String,
    /// The path for reading and the path for messages, shared with the `SourcePath` the
    /// file was found as. Not stored in the parse cache: taken from the walk that found
    /// the file (two strings fewer to read back per document).
    #[serde(skip, default = "no_path")]
    pub path: Arc<Path>,
    #[serde(skip, default = "no_path")]
    pub display: Arc<Path>,
    pub body_offset: usize,
    pub body_line: usize,
    /// Length and times of the file when it was parsed (not stored in the parse cache,
    /// whose entries carry their own), for the fingerprints of the pages it feeds.
    #[serde(skip)]
    pub stamp: crate::load::FileStamp,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Document {
    pub source: Source,
    pub titel: String,
    pub datum: Date,
    pub public: bool,
    pub quelle: Vec<String>,
    pub kind: Kind,
    pub scan: BodyScan,
    /// Vorlage-Nrs in published frontmatter text (titles of the document and its public
    /// agenda items), canonical.
    pub frontmatter_mentions: Vec<FrontmatterMention>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FrontmatterMention {
    pub nr: String,
    /// The agenda item whose title mentions it, if any.
    pub top_index: Option<usize>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub enum Kind {
    Vorlage(Vorlage),
    Niederschrift(Box<Niederschrift>),
    Anlage(Anlage),
}

#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Vorlage {
    pub nr: String,
    pub ursprung: Option<String>,
    pub art: Option<String>,
    pub federfuehrend: Option<String>,
    pub beteiligt: Vec<String>,
    pub verfasser: Option<String>,
    pub ziele: Option<String>,
    pub beratungsfolge: Vec<Beratung>,
}

#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Beratung {
    pub datum: Option<Date>,
    pub gremium: String,
    pub zustaendigkeit: Option<String>,
}

#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Niederschrift {
    pub nr: String,
    pub gremium: String,
    pub gremium_kuerzel: Option<String>,
    pub beginn: Option<String>,
    pub ende: Option<String>,
    pub ort: Option<String>,
    pub erstellt: Option<Date>,
    pub anwesend: Vec<Person>,
    pub abwesend: Vec<Person>,
    pub verwaltung: Vec<Person>,
    pub schriftfuehrung: Vec<Person>,
    pub tagesordnung: Vec<Top>,
}

impl Niederschrift {
    /// All persons of the attendance lists with their role, in the order of the minutes.
    /// Indices into this sequence are what `Section::named_persons` refers to.
    pub fn persons(&self) -> impl Iterator<Item = (Role, &Person)> {
        self.anwesend
            .iter()
            .map(|p| (Role::Anwesend, p))
            .chain(self.abwesend.iter().map(|p| (Role::Abwesend, p)))
            .chain(self.verwaltung.iter().map(|p| (Role::Verwaltung, p)))
            .chain(
                self.schriftfuehrung
                    .iter()
                    .map(|p| (Role::Schriftfuehrung, p)),
            )
    }
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Role {
    Anwesend,
    Abwesend,
    Verwaltung,
    Schriftfuehrung,
}

impl Role {
    pub fn label(self) -> &'static str {
        match self {
            Role::Anwesend => "anwesend",
            Role::Abwesend => "abwesend",
            Role::Verwaltung => "für die Verwaltung",
            Role::Schriftfuehrung => "Schriftführung",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Person {
    pub name: String,
    pub anrede: Option<String>,
    pub funktion: Option<String>,
    pub vertretung_fuer: Option<String>,
    pub grund: Option<String>,
}

impl Person {
    /// The identity of a person across Sitzungen: the name as written, whitespace collapsed.
    pub fn key(&self) -> String {
        // Without the vector of words `join` needs: called for every attendee of every
        // Sitzung on every build.
        let mut key = String::with_capacity(self.name.len());
        for word in self.name.split_whitespace() {
            if !key.is_empty() {
                key.push(' ');
            }
            key.push_str(word);
        }
        key
    }

    /// The last word of the name, as the Protokoll refers to people ("Herr Deumens").
    pub fn surname(&self) -> String {
        self.name
            .split_whitespace()
            .last()
            .unwrap_or("")
            .trim_matches(|c: char| !c.is_alphanumeric() && c != '-')
            .to_string()
    }

    /// `Ratsherr Hans Leo Deumens`
    pub fn full_name(&self) -> String {
        match &self.anrede {
            Some(a) => format!("{a} {}", self.name),
            None => self.name.clone(),
        }
    }
}

#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Top {
    pub top: String,
    pub titel: String,
    pub vorlage: Option<String>,
    pub ergebnis: Option<String>,
    pub abstimmung: Option<String>,
    pub public: bool,
}

#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Anlage {
    /// The parent's number as written (canonicalised when it is a Vorlage-Nr).
    pub zu: String,
    pub top: Option<String>,
    pub nummer: Option<String>,
    /// Path of the original file, relative to the content folder, checked to exist.
    pub datei: Option<String>,
}

impl Document {
    pub fn typ_label(&self) -> &'static str {
        match self.kind {
            Kind::Vorlage(_) => "Vorlage",
            Kind::Niederschrift(_) => "Sitzung",
            Kind::Anlage(_) => "Anlage",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Person;

    #[test]
    fn a_persons_key_is_the_name_with_single_spaces() {
        let key = |name: &str| {
            Person {
                name: name.to_string(),
                ..Person::default()
            }
            .key()
        };
        assert_eq!(key("Dr. Anna  Müller"), "Dr. Anna Müller");
        assert_eq!(key(" \tAnna\nMüller "), "Anna Müller");
        assert_eq!(key("Müller"), "Müller");
        assert_eq!(key("   "), "");
    }
}
