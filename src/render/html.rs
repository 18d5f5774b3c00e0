//! Byte-saving rewrites of HTML this program wrote: rendered Markdown, sanitised HTML and
//! the built-in templates, where elements only ever sit in their proper parents and text
//! never holds a raw `<`. A council archive has over a hundred thousand pages; what every
//! list item and every line break costs is a tenth of the output (docs/performance.md).

use memchr::{memchr2, memmem};

/// End tags that HTML lets a page leave out, because the next item, cell, row or
/// definition (or the end of the list, row or table) ends the element anyway.
const OPTIONAL_END_TAGS: [&[u8]; 6] = [b"</li>", b"</td>", b"</th>", b"</tr>", b"</dt>", b"</dd>"];

/// Leaves out the optional end tags, the slash of `<br />` and the line breaks next to a
/// block-level tag (`</p>\n<p>`, `text\n<li>`), which render as nothing. Breaks between
/// inline content (`</a>\n<span>`) are spaces and stay, as does everything inside `<pre>`.
/// One pass: it runs on every rendered body and once on each built-in template.
pub fn tighten(html: &str) -> String {
    let bytes = html.as_bytes();
    let mut out = String::with_capacity(html.len());
    let mut copied = 0;
    let mut at = 0;
    while let Some(offset) = memchr2(b'<', b'\n', &bytes[at..]) {
        let i = at + offset;
        at = i + 1;
        let rest = &bytes[i..];
        if rest[0] == b'\n' {
            // Beside a block-level tag a line break is the end or the start of a line box
            // and collapses away; a template's `</dd>\n{% endif %}` counts as well.
            let after_block = i > 0
                && bytes[i - 1] == b'>'
                && html[..i]
                    .rfind('<')
                    .is_some_and(|open| is_block(tag_name(&bytes[open..i])));
            let before_block = rest.get(1) == Some(&b'<') && is_block(tag_name(&rest[1..]));
            let joins = after_block || before_block;
            if joins {
                out.push_str(&html[copied..i]);
                copied = i + 1;
            }
        } else if rest.starts_with(b"<pre") {
            at = memmem::find(rest, b"</pre>").map_or(bytes.len(), |end| i + end + 6);
        } else if rest.starts_with(b"<br />") {
            // pulldown-cmark writes XHTML's `<br />`; HTML needs no slash.
            out.push_str(&html[copied..i]);
            out.push_str("<br>");
            copied = i + 6;
            at = copied;
        } else if let Some(tag) = OPTIONAL_END_TAGS.iter().find(|tag| rest.starts_with(tag)) {
            out.push_str(&html[copied..i]);
            copied = i + tag.len();
            at = copied;
        }
    }
    out.push_str(&html[copied..]);
    out
}

/// A headed section of a rendered body: the heading's id and its text as HTML.
#[derive(Debug, PartialEq, Eq)]
pub struct Section<'a> {
    pub id: &'a str,
    pub title_html: &'a str,
}

/// The headed sections of a rendered body, found once per page.
pub struct Sections<'a> {
    body: &'a str,
    headings: Vec<Heading<'a>>,
}

impl<'a> Sections<'a> {
    pub fn of(body: &'a str) -> Sections<'a> {
        Sections {
            body,
            headings: headings(body),
        }
    }

    /// The section whose whole content (from the end of its heading to the next heading
    /// of the same or a higher rank) is `fragment`, ignoring surrounding white space. A
    /// Beschluss that repeats the Beschlussvorschlag word for word is then shown as a link
    /// to it instead of a second copy.
    pub fn equal_to(&self, fragment: &str) -> Option<Section<'a>> {
        let fragment = fragment.trim();
        if fragment.is_empty() {
            return None;
        }
        let headings = &self.headings;
        headings.iter().enumerate().find_map(|(k, h)| {
            let end = headings[k + 1..]
                .iter()
                .find(|next| next.level <= h.level)
                .map_or(self.body.len(), |next| next.start);
            (self.body[h.content_start..end].trim() == fragment).then_some(Section {
                id: h.id,
                title_html: h.title_html,
            })
        })
    }
}

struct Heading<'a> {
    level: u8,
    start: usize,
    content_start: usize,
    id: &'a str,
    title_html: &'a str,
}

/// The `<hN id="…">…</hN>` of a body, in order; headings without an id are not targets.
fn headings(body: &str) -> Vec<Heading<'_>> {
    let bytes = body.as_bytes();
    let mut found = Vec::new();
    for start in memmem::find_iter(bytes, b"<h") {
        let Some(level) = bytes.get(start + 2).filter(|b| (b'1'..=b'6').contains(b)) else {
            continue;
        };
        let level = level - b'0';
        let Some(tag_end) = body[start..].find('>').map(|e| start + e) else {
            continue;
        };
        let close = format!("</h{level}>");
        let Some(close_at) = body[tag_end..].find(&close).map(|e| tag_end + e) else {
            continue;
        };
        let tag = &body[start..tag_end];
        let Some(id) = tag
            .split_once(" id=\"")
            .and_then(|(_, rest)| rest.split_once('"'))
            .map(|(id, _)| id)
        else {
            continue;
        };
        found.push(Heading {
            level,
            start,
            content_start: close_at + close.len(),
            id,
            title_html: &body[tag_end + 1..close_at],
        });
    }
    found
}

/// `li` of `<li class="x">`, `</li>` or `li>`.
fn tag_name(tag: &[u8]) -> &[u8] {
    let start = tag
        .iter()
        .position(|b| !matches!(b, b'<' | b'/'))
        .unwrap_or(tag.len());
    let tag = &tag[start..];
    let end = tag
        .iter()
        .position(|b| !b.is_ascii_alphanumeric())
        .unwrap_or(tag.len());
    &tag[..end]
}

/// Elements whose neighbouring line breaks render as nothing.
#[rustfmt::skip]
const BLOCK_ELEMENTS: [&[u8]; 39] = [
    b"html", b"head", b"meta", b"title", b"link", b"body", b"header", b"footer", b"nav",
    b"main", b"article", b"section", b"aside", b"div", b"ul", b"ol", b"li", b"dl", b"dt",
    b"dd", b"table", b"caption", b"thead", b"tbody", b"tr", b"th", b"td", b"h1", b"h2",
    b"h3", b"h4", b"h5", b"h6", b"p", b"form", b"blockquote", b"hr", b"details", b"summary",
];

fn is_block(name: &[u8]) -> bool {
    BLOCK_ELEMENTS.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_section_is_found_only_when_its_whole_content_matches() {
        let body = "<h3 id=\"beschlussvorschlag\">Beschluss&shy;vorschlag</h3><p>Der Rat beschließt.</p>\n\
                    <h3 id=\"erlaeuterungen\">Erläuterungen</h3><p>A</p><h4 id=\"x\">X</h4><p>B</p>";
        assert_eq!(
            Sections::of(body).equal_to("<p>Der Rat beschließt.</p>"),
            Some(Section {
                id: "beschlussvorschlag",
                title_html: "Beschluss&shy;vorschlag"
            })
        );
        assert_eq!(
            Sections::of(body).equal_to("<p>B</p>").map(|s| s.id),
            Some("x")
        );
        // A part of a section is not the section: its heading's rank ends it, not a lower one.
        assert_eq!(Sections::of(body).equal_to("<p>A</p>"), None);
        assert_eq!(Sections::of(body).equal_to("<p>Der Rat</p>"), None);
        assert_eq!(Sections::of(body).equal_to(" "), None);
        assert_eq!(
            Sections::of("<h3>Ohne Id</h3><p>A</p>").equal_to("<p>A</p>"),
            None
        );
    }

    #[test]
    fn optional_end_tags_go_and_everything_else_stays() {
        let html = "<ul><li>a<ul><li>b</li></ul>c</li><li>&lt;/li&gt;</li></ul>\
                    <table><tr><th>x</th></tr><tr><td>1</td></tr></table><dl><dt>k</dt><dd>v</dd></dl><p>p</p>";
        assert_eq!(
            tighten(html),
            "<ul><li>a<ul><li>b</ul>c<li>&lt;/li&gt;</ul><table><tr><th>x<tr><td>1</table><dl><dt>k<dd>v</dl><p>p</p>"
        );
    }

    #[test]
    fn line_breaks_between_blocks_go_and_spaces_between_inline_elements_stay() {
        let html = "<ul>\n<li><a href=\"x\">a</a>\n<span>m</span></li>\n<li>b\n</ul>\n<p>x</p>\n\
                    <pre><div>1</div>\n<div>2</div></pre>\n<p>y<br />\nz</p>\n\
                    <dd>{{ v }}</dd>\n{% endif %}<a>q</a>\n{{ w }}";
        assert_eq!(
            tighten(html),
            "<ul><li><a href=\"x\">a</a>\n<span>m</span><li>b</ul><p>x</p><pre><div>1</div>\n<div>2</div></pre><p>y<br>\nz</p>\
             <dd>{{ v }}{% endif %}<a>q</a>\n{{ w }}"
        );
    }
}
