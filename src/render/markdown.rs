//! Markdown to HTML, with every known Vorlage-Nr turned into a link, headings moved to the
//! level the page needs, `zu <TOP>` headings anchored for the agenda, wide tables wrapped in
//! a scrolling container, and raw HTML sanitised against an allow-list.

use std::collections::HashSet;
use std::sync::OnceLock;

use pulldown_cmark::{html, Alignment, CowStr, Event, HeadingLevel, Parser, Tag, TagEnd};

use crate::link::Site;
use crate::model::slug::slugify;
use crate::parse::markdown::{options, zu_token};
use crate::parse::nr::NrMatcher;

/// Turns Vorlage-Nrs in text into links, relative to the page being rendered.
pub struct Linker<'a> {
    pub site: &'a Site,
    pub matcher: &'a NrMatcher,
    /// `../../` from the page to the site root.
    pub root: &'a str,
    /// The page's own number stays plain text.
    pub own_nr: Option<&'a str>,
}

impl Linker<'_> {
    pub fn vorlage_href(&self, nr: &str) -> Option<String> {
        let index = *self.site.vorlage_by_nr.get(nr)?;
        Some(format!(
            "{}vorlagen/{}/",
            self.root, self.site.vorlagen[index].slug
        ))
    }

    /// Escapes `text` for HTML and links every Vorlage-Nr that has a page.
    pub fn linkify(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len() + 16);
        let mut last = 0;
        for (range, nr) in self.matcher.find_all(text) {
            if Some(nr.as_str()) == self.own_nr {
                continue;
            }
            let Some(href) = self.vorlage_href(&nr) else {
                continue;
            };
            escape_into(&mut out, &text[last..range.start]);
            out.push_str("<a href=\"");
            escape_into(&mut out, &href);
            out.push_str("\">");
            escape_into(&mut out, &text[range.clone()]);
            out.push_str("</a>");
            last = range.end;
        }
        escape_into(&mut out, &text[last..]);
        out
    }
}

pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_into(&mut out, text);
    out
}

fn escape_into(out: &mut String, text: &str) {
    let mut last = 0;
    for (i, b) in text.bytes().enumerate() {
        let entity = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&text[last..i]);
        out.push_str(entity);
        last = i + 1;
    }
    out.push_str(&text[last..]);
}

/// How a body's `zu <TOP>` headings are anchored on a Sitzung page.
#[derive(Clone, Copy)]
pub struct SectionAnchors<'a> {
    /// (TOP number, anchor id, id of the agenda entry to link back to) of public items.
    pub tops: &'a [(String, String, String)],
}

#[derive(Clone, Copy)]
pub struct BodyOptions<'a> {
    /// The HTML level the body's highest heading becomes.
    pub base_level: u8,
    pub sections: Option<SectionAnchors<'a>>,
    /// Ids already used by the page around the body.
    pub reserved_ids: &'a [&'a str],
    /// The body's highest heading level if already known (from the parse phase's scan);
    /// otherwise the body is parsed once more to find it.
    pub min_level: Option<u8>,
}

fn level_number(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

fn heading_level(n: u8) -> HeadingLevel {
    match n {
        0 | 1 => HeadingLevel::H1,
        2 => HeadingLevel::H2,
        3 => HeadingLevel::H3,
        4 => HeadingLevel::H4,
        5 => HeadingLevel::H5,
        _ => HeadingLevel::H6,
    }
}

fn is_safe_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    match lower.find(':') {
        None => true,
        Some(colon) => {
            // A colon after a slash, `?` or `#` is part of a relative path, not a scheme.
            let before = &lower[..colon];
            before.contains(['/', '?', '#']) || ["http", "https", "mailto"].contains(&before)
        }
    }
}

/// Rendered HTML and the plain text for the search index, split at the `zu <TOP>`
/// sections (`None` for text outside any section).
#[derive(Debug, Default)]
pub struct Rendered {
    pub html: String,
    pub text: Vec<(Option<String>, String)>,
}

impl Rendered {
    pub fn all_text(&self) -> String {
        let mut out = String::new();
        for (_, t) in &self.text {
            out.push_str(t);
            out.push('\n');
        }
        out
    }
}

/// Renders Markdown for a page.
pub fn render(markdown: &str, linker: &Linker, opts: &BodyOptions) -> String {
    render_with_text(markdown, linker, opts).html
}

/// Renders Markdown for a page and collects its text.
pub fn render_with_text(markdown: &str, linker: &Linker, opts: &BodyOptions) -> Rendered {
    let mut text: Vec<(Option<String>, String)> = vec![(None, String::new())];
    let min_level = opts.min_level.unwrap_or_else(|| {
        Parser::new_ext(markdown, options())
            .filter_map(|e| match e {
                Event::Start(Tag::Heading { level, .. }) => Some(level_number(level)),
                _ => None,
            })
            .min()
            .unwrap_or(1)
    });
    let shift = i16::from(opts.base_level) - i16::from(min_level);
    let mut used_ids: HashSet<String> = opts.reserved_ids.iter().map(|s| s.to_string()).collect();
    let mut needs_sanitising = false;
    let mut events: Vec<Event> = Vec::new();
    let mut heading: Option<(HeadingLevel, Vec<Event>, String)> = None;
    let mut in_link = 0usize;
    let mut in_code = 0usize;
    let mut tables = 0usize;
    let mut last_heading: Option<String> = None;

    for event in Parser::new_ext(markdown, options()) {
        let event = match event {
            Event::Start(Tag::Heading { level, .. }) => {
                heading = Some((level, Vec::new(), String::new()));
                continue;
            }
            Event::End(TagEnd::Heading(_)) => {
                let Some((level, inner, heading_text)) = heading.take() else {
                    continue;
                };
                last_heading = Some(heading_text.trim().to_string());
                let new_level =
                    heading_level((i16::from(level_number(level)) + shift).clamp(1, 6) as u8);
                let section = opts.sections.as_ref().and_then(|s| {
                    let token = zu_token(&heading_text)?;
                    s.tops.iter().find(|(top, _, _)| top == token)
                });
                let id = match section {
                    Some((_, anchor, _)) if used_ids.insert(anchor.clone()) => anchor.clone(),
                    _ => unique_id(&mut used_ids, &heading_text),
                };
                match section {
                    Some((top, _, _)) => {
                        text.push((Some(top.clone()), format!("{heading_text}\n")))
                    }
                    None => push_text(&mut text, &format!("{heading_text}\n")),
                }
                events.push(Event::Start(Tag::Heading {
                    level: new_level,
                    id: Some(CowStr::from(id)),
                    classes: Vec::new(),
                    attrs: Vec::new(),
                }));
                events.extend(inner);
                events.push(Event::End(TagEnd::Heading(new_level)));
                if let Some((top, _, agenda_id)) = section {
                    events.push(Event::Html(CowStr::from(format!(
                        "<p class=\"back-link\"><a href=\"#{}\">Zurück zur Tagesordnung (TOP {})</a></p>\n",
                        escape(agenda_id),
                        escape(top)
                    ))));
                }
                continue;
            }
            Event::Start(Tag::Link { ref dest_url, .. })
            | Event::Start(Tag::Image { ref dest_url, .. }) => {
                if !is_safe_url(dest_url) {
                    needs_sanitising = true;
                }
                in_link += 1;
                event
            }
            Event::End(TagEnd::Link) | Event::End(TagEnd::Image) => {
                in_link = in_link.saturating_sub(1);
                event
            }
            Event::Start(Tag::CodeBlock(_)) => {
                in_code += 1;
                event
            }
            Event::End(TagEnd::CodeBlock) => {
                in_code = in_code.saturating_sub(1);
                event
            }
            Event::Start(Tag::Table(alignments)) => {
                tables += 1;
                let label = match &last_heading {
                    Some(h) => format!("Tabelle {tables} zu „{h}“"),
                    None => format!("Tabelle {tables}"),
                };
                // Column alignment as classes on the table's wrapper (`r2`: column 2 right
                // aligned) instead of one class per cell; wider tables keep the cell classes.
                let (columns, alignments) = if alignments.len() <= ALIGNED_COLUMNS {
                    (column_classes(&alignments), Vec::new())
                } else {
                    (String::new(), alignments)
                };
                events.push(Event::Html(CowStr::from(format!(
                    "<div class=\"table-scroll{columns}\" role=\"region\" tabindex=\"0\" aria-label=\"{} (seitlich scrollbar)\">\n",
                    escape(&label)
                ))));
                events.push(Event::Start(Tag::Table(alignments)));
                // A caption names the table for screen readers; the heading above shows it.
                events.push(Event::Html(CowStr::from(format!(
                    "<caption class=\"visually-hidden\">{}</caption>",
                    escape(&label)
                ))));
                continue;
            }
            Event::End(TagEnd::Table) => {
                events.push(event);
                events.push(Event::Html(CowStr::from("</div>\n")));
                continue;
            }
            Event::Html(_) | Event::InlineHtml(_) => {
                needs_sanitising = true;
                event
            }
            Event::Text(t) => {
                match heading.as_mut() {
                    Some((_, _, heading_text)) => heading_text.push_str(&t),
                    None => push_text(&mut text, &t),
                }
                if in_link == 0 && in_code == 0 {
                    Event::InlineHtml(CowStr::from(linker.linkify(&t)))
                } else {
                    Event::Text(t)
                }
            }
            Event::Code(code) => {
                match heading.as_mut() {
                    Some((_, _, heading_text)) => heading_text.push_str(&code),
                    None => push_text(&mut text, &code),
                }
                Event::Code(code)
            }
            Event::SoftBreak | Event::HardBreak => {
                if heading.is_none() {
                    push_text(&mut text, " ");
                }
                event
            }
            Event::End(TagEnd::Paragraph)
            | Event::End(TagEnd::Item)
            | Event::End(TagEnd::TableCell) => {
                push_text(&mut text, "\n");
                event
            }
            other => other,
        };
        match heading.as_mut() {
            Some((_, inner, _)) => inner.push(event),
            None => events.push(event),
        }
    }
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, events.into_iter());
    // Header cells of Markdown tables are column headers.
    if out.contains("<th") {
        out = out
            .replace("<th>", "<th scope=\"col\">")
            .replace("<th style=", "<th scope=\"col\" style=");
    }
    // Column alignment as classes: the Content-Security-Policy allows no inline styles.
    if out.contains(" style=\"text-align: ") {
        out = out
            .replace(" style=\"text-align: left\"", " class=\"align-left\"")
            .replace(" style=\"text-align: center\"", " class=\"align-center\"")
            .replace(" style=\"text-align: right\"", " class=\"align-right\"");
    }
    let html = if needs_sanitising {
        sanitise(&out)
    } else {
        out
    };
    let html = super::html::tighten(&html);
    text.retain(|(top, t)| top.is_some() || !t.trim().is_empty());
    Rendered { html, text }
}

/// Tables up to this many columns get their alignment from classes of the wrapper; the
/// style sheet has rules for as many columns.
const ALIGNED_COLUMNS: usize = 16;

/// ` l1 r3 c4` for a table whose first column is left, third right and fourth centre
/// aligned.
fn column_classes(alignments: &[Alignment]) -> String {
    let mut classes = String::new();
    for (i, alignment) in alignments.iter().enumerate() {
        let letter = match alignment {
            Alignment::Left => 'l',
            Alignment::Center => 'c',
            Alignment::Right => 'r',
            Alignment::None => continue,
        };
        classes.push_str(&format!(" {letter}{}", i + 1));
    }
    classes
}

fn push_text(text: &mut [(Option<String>, String)], t: &str) {
    if let Some((_, last)) = text.last_mut() {
        last.push_str(t);
    }
}

fn unique_id(used: &mut HashSet<String>, text: &str) -> String {
    let base = slugify(text);
    let base = if base.is_empty() {
        "abschnitt".to_string()
    } else {
        base
    };
    let mut id = base.clone();
    let mut n = 2;
    while !used.insert(id.clone()) {
        id = format!("{base}-{n}");
        n += 1;
    }
    id
}

/// Cleans HTML against the allow-list documents converted from PDF need: text formatting,
/// lists, tables, headings with ids, http/https/mailto links. Scripts, event handlers,
/// `javascript:` URLs, iframes and styles are dropped.
/// The classes the table wrapper may carry: `table-scroll` and the column alignments.
fn wrapper_classes() -> impl Iterator<Item = &'static str> {
    static CLASSES: OnceLock<Vec<String>> = OnceLock::new();
    CLASSES
        .get_or_init(|| {
            let mut classes = vec!["table-scroll".to_string()];
            for column in 1..=ALIGNED_COLUMNS {
                classes.extend(['l', 'c', 'r'].map(|letter| format!("{letter}{column}")));
            }
            classes
        })
        .iter()
        .map(String::as_str)
}

pub fn sanitise(html: &str) -> String {
    static CLEANER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    CLEANER
        .get_or_init(|| {
            let mut b = ammonia::Builder::default();
            b.tags(
                [
                    "a",
                    "abbr",
                    "b",
                    "blockquote",
                    "br",
                    "caption",
                    "code",
                    "del",
                    "div",
                    "em",
                    "h1",
                    "h2",
                    "h3",
                    "h4",
                    "h5",
                    "h6",
                    "hr",
                    "i",
                    "li",
                    "ol",
                    "p",
                    "pre",
                    "s",
                    "small",
                    "strong",
                    "sub",
                    "sup",
                    "table",
                    "tbody",
                    "td",
                    "tfoot",
                    "th",
                    "thead",
                    "tr",
                    "u",
                    "ul",
                    "img",
                ]
                .into_iter()
                .collect(),
            )
            .url_schemes(["http", "https", "mailto"].into_iter().collect())
            .url_relative(ammonia::UrlRelative::PassThrough)
            .add_tag_attributes("a", ["href", "title"])
            .add_tag_attributes("img", ["src", "alt", "title"])
            .add_tag_attributes("th", ["colspan", "rowspan", "scope"])
            .add_allowed_classes("caption", ["visually-hidden"])
            .add_tag_attributes("td", ["colspan", "rowspan"])
            .add_tag_attributes("ol", ["start"])
            .add_tag_attributes("div", ["role", "tabindex", "aria-label"])
            .add_allowed_classes("div", wrapper_classes())
            .add_allowed_classes("th", ["align-left", "align-center", "align-right"])
            .add_allowed_classes("td", ["align-left", "align-center", "align-right"])
            .add_allowed_classes("p", ["back-link"]);
            for h in ["h1", "h2", "h3", "h4", "h5", "h6"] {
                b.add_tag_attributes(h, ["id"]);
            }
            b
        })
        .clean(html)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_urls() {
        assert!(is_safe_url("https://example.org"));
        assert!(is_safe_url("mailto:a@b.de"));
        assert!(is_safe_url("../x/"));
        assert!(is_safe_url("x?a=b:c"));
        assert!(!is_safe_url("javascript:alert(1)"));
        assert!(!is_safe_url(" JavaScript:alert(1)"));
        assert!(!is_safe_url("data:text/html,x"));
    }

    #[test]
    fn table_alignment_becomes_classes() {
        let site = crate::link::link(Vec::new(), &matcher()).0;
        let m = matcher();
        let linker = Linker {
            site: &site,
            matcher: &m,
            root: "",
            own_nr: None,
        };
        let options = BodyOptions {
            base_level: 2,
            sections: None,
            reserved_ids: &[],
            min_level: None,
        };
        let html = render("| a | b |\n|:--|--:|\n| 1 | 2 |\n", &linker, &options);
        assert!(html.contains("<div class=\"table-scroll l1 r2\""), "{html}");
        assert!(html.contains("<td>2"), "{html}");
        assert!(!html.contains("</td>") && !html.contains("</tr>"), "{html}");
        assert!(!html.contains("style="), "{html}");
        let wide = format!(
            "|{}\n|{}\n|{}\n",
            " a |".repeat(17),
            "--:|".repeat(17),
            " 1 |".repeat(17)
        );
        let html = render(&wide, &linker, &options);
        assert!(html.contains("<td class=\"align-right\">1"), "{html}");
        assert!(!html.contains("style="), "{html}");
    }

    fn matcher() -> NrMatcher {
        NrMatcher::new(&crate::config::LinksSection::default()).expect("pattern")
    }

    #[test]
    fn sanitiser_drops_script_and_handlers() {
        let out = sanitise("<p onclick=\"x()\">a<script>alert(1)</script><a href=\"javascript:x\">b</a><sup>1</sup></p>");
        assert!(!out.contains("script"), "{out}");
        assert!(!out.contains("onclick"), "{out}");
        assert!(!out.contains("javascript"), "{out}");
        assert!(out.contains("<sup>1</sup>"), "{out}");
    }
}
