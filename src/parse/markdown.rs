//! Reading the structure of a Markdown body without rendering it: the `zu <TOP>` sections of
//! a Protokoll, their Beschluss and vote, the regions that must never be published, the
//! Vorlage-Nrs mentioned, and which persons a section names.
//!
//! The body text itself is not kept: the render phase reads it again, so memory stays
//! proportional to the metadata, not to the corpus.

use std::ops::Range;

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::nr::NrMatcher;

/// The Markdown dialect of the corpus: CommonMark with GFM tables and strikethrough.
pub fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH
}

/// An agenda item as the scanner needs it.
#[derive(Debug, Clone)]
pub struct TopRef<'a> {
    pub top: &'a str,
    pub public: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Section {
    /// Index into the document's agenda.
    pub top_index: usize,
    /// Byte range in the body, heading included.
    pub range: Range<usize>,
    /// Byte offset of the heading in the body (for line numbers).
    pub heading_offset: usize,
    /// The Beschluss as Markdown: from the `Beschluss:` marker to the vote, the next
    /// heading or the end of the section.
    pub beschluss: Option<String>,
    /// The text after `Abstimmungsergebnis:` in the section, if any.
    pub abstimmung: Option<String>,
    /// Indices of the document's persons whose surname the section names.
    pub named_persons: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Mention {
    pub nr: String,
    /// Index into `BodyScan::sections` of the innermost section the mention is in.
    pub section: Option<usize>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BodyScan {
    pub sections: Vec<Section>,
    /// Byte ranges of the body that are never published: a `Nichtöffentlicher Teil`
    /// heading's region and the section of every non-public agenda item.
    pub excluded: Vec<Range<usize>>,
    pub mentions: Vec<Mention>,
    /// `zu <x>` headings that name no agenda item: (byte offset, text).
    pub unmatched: Vec<(usize, String)>,
    /// The highest heading level (1–6) used anywhere in the body, so that rendering need
    /// not parse the body twice to shift heading levels.
    pub min_heading_level: Option<u8>,
}

#[derive(Debug)]
struct Block {
    heading: Option<HeadingLevel>,
    range: Range<usize>,
    text: String,
}

/// Scans a body. `tops` is the document's agenda (empty for Vorlagen and Anlagen);
/// `surnames` are the surnames of the document's persons, indexed like them.
pub fn scan(body: &str, tops: &[TopRef], surnames: &[String], matcher: &NrMatcher) -> BodyScan {
    let mut blocks: Vec<Block> = Vec::new();
    let mut texts: Vec<(usize, String)> = Vec::new();
    let mut depth = 0usize;
    let mut current: Option<Block> = None;
    let mut in_code = 0usize;
    let mut min_heading: Option<u8> = None;
    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        match event {
            Event::Start(tag) => {
                if let Tag::Heading { level, .. } = tag {
                    let n = level as u8;
                    min_heading = Some(min_heading.map_or(n, |m: u8| m.min(n)));
                }
                if depth == 0 {
                    let heading = match tag {
                        Tag::Heading { level, .. } => Some(level),
                        _ => None,
                    };
                    current = Some(Block {
                        heading,
                        range: range.clone(),
                        text: String::new(),
                    });
                }
                if matches!(tag, Tag::CodeBlock(_)) {
                    in_code += 1;
                }
                depth += 1;
            }
            Event::End(tag) => {
                depth = depth.saturating_sub(1);
                if matches!(tag, TagEnd::CodeBlock) {
                    in_code = in_code.saturating_sub(1);
                }
                if depth == 0 {
                    if let Some(block) = current.take() {
                        blocks.push(block);
                    }
                }
            }
            Event::Text(text) => {
                if let Some(block) = current.as_mut() {
                    block.text.push_str(&text);
                }
                if in_code == 0 {
                    texts.push((range.start, text.into_string()));
                }
            }
            Event::Code(text) => {
                if let Some(block) = current.as_mut() {
                    block.text.push_str(&text);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some(block) = current.as_mut() {
                    block.text.push(' ');
                }
            }
            _ => {}
        }
    }

    let mut scan = BodyScan {
        min_heading_level: min_heading,
        ..BodyScan::default()
    };
    let region_end = |index: usize, level: HeadingLevel| -> usize {
        blocks[index + 1..]
            .iter()
            .find(|b| b.heading.is_some_and(|l| l <= level))
            .map(|b| b.range.start)
            .unwrap_or(body.len())
    };
    let names = name_occurrences(body, surnames);

    for (index, block) in blocks.iter().enumerate() {
        let Some(level) = block.heading else { continue };
        let end = region_end(index, level);
        if is_non_public_heading(&block.text) {
            scan.excluded.push(block.range.start..end);
            continue;
        }
        let Some(token) = zu_token(&block.text) else {
            continue;
        };
        let inside_excluded = scan.excluded.iter().any(|r| r.contains(&block.range.start));
        let find = |public: bool| {
            tops.iter()
                .position(|t| t.public == public && t.top == token)
        };
        let matched = if inside_excluded { None } else { find(true) };
        match matched {
            Some(top_index) => {
                let range = block.range.start..end;
                let (beschluss, abstimmung) = beschluss_and_vote(body, &blocks, index + 1, end);
                let mut named_persons: Vec<usize> = names
                    .iter()
                    .filter(|(offset, _)| range.contains(offset))
                    .map(|(_, person)| *person)
                    .collect();
                named_persons.sort_unstable();
                named_persons.dedup();
                scan.sections.push(Section {
                    top_index,
                    range,
                    heading_offset: block.range.start,
                    beschluss,
                    abstimmung,
                    named_persons,
                });
            }
            // Already inside an excluded region.
            None if inside_excluded => {}
            None if find(false).is_some() => scan.excluded.push(block.range.start..end),
            None => scan
                .unmatched
                .push((block.range.start, block.text.trim().to_string())),
        }
    }

    for (offset, text) in texts {
        if scan.excluded.iter().any(|r| r.contains(&offset)) {
            continue;
        }
        let section = scan
            .sections
            .iter()
            .enumerate()
            .filter(|(_, s)| s.range.contains(&offset))
            .max_by_key(|(_, s)| s.range.start)
            .map(|(i, _)| i);
        for (_, nr) in matcher.find_all(&text) {
            scan.mentions.push(Mention { nr, section });
        }
    }
    scan
}

/// `zu 5.1 Titel` → `5.1`; `zu N3:` → `N3`.
pub fn zu_token(heading: &str) -> Option<&str> {
    let rest = heading.trim_start();
    let rest = rest
        .strip_prefix("zu ")
        .or_else(|| rest.strip_prefix("Zu "))
        .or_else(|| rest.strip_prefix("zu\u{a0}"))?;
    let token = rest.split_whitespace().next()?;
    let token = token.trim_end_matches([':', '.', ',', ')']);
    (!token.is_empty()).then_some(token)
}

/// Headings that open the non-public part of a document.
pub fn is_non_public_heading(heading: &str) -> bool {
    let lower = heading.trim().to_lowercase();
    [
        "nichtöffentlicher teil",
        "nichtoeffentlicher teil",
        "nicht öffentlicher teil",
        "nicht-öffentlicher teil",
        "nichtöffentliche sitzung",
        "nichtoeffentliche sitzung",
    ]
    .iter()
    .any(|p| lower.starts_with(p))
}

/// The Beschluss runs from a block starting with `Beschluss:` (a paragraph such as
/// `**Beschluss:**` or a heading) to the vote (`Abstimmungsergebnis…`), the next heading or
/// the end of the section.
fn beschluss_and_vote(
    body: &str,
    blocks: &[Block],
    first: usize,
    end: usize,
) -> (Option<String>, Option<String>) {
    let mut beschluss = None;
    let mut vote = None;
    let mut start: Option<usize> = None;
    for block in blocks[first..].iter().take_while(|b| b.range.start < end) {
        let text = block.text.trim();
        let is_vote = text.starts_with("Abstimmungsergebnis");
        if let Some(s) = start {
            if block.heading.is_some() || is_vote {
                beschluss = non_empty(&body[s..block.range.start]);
                start = None;
            }
        }
        if is_vote && vote.is_none() {
            vote = text
                .split_once(':')
                .map(|(_, rest)| rest.trim().to_string())
                .filter(|r| !r.is_empty());
        }
        if beschluss.is_none() && start.is_none() && label_is(text, "Beschluss") {
            let source = &body[block.range.clone()];
            let after = source
                .find("Beschluss")
                .map(|i| i + "Beschluss".len())
                .unwrap_or(source.len());
            let after_colon = source[after..]
                .find(':')
                .map(|i| after + i + 1)
                .unwrap_or(after);
            let skip = source[after_colon..]
                .find(|c: char| !matches!(c, '*' | '_' | ' ' | '\t' | '\r' | '\n'))
                .unwrap_or(source.len() - after_colon);
            start = Some(block.range.start + after_colon + skip);
        }
    }
    if let Some(s) = start {
        beschluss = non_empty(&body[s.min(end)..end]);
    }
    (beschluss, vote)
}

fn label_is(text: &str, label: &str) -> bool {
    text.strip_prefix(label)
        .is_some_and(|rest| rest.trim_start().starts_with(':') || rest.trim().is_empty())
}

fn non_empty(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// (byte offset, index into `surnames`) of every place a surname occurs in `body` as a
/// whole word. One pass over the body for all names: a Niederschrift lists dozens of
/// persons and TOPs, and searching each TOP's text for each name was quadratic.
fn name_occurrences(body: &str, surnames: &[String]) -> Vec<(usize, usize)> {
    let patterns: Vec<(usize, &str)> = surnames
        .iter()
        .enumerate()
        .filter(|(_, s)| !s.is_empty())
        .map(|(i, s)| (i, s.as_str()))
        .collect();
    if patterns.is_empty() {
        return Vec::new();
    }
    // A contiguous NFA builds several times faster than a DFA for a few dozen names.
    let Ok(automaton) = aho_corasick::AhoCorasick::builder()
        .kind(Some(aho_corasick::AhoCorasickKind::ContiguousNFA))
        .build(patterns.iter().map(|(_, s)| s))
    else {
        return Vec::new();
    };
    let is_word_char = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    automaton
        .find_overlapping_iter(body)
        .filter(|m| {
            !is_word_char(body[..m.start()].chars().next_back())
                && !is_word_char(body[m.end()..].chars().next())
        })
        .map(|m| (m.start(), patterns[m.pattern().as_usize()].0))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::LinksSection;

    fn matcher() -> NrMatcher {
        NrMatcher::new(&LinksSection::default()).expect("pattern")
    }

    const BODY: &str = "## Öffentlicher Teil\n\n### zu 1 Eröffnung\n\nHerr Deumens eröffnet. Siehe FB56/0025/WP18.\n\n### zu 2 Bestellung\n\nVorlage: FB 56/0008/WP18\n\n**Beschluss:**\n\nDer Ausschuss bestellt Frau Daemen.\n\nZweiter Absatz.\n\n### zu 2.1 Unterpunkt\n\n**Beschluss:** Kurz.\n\n**Abstimmungsergebnis:** Einstimmige Zustimmung\n\nDanach.\n\n## Nichtöffentlicher Teil\n\n### zu 1 Geheim\n\nFB 56/0016/WP18 geheim.\n";

    fn top_refs(list: &[(&'static str, bool)]) -> Vec<TopRef<'static>> {
        list.iter()
            .map(|&(top, public)| TopRef { top, public })
            .collect()
    }

    fn tops() -> Vec<TopRef<'static>> {
        top_refs(&[("1", true), ("2", true), ("2.1", true), ("1", false)])
    }

    #[test]
    fn finds_sections_beschluss_and_vote() {
        let surnames = vec!["Deumens".to_string(), "Daemen".to_string()];
        let scan = scan(BODY, &tops(), &surnames, &matcher());
        let tops_found: Vec<usize> = scan.sections.iter().map(|s| s.top_index).collect();
        assert_eq!(tops_found, vec![0, 1, 2]);
        assert_eq!(
            scan.sections[1].beschluss.as_deref(),
            Some("Der Ausschuss bestellt Frau Daemen.\n\nZweiter Absatz.")
        );
        assert_eq!(scan.sections[2].beschluss.as_deref(), Some("Kurz."));
        assert_eq!(
            scan.sections[2].abstimmung.as_deref(),
            Some("Einstimmige Zustimmung")
        );
        assert_eq!(scan.sections[0].named_persons, vec![0]);
        assert_eq!(scan.sections[1].named_persons, vec![1]);
    }

    #[test]
    fn non_public_part_is_excluded_and_not_mentioned() {
        let scan = scan(BODY, &tops(), &[], &matcher());
        assert_eq!(scan.excluded.len(), 1);
        let excluded = &BODY[scan.excluded[0].clone()];
        assert!(excluded.contains("geheim"));
        assert!(!excluded.contains("Danach"));
        let nrs: Vec<&str> = scan.mentions.iter().map(|m| m.nr.as_str()).collect();
        assert_eq!(nrs, vec!["FB 56/0025/WP18", "FB 56/0008/WP18"]);
        assert_eq!(scan.mentions[0].section, Some(0));
    }

    #[test]
    fn section_of_a_non_public_item_is_excluded_anywhere() {
        let body =
            "## zu 1 Offen\n\nText\n\n## zu N3 Geheim\n\nGeheimer Beschluss\n\n## zu 2 Offen\n";
        let tops = top_refs(&[("1", true), ("2", true), ("N3", false)]);
        let scan = scan(body, &tops, &[], &matcher());
        assert_eq!(scan.sections.len(), 2);
        assert_eq!(scan.excluded.len(), 1);
        assert!(body[scan.excluded[0].clone()].contains("Geheimer"));
        assert!(!body[scan.excluded[0].clone()].contains("Offen"));
    }

    #[test]
    fn unknown_zu_heading_is_reported() {
        let scan = scan("## zu 9 Wer?\n", &tops(), &[], &matcher());
        assert_eq!(scan.unmatched.len(), 1);
    }

    #[test]
    fn zu_tokens() {
        assert_eq!(zu_token("zu 5.1 Nachträgliche"), Some("5.1"));
        assert_eq!(zu_token("zu N3: Geheim"), Some("N3"));
        assert_eq!(zu_token("zu 2"), Some("2"));
        assert_eq!(zu_token("Zur Sache"), None);
    }

    #[test]
    fn whole_words_only() {
        let names = ["Frankenberg", "Frankenberger", "Braun", ""].map(String::from);
        assert_eq!(
            name_occurrences("Herr Frankenberger sagt (Braun), Braunschweig", &names),
            vec![(5, 1), (25, 2)]
        );
    }
}
