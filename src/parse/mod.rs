//! Parse: every file's frontmatter and Markdown, in parallel, into validated documents.

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

pub use document::ParseContext;

/// Reads and parses every file in parallel. The documents come back in the order of
/// `sources` (sorted by path), so later phases are deterministic.
pub fn parse_all(sources: &[SourcePath], ctx: &ParseContext) -> (Vec<Document>, Vec<Diagnostic>) {
    let results: Vec<(Option<Document>, Vec<Diagnostic>)> = sources
        .par_iter()
        .map(|source| match load::read_text(source) {
            Ok(text) => document::parse_file(source, &text, ctx),
            Err(d) => (None, vec![d]),
        })
        .collect();
    let mut documents = Vec::with_capacity(results.len());
    let mut diagnostics = Vec::new();
    for (document, mut ds) in results {
        documents.extend(document);
        diagnostics.append(&mut ds);
    }
    (documents, diagnostics)
}
