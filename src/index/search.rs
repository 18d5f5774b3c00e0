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
use std::collections::{BTreeSet, HashMap, HashSet};
use std::hash::{BuildHasher, BuildHasherDefault, Hash, Hasher};
use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use flate2::write::GzEncoder;
use flate2::Compression;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::state::{self, ChunkSummary, TermCut};
pub use super::state::{IndexState, PreviousIndex};
use super::stem::stem;
use crate::model::Date;

/// Terms in more records than this keep only their best postings and are optional in
/// queries with other words (like a stop word), so no chunk grows with the archive.
pub const MAX_POSTINGS: usize = 20_000;
/// Postings just below the cut of a truncated term that the index state keeps, so that a
/// patch can promote one when an edit drops a kept record (see `state`).
pub const RUNNER_UPS: usize = 256;
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
pub(super) const FRAGMENTS_PER_FILE: usize = 8;

const STOP_WORDS: &[&str] = &[
    "aber", "als", "am", "an", "auch", "auf", "aus", "bei", "bis", "das", "dass", "daß", "dem",
    "den", "der", "des", "die", "dies", "diese", "dieser", "dieses", "durch", "ein", "eine",
    "einem", "einen", "einer", "eines", "er", "es", "für", "hat", "im", "in", "ist", "mit", "nach",
    "nicht", "noch", "nur", "oder", "sich", "sie", "sind", "so", "um", "und", "vom", "von", "vor",
    "war", "wird", "werden", "wie", "zu", "zum", "zur",
];

/// What a search result shows and how it can be filtered. Built for every record on every
/// build, so it holds only two strings of its own: the date stays a `Date` and the Gremium
/// name is shared.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RecordMeta {
    /// Site path, with `#anchor` for a section of a Protokoll.
    pub url: String,
    pub titel: String,
    /// `Vorlage`, `Sitzung` or `Anlage`.
    pub typ: &'static str,
    /// For sorting, the year filter and the date shown.
    pub datum: Option<Date>,
    pub gremium: Option<Arc<str>>,
}

impl RecordMeta {
    /// The year as the year filter shows it (four digits), empty without a date.
    fn year(&self) -> String {
        self.datum
            .map(|d| format!("{:04}", d.year))
            .unwrap_or_default()
    }
}

/// How many postings a term keeps in the index, and how many of the next best ones the
/// index state remembers. Only tests choose other numbers than the constants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    pub max_postings: usize,
    pub runner_ups: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_postings: MAX_POSTINGS,
            runner_ups: RUNNER_UPS,
        }
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
        // Whole words first (a load each), then the rest zero-padded: the same values as
        // padding every chunk, at a fraction of the cost on long inputs (page contents,
        // index state shards).
        let mut words = bytes.chunks_exact(8);
        for chunk in &mut words {
            let word = u64::from_le_bytes(<[u8; 8]>::try_from(chunk).unwrap_or_default());
            self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word))
                .wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
    /// The same value as `write(&[i])`, without the loop (every `str` hashed ends with one).
    fn write_u8(&mut self, i: u8) {
        self.0 = (self.0.rotate_left(5) ^ u64::from(i)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
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
pub(super) struct Local {
    /// Word as written → term number (`None`: not indexed). Words repeat (Zipf), so most
    /// words cost one lookup and are never lower-cased or stemmed.
    words: HashMap<Box<str>, Option<u32>, FxBuild>,
    /// Term → term number, for words not (or no longer) in `words`.
    numbers: HashMap<Box<str>, u32, FxBuild>,
    pub(super) terms: Vec<Box<str>>,
    /// Per term number: (record id, term frequency) in the order records were added.
    pub(super) postings: Vec<Postings>,
    pub(super) excerpts: Vec<(u32, Box<str>)>,
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

/// The hash of what decides the records' ids, taken in id order (`order[id]` is the
/// record's index in `records`): hashed in parallel, in runs of a fixed length so that the
/// result does not depend on the number of threads.
fn identity_of(records: &[RecordMeta], order: &[usize]) -> u64 {
    let runs: Vec<u64> = order
        .par_chunks(4096)
        .map(|run| {
            let mut hasher = FxBuild::default().build_hasher();
            for i in run {
                let r = &records[*i];
                (r.typ, &r.gremium, &r.datum, &r.url).hash(&mut hasher);
            }
            hasher.finish()
        })
        .collect();
    let mut hasher = FxBuild::default().build_hasher();
    records.len().hash(&mut hasher);
    runs.hash(&mut hasher);
    hasher.finish()
}

thread_local! {
    /// This thread's collection for the builder of the given generation.
    static LOCAL: RefCell<Option<(u64, Arc<Mutex<Local>>)>> = const { RefCell::new(None) };
}

static GENERATION: AtomicU64 = AtomicU64::new(0);

/// Collects postings while pages render in parallel, then writes the index.
pub struct IndexBuilder {
    /// Records in id order.
    pub(super) records: Vec<RecordMeta>,
    pub(super) lengths: Vec<AtomicU32>,
    /// Which records were added: a rebuild that patches the index adds only some.
    pub(super) added: Vec<AtomicBool>,
    /// The hash of what decides the records' ids (`identity`).
    identity: u64,
    /// Tells this builder's thread-local collections from those of an earlier build in the
    /// same process (`portal serve`).
    generation: u64,
    pub(super) locals: Mutex<Vec<Arc<Mutex<Local>>>>,
    pub(super) limits: Limits,
}

/// (record id, term frequency) per term.
pub(super) type Postings = Vec<(u32, u16)>;
/// A term and its postings.
pub(super) type TermPostings = (Box<str>, Postings);

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
        // Every build numbers every record, a rebuild that renders a handful of pages
        // included. Year, type, Gremium (by its rank among the names) and date are packed
        // into one integer per record, so that the sort compares integers in one array and
        // reads the URLs only to order records of one Sitzung (same date).
        // A dozen Gremien and three types among 235,000 records: distinct names first
        // (sorting every record's name cost more than numbering the records).
        // Collected in parallel: a rebuild after one edit waits for this.
        let (gremien, typen) = records
            .par_iter()
            .fold(
                || (HashSet::<&str, FxBuild>::default(), BTreeSet::<&str>::new()),
                |(mut gremien, mut typen), r| {
                    if let Some(g) = r.gremium.as_deref() {
                        gremien.insert(g);
                    }
                    typen.insert(r.typ);
                    (gremien, typen)
                },
            )
            .reduce(
                || (HashSet::default(), BTreeSet::new()),
                |(mut gremien, mut typen), (other_gremien, other_typen)| {
                    gremien.extend(other_gremien);
                    typen.extend(other_typen);
                    (gremien, typen)
                },
            );
        let gremien: Vec<&str> = gremien
            .into_iter()
            .collect::<BTreeSet<&str>>()
            .into_iter()
            .collect();
        let typen: Vec<&str> = typen.into_iter().collect();
        // Year and YYYYMMDD as numbers; four-digit years, as the filter shows them.
        let year_of = |d: &Date| u128::try_from(d.year.clamp(0, 9999)).unwrap_or(0);
        let day_of = |d: &Date| year_of(d) * 10_000 + u128::from(d.month * 100 + d.day);
        let mut keyed: Vec<(u128, u32)> = records
            .par_iter()
            .enumerate()
            .map(|(i, r)| {
                let gremium = match &r.gremium {
                    None => 0,
                    Some(g) => 1 + gremien.binary_search(&&**g).unwrap_or(0) as u128,
                };
                let typ = typen.binary_search(&r.typ).unwrap_or(0) as u128;
                // Newest year and date first: both descending. An empty date sorts last.
                let year = u128::from(u16::MAX) - r.datum.as_ref().map_or(0, year_of);
                let date = u128::from(u32::MAX) - r.datum.as_ref().map_or(0, day_of);
                let key = (year << 96) | (typ << 88) | (gremium << 40) | date;
                (key, i as u32)
            })
            .collect();
        keyed.par_sort_unstable_by(|(x, a), (y, b)| {
            x.cmp(y)
                .then_with(|| records[*a as usize].url.cmp(&records[*b as usize].url))
                // Equal keys (never in a site: URLs are unique) keep their input order.
                .then_with(|| a.cmp(b))
        });
        let order: Vec<usize> = keyed.into_iter().map(|(_, i)| i as usize).collect();
        let mut ids = vec![0u32; records.len()];
        for (id, index) in order.iter().enumerate() {
            ids[*index] = id as u32;
        }
        let identity = identity_of(&records, &order);
        let mut sorted = records;
        crate::order::permute(&mut sorted, &order);
        let count = sorted.len();
        (
            IndexBuilder {
                records: sorted,
                identity,
                lengths: (0..count).map(|_| AtomicU32::new(0)).collect(),
                added: (0..count).map(|_| AtomicBool::new(false)).collect(),
                generation: GENERATION.fetch_add(1, Ordering::Relaxed),
                locals: Mutex::new(Vec::new()),
                limits: Limits::default(),
            },
            ids,
        )
    }

    /// The builder with other truncation limits (tests exercise truncation with tiny ones).
    pub fn with_limits(mut self, limits: Limits) -> IndexBuilder {
        self.limits = limits;
        self
    }

    /// Whether record `id` was added (its text indexed) in this build.
    pub fn is_added(&self, id: u32) -> bool {
        self.added
            .get(id as usize)
            .is_some_and(|a| a.load(Ordering::Relaxed))
    }

    /// Whether every record was added: then `finish` builds the whole index.
    pub fn all_added(&self) -> bool {
        self.added.iter().all(|a| a.load(Ordering::Relaxed))
    }

    /// The hash of what decides the records' ids, in id order: the state of a previous
    /// build fits this one only if it is the same (ids would shift otherwise).
    pub(super) fn identity(&self) -> u64 {
        self.identity
    }

    /// A hash of every record's `RecordMeta`, in id order.
    pub(super) fn meta_hashes(&self) -> Vec<u64> {
        self.records
            .par_iter()
            .map(|r| FxBuild::default().hash_one(r))
            .collect()
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
    /// the fragment files written by `finish`. A record added a second time is ignored: its
    /// terms would count twice.
    pub fn add(&self, id: u32, text: &str) {
        let Some(meta) = self.records.get(id as usize) else {
            return;
        };
        if self.added[id as usize].swap(true, Ordering::Relaxed) {
            return;
        }
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
    /// Also returns what the next build needs to patch the index instead (`finish_patched`).
    pub fn finish(&self) -> (Vec<IndexFile>, IndexState) {
        let (mut merged, excerpts) = self.take_collected();
        merged
            .par_iter_mut()
            .for_each(|(_, list)| list.sort_unstable_by_key(|p| p.0));
        // Before the postings are encoded (and dropped): each record's terms, so that a
        // patch finds an edited record's old postings without reading the whole index.
        let forward = state::forward_shards(&merged, self.records.len());
        let lengths = self.lengths();
        let limits = self.limits;
        let encoded: Vec<(Box<str>, Vec<u8>, Option<TermCut>)> = merged
            .into_par_iter()
            .enumerate()
            .map(|(number, (term, list))| {
                let cut = cut_postings(weigh(&list, &lengths), limits);
                let bytes = encode_entry(&term, cut.df, &cut.kept);
                let term_cut = cut.is_truncated().then_some(TermCut {
                    term: number as u32,
                    df: cut.df,
                    runner_ups: cut.runner_ups,
                });
                (term, bytes, term_cut)
            })
            .collect();

        let mut chunker = Chunker::default();
        for (term, bytes, _) in &encoded {
            chunker.push(term, bytes);
        }
        let chunks = chunker.finish();
        let mut terms = Vec::with_capacity(encoded.len());
        let mut cuts = Vec::new();
        for (term, _, cut) in encoded {
            terms.push(String::from(term));
            cuts.extend(cut);
        }
        let chunk_summaries: Vec<ChunkSummary> = chunks
            .par_iter()
            .map(|chunk| ChunkSummary {
                first: chunk.first.clone(),
                raw_hash: state::hash_bytes(&chunk.raw),
            })
            .collect();
        let entry = self.entry_file(chunks.iter().map(|c| c.first.clone()).collect());
        let mut files: Vec<IndexFile> = chunks.into_iter().map(NewChunk::into_file).collect();
        files.par_extend(
            excerpts
                .par_chunks(FRAGMENTS_PER_FILE)
                .enumerate()
                .map(|(file, texts)| self.fragment_file(file, texts)),
        );
        files.push(entry);
        let state = IndexState::full(self, terms, chunk_summaries, cuts, forward);
        (files, state)
    }

    /// Takes the threads' collections: the postings merged by term (sorted by term, each
    /// list in no particular order) and the excerpts by record id.
    fn take_collected(&self) -> (Vec<TermPostings>, Vec<Box<str>>) {
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
        (merged, excerpts)
    }

    /// Each record's length in weighted terms (0 for records not added).
    pub(super) fn lengths(&self) -> Vec<u32> {
        self.lengths
            .iter()
            .map(|l| l.load(Ordering::Relaxed))
            .collect()
    }

    /// `suche/index.bin`: record count, groups, chunk list and filter values.
    pub(super) fn entry_file(&self, chunks: Vec<String>) -> IndexFile {
        let mut groups: Vec<Group> = Vec::new();
        let mut last: Option<(Option<i32>, &str, Option<&str>)> = None;
        for (id, r) in self.records.iter().enumerate() {
            let key = (r.datum.map(|d| d.year), r.typ, r.gremium.as_deref());
            if last != Some(key) {
                last = Some(key);
                groups.push(Group {
                    s: id as u32,
                    j: r.year(),
                    y: r.typ,
                    g: r.gremium.as_deref().map(String::from),
                });
            }
        }
        // From the groups, not the records: a patch makes the entry file again, and cloning
        // and sorting 235,000 names took most of its time.
        let gremien: Vec<String> = {
            let set: BTreeSet<&str> = groups.iter().filter_map(|g| g.g.as_deref()).collect();
            set.into_iter().map(String::from).collect()
        };
        let jahre: Vec<String> = {
            let set: BTreeSet<&str> = groups.iter().map(|g| g.j.as_str()).collect();
            set.into_iter().rev().map(String::from).collect()
        };
        let entry = Entry {
            version: 3,
            records: self.records.len() as u32,
            groups,
            chunks,
            fragments: FRAGMENTS_PER_FILE as u32,
            typen: vec!["Sitzung", "Vorlage", "Anlage"],
            gremien,
            jahre,
            max_postings: self.limits.max_postings,
        };
        IndexFile {
            path: ENTRY_PATH.to_string(),
            raw: serde_json::to_vec(&entry).unwrap_or_default(),
            level: 6,
        }
    }

    /// Fragment file number `file`: a JSON array with URL, title, type, date, Gremium and
    /// excerpt of its records.
    pub(super) fn fragment_file(&self, file: usize, texts: &[Box<str>]) -> IndexFile {
        // Written field by field: `#[serde(flatten)]` would go through a slow generic map.
        #[derive(Serialize)]
        struct Fragment<'a> {
            u: &'a str,
            t: &'a str,
            y: &'a str,
            d: String,
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
                d: meta.datum.map(|d| d.german()).unwrap_or_default(),
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
/// the record count in the entry file. The length counts in steps (`length_step`).
pub fn weight(tf: u16, length: u32) -> u8 {
    let tf = f64::from(tf);
    let length = length_step(length.max(1));
    let norm = 1.2 * (0.25 + 0.75 * f64::from(length) / REFERENCE_LENGTH);
    (tf * 2.2 / (tf + norm) * 100.0).round().clamp(1.0, 255.0) as u8
}

/// A record's length as its weights see it: its four highest binary digits (exact up to
/// 15, then steps of 1/16 to 1/8 of the length), as Lucene keeps document lengths in one
/// byte. Without steps, an edit that adds one word to a long record moved the weight of
/// most of its other terms by a hundredth, and a rebuild made 50-180 dictionary chunks
/// again instead of the one or two that hold the words edited; with them, that happens
/// only when the length crosses a step. The ranking changes little: BM25's length
/// normalisation is a rough correction, and a weight moves by at most a few hundredths
/// (23 instead of 21 for a term found once in a record of length 3,000).
pub(super) fn length_step(length: u32) -> u32 {
    let digits = u32::BITS - length.leading_zeros();
    let dropped = digits.saturating_sub(4);
    (length >> dropped) << dropped
}

/// Whether a chunk that holds `size` bytes closes after `term` (see `MIN_CHUNK_BYTES`).
pub(super) fn closes_chunk(term: &str, size: usize) -> bool {
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

/// A term's postings with their weights, in the order of `list`.
pub(super) fn weigh(list: &[(u32, u16)], lengths: &[u32]) -> Vec<(u32, u8)> {
    list.iter()
        .map(|(id, tf)| {
            (
                *id,
                weight(*tf, lengths.get(*id as usize).copied().unwrap_or(1)),
            )
        })
        .collect()
}

/// What of a term's postings the index keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Cut {
    /// Document frequency: in how many records the term is.
    pub df: u64,
    /// The postings written to the index, by record id: all of them, or the best
    /// `max_postings` when there are more.
    pub kept: Vec<(u32, u8)>,
    /// The next best postings below the cut, best first (at most `runner_ups`).
    pub runner_ups: Vec<(u32, u8)>,
}

impl Cut {
    pub fn is_truncated(&self) -> bool {
        (self.kept.len() as u64) < self.df
    }
}

/// The order in which a truncated term keeps its postings: higher weight first, then lower
/// record id.
pub(super) fn cut_order(posting: &(u32, u8)) -> (std::cmp::Reverse<u8>, u32) {
    (std::cmp::Reverse(posting.1), posting.0)
}

/// Cuts a term's postings (by record id) to `limits.max_postings`. Linear: the best are
/// selected, not sorted (a full sort of the 538 longest lists took a second of CPU at
/// 235,000 records), and the kept ones are filtered from `list`, so they stay by id.
pub(super) fn cut_postings(list: Vec<(u32, u8)>, limits: Limits) -> Cut {
    let df = list.len() as u64;
    if list.len() <= limits.max_postings {
        return Cut {
            df,
            kept: list,
            runner_ups: Vec::new(),
        };
    }
    let mut by_rank = list.clone();
    let (best, last_kept, rest) =
        by_rank.select_nth_unstable_by_key(limits.max_postings, cut_order);
    // `best` and `last_kept` hold the best `max_postings + 1`; the cut is above `last_kept`.
    let threshold = best.iter().map(cut_order).max();
    let mut runner_ups = Vec::with_capacity(limits.runner_ups);
    if limits.runner_ups > 0 {
        runner_ups.push(*last_kept);
        let more = limits.runner_ups - 1;
        if rest.len() > more {
            rest.select_nth_unstable_by_key(more, cut_order);
        }
        runner_ups.extend_from_slice(&rest[..more.min(rest.len())]);
        runner_ups.sort_unstable_by_key(cut_order);
    }
    let kept = list
        .into_iter()
        .filter(|p| threshold.is_some_and(|t| cut_order(p) <= t))
        .collect();
    Cut {
        df,
        kept,
        runner_ups,
    }
}

/// One term's dictionary entry: the term, its document frequency (and whether its postings
/// were cut), the kept record ids (sorted) delta-encoded and their weights. An entry is
/// self-delimiting, so a patch can split a chunk into entries again (`patch::split_entries`).
pub(super) fn encode_entry(term: &str, df: u64, kept: &[(u32, u8)]) -> Vec<u8> {
    let truncated = (kept.len() as u64) < df;
    let mut out = Vec::with_capacity(term.len() + 8 + kept.len() * 3);
    varint(&mut out, term.len() as u64);
    out.extend_from_slice(term.as_bytes());
    varint(&mut out, (df << 1) | u64::from(truncated));
    varint(&mut out, kept.len() as u64);
    let mut last = 0u32;
    for (id, _) in kept {
        varint(&mut out, u64::from(id - last));
        last = *id;
    }
    out.extend(kept.iter().map(|(_, w)| *w));
    out
}

/// A chunk of the dictionary, made in this build.
pub(super) struct NewChunk {
    pub first: String,
    pub raw: Vec<u8>,
}

impl NewChunk {
    pub fn into_file(self) -> IndexFile {
        IndexFile {
            path: chunk_path(&self.first),
            raw: self.raw,
            // Level 2: postings compress to 0.688 of their size at level 2 and to 0.687 at
            // level 6, which takes a fifth longer (all 1,064 chunks at 6,000 Sitzungen; a
            // rebuild that re-weights a record compresses a hundred of them again).
            level: 2,
        }
    }
}

/// Cuts the sorted dictionary into chunks by content (`closes_chunk`).
#[derive(Default)]
pub(super) struct Chunker {
    closed: Vec<NewChunk>,
    first: String,
    current: Vec<u8>,
}

impl Chunker {
    /// Appends the next term's entry.
    pub fn push(&mut self, term: &str, entry: &[u8]) {
        if self.current.is_empty() {
            self.first.clear();
            self.first.push_str(term);
        }
        self.current.extend_from_slice(entry);
        if closes_chunk(term, self.current.len()) {
            self.close();
        }
    }

    fn close(&mut self) {
        self.closed.push(NewChunk {
            first: std::mem::take(&mut self.first),
            raw: std::mem::take(&mut self.current),
        });
    }

    /// Whether the next term starts a chunk.
    pub fn at_chunk_start(&self) -> bool {
        self.current.is_empty()
    }

    /// The chunks closed so far.
    pub fn take_closed(&mut self) -> Vec<NewChunk> {
        std::mem::take(&mut self.closed)
    }

    /// Every chunk, the last one closed by the end of the dictionary.
    pub fn finish(mut self) -> Vec<NewChunk> {
        if !self.current.is_empty() {
            self.close();
        }
        self.closed
    }
}

/// The entry file of the index.
pub(super) const ENTRY_PATH: &str = "suche/index.bin";

/// Fragment file number `file` holds records `file * FRAGMENTS_PER_FILE ..`.
pub fn fragment_path(file: usize) -> String {
    format!("suche/f/{}/{file}.bin", file / 1000)
}

pub(super) fn varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8 & 0x7f) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// gzip with a fixed header (no timestamp, no name), so output is byte-identical.
pub(super) fn gzip_level(bytes: &[u8], level: u32) -> Vec<u8> {
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
        // 300 counts as 288 (binary 100101100 → 100100000).
        assert_eq!(weight(1, 288), 102);
        assert_eq!(weight(1, 300), 102);
        // 3,000 counts as 2,816: 23 instead of 21.
        assert_eq!(weight(1, 3000), 23);
    }

    #[test]
    fn lengths_count_in_steps_of_at_most_an_eighth() {
        for length in 0..16 {
            assert_eq!(length_step(length), length);
        }
        assert_eq!(length_step(16), 16);
        assert_eq!(length_step(17), 16);
        assert_eq!(length_step(18), 18);
        assert_eq!(length_step(1023), 960);
        assert_eq!(length_step(1024), 1024);
        assert_eq!(length_step(u32::MAX), 0xF000_0000);
        let mut previous = 0;
        for length in 1..100_000u32 {
            let step = length_step(length);
            assert!(
                step <= length && length - step <= length / 8,
                "{length} → {step}"
            );
            assert!(step >= previous, "steps never go down");
            previous = step;
        }
        // A word more in a long record usually leaves every weight as it was.
        let same = (600..700u32)
            .filter(|l| (1..5).all(|tf| weight(tf, *l) == weight(tf, l + 3)))
            .count();
        assert!(same > 90, "{same} of 100");
    }

    #[test]
    fn chunk_files_are_named_after_their_first_term() {
        assert_eq!(chunk_path("hund"), "suche/i/68756e64.bin");
        assert_eq!(chunk_path("ä"), "suche/i/c3a4.bin");
    }

    #[test]
    fn cut_keeps_the_best_by_id_and_the_next_best_in_order() {
        let limits = Limits {
            max_postings: 3,
            runner_ups: 2,
        };
        let list = vec![
            (1, 50),
            (2, 90),
            (3, 70),
            (4, 90),
            (5, 10),
            (6, 70),
            (7, 60),
        ];
        let cut = cut_postings(list.clone(), limits);
        assert_eq!(cut.df, 7);
        assert_eq!(cut.kept, vec![(2, 90), (3, 70), (4, 90)]);
        assert_eq!(cut.runner_ups, vec![(6, 70), (7, 60)]);
        let none = cut_postings(
            list.clone(),
            Limits {
                runner_ups: 0,
                ..limits
            },
        );
        assert_eq!((none.kept, none.runner_ups), (cut.kept.clone(), vec![]));
        let all = cut_postings(
            list.clone(),
            Limits {
                runner_ups: 10,
                ..limits
            },
        );
        assert_eq!(all.runner_ups, vec![(6, 70), (7, 60), (1, 50), (5, 10)]);
        assert_eq!(
            cut_postings(
                list.clone(),
                Limits {
                    max_postings: 7,
                    ..limits
                }
            )
            .kept,
            list
        );
    }

    #[test]
    fn records_are_numbered_by_year_type_gremium_date_and_url() {
        let mut records = Vec::new();
        for (n, (date, typ, gremium)) in [
            ("2021-02-25", "Sitzung", Some("Rat")),
            ("2021-02-25", "Sitzung", Some("Ausschuss")),
            ("2020-12-01", "Vorlage", None),
            ("", "Vorlage", Some("Rat")),
            ("2021-03-01", "Anlage", Some("Rat")),
            ("2021-02-25", "Sitzung", Some("Rat")),
            ("2019-01-01", "Vorlage", Some("Rat")),
            ("2021-11-30", "Vorlage", Some("Ausschuss")),
        ]
        .into_iter()
        .enumerate()
        {
            records.push(RecordMeta {
                url: format!("seite-{}/", 7 - n),
                titel: String::new(),
                typ,
                datum: Date::parse_iso(date).ok(),
                gremium: gremium.map(Arc::from),
            });
        }
        // The order as first written: one tuple comparison per pair.
        let mut expected: Vec<usize> = (0..records.len()).collect();
        expected.sort_by(|a, b| {
            let (x, y) = (&records[*a], &records[*b]);
            (y.year(), x.typ, &x.gremium, &y.datum, &x.url).cmp(&(
                x.year(),
                y.typ,
                &y.gremium,
                &x.datum,
                &y.url,
            ))
        });
        let (_, ids) = IndexBuilder::new(records);
        let mut order: Vec<usize> = (0..ids.len()).collect();
        order.sort_by_key(|i| ids[*i]);
        assert_eq!(order, expected);
    }

    #[test]
    fn fx_hash_values_are_stable() {
        // Caches and manifests on disk hold these values: a faster `write` must not change
        // them (the reference pads every 8-byte chunk, as the first version did).
        let reference = |bytes: &[u8]| {
            let mut h = 0u64;
            for chunk in bytes.chunks(8) {
                let mut word = [0u8; 8];
                word[..chunk.len()].copy_from_slice(chunk);
                h = (h.rotate_left(5) ^ u64::from_le_bytes(word))
                    .wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
            }
            h
        };
        let bytes: Vec<u8> = (0..100u8).collect();
        for len in 0..bytes.len() {
            let mut hasher = FxHasher::default();
            hasher.write(&bytes[..len]);
            assert_eq!(hasher.finish(), reference(&bytes[..len]), "length {len}");
        }
        let mut hasher = FxHasher::default();
        hasher.write_u8(7);
        assert_eq!(hasher.finish(), reference(&[7]));
    }

    #[test]
    fn varints() {
        let mut out = Vec::new();
        varint(&mut out, 1);
        varint(&mut out, 300);
        assert_eq!(out, vec![1, 0xac, 0x02]);
    }
}
