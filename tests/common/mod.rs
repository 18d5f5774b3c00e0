//! Helpers shared by the integration tests: run the real binary, read pages, check links.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn portal(args: &[&str], cwd: &Path) -> Output {
    portal_with_cache(args, cwd, &std::env::temp_dir().join("portal-tests-cache"))
}

/// Runs portal with its parse cache in `cache` (not in the tester's home folder).
pub fn portal_with_cache(args: &[&str], cwd: &Path, cache: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_portal"))
        .args(args)
        .current_dir(cwd)
        .env("XDG_CACHE_HOME", cache)
        .output()
        .expect("portal runs")
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Builds the repository's own site (content/, book.toml, templates/, static/) into `out`.
pub fn build_seed(out: &Path) -> Output {
    let output = portal(
        &["build", "--out", out.to_str().expect("utf-8 path")],
        &repo(),
    );
    assert!(
        output.status.success(),
        "build failed:\n{}",
        stderr(&output)
    );
    output
}

pub fn read(out: &Path, rel: &str) -> String {
    let path = out.join(rel);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{} not readable: {e}", path.display()))
}

/// All files below `dir`, as `/`-separated relative paths.
pub fn files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("readable dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(dir).expect("below dir");
                out.push(
                    rel.components()
                        .map(|c| c.as_os_str().to_string_lossy().into_owned())
                        .collect::<Vec<_>>()
                        .join("/"),
                );
            }
        }
    }
    out.sort();
    out
}

/// Values of an attribute (`href`, `src`, `id`) in an HTML text, entity `&amp;` decoded.
pub fn attribute_values(html: &str, attribute: &str) -> Vec<String> {
    let needle = format!(" {attribute}=\"");
    let mut values = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(&needle) {
        rest = &rest[i + needle.len()..];
        let end = rest.find('"').unwrap_or(rest.len());
        values.push(rest[..end].replace("&amp;", "&"));
        rest = &rest[end..];
    }
    values
}

/// The site path a file is served at: `a/b/index.html` → `a/b/`.
fn served_path(file: &str) -> String {
    file.strip_suffix("index.html").unwrap_or(file).to_string()
}

/// Resolves `href` found on the page served at `page_path` (both without the host and
/// without the site's base path) to a site path; `None` when it leaves the site.
fn resolve(page_path: &str, href: &str, base: &str) -> Option<String> {
    if let Some(abs) = href.strip_prefix('/') {
        let base_rel = base.trim_start_matches('/');
        return abs.strip_prefix(base_rel).map(str::to_string);
    }
    let dir = match page_path.rfind('/') {
        Some(i) => &page_path[..=i],
        None => "",
    };
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    let trailing_slash = href.ends_with('/') || href.is_empty();
    for segment in href.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    let mut path = parts.join("/");
    if trailing_slash && !path.is_empty() {
        path.push('/');
    }
    Some(path)
}

/// Checks every internal `href` and `src` of every HTML page in `out`: the target exists and
/// a `#fragment` names an id on the target page. `base` is the path the site is served at
/// (`/` or `/ratsinfo/`); absolute links must stay below it. Returns the broken links.
pub fn broken_links(out: &Path, base: &str) -> Vec<String> {
    let all = files(out);
    let existing: BTreeSet<String> = all.iter().cloned().collect();
    let pages: Vec<&String> = all.iter().filter(|f| f.ends_with(".html")).collect();
    let mut ids: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for page in &pages {
        let html = read(out, page);
        ids.insert(
            page.to_string(),
            attribute_values(&html, "id").into_iter().collect(),
        );
    }
    let mut broken = Vec::new();
    for page in &pages {
        let html = read(out, page);
        let page_path = served_path(page);
        for link in attribute_values(&html, "href")
            .into_iter()
            .chain(attribute_values(&html, "src"))
        {
            if link.starts_with("http://")
                || link.starts_with("https://")
                || link.starts_with("mailto:")
            {
                continue;
            }
            let (target, fragment) = match link.split_once('#') {
                Some((t, f)) => (t.to_string(), Some(f.to_string())),
                None => (link.clone(), None),
            };
            let Some(resolved) = (if target.is_empty() {
                Some(page_path.clone())
            } else {
                resolve(&page_path, &target, base)
            }) else {
                broken.push(format!("{page}: {link} leaves the site (base {base})"));
                continue;
            };
            let file = if resolved.is_empty() || resolved.ends_with('/') {
                format!("{resolved}index.html")
            } else {
                resolved.clone()
            };
            if !existing.contains(&file) {
                broken.push(format!("{page}: {link} → {file} does not exist"));
                continue;
            }
            if let Some(fragment) = fragment {
                let known = ids.get(&file).is_some_and(|set| set.contains(&fragment));
                if !known {
                    broken.push(format!("{page}: {link} → no id \"{fragment}\" in {file}"));
                }
            }
        }
    }
    broken
}

/// Visible text of an HTML page: tags removed (inline tags count as nothing, block tags as
/// a space), common entities decoded, whitespace collapsed.
pub fn text_of(html: &str) -> String {
    const INLINE: &[&str] = &[
        "a", "abbr", "b", "code", "em", "i", "s", "small", "span", "strong", "sub", "sup", "time",
        "u",
    ];
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let end = rest[start..]
            .find('>')
            .map(|e| start + e + 1)
            .unwrap_or(rest.len());
        let tag = rest[start + 1..end.saturating_sub(1)].trim_start_matches('/');
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if !INLINE.contains(&name.to_ascii_lowercase().as_str()) {
            out.push(' ');
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    let decoded = out
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::resolve;

    #[test]
    fn resolves_relative_and_absolute_links() {
        assert_eq!(
            resolve("sitzungen/x/", "../../vorlagen/y/", "/").as_deref(),
            Some("vorlagen/y/")
        );
        assert_eq!(
            resolve("", "static/style.css", "/").as_deref(),
            Some("static/style.css")
        );
        assert_eq!(resolve("a/", "../../x", "/"), None);
        assert_eq!(
            resolve("404.html", "/ratsinfo/vorlagen/", "/ratsinfo/").as_deref(),
            Some("vorlagen/")
        );
        assert_eq!(resolve("404.html", "/vorlagen/", "/ratsinfo/"), None);
    }
}
