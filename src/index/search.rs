//! The full-text search index: prefix-chunked, compressed, German-stemmed, built in the
//! same pass that renders the pages.
//!
//! Layout of `suche/` in the output (all `.bin` files are gzip; the browser decompresses
//! them with `DecompressionStream`):
//! - `index.bin` — JSON: record count, the id ranges of each (Jahr, Typ, Gremium) group
//!   (records are numbered in that order, so filters are range checks), the first term of
//!   every chunk, and the filter values.
//! - `i/<hex of first term>.bin` — a chunk of the sorted term dictionary with postings: for
//!   each term its document frequency and (record id, weight) pairs, ids delta-encoded as
//!   varints. Weights depend on the record alone; the browser applies the idf.
//! - `f/<k / 1000>/<k>.bin` — JSON array of the records `k * 4 .. k * 4 + 4`: URL, title,
//!   type, date, Gremium and text for the excerpt, fetched only for the results shown.
//!
//! A query therefore downloads the small entry file, one chunk per query word and at most
//! one fragment file per result shown, whatever the size of the archive.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::io::Write;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use flate2::write::GzEncoder;
use flate2::Compression;
use rayon::prelude::*;
use serde::Serialize;

use super::stem::stem;

/// Terms in more records than this keep only their best postings and are optional in
/// queries with other words (like a stop word), so no chunk grows with the archive.
pub const MAX_POSTINGS: usize = 20_000;
/// A chunk of the dictionary closes after a term whose hash is a multiple of
/// `CHUNK_SPREAD` once it holds `MIN_CHUNK_BYTES`, and in any case at `MAX_CHUNK_BYTES`
/// (uncompressed). Boundaries chosen by content stay where they are when a term is added
/// or removed elsewhere, so a rebuild after an edit changes few chunk files.
const MIN_CHUNK_BYTES: usize = 12 * 1024;
const MAX_CHUNK_BYTES: usize = 48 * 1024;
const CHUNK_SPREAD: u64 = 16;
/// The record length (in weighted terms) BM25 normalises to. A fixed reference instead of
/// the archive's average keeps every weight a property of its record alone: editing one
/// document changes the postings of its own terms and nothing else.
const REFERENCE_LENGTH: f64 = 300.0;
/// Characters of text kept per record for excerpts.
const FRAGMENT_CHARS: usize = 300;
/// Records per fragment file: one gzip stream for several records compresses better and
/// writes fewer files; with more, a page of 20 scattered results would fetch too much.
const FRAGMENTS_PER_FILE: usize = 4;

const STOP_WORDS: &[&str] = &[
    "aber", "als", "am", "an", "auch", "auf", "aus", "bei", "bis", "das", "dass", "daß", "dem",
    "den", "der", "des", "die", "dies", "diese", "dieser", "dieses", "durch", "ein", "eine",
    "einem", "einen", "einer", "eines", "er", "es", "für", "hat", "im", "in", "ist", "mit", "nach",
    "nicht", "noch", "nur", "oder", "sich", "sie", "sind", "so", "um", "und", "vom", "von", "vor",
    "war", "wird", "werden", "wie", "zu", "zum", "zur",
];

/// What a search result shows and how it can be filtered.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RecordMeta {
    /// Site path, with `#anchor` for a section of a Protokoll.
    #[serde(rename = "u")]
    pub url: String,
    #[serde(rename = "t")]
    pub titel: String,
    /// `Vorlage`, `Sitzung` or `Anlage`.
    #[serde(rename = "y")]
    pub typ: &'static str,
    /// ISO date, for sorting and the year filter.
    #[serde(skip)]
    pub datum_iso: String,
    /// German date for display.
    #[serde(rename = "d")]
    pub datum: String,
    #[serde(rename = "g", skip_serializing_if = "Option::is_none")]
    pub gremium: Option<String>,
}

impl RecordMeta {
    fn year(&self) -> &str {
        self.datum_iso.get(..4).unwrap_or("")
    }
}

fn is_stop_word(word: &str) -> bool {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| STOP_WORDS.iter().copied().collect())
        .contains(word)
}

/// A small, fast, deterministic hasher for the index's string maps (FxHash): SipHash's
/// protection against crafted keys is not needed for a build tool's own vocabulary.
#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word))
                .wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.write(&[i]);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

pub type FxBuild = BuildHasherDefault<FxHasher>;

/// Calls `f` with every word of `text` as written: the runs of alphanumeric characters.
/// Words longer than 160 bytes are skipped. ASCII is classified byte by byte; only other
/// characters are decoded.
fn for_each_raw_word<'t>(text: &'t str, mut f: impl FnMut(&'t str)) {
    let bytes = text.as_bytes();
    let mut start: Option<usize> = None;
    let mut at = 0;
    while at < bytes.len() {
        let byte = bytes[at];
        let (is_word, width) = if byte < 0x80 {
            (byte.is_ascii_alphanumeric(), 1)
        } else {
            match text[at..].chars().next() {
                Some(c) => (c.is_alphanumeric(), c.len_utf8()),
                None => (false, 1),
            }
        };
        match (is_word, start) {
            (true, None) => start = Some(at),
            (false, Some(from)) => {
                if at - from <= 160 {
                    f(&text[from..at]);
                }
                start = None;
            }
            _ => {}
        }
        at += width;
    }
    if let Some(from) = start {
        if bytes.len() - from <= 160 {
            f(&text[from..]);
        }
    }
}

/// `word` lower-cased into `lower`.
fn lower_case(word: &str, lower: &mut String) {
    lower.clear();
    if word.is_ascii() {
        lower.push_str(word);
        lower.make_ascii_lowercase();
    } else {
        lower.extend(word.chars().flat_map(char::to_lowercase));
    }
}

/// The index term of a lower-cased word: the stem, or the number itself; `None` for stop
/// words, single letters and words of more than 40 characters.
fn term_of(lower: &str) -> Option<String> {
    let is_number = lower.bytes().all(|c| c.is_ascii_digit());
    if lower.chars().count() > 40
        || is_stop_word(lower)
        || (lower.chars().nth(1).is_none() && !is_number)
    {
        None
    } else if is_number {
        Some(lower.to_string())
    } else {
        Some(stem(lower))
    }
}

/// The index terms of a text, in order (for tests and tools).
pub fn terms(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut lower = String::new();
    for_each_raw_word(text, |word| {
        lower_case(word, &mut lower);
        out.extend(term_of(&lower));
    });
    out
}

#[derive(Debug, Serialize)]
struct Group {
    /// First record id of the group; the group runs to the next group's start.
    s: u32,
    j: String,
    y: &'static str,
    g: Option<String>,
}

#[derive(Debug, Serialize)]
struct Entry {
    version: u32,
    records: u32,
    groups: Vec<Group>,
    chunks: Vec<String>,
    /// Records per fragment file.
    fragments: u32,
    typen: Vec<&'static str>,
    gremien: Vec<String>,
    jahre: Vec<String>,
    max_postings: usize,
}

/// What one worker thread collects while pages render: its own vocabulary, postings and
/// excerpts. Threads never share it, so indexing takes no contended lock, and a word
/// already seen costs one hash lookup.
#[derive(Default)]
struct Local {
    /// Word as written → term number (`None`: not indexed). Words repeat (Zipf), so most
    /// words cost one lookup and are never lower-cased or stemmed.
    words: HashMap<Box<str>, Option<u32>, FxBuild>,
    /// Term → term number, for words not (or no longer) in `words`.
    numbers: HashMap<Box<str>, u32, FxBuild>,
    terms: Vec<Box<str>>,
    /// Per term number: (record id, term frequency) in the order records were added.
    postings: Vec<Postings>,
    excerpts: Vec<(u32, Box<str>)>,
    lower: String,
}

impl Local {
    /// Counts the terms of `sources` (text, weight) for record `id`; returns the record's
    /// length in weighted terms.
    fn count(&mut self, id: u32, sources: [(&str, u16); 2]) -> u32 {
        let Local {
            words,
            numbers,
            terms,
            postings,
            lower,
            ..
        } = self;
        let mut length = 0u32;
        for (source, boost) in sources {
            for_each_raw_word(source, |word| {
                let number = match words.get(word) {
                    Some(number) => *number,
                    None => {
                        lower_case(word, lower);
                        let number = term_of(lower).map(|term| {
                            *numbers
                                .entry(term.into_boxed_str())
                                .or_insert_with_key(|term| {
                                    terms.push(term.clone());
                                    postings.push(Vec::new());
                                    (terms.len() - 1) as u32
                                })
                        });
                        // Bounds memory on huge archives; term numbers stay valid.
                        if words.len() > 1_000_000 {
                            words.clear();
                        }
                        words.insert(word.into(), number);
                        number
                    }
                };
                if let Some(number) = number {
                    let list = &mut postings[number as usize];
                    match list.last_mut() {
                        Some(last) if last.0 == id => last.1 = last.1.saturating_add(boost),
                        _ => list.push((id, boost)),
                    }
                    length += u32::from(boost);
                }
            });
        }
        length
    }
}

thread_local! {
    /// This thread's collection for the builder of the given generation.
    static LOCAL: RefCell<Option<(u64, Arc<Mutex<Local>>)>> = const { RefCell::new(None) };
}

static GENERATION: AtomicU64 = AtomicU64::new(0);

/// Collects postings while pages render in parallel, then writes the index.
pub struct IndexBuilder {
    /// Records in id order.
    records: Vec<RecordMeta>,
    lengths: Vec<AtomicU32>,
    /// Tells this builder's thread-local collections from those of an earlier build in the
    /// same process (`portal serve`).
    generation: u64,
    locals: Mutex<Vec<Arc<Mutex<Local>>>>,
}

/// (record id, term frequency) per term.
type Postings = Vec<(u32, u16)>;

/// A file of the index: path below the site root and its bytes.
/// A file of the index before compression: its path, its bytes, and the gzip level they
/// are to be compressed with (the caller compresses, so that it can skip files whose bytes
/// did not change since the last build).
pub struct IndexFile {
    pub path: String,
    pub raw: Vec<u8>,
    pub level: u32,
}

impl IndexFile {
    /// The file's bytes as written: gzip of `raw`.
    pub fn compress(raw: &[u8], level: u32) -> Vec<u8> {
        gzip_level(raw, level)
    }
}

impl IndexBuilder {
    /// Numbers the records by (Jahr desc, Typ, Gremium, Datum desc, URL). Returns the
    /// builder and, for each input record, its id.
    pub fn new(records: Vec<RecordMeta>) -> (IndexBuilder, Vec<u32>) {
        let mut order: Vec<usize> = (0..records.len()).collect();
        order.sort_by(|a, b| {
            let (x, y) = (&records[*a], &records[*b]);
            (y.year(), x.typ, &x.gremium, &y.datum_iso, &x.url).cmp(&(
                x.year(),
                y.typ,
                &y.gremium,
                &x.datum_iso,
                &y.url,
            ))
        });
        let mut ids = vec![0u32; records.len()];
        for (id, index) in order.iter().enumerate() {
            ids[*index] = id as u32;
        }
        let sorted: Vec<RecordMeta> = order.iter().map(|i| records[*i].clone()).collect();
        let count = sorted.len();
        (
            IndexBuilder {
                records: sorted,
                lengths: (0..count).map(|_| AtomicU32::new(0)).collect(),
                generation: GENERATION.fetch_add(1, Ordering::Relaxed),
                locals: Mutex::new(Vec::new()),
            },
            ids,
        )
    }

    /// This thread's collection, registered with the builder on first use.
    fn local(&self) -> Arc<Mutex<Local>> {
        LOCAL.with(|cell| {
            let mut cell = cell.borrow_mut();
            match &*cell {
                Some((generation, local)) if *generation == self.generation => Arc::clone(local),
                _ => {
                    let local = Arc::new(Mutex::new(Local::default()));
                    if let Ok(mut locals) = self.locals.lock() {
                        locals.push(Arc::clone(&local));
                    }
                    *cell = Some((self.generation, Arc::clone(&local)));
                    local
                }
            }
        })
    }

    /// Indexes the text of record `id`; the title counts three times. Its excerpt goes into
    /// the fragment files written by `finish`.
    pub fn add(&self, id: u32, text: &str) {
        let Some(meta) = self.records.get(id as usize) else {
            return;
        };
        let end = text
            .char_indices()
            .nth(FRAGMENT_CHARS)
            .map(|(i, _)| i)
            .unwrap_or(text.len());
        let local = self.local();
        let Ok(mut local) = local.lock() else {
            return;
        };
        let length = local.count(id, [(meta.titel.as_str(), 3), (text, 1)]);
        local.excerpts.push((id, text[..end].into()));
        self.lengths[id as usize].store(length, Ordering::Relaxed);
    }

    /// Encodes the dictionary into chunks, the excerpts into fragment files, and writes the
    /// entry file. The output depends only on the records, not on which thread counted what.
    pub fn finish(&self) -> Vec<IndexFile> {
        let mut locals: Vec<Local> = self
            .locals
            .lock()
            .map(|mut l| std::mem::take(&mut *l))
            .unwrap_or_default()
            .iter()
            .map(|local| {
                local
                    .lock()
                    .map(|mut l| std::mem::take(&mut *l))
                    .unwrap_or_default()
            })
            .collect();
        let lengths: Vec<u32> = self
            .lengths
            .iter()
            .map(|l| l.load(Ordering::Relaxed))
            .collect();
        let mut excerpts: Vec<Box<str>> = vec![Box::from(""); self.records.len()];
        let mut postings: Vec<(Box<str>, Postings)> = Vec::new();
        for local in &mut locals {
            for (id, excerpt) in local.excerpts.drain(..) {
                if let Some(slot) = excerpts.get_mut(id as usize) {
                    *slot = excerpt;
                }
            }
            postings.extend(
                std::mem::take(&mut local.terms)
                    .into_iter()
                    .zip(std::mem::take(&mut local.postings)),
            );
        }
        drop(locals);
        postings.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
        // Threads that met the same term: one list per term.
        let mut merged: Vec<(Box<str>, Postings)> = Vec::with_capacity(postings.len());
        for (term, list) in postings {
            match merged.last_mut() {
                Some((last, into)) if *last == term => into.extend(list),
                _ => merged.push((term, list)),
            }
        }
        let encoded: Vec<(Box<str>, Vec<u8>)> = merged
            .into_par_iter()
            .map(|(term, list)| {
                let bytes = encode_term(&term, list, &lengths);
                (term, bytes)
            })
            .collect();

        let mut chunks: Vec<String> = Vec::new();
        let mut raw_chunks: Vec<Vec<u8>> = Vec::new();
        let mut current: Vec<u8> = Vec::new();
        for (term, bytes) in encoded {
            if current.is_empty() {
                chunks.push(term.to_string());
            }
            current.extend_from_slice(&bytes);
            if closes_chunk(&term, current.len()) {
                raw_chunks.push(std::mem::take(&mut current));
            }
        }
        if !current.is_empty() {
            raw_chunks.push(current);
        }
        let mut files: Vec<IndexFile> = raw_chunks
            .into_iter()
            .zip(&chunks)
            .map(|(raw, first)| IndexFile {
                path: chunk_path(first),
                raw,
                level: 6,
            })
            .collect();
        files.par_extend(
            excerpts
                .par_chunks(FRAGMENTS_PER_FILE)
                .enumerate()
                .map(|(file, texts)| self.fragment_file(file, texts)),
        );

        let mut groups: Vec<Group> = Vec::new();
        for (id, r) in self.records.iter().enumerate() {
            let same = groups
                .last()
                .is_some_and(|g| g.j == r.year() && g.y == r.typ && g.g == r.gremium);
            if !same {
                groups.push(Group {
                    s: id as u32,
                    j: r.year().to_string(),
                    y: r.typ,
                    g: r.gremium.clone(),
                });
            }
        }
        let mut gremien: Vec<String> = self
            .records
            .iter()
            .filter_map(|r| r.gremium.clone())
            .collect();
        gremien.sort();
        gremien.dedup();
        let mut jahre: Vec<String> = self.records.iter().map(|r| r.year().to_string()).collect();
        jahre.sort();
        jahre.dedup();
        jahre.reverse();
        let entry = Entry {
            version: 3,
            records: self.records.len() as u32,
            groups,
            chunks,
            fragments: FRAGMENTS_PER_FILE as u32,
            typen: vec!["Sitzung", "Vorlage", "Anlage"],
            gremien,
            jahre,
            max_postings: MAX_POSTINGS,
        };
        let json = serde_json::to_vec(&entry).unwrap_or_default();
        files.push(IndexFile {
            path: "suche/index.bin".to_string(),
            raw: json,
            level: 6,
        });
        files
    }

    /// Fragment file number `file`: a JSON array with URL, title, type, date, Gremium and
    /// excerpt of its records.
    fn fragment_file(&self, file: usize, texts: &[Box<str>]) -> IndexFile {
        // Written field by field: `#[serde(flatten)]` would go through a slow generic map.
        #[derive(Serialize)]
        struct Fragment<'a> {
            u: &'a str,
            t: &'a str,
            y: &'a str,
            d: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            g: Option<&'a str>,
            x: &'a str,
        }
        let first = file * FRAGMENTS_PER_FILE;
        let fragments: Vec<Fragment> = texts
            .iter()
            .zip(&self.records[first..])
            .map(|(text, meta)| Fragment {
                u: &meta.url,
                t: &meta.titel,
                y: meta.typ,
                d: &meta.datum,
                g: meta.gremium.as_deref(),
                x: text,
            })
            .collect();
        let json = serde_json::to_vec(&fragments).unwrap_or_default();
        // Level 2: the excerpts are most of the index's bytes to compress, and level 6 would
        // make them only ~6 % smaller for more than twice the time.
        IndexFile {
            path: fragment_path(file),
            raw: json,
            level: 2,
        }
    }
}

/// The weight of a term in a record: the term-frequency part of BM25 (k1 = 1.2, b = 0.75)
/// against `REFERENCE_LENGTH`, in hundredths (1..=220). The browser multiplies it by the
/// term's inverse document frequency, computed from the document frequency in the chunk and
/// the record count in the entry file.
pub fn weight(tf: u16, length: u32) -> u8 {
    let tf = f64::from(tf);
    let norm = 1.2 * (0.25 + 0.75 * f64::from(length.max(1)) / REFERENCE_LENGTH);
    (tf * 2.2 / (tf + norm) * 100.0).round().clamp(1.0, 255.0) as u8
}

/// Whether a chunk that holds `size` bytes closes after `term` (see `MIN_CHUNK_BYTES`).
fn closes_chunk(term: &str, size: usize) -> bool {
    let spread = std::hash::BuildHasher::hash_one(&FxBuild::default(), term) % CHUNK_SPREAD == 0;
    size >= MAX_CHUNK_BYTES || (size >= MIN_CHUNK_BYTES && spread)
}

/// A chunk's file is named after its first term (hex of the UTF-8 bytes), so it keeps its
/// name, and its bytes, when other parts of the dictionary change.
pub fn chunk_path(first_term: &str) -> String {
    let mut path = String::with_capacity(13 + first_term.len() * 2);
    path.push_str("suche/i/");
    for byte in first_term.bytes() {
        path.push_str(&format!("{byte:02x}"));
    }
    path.push_str(".bin");
    path
}

/// One term's dictionary entry: the term, its document frequency (and whether its postings
/// were cut to `MAX_POSTINGS`), the record ids delta-encoded and their weights.
fn encode_term(term: &str, mut list: Postings, lengths: &[u32]) -> Vec<u8> {
    list.sort_unstable_by_key(|p| p.0);
    let df = list.len();
    let mut weighted: Vec<(u32, u8)> = list
        .iter()
        .map(|(id, tf)| {
            (
                *id,
                weight(*tf, lengths.get(*id as usize).copied().unwrap_or(1)),
            )
        })
        .collect();
    let truncated = weighted.len() > MAX_POSTINGS;
    if truncated {
        weighted.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        weighted.truncate(MAX_POSTINGS);
        weighted.sort_by_key(|p| p.0);
    }
    let mut out = Vec::with_capacity(term.len() + 8 + weighted.len() * 3);
    varint(&mut out, term.len() as u64);
    out.extend_from_slice(term.as_bytes());
    varint(&mut out, ((df as u64) << 1) | u64::from(truncated));
    varint(&mut out, weighted.len() as u64);
    let mut last = 0u32;
    for (id, _) in &weighted {
        varint(&mut out, u64::from(id - last));
        last = *id;
    }
    out.extend(weighted.iter().map(|(_, w)| *w));
    out
}

/// Fragment file number `file` holds records `file * FRAGMENTS_PER_FILE ..`.
pub fn fragment_path(file: usize) -> String {
    format!("suche/f/{}/{file}.bin", file / 1000)
}

fn varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8 & 0x7f) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// gzip with a fixed header (no timestamp, no name), so output is byte-identical.
fn gzip_level(bytes: &[u8], level: u32) -> Vec<u8> {
    let mut encoder = GzEncoder::new(
        Vec::with_capacity(bytes.len() / 3 + 32),
        Compression::new(level),
    );
    if encoder.write_all(bytes).is_err() {
        return Vec::new();
    }
    encoder.finish().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_are_stemmed_without_stop_words() {
        let t: Vec<String> = terms("Hilfe für Obdachlose mit Hunden, 2021");
        assert_eq!(t, vec!["hilf", "obdachlos", "hund", "2021"]);
    }

    #[test]
    fn weights_depend_on_the_record_alone_and_saturate() {
        assert!(weight(1, 300) < weight(3, 300));
        assert!(weight(3, 300) > weight(3, 3000));
        assert!(weight(u16::MAX, 1) <= 220);
        assert_eq!(weight(1, 300), 100);
    }

    #[test]
    fn chunk_files_are_named_after_their_first_term() {
        assert_eq!(chunk_path("hund"), "suche/i/68756e64.bin");
        assert_eq!(chunk_path("ä"), "suche/i/c3a4.bin");
    }

    #[test]
    fn varints() {
        let mut out = Vec::new();
        varint(&mut out, 1);
        varint(&mut out, 300);
        assert_eq!(out, vec![1, 0xac, 0x02]);
    }
}
