//! Byte-saving rewrites of HTML this program wrote: rendered Markdown, sanitised HTML and
//! the built-in templates, where elements only ever sit in their proper parents and text
//! never holds a raw `<`. A council archive has over a hundred thousand pages; what every
//! list item and every line break costs is a tenth of the output (docs/performance.md).

use memchr::{memchr2, memmem};

/// End tags that HTML lets a page leave out, because the next item, cell, row or
/// definition (or the end of the list, row or table) ends the element anyway.
const OPTIONAL_END_TAGS: [&[u8]; 6] = [b"</li>", b"</td>", b"</th>", b"</tr>", b"</dt>", b"</dd>"];

/// Leaves out the optional end tags and the line breaks between two block-level tags
/// (`</p>\n<p>`), which render as nothing. Breaks next to inline elements (`</a>\n<span>`)
/// are spaces and stay, as does everything inside `<pre>`. One pass: it runs on every
/// rendered body.
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
            let joins = i > 0
                && bytes[i - 1] == b'>'
                && rest.get(1) == Some(&b'<')
                && html[..i]
                    .rfind('<')
                    .is_some_and(|open| is_block(tag_name(&bytes[open..i])))
                && is_block(tag_name(&rest[1..]));
            if joins {
                out.push_str(&html[copied..i]);
                copied = i + 1;
            }
        } else if rest.starts_with(b"<pre") {
            at = memmem::find(rest, b"</pre>").map_or(bytes.len(), |end| i + end + 6);
        } else if let Some(tag) = OPTIONAL_END_TAGS.iter().find(|tag| rest.starts_with(tag)) {
            out.push_str(&html[copied..i]);
            copied = i + tag.len();
            at = copied;
        }
    }
    out.push_str(&html[copied..]);
    out
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
                    <pre><div>1</div>\n<div>2</div></pre>\n<p>y</p>\n";
        assert_eq!(
            tighten(html),
            "<ul><li><a href=\"x\">a</a>\n<span>m</span><li>b\n</ul><p>x</p>\n<pre><div>1</div>\n<div>2</div></pre>\n<p>y</p>\n"
        );
    }
}
