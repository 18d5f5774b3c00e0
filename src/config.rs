//! The site's settings, read from `book.toml` in the style of mdBook.
//!
//! Every key has a documented default, so a corpus folder without a book.toml is a complete
//! site. Unknown keys are errors (`deny_unknown_fields`): a typo in the configuration must
//! never be silently ignored.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diagnostics::Diagnostic;

/// The default Vorlage-Nr pattern: `<Kürzel> <Zahl>/<vierstellige Zahl>/WP<Zahl>` with an
/// optional `-<Zahl>` suffix (Ergänzungsvorlage), the space after the Kürzel optional.
pub const DEFAULT_VORLAGE_NR: &str =
    r"\b[A-ZÄÖÜ][A-Za-zÄÖÜäöü]{0,5} ?\d{1,3}/\d{4}/WP\d{1,2}(?:-\d{1,2})?\b";
pub const DEFAULT_ERGAENZUNG: &str = r"-\d+$";

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct BookToml {
    pub book: BookSection,
    pub build: BuildSection,
    pub output: OutputSection,
    pub links: LinksSection,
    pub impressum: Option<Impressum>,
    pub barrierefreiheit: Option<Barrierefreiheit>,
}

/// The legal notice (Impressum, § 5 DDG / § 18 MStV), shown on `impressum/`.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[serde(default, deny_unknown_fields, rename_all(deserialize = "kebab-case"))]
pub struct Impressum {
    pub herausgeber: Option<String>,
    pub anschrift: Vec<String>,
    pub vertreten_durch: Option<String>,
    pub telefon: Option<String>,
    pub email: Option<String>,
    /// Responsible for the content (§ 18 Abs. 2 MStV).
    pub verantwortlich: Option<String>,
    pub hinweise: Vec<String>,
}

/// The accessibility statement (Erklärung zur Barrierefreiheit, BITV 2.0 § 7), shown on
/// `barrierefreiheit/`.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(default, deny_unknown_fields, rename_all(deserialize = "kebab-case"))]
pub struct Barrierefreiheit {
    /// `vollständig vereinbar`, `teilweise vereinbar` or `nicht vereinbar`.
    pub status: String,
    /// Date of the statement (ISO).
    pub stand: Option<String>,
    pub methode: String,
    /// Known barriers, one sentence each.
    pub barrieren: Vec<String>,
    pub kontakt_email: Option<String>,
    pub kontakt_telefon: Option<String>,
    pub kontakt_anschrift: Vec<String>,
    pub schlichtungsstelle: String,
}

impl Default for Barrierefreiheit {
    fn default() -> Self {
        Barrierefreiheit {
            status: "teilweise vereinbar".to_string(),
            stand: None,
            methode: "Selbstbewertung".to_string(),
            barrieren: Vec::new(),
            kontakt_email: None,
            kontakt_telefon: None,
            kontakt_anschrift: Vec::new(),
            schlichtungsstelle: "Schlichtungsstelle nach dem Behindertengleichstellungsgesetz bei dem Beauftragten der Bundesregierung für die Belange von Menschen mit Behinderungen, Mauerstraße 53, 10117 Berlin, https://www.schlichtungsstelle-bgg.de".to_string(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct BookSection {
    pub title: String,
    pub description: Option<String>,
    pub language: String,
    pub src: PathBuf,
    /// Accepted for compatibility with mdBook's book.toml; not shown.
    pub authors: Vec<String>,
}

impl Default for BookSection {
    fn default() -> Self {
        BookSection {
            title: "Ratsinformation".to_string(),
            description: None,
            language: "de".to_string(),
            src: PathBuf::from("content"),
            authors: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct BuildSection {
    pub build_dir: PathBuf,
}

impl Default for BuildSection {
    fn default() -> Self {
        BuildSection {
            build_dir: PathBuf::from("site"),
        }
    }
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct OutputSection {
    pub html: HtmlSection,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct HtmlSection {
    /// Where the site is published, e.g. `https://example.org/ratsinfo/`. Pages link to each
    /// other relatively, so the output works under any sub-path; the URL is used for
    /// canonical links.
    pub site_url: Option<String>,
    pub search: SearchSection,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct SearchSection {
    /// Build the search index and the search page (default true).
    pub enable: bool,
}

impl Default for SearchSection {
    fn default() -> Self {
        SearchSection { enable: true }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct LinksSection {
    pub vorlage_nr: String,
    pub ergaenzung: String,
    /// Write `FB56/0025/WP18` as `FB 56/0025/WP18`: a space between a leading run of
    /// letters and the digits that follow it.
    pub normalize_prefix_space: bool,
}

impl Default for LinksSection {
    fn default() -> Self {
        LinksSection {
            vorlage_nr: DEFAULT_VORLAGE_NR.to_string(),
            ergaenzung: DEFAULT_ERGAENZUNG.to_string(),
            normalize_prefix_space: true,
        }
    }
}

/// The validated settings of one build.
#[derive(Debug, Clone)]
pub struct Config {
    pub title: String,
    pub description: Option<String>,
    pub language: String,
    pub content_dir: PathBuf,
    pub out_dir: PathBuf,
    /// Always ends with `/`.
    pub site_url: Option<String>,
    pub search: bool,
    pub links: LinksSection,
    pub impressum: Option<Impressum>,
    pub barrierefreiheit: Option<Barrierefreiheit>,
    /// The site folder whose `templates/` and `static/` override the built-in theme; `None`
    /// builds a bare corpus with the built-in theme alone.
    pub root: Option<PathBuf>,
    pub book_toml: Option<PathBuf>,
}

/// What the command line may override.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub content_dir: Option<PathBuf>,
    pub out_dir: Option<PathBuf>,
}

impl Config {
    /// Reads `<root>/book.toml` if present and applies the command-line overrides.
    pub fn load(root: &Path, overrides: &Overrides) -> Result<Config, Diagnostic> {
        let path = root.join("book.toml");
        let (book, book_toml) = if path.is_file() {
            let text = std::fs::read_to_string(&path).map_err(|e| {
                Diagnostic::error(
                    &path,
                    0,
                    format!("book.toml kann nicht gelesen werden: {e}"),
                )
            })?;
            (parse_book_toml(&text, &path)?, Some(path))
        } else {
            (BookToml::default(), None)
        };
        let content_dir = overrides
            .content_dir
            .clone()
            .unwrap_or_else(|| root.join(&book.book.src));
        let out_dir = overrides
            .out_dir
            .clone()
            .unwrap_or_else(|| root.join(&book.build.build_dir));
        let site_url =
            book.output
                .html
                .site_url
                .map(|u| if u.ends_with('/') { u } else { format!("{u}/") });
        Ok(Config {
            title: book.book.title,
            description: book.book.description,
            language: book.book.language,
            content_dir,
            out_dir,
            site_url,
            search: book.output.html.search.enable,
            links: book.links,
            impressum: book.impressum,
            barrierefreiheit: book.barrierefreiheit,
            root: Some(root.to_path_buf()),
            book_toml,
        })
    }

    pub fn defaults_for(content_dir: PathBuf, out_dir: PathBuf) -> Config {
        let book = BookToml::default();
        Config {
            title: book.book.title,
            description: None,
            language: book.book.language,
            content_dir,
            out_dir,
            site_url: None,
            search: true,
            links: book.links,
            impressum: None,
            barrierefreiheit: None,
            root: None,
            book_toml: None,
        }
    }
}

fn parse_book_toml(text: &str, path: &Path) -> Result<BookToml, Diagnostic> {
    toml::from_str::<BookToml>(text).map_err(|e| {
        let line = e
            .span()
            .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1)
            .unwrap_or(0);
        Diagnostic::error(path, line, format!("book.toml ist ungültig: {}", e.message()))
            .with_hint("Erlaubt sind [book] title, description, language, src, authors; [build] build-dir; [output.html] site-url; [output.html.search] enable; [links] vorlage-nr, ergaenzung, normalize-prefix-space; [impressum]; [barrierefreiheit].")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_contract_keys() {
        let toml = r#"
[book]
title = "Rat"
src = "docs"
[build]
build-dir = "public"
[output.html]
site-url = "https://example.org/ratsinfo"
[links]
vorlage-nr = '\d{4}/\d{4}'
"#;
        let book = parse_book_toml(toml, Path::new("book.toml")).expect("valid");
        assert_eq!(book.book.title, "Rat");
        assert_eq!(book.book.src, PathBuf::from("docs"));
        assert_eq!(book.build.build_dir, PathBuf::from("public"));
        assert_eq!(book.links.vorlage_nr, r"\d{4}/\d{4}");
        assert_eq!(book.links.ergaenzung, DEFAULT_ERGAENZUNG);
    }

    #[test]
    fn unknown_key_is_an_error_with_line() {
        let err = parse_book_toml("[book]\ntitel = \"x\"\n", Path::new("book.toml"))
            .expect_err("unknown key");
        assert_eq!(err.line, 2);
        assert!(err.message.contains("titel"), "{}", err.message);
    }
}
