//! Recognising Vorlage-Nrs in text and writing them one canonical way.
//!
//! Cities number differently, so the pattern comes from book.toml (`[links] vorlage-nr`);
//! spelling variants (`FB56/0025/WP18`) resolve to one canonical number (`FB 56/0025/WP18`).

use std::ops::Range;

use regex::Regex;

use crate::config::LinksSection;

#[derive(Debug, Clone)]
pub struct NrMatcher {
    pattern: Regex,
    ergaenzung: Regex,
    normalize_prefix_space: bool,
}

impl NrMatcher {
    pub fn new(links: &LinksSection) -> Result<NrMatcher, String> {
        let pattern = Regex::new(&links.vorlage_nr)
            .map_err(|e| format!("[links] vorlage-nr ist kein gültiger regulärer Ausdruck: {e}"))?;
        let ergaenzung = Regex::new(&links.ergaenzung)
            .map_err(|e| format!("[links] ergaenzung ist kein gültiger regulärer Ausdruck: {e}"))?;
        Ok(NrMatcher {
            pattern,
            ergaenzung,
            normalize_prefix_space: links.normalize_prefix_space,
        })
    }

    /// Every Vorlage-Nr in `text`: its byte range and its canonical spelling.
    pub fn find_all<'a>(
        &'a self,
        text: &'a str,
    ) -> impl Iterator<Item = (Range<usize>, String)> + 'a {
        self.pattern
            .find_iter(text)
            .map(|m| (m.range(), self.canonical(m.as_str())))
    }

    /// Whether `text` as a whole is a Vorlage-Nr.
    pub fn is_nr(&self, text: &str) -> bool {
        let text = text.trim();
        self.pattern
            .find(text)
            .is_some_and(|m| m.start() == 0 && m.end() == text.len())
    }

    /// Whitespace collapsed to single spaces, and — unless switched off — one space between a
    /// leading run of letters and the digits after it.
    pub fn canonical(&self, raw: &str) -> String {
        let collapsed = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        if !self.normalize_prefix_space {
            return collapsed;
        }
        let letters = collapsed
            .char_indices()
            .find(|(_, c)| !c.is_alphabetic())
            .map(|(i, _)| i)
            .unwrap_or(collapsed.len());
        let next_is_digit = collapsed[letters..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit());
        if letters > 0 && next_is_digit {
            format!("{} {}", &collapsed[..letters], &collapsed[letters..])
        } else {
            collapsed
        }
    }

    /// The number an Ergänzungsvorlage belongs to: `FB 56/0010/WP18-1` → `FB 56/0010/WP18`.
    pub fn parent(&self, canonical: &str) -> Option<String> {
        let m = self.ergaenzung.find(canonical)?;
        if m.end() != canonical.len() || m.start() == 0 {
            return None;
        }
        Some(canonical[..m.start()].to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn default_matcher() -> NrMatcher {
        NrMatcher::new(&LinksSection::default()).expect("default pattern")
    }

    #[test]
    fn recognises_the_default_numbers_and_variants() {
        let m = default_matcher();
        let found: Vec<String> = m
            .find_all("Vorlage: FB 56/0010/WP18-1, vgl. FB56/0025/WP18 und FB 56/100 sowie FB 56/0013/WP18.")
            .map(|(_, nr)| nr)
            .collect();
        assert_eq!(
            found,
            vec!["FB 56/0010/WP18-1", "FB 56/0025/WP18", "FB 56/0013/WP18"]
        );
    }

    #[test]
    fn ergaenzung_parent() {
        let m = default_matcher();
        assert_eq!(
            m.parent("FB 56/0010/WP18-1").as_deref(),
            Some("FB 56/0010/WP18")
        );
        assert_eq!(m.parent("FB 56/0010/WP18"), None);
    }

    #[test]
    fn karlsruhe_numbering() {
        let links = LinksSection {
            vorlage_nr: r"\b(?:(?:BV|IV|DHH|ANT|ANF)/)?\d{4}/\d{4}(?:/\d{1,2}){0,2}\b".into(),
            ergaenzung: r"/\d{1,2}$".into(),
            normalize_prefix_space: true,
        };
        let m = NrMatcher::new(&links).expect("pattern");
        let found: Vec<String> = m
            .find_all("siehe 2024/1329/1 und BV/2022/2028")
            .map(|(_, nr)| nr)
            .collect();
        assert_eq!(found, vec!["2024/1329/1", "BV/2022/2028"]);
        assert_eq!(m.parent("2024/1329/1").as_deref(), Some("2024/1329"));
        assert_eq!(m.parent("BV/2022/2028"), None);
        assert!(m.is_nr("2025/0064"));
        assert!(!m.is_nr("Nr. 2025/0064"));
    }

    #[test]
    fn invalid_pattern_is_reported() {
        let links = LinksSection {
            vorlage_nr: "(".into(),
            ..LinksSection::default()
        };
        assert!(NrMatcher::new(&links).is_err());
    }
}
