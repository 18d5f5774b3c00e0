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
pub fn load(root: Option<&Path>) -> Result<Tera, Diagnostic> {
    let mut sources: Vec<(String, String)> = BUILTIN_TEMPLATES
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
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
            match sources.iter_mut().find(|(n, _)| *n == name) {
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
