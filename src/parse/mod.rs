//! Parse: every file's frontmatter and Markdown, in parallel, into validated documents.

pub mod cache;
pub mod document;
pub mod frontmatter;
pub mod markdown;
pub mod nr;
pub mod schema;
pub mod yaml;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

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
    // The files the parse cache does not answer for.
    let to_read: Vec<&std::path::Path> = sources
        .iter()
        .zip(&cached)
        .filter(|(source, entry)| {
            !matches!((entry, source.stamp), (Some(e), Some(stamp)) if e.stamp == stamp)
        })
        .map(|(source, _)| &*source.path)
        .collect();
    let done = AtomicBool::new(false);
    let cursor = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        if to_read.len() >= PREFETCH_FROM {
            for _ in 0..PREFETCH_THREADS {
                scope.spawn(|| prefetch(&to_read, &cursor, &done));
            }
        }
        let parsed = parse_each(sources, ctx, cached);
        done.store(true, Ordering::Relaxed);
        parsed
    })
}

/// Below this many files to read, reading ahead is not worth its threads.
const PREFETCH_FROM: usize = 256;
/// Threads that read ahead. Reading is waiting, not computing: on a cold page cache the
/// two parsing threads alone kept the disk idle most of the time (130,000 files: 14–22 s
/// to parse cold against 7.5 s warm; 10–11 s cold with eight readers ahead, warm the same).
const PREFETCH_THREADS: usize = 8;

/// Reads `paths` and drops the bytes, so that the kernel holds them when the parsers ask.
/// The order follows the parsers: rayon's two workers start at the beginning and at the
/// middle of the list, so the reads alternate between the two halves.
fn prefetch(paths: &[&std::path::Path], cursor: &AtomicUsize, done: &AtomicBool) {
    use std::io::Read;
    let half = paths.len().div_ceil(2);
    let mut buffer = Vec::new();
    while !done.load(Ordering::Relaxed) {
        let k = cursor.fetch_add(1, Ordering::Relaxed);
        if k >= 2 * half {
            break;
        }
        let i = if k.is_multiple_of(2) {
            k / 2
        } else {
            half + k / 2
        };
        let Some(path) = paths.get(i) else { continue };
        buffer.clear();
        if let Ok(mut file) = std::fs::File::open(path) {
            let _ = file.read_to_end(&mut buffer);
        }
    }
}

fn parse_each(sources: &[SourcePath], ctx: &ParseContext, cached: Vec<Option<Entry>>) -> Parsed {
    let (entries, from_cache): (Vec<Entry>, Vec<bool>) = sources
        .par_iter()
        .zip(cached)
        .map(|(source, cached)| {
            let stamp = source.stamp.or_else(|| FileStamp::of(&source.path));
            if let Some(mut entry) = cached.filter(|e| Some(e.stamp) == stamp) {
                if let Some(document) = &mut entry.document {
                    document.source.path = Arc::clone(&source.path);
                    document.source.display = Arc::clone(&source.display);
                }
                return (entry, true);
            }
            let (document, diagnostics) = match load::read_text(source) {
                Ok(text) => document::parse_file(source, &text, ctx),
                Err(d) => (None, vec![d]),
            };
            let entry = Entry {
                rel: source.rel.clone(),
                stamp: stamp.unwrap_or_default(),
                document: document.map(Box::new),
                diagnostics,
            };
            (entry, false)
        })
        .unzip();
    let reused = from_cache.iter().filter(|reused| **reused).count();
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
    /// The parsed documents, each in the box it was parsed or read from the cache into
    /// (moving 130,000 documents out of their boxes cost a rebuild 60 MB of fresh memory).
    pub fn into_documents(self) -> (Vec<Box<Document>>, Vec<Diagnostic>) {
        let mut documents = Vec::with_capacity(self.entries.len());
        let mut diagnostics = Vec::new();
        for entry in self.entries {
            documents.extend(entry.document.map(|mut document| {
                document.source.stamp = entry.stamp;
                document
            }));
            diagnostics.extend(entry.diagnostics);
        }
        (documents, diagnostics)
    }
}
