//! Fuzz target for the document parser: frontmatter + Markdown + link resolution + body
//! rendering + search tokenising. Any input must give diagnostics, never a panic.
//! Run: `cargo +nightly fuzz run document -- -max_total_time=600` (see docs/security.md).
#![no_main]

use libfuzzer_sys::fuzz_target;
use portal::config::LinksSection;
use portal::load::SourcePath;
use portal::parse::document::{parse_file, ParseContext};
use portal::parse::frontmatter;
use portal::parse::nr::NrMatcher;
use portal::render::markdown::{render_with_text, BodyOptions, Linker, SectionAnchors};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(matcher) = NrMatcher::new(&LinksSection::default()) else {
        return;
    };
    let root = std::env::temp_dir();
    let ctx = ParseContext {
        matcher: matcher.clone(),
        content_root: root.clone(),
    };
    let source = SourcePath {
        path: root.join("portal-fuzz.md").into(),
        rel: "portal-fuzz.md".to_string(),
        display: std::path::Path::new("portal-fuzz.md").into(),
        stamp: None,
    };
    let (document, _diagnostics) = parse_file(&source, text, &ctx);
    let tops: Vec<(String, String, String)> = match document.as_ref().map(|d| &d.kind) {
        Some(portal::model::Kind::Niederschrift(n)) => n
            .tagesordnung
            .iter()
            .filter(|t| t.public)
            .map(|t| {
                (
                    t.top.clone(),
                    format!("top-{}", t.top),
                    format!("tagesordnung-{}", t.top),
                )
            })
            .collect(),
        _ => Vec::new(),
    };
    let excluded = document
        .as_ref()
        .map(|d| d.scan.excluded.clone())
        .unwrap_or_default();
    let (site, _diagnostics) = portal::link::link(document.into_iter().map(Box::new).collect(), &matcher);
    let body = frontmatter::split(text).map(|s| s.body).unwrap_or(text);
    for range in &excluded {
        assert!(
            range.start <= range.end && range.end <= body.len(),
            "excluded range outside the body"
        );
    }
    let linker = Linker {
        site: &site,
        matcher: &matcher,
        root: "../../",
        own_nr: None,
    };
    let rendered = render_with_text(
        body,
        &linker,
        &BodyOptions {
            base_level: 3,
            sections: Some(SectionAnchors { tops: &tops }),
            reserved_ids: &["inhalt"],
            min_level: None,
        },
    );
    let _ = portal::index::search::terms(&rendered.all_text());
});
