//! Byte-saving rewrites of HTML this program wrote: rendered Markdown, sanitised HTML and
//! the built-in templates, where elements only ever sit in their proper parents and text
//! never holds a raw `<`. A council archive has over a hundred thousand pages; what every
//! list item and every line break costs is a tenth of the output (docs/performance.md).

/// End tags that HTML lets a page leave out, because the next item, cell, row or
/// definition (or the end of the list, row or table) ends the element anyway.
pub fn drop_optional_end_tags(html: &str) -> String {
    const OPTIONAL: [&str; 6] = ["</li>", "</td>", "</th>", "</tr>", "</dt>", "</dd>"];
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find("</") {
        let tail = &rest[i..];
        out.push_str(&rest[..i]);
        match OPTIONAL.iter().find(|tag| tail.starts_with(**tag)) {
            Some(tag) => rest = &tail[tag.len()..],
            None => {
                out.push_str("</");
                rest = &tail[2..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Removes the line breaks between two block-level tags (`</li>\n<li>`), which render as
/// nothing. Breaks next to inline elements (`</a>\n<span>`) are spaces and stay, as does
/// everything inside `<pre>`.
pub fn join_block_lines(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    // Outside `<pre>` … `</pre>` only.
    while let Some(start) = rest.find("<pre") {
        let end = rest[start..]
            .find("</pre>")
            .map_or(rest.len(), |e| start + e + "</pre>".len());
        join_outside_pre(&rest[..start], &mut out);
        out.push_str(&rest[start..end]);
        rest = &rest[end..];
    }
    join_outside_pre(rest, &mut out);
    out
}

fn join_outside_pre(html: &str, out: &mut String) {
    let bytes = html.as_bytes();
    let mut copied = 0;
    for (i, _) in html.match_indices('\n') {
        if i == 0 || bytes[i - 1] != b'>' || bytes.get(i + 1) != Some(&b'<') {
            continue;
        }
        let before = html[..i]
            .rfind('<')
            .map(|open| tag_name(&html[open + 1..i]));
        if before.is_some_and(is_block) && is_block(tag_name(&html[i + 1..])) {
            out.push_str(&html[copied..i]);
            copied = i + 1;
        }
    }
    out.push_str(&html[copied..]);
}

/// `li` of `<li class="x">`, `/li>` or `<li>`.
fn tag_name(tag: &str) -> &str {
    let tag = tag.trim_start_matches('<').trim_start_matches('/');
    let end = tag
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(tag.len());
    &tag[..end]
}

fn is_block(name: &str) -> bool {
    matches!(
        name,
        "html"
            | "head"
            | "meta"
            | "title"
            | "link"
            | "body"
            | "header"
            | "footer"
            | "nav"
            | "main"
            | "article"
            | "section"
            | "aside"
            | "div"
            | "ul"
            | "ol"
            | "li"
            | "dl"
            | "dt"
            | "dd"
            | "table"
            | "caption"
            | "thead"
            | "tbody"
            | "tr"
            | "th"
            | "td"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "p"
            | "form"
            | "blockquote"
            | "hr"
            | "details"
            | "summary"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn optional_end_tags_go_and_everything_else_stays() {
        let html = "<ul><li>a<ul><li>b</li></ul>c</li><li>&lt;/li&gt;</li></ul>\
                    <table><tr><th>x</th></tr><tr><td>1</td></tr></table><dl><dt>k</dt><dd>v</dd></dl><p>p</p>";
        assert_eq!(
            drop_optional_end_tags(html),
            "<ul><li>a<ul><li>b</ul>c<li>&lt;/li&gt;</ul><table><tr><th>x<tr><td>1</table><dl><dt>k<dd>v</dl><p>p</p>"
        );
    }

    #[test]
    fn line_breaks_between_blocks_go_and_spaces_between_inline_elements_stay() {
        let html = "<ul>\n<li><a href=\"x\">a</a>\n<span>m</span>\n<li>b\n</ul>\n<p>x</p>\n\
                    <pre><div>1</div>\n<div>2</div></pre>\n<p>y</p>\n";
        assert_eq!(
            join_block_lines(html),
            "<ul><li><a href=\"x\">a</a>\n<span>m</span>\n<li>b\n</ul><p>x</p>\n<pre><div>1</div>\n<div>2</div></pre>\n<p>y</p>\n"
        );
    }
}
