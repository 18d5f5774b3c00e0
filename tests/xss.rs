//! Hostile input never becomes executable script: the usual XSS payloads in bodies,
//! frontmatter values, agenda items and table cells (tests/fixtures/xss) are sanitised or
//! escaped in every page. The browser test tests/browser/xss.test.mjs opens the pages too.

mod common;

use common::*;

/// Every real tag of an HTML text (text `<` is escaped as `&lt;`, so `<` starts a tag).
fn tags(html: &str) -> Vec<String> {
    let mut tags = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        let end = rest[start..]
            .find('>')
            .map(|e| start + e + 1)
            .unwrap_or(rest.len());
        tags.push(rest[start..end].to_string());
        rest = &rest[end..];
    }
    tags
}

/// (name, value) of every attribute of a tag, respecting quotes.
fn attributes(tag: &str) -> Vec<(String, String)> {
    let inner = tag
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim_end_matches('/');
    let chars: Vec<char> = inner.chars().collect();
    let mut i = chars
        .iter()
        .position(|c| c.is_whitespace())
        .unwrap_or(chars.len());
    let mut out = Vec::new();
    while i < chars.len() {
        while i < chars.len() && chars[i].is_whitespace() {
            i += 1;
        }
        let start = i;
        while i < chars.len() && !chars[i].is_whitespace() && chars[i] != '=' {
            i += 1;
        }
        let name: String = chars[start..i].iter().collect();
        let mut value = String::new();
        if i < chars.len() && chars[i] == '=' {
            i += 1;
            if i < chars.len() && (chars[i] == '"' || chars[i] == '\'') {
                let quote = chars[i];
                i += 1;
                while i < chars.len() && chars[i] != quote {
                    value.push(chars[i]);
                    i += 1;
                }
                i += 1;
            } else {
                while i < chars.len() && !chars[i].is_whitespace() {
                    value.push(chars[i]);
                    i += 1;
                }
            }
        }
        if !name.is_empty() {
            out.push((name, value));
        }
    }
    out
}

#[test]
fn no_payload_survives_as_markup() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("site");
    let content = repo().join("tests/fixtures/xss/content");
    let output = portal(
        &[
            "build",
            "--content",
            content.to_str().expect("utf-8"),
            "--out",
            out.to_str().expect("utf-8"),
        ],
        &repo(),
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let mut problems = Vec::new();
    for file in files(&out).into_iter().filter(|f| f.ends_with(".html")) {
        let html = read(&out, &file);
        for tag in tags(&html) {
            let lower = tag.to_lowercase();
            let name: String = lower
                .trim_start_matches(['<', '/'])
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            if name == "script"
                && !(lower.starts_with("<script src=\"") && is_theme_script(&lower))
                && lower != "</script>"
            {
                problems.push(format!("{file}: {tag}"));
            }
            let our_input =
                name == "input" && (lower.contains("name=\"q\"") || lower.contains("name=\"typ\""));
            if [
                "iframe", "style", "object", "embed", "svg", "details", "input",
            ]
            .contains(&name.as_str())
                && !our_input
            {
                problems.push(format!("{file}: forbidden element {tag}"));
            }
            for (attribute, value) in attributes(&lower) {
                if attribute.starts_with("on") {
                    problems.push(format!("{file}: event handler in {tag}"));
                }
                if attribute == "style" {
                    problems.push(format!("{file}: inline style in {tag}"));
                }
                let url = value.trim();
                if ["href", "src", "action"].contains(&attribute.as_str())
                    && (url.starts_with("javascript:") || url.starts_with("data:"))
                {
                    problems.push(format!("{file}: script URL in {tag}"));
                }
            }
        }
        // Our own forms are the header search (and the search page); none comes from input.
        if html.contains("<form") && !html.contains("role=\"search\"") {
            problems.push(format!("{file}: unexpected form"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    // Allowed formatting survives; the text of payloads is shown, escaped.
    let vorlage = read(&out, "vorlagen/fb-56-0666-wp18/index.html");
    for kept in [
        "<sup>1</sup>",
        "<sub>2</sub>",
        "<u>unterstrichen</u>",
        "<a href=\"https://example.org/\" rel=\"noopener noreferrer\">ein Link</a>",
    ] {
        assert!(vorlage.contains(kept), "{kept} kept");
    }
    assert!(
        vorlage.contains("&lt;script&gt;alert(&#39;titel&#39;)&lt;&#x2F;script&gt;")
            || vorlage.contains("&lt;script&gt;alert(&#39;titel&#39;)&lt;/script&gt;"),
        "title shown as text"
    );
}

#[test]
fn pages_carry_a_content_security_policy() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("site");
    build_seed(&out);
    for file in files(&out).into_iter().filter(|f| f.ends_with(".html")) {
        let html = read(&out, &file);
        assert!(
            html.contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'self'; object-src 'none';"),
            "{file}"
        );
        assert!(
            !html.contains(" style=\""),
            "{file} has an inline style the policy would block"
        );
    }
}

/// `<script src="…static/suche.<16 hex digits>.js" …>`: the theme's search script under its
/// content-hashed name, nothing else.
fn is_theme_script(tag: &str) -> bool {
    let Some(start) = tag.find("static/suche.") else {
        return false;
    };
    let rest = &tag[start + "static/suche.".len()..];
    rest.len() > 20
        && rest[..16].bytes().all(|b| b.is_ascii_hexdigit())
        && rest[16..].starts_with(".js\"")
}
