//! The only place that knows which YAML crate is used.
//!
//! serde_yaml is archived upstream; keeping it behind this one function means it can be
//! swapped for another serde-compatible parser without touching the rest of the code.

use serde::de::DeserializeOwned;

/// A YAML problem with its position relative to the start of the YAML text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    /// 1-based, 0 when the parser did not say.
    pub line: usize,
    pub column: usize,
    pub message: String,
}

pub fn from_str<T: DeserializeOwned>(yaml: &str) -> Result<T, YamlError> {
    // An empty frontmatter is an empty mapping, not "null", so that missing keys are
    // reported as such.
    let source = if yaml.trim().is_empty() { "{}" } else { yaml };
    serde_yaml::from_str(source).map_err(|e| {
        let (line, column) = e
            .location()
            .map(|l| (l.line(), l.column()))
            .unwrap_or((0, 0));
        YamlError {
            line,
            column,
            message: translate(&e.to_string()),
        }
    })
}

/// serde_yaml's messages are English and end with the position; clerks read German.
fn translate(message: &str) -> String {
    let message = match message.find(" at line ") {
        Some(i) => &message[..i],
        None => message,
    };
    if let Some(rest) = message.strip_prefix("missing field ") {
        return format!("Pflichtfeld {rest} fehlt");
    }
    if message.contains("invalid type: ") {
        return format!(
            "falscher Werttyp: {}",
            message
                .replace("invalid type: ", "")
                .replace("sequence", "Liste")
                .replace("map", "Zuordnung")
                .replace(", expected ", ", erwartet: ")
        );
    }
    if message.contains("did not find expected key")
        || message.contains("mapping values are not allowed")
        || message.contains("could not find expected ':'")
    {
        return format!("YAML-Syntaxfehler ({message}); oft fehlt ein Doppelpunkt, ein Leerzeichen nach dem Doppelpunkt oder die Einrückung stimmt nicht");
    }
    if message.contains("found character that cannot start any token") {
        return format!("YAML-Syntaxfehler ({message}); Werte mit `:`, `#`, `@` oder `` ` `` am Anfang bitte in Anführungszeichen setzen");
    }
    format!("YAML-Fehler: {message}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn reports_position_of_syntax_errors() {
        let err = from_str::<BTreeMap<String, String>>("a: b\nc: [d\n").expect_err("broken");
        assert!(err.line >= 2, "{err:?}");
    }

    #[test]
    fn empty_yaml_is_an_empty_map() {
        let map: BTreeMap<String, String> = from_str("\n").expect("empty");
        assert!(map.is_empty());
    }
}
