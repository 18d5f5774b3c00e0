//! The frontmatter as written, before validation: every key optional, values as text.
//!
//! Validation (required keys per `typ`, dates, status words) happens in `parse::document`,
//! where each problem can be reported with its line.

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

/// A scalar read as text. YAML turns `top: 5` into a number and `beginn: 17:00` into a
/// string; both are kept as the text a clerk wrote, so keys never fail on type alone.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Text(pub String);

impl Text {
    pub fn as_str(&self) -> &str {
        self.0.trim()
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextVisitor;
        impl<'de> Visitor<'de> for TextVisitor {
            type Value = Text;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("einen Text (ggf. in Anführungszeichen)")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Text, E> {
                Ok(Text(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Text, E> {
                Ok(Text(if v { "ja" } else { "nein" }.to_string()))
            }
        }
        deserializer.deserialize_any(TextVisitor)
    }
}

/// A list that may also be written as a single value (`beteiligt: FB 20`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TextList(pub Vec<Text>);

impl<'de> Deserialize<'de> for TextList {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ListVisitor;
        impl<'de> Visitor<'de> for ListVisitor {
            type Value = TextList;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("einen Text oder eine Liste von Texten")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<TextList, E> {
                Ok(TextList(vec![Text(v.to_string())]))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<TextList, E> {
                Ok(TextList(vec![Text(v.to_string())]))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<TextList, E> {
                Ok(TextList(vec![Text(v.to_string())]))
            }
            fn visit_unit<E: de::Error>(self) -> Result<TextList, E> {
                Ok(TextList(Vec::new()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<TextList, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element::<Text>()? {
                    items.push(item);
                }
                Ok(TextList(items))
            }
        }
        deserializer.deserialize_any(ListVisitor)
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct RawFrontmatter {
    pub typ: Option<Text>,
    pub titel: Option<Text>,
    pub datum: Option<Text>,
    pub status: Option<Text>,
    pub quelle: Option<TextList>,
    // Vorlage and Niederschrift
    pub nr: Option<Text>,
    // Vorlage
    pub ursprung: Option<Text>,
    pub art: Option<Text>,
    pub federfuehrend: Option<Text>,
    pub beteiligt: Option<TextList>,
    pub verfasser: Option<Text>,
    pub ziele: Option<Text>,
    pub beratungsfolge: Option<Vec<RawBeratung>>,
    // Niederschrift
    pub gremium: Option<Text>,
    pub gremium_kuerzel: Option<Text>,
    pub beginn: Option<Text>,
    pub ende: Option<Text>,
    pub ort: Option<Text>,
    pub erstellt: Option<Text>,
    pub anwesend: Option<Vec<PersonEntry>>,
    pub abwesend: Option<Vec<PersonEntry>>,
    pub verwaltung: Option<Vec<PersonEntry>>,
    pub schriftfuehrung: Option<Vec<PersonEntry>>,
    pub tagesordnung: Option<Vec<RawTop>>,
    // Anlage
    pub zu: Option<Text>,
    pub top: Option<Text>,
    pub nummer: Option<Text>,
    pub datei: Option<Text>,
}

/// Every top-level key the format knows, for "did you mean" suggestions.
pub const KNOWN_KEYS: &[&str] = &[
    "typ",
    "titel",
    "datum",
    "status",
    "quelle",
    "nr",
    "ursprung",
    "art",
    "federfuehrend",
    "beteiligt",
    "verfasser",
    "ziele",
    "beratungsfolge",
    "gremium",
    "gremium_kuerzel",
    "beginn",
    "ende",
    "ort",
    "erstellt",
    "anwesend",
    "abwesend",
    "verwaltung",
    "schriftfuehrung",
    "tagesordnung",
    "zu",
    "top",
    "nummer",
    "datei",
];

#[derive(Debug, Clone, Default, Deserialize)]
pub struct RawBeratung {
    pub datum: Option<Text>,
    pub gremium: Option<Text>,
    pub zustaendigkeit: Option<Text>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct RawTop {
    pub top: Option<Text>,
    pub titel: Option<Text>,
    pub vorlage: Option<Text>,
    pub ergebnis: Option<Text>,
    pub abstimmung: Option<Text>,
    pub teil: Option<Text>,
}

/// A person in an attendance list: `{name, anrede, funktion, vertretung_fuer, grund}` or
/// just a name (as `schriftfuehrung` lists them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonEntry {
    pub name: Option<Text>,
    pub anrede: Option<Text>,
    pub funktion: Option<Text>,
    pub vertretung_fuer: Option<Text>,
    pub grund: Option<Text>,
}

#[derive(Deserialize)]
struct PersonMap {
    name: Option<Text>,
    anrede: Option<Text>,
    funktion: Option<Text>,
    vertretung_fuer: Option<Text>,
    grund: Option<Text>,
}

impl<'de> Deserialize<'de> for PersonEntry {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PersonVisitor;
        impl<'de> Visitor<'de> for PersonVisitor {
            type Value = PersonEntry;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("einen Namen oder {name, anrede, funktion, vertretung_fuer, grund}")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<PersonEntry, E> {
                Ok(PersonEntry {
                    name: Some(Text(v.to_string())),
                    ..PersonEntry::default()
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<PersonEntry, A::Error> {
                let m = PersonMap::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(PersonEntry {
                    name: m.name,
                    anrede: m.anrede,
                    funktion: m.funktion,
                    vertretung_fuer: m.vertretung_fuer,
                    grund: m.grund,
                })
            }
        }
        deserializer.deserialize_any(PersonVisitor)
    }
}

/// Top-level keys with their 1-based line within the YAML text. Only keys at column 0
/// are top-level in a frontmatter mapping.
pub fn top_level_keys(yaml: &str) -> Vec<(String, usize)> {
    yaml.lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let first = line.chars().next()?;
            if !(first.is_alphanumeric() || first == '_') {
                return None;
            }
            let colon = line.find(':')?;
            let key = line[..colon].trim();
            if key.contains(char::is_whitespace) {
                return None;
            }
            Some((key.to_string(), i + 1))
        })
        .collect()
}

/// 1-based lines (within the YAML) where the items of the top-level list `key` begin.
pub fn list_item_lines(yaml: &str, key: &str) -> Vec<usize> {
    let mut lines = Vec::new();
    let mut inside = false;
    let mut item_indent: Option<usize> = None;
    for (i, line) in yaml.lines().enumerate() {
        let indent = line.len() - line.trim_start().len();
        if indent == 0 && !line.trim().is_empty() && !line.starts_with('-') {
            inside = line.split(':').next().map(str::trim) == Some(key);
            item_indent = None;
            continue;
        }
        if !inside {
            continue;
        }
        let trimmed = line.trim_start();
        if trimmed.starts_with("- ") || trimmed == "-" {
            match item_indent {
                None => {
                    item_indent = Some(indent);
                    lines.push(i + 1);
                }
                Some(level) if level == indent => lines.push(i + 1),
                _ => {}
            }
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_times_are_read_as_text() {
        let raw: RawTop = crate::parse::yaml::from_str("top: 5\ntitel: x\n").expect("yaml");
        assert_eq!(raw.top, Some(Text("5".into())));
    }

    #[test]
    fn persons_may_be_plain_names() {
        let list: Vec<PersonEntry> =
            crate::parse::yaml::from_str("- Herr A\n- name: B\n  anrede: Frau\n").expect("yaml");
        assert_eq!(list[0].name, Some(Text("Herr A".into())));
        assert_eq!(list[1].anrede, Some(Text("Frau".into())));
    }

    #[test]
    fn finds_keys_and_list_items_with_lines() {
        let yaml = "typ: x\ntagesordnung:\n  - top: '1'\n    titel: a\n  - top: '2'\ntitel: t\n";
        assert_eq!(
            top_level_keys(yaml),
            vec![
                ("typ".to_string(), 1),
                ("tagesordnung".to_string(), 2),
                ("titel".to_string(), 6)
            ]
        );
        assert_eq!(list_item_lines(yaml, "tagesordnung"), vec![3, 5]);
    }
}
