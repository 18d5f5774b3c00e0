//! The built-in theme, compiled into the binary, and a site's file-by-file overrides.

use std::path::Path;

use tera::Tera;

use crate::diagnostics::Diagnostic;

/// Templates of the built-in theme (the repository's `templates/` folder).
pub const BUILTIN_TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("macros.html", include_str!("../../templates/macros.html")),
    ("index.html", include_str!("../../templates/index.html")),
    ("sitzung.html", include_str!("../../templates/sitzung.html")),
    (
        "sitzungen.html",
        include_str!("../../templates/sitzungen.html"),
    ),
    (
        "sitzungen_jahr.html",
        include_str!("../../templates/sitzungen_jahr.html"),
    ),
    ("vorlage.html", include_str!("../../templates/vorlage.html")),
    (
        "vorlagen.html",
        include_str!("../../templates/vorlagen.html"),
    ),
    (
        "vorlagen_jahr.html",
        include_str!("../../templates/vorlagen_jahr.html"),
    ),
    ("anlage.html", include_str!("../../templates/anlage.html")),
    ("gremium.html", include_str!("../../templates/gremium.html")),
    ("gremien.html", include_str!("../../templates/gremien.html")),
    ("person.html", include_str!("../../templates/person.html")),
    (
        "personen.html",
        include_str!("../../templates/personen.html"),
    ),
    ("suche.html", include_str!("../../templates/suche.html")),
    (
        "impressum.html",
        include_str!("../../templates/impressum.html"),
    ),
    (
        "barrierefreiheit.html",
        include_str!("../../templates/barrierefreiheit.html"),
    ),
    (
        "leichte-sprache.html",
        include_str!("../../templates/leichte-sprache.html"),
    ),
    ("404.html", include_str!("../../templates/404.html")),
];

/// Static files of the built-in theme (the repository's `static/` folder).
pub const BUILTIN_STATIC: &[(&str, &[u8])] = &[
    ("style.css", include_bytes!("../../static/style.css")),
    ("suche.js", include_bytes!("../../static/suche.js")),
];

/// Loads the built-in templates, replacing each by `<root>/templates/<name>` where the site
/// has one. Extra templates of the site (partials) are loaded too.
/// A file of the theme as published: `static/style.<hash>.css`. The name changes whenever
/// the bytes do, so hosts may let browsers cache it for a year.
#[derive(Debug, Clone)]
pub struct Asset {
    /// Name in the theme, e.g. `style.css`; templates find the path as `assets.style`.
    pub name: &'static str,
    /// Path below the site root.
    pub path: String,
    pub bytes: Vec<u8>,
}

/// The theme's static files, each taken from the site's `static/` folder when it has one
/// of the same name (which overrides the theme's), under a name with its content hash.
pub fn assets(root: Option<&Path>) -> Vec<Asset> {
    BUILTIN_STATIC
        .iter()
        .map(|(name, builtin)| {
            let bytes = root
                .and_then(|r| std::fs::read(r.join("static").join(name)).ok())
                .unwrap_or_else(|| builtin.to_vec());
            let (stem, extension) = name.rsplit_once('.').unwrap_or((name, ""));
            Asset {
                name,
                path: format!("static/{stem}.{:016x}.{extension}", fnv1a(&bytes)),
                bytes,
            }
        })
        .collect()
}

/// 64-bit FNV-1a: a stable content hash for file names (not for security).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A hash of every template a build may use: the built-in ones and the `.html` files of
/// the site's `templates/` folder (names and bytes), for the pages' fingerprints.
pub fn fingerprint(root: Option<&Path>) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::hash::DefaultHasher::new();
    BUILTIN_TEMPLATES.hash(&mut h);
    if let Some(dir) = root.map(|r| r.join("templates")) {
        let mut entries: Vec<_> = std::fs::read_dir(&dir)
            .map(|list| list.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        entries.sort();
        for path in entries {
            path.file_name().hash(&mut h);
            // An unreadable template fails `load`; here it just counts as different.
            std::fs::read(&path).ok().hash(&mut h);
        }
    }
    h.finish()
}

pub fn load(root: Option<&Path>) -> Result<Tera, Diagnostic> {
    let mut sources: Vec<(String, String)> = BUILTIN_TEMPLATES
        .iter()
        .map(|(n, t)| (n.to_string(), super::html::tighten(&compact(t))))
        .collect();
    let dir = root.map(|r| r.join("templates")).unwrap_or_default();
    if root.is_some() && dir.is_dir() {
        let mut entries: Vec<_> = std::fs::read_dir(&dir)
            .map_err(|e| Diagnostic::error(&dir, 0, format!("Vorlagenordner nicht lesbar: {e}")))?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().and_then(|e| e.to_str()) == Some("html"))
            .collect();
        entries.sort();
        for path in entries {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let text = std::fs::read_to_string(&path).map_err(|e| {
                Diagnostic::error(&path, 0, format!("Template nicht lesbar (UTF-8?): {e}"))
            })?;
            // A copy of a built-in template (this repository's own site) stays compacted.
            let builtin = BUILTIN_TEMPLATES
                .iter()
                .any(|(n, t)| *n == name && *t == text);
            match sources.iter_mut().find(|(n, _)| *n == name) {
                Some(_) if builtin => {}
                Some(slot) => slot.1 = text,
                None => sources.push((name, text)),
            }
        }
    }
    let mut tera = Tera::default();
    tera.autoescape_on(vec![".html"]);
    // Tera's default also escapes `/`, which makes every URL unreadable; `/` is harmless
    // in attribute values and text.
    tera.set_escape_fn(escape_html);
    tera.add_raw_templates(sources).map_err(|e| {
        Diagnostic::error(&dir, 0, format!("Template-Fehler: {}", error_chain(&e)))
            .with_hint("Prüfen Sie die geänderten Templates in templates/ (Tera-Syntax).")
    })?;
    Ok(tera)
}

/// The built-in templates without their indentation, blank lines and the line breaks after
/// lines that hold only `{% … %}` or `{# … #}` tags (what Jinja calls `trim_blocks` and
/// `lstrip_blocks`). They are written to be read; every page would otherwise carry a
/// few hundred bytes of spaces. Overrides from the site's `templates/` stay as written,
/// since they may hold `<pre>`.
fn compact(template: &str) -> String {
    let mut out = String::with_capacity(template.len());
    for line in template.lines() {
        let line = line.trim_start();
        if line.is_empty() {
            continue;
        }
        if only_tags(line) {
            out.push_str(line);
        } else if let Some(inner) = conditional_line(line) {
            // `{% if x %}…{% endif %}`: the line break only where the line shows anything.
            out.push_str(inner);
            out.push_str("\n{% endif %}");
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// `{% if x %}…` of a line `{% if x %}…{% endif %}` with no other branch.
fn conditional_line(line: &str) -> Option<&str> {
    let inner = line.trim_end().strip_suffix("{% endif %}")?;
    let ok = inner.starts_with("{% if ")
        && inner.matches("{% if ").count() == 1
        && !inner.contains("{% el")
        && !inner.contains("{% endif");
    ok.then_some(inner)
}

/// Whether `line` is nothing but Tera statements and comments.
fn only_tags(line: &str) -> bool {
    let mut rest = line.trim_end();
    while !rest.is_empty() {
        let close = if rest.starts_with("{%") {
            "%}"
        } else if rest.starts_with("{#") {
            "#}"
        } else {
            return false;
        };
        match rest.find(close) {
            Some(end) => rest = rest[end + 2..].trim_start(),
            None => return false,
        }
    }
    true
}

fn escape_html(text: &str) -> String {
    super::markdown::escape(text)
}

/// Tera nests the useful message inside its errors.
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut message = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_drops_indentation_and_tag_only_line_breaks() {
        let template = "<ul>\n  {% for x in xs %}\n    <li>{{ x }}</li>\n\n  {% endfor %} {# done #}\n  {% if a %}<p>{% endif %}\n  {% if a %}1{% else %}2{% endif %}\n</ul>\n";
        assert_eq!(
            compact(template),
            "<ul>\n{% for x in xs %}<li>{{ x }}</li>\n{% endfor %} {# done #}{% if a %}<p>\n{% endif %}{% if a %}1{% else %}2{% endif %}\n</ul>\n"
        );
        assert!(!only_tags("{% if a %}<b>{% endif %}"));
        assert!(!only_tags("{{ a }}"));
    }
}
