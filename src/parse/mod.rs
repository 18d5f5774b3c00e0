//! Parse: every file's frontmatter and Markdown, in parallel, into validated documents.

pub mod cache;
pub mod document;
pub mod frontmatter;
pub mod markdown;
pub mod nr;
pub mod schema;
pub mod yaml;

use rayon::prelude::*;

use crate::diagnostics::Diagnostic;
use crate::load::{self, SourcePath};
use crate::model::Document;

use crate::load::FileStamp;
use cache::Entry;
pub use cache::ParseCache;
pub use document::ParseContext;

/// Reads and parses every file in parallel; a file whose stamp (size, modification and
/// change time) matches its entry of the parse cache (`cached`, one per source, from
/// `ParseCache::take_for`) is taken from there. The results come back in the order of
/// `sources` (sorted by path), so later phases are deterministic.
pub fn parse_all(sources: &[SourcePath], ctx: &ParseContext, cached: Vec<Option<Entry>>) -> Parsed {
    let entries: Vec<(Entry, bool)> = sources
        .par_iter()
        .zip(cached)
        .map(|(source, cached)| {
            let stamp = source.stamp.or_else(|| FileStamp::of(&source.path));
            if let Some(entry) = cached.filter(|e| Some(e.stamp) == stamp) {
                return (entry, true);
            }
            let (document, diagnostics) = match load::read_text(source) {
                Ok(text) => document::parse_file(source, &text, ctx),
                Err(d) => (None, vec![d]),
            };
            let entry = Entry {
                rel: source.rel.clone(),
                stamp: stamp.unwrap_or_default(),
                document,
                diagnostics,
            };
            (entry, false)
        })
        .collect();
    let reused = entries.iter().filter(|(_, reused)| *reused).count();
    let (entries, from_cache) = entries.into_iter().unzip();
    Parsed {
        entries,
        from_cache,
        reused,
    }
}

/// The result of the parse phase, per source file.
pub struct Parsed {
    pub entries: Vec<Entry>,
    /// Per entry: whether it came from the parse cache.
    pub from_cache: Vec<bool>,
    /// How many came from the parse cache.
    pub reused: usize,
}

impl Parsed {
    /// The valid documents and all problems found.
    pub fn into_documents(self) -> (Vec<Document>, Vec<Diagnostic>) {
        let mut documents = Vec::with_capacity(self.entries.len());
        let mut diagnostics = Vec::new();
        for entry in self.entries {
            documents.extend(entry.document);
            diagnostics.extend(entry.diagnostics);
        }
        (documents, diagnostics)
    }
}
