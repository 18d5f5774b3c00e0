//! The full-text search index: prefix-chunked, compressed, German-stemmed, built in the
//! same pass that renders the pages.
//!
//! Layout of `suche/` in the output (all `.bin` files are gzip; the browser decompresses
//! them with `DecompressionStream`):
//! - `index.bin` — JSON: record count, the id ranges of each (Jahr, Typ, Gremium) group
//!   (records are numbered in that order, so filters are range checks), the first term of
//!   every chunk, and the filter values.
//! - `i/<n>.bin` — a chunk of the sorted term dictionary with postings: for each term its
//!   document frequency and (record id, weight) pairs, ids delta-encoded as varints.
//! - `f/<id / 1000>/<id>.bin` — JSON of one record: URL, title, type, date, Gremium and
//!   text for the excerpt, fetched only for the results shown.
//!
//! A query therefore downloads the small entry file, one chunk per query word and one
//! fragment per result shown, whatever the size of the archive.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use flate2::write::GzEncoder;
use flate2::Compression;
use serde::Serialize;

use super::stem::stem;

/// Terms in more records than this keep only their best postings and are optional in
/// queries with other words (like a stop word), so no chunk grows with the archive.
pub const MAX_POSTINGS: usize = 20_000;
/// Uncompressed size at which a chunk of the dictionary is closed.
const CHUNK_BYTES: usize = 48 * 1024;
/// Characters of text kept per record for excerpts.
const FRAGMENT_CHARS: usize = 2_000;

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

thread_local! {
    /// Words repeat (Zipf): each worker thread remembers the terms it computed, shared as
    /// `Arc<str>` so counting a word allocates nothing.
    static TERMS: RefCell<HashMap<String, Option<Arc<str>>, FxBuild>> = RefCell::new(HashMap::default());
    static LOWER: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Calls `f` with the index term of every word of `text`: the stem, or the number itself;
/// stop words and single letters are skipped.
pub fn for_each_term(text: &str, mut f: impl FnMut(&Arc<str>)) {
    TERMS.with(|cache| {
        LOWER.with(|lower| {
            let mut cache = cache.borrow_mut();
            let mut lower = lower.borrow_mut();
            for word in text.split(|c: char| !c.is_alphanumeric()) {
                if word.is_empty() || word.len() > 160 {
                    continue;
                }
                lower.clear();
                if word.is_ascii() {
                    lower.push_str(word);
                    lower.make_ascii_lowercase();
                } else {
                    lower.extend(word.chars().flat_map(char::to_lowercase));
                }
                if let Some(term) = cache.get(lower.as_str()) {
                    if let Some(term) = term {
                        f(term);
                    }
                    continue;
                }
                let is_number = lower.bytes().all(|c| c.is_ascii_digit());
                let term: Option<Arc<str>> = if lower.chars().count() > 40
                    || is_stop_word(&lower)
                    || (lower.chars().nth(1).is_none() && !is_number)
                {
                    None
                } else if is_number {
                    Some(Arc::from(lower.as_str()))
                } else {
                    Some(Arc::from(stem(&lower)))
                };
                if cache.len() > 1_000_000 {
                    cache.clear();
                }
                if let Some(t) = &term {
                    f(t);
                }
                cache.insert(lower.clone(), term);
            }
        })
    })
}

/// The index terms of a text, as strings (for tests and tools).
pub fn terms(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for_each_term(text, |t| out.push(t.to_string()));
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
    typen: Vec<&'static str>,
    gremien: Vec<String>,
    jahre: Vec<String>,
    max_postings: usize,
}

/// Collects postings while pages render in parallel, then writes the index.
pub struct IndexBuilder {
    /// Records in id order.
    records: Vec<RecordMeta>,
    lengths: Mutex<Vec<u32>>,
    /// Sharded by term hash so that parallel pages rarely wait for each other.
    postings: Vec<Mutex<PostingMap>>,
}

const SHARDS: usize = 32;

/// (record id, term frequency) per term.
type Postings = Vec<(u32, u16)>;
type PostingMap = HashMap<Arc<str>, Postings, FxBuild>;

/// A file of the index: path below the site root and its bytes.
pub type IndexFile = (String, Vec<u8>);

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
                lengths: Mutex::new(vec![0; count]),
                postings: (0..SHARDS)
                    .map(|_| Mutex::new(HashMap::default()))
                    .collect(),
            },
            ids,
        )
    }

    /// Indexes the text of record `id`; the title counts three times. Returns the fragment
    /// file to write for it.
    pub fn add(&self, id: u32, text: &str) -> IndexFile {
        let meta = &self.records[id as usize];
        // The per-thread term cache hands out one `Arc` per term, so within this call a
        // term is identified by its address: counting needs no string hashing.
        let mut counts: HashMap<usize, (Arc<str>, u16), FxBuild> = HashMap::default();
        let mut length = 0u32;
        for (source, boost) in [(meta.titel.as_str(), 3u16), (text, 1u16)] {
            for_each_term(source, |term| {
                let entry = counts
                    .entry(Arc::as_ptr(term) as *const u8 as usize)
                    .or_insert_with(|| (Arc::clone(term), 0));
                entry.1 = entry.1.saturating_add(boost);
                length += u32::from(boost);
            });
        }
        if let Ok(mut lengths) = self.lengths.lock() {
            lengths[id as usize] = length;
        }
        let mut by_shard: Vec<Vec<(Arc<str>, u16)>> = vec![Vec::new(); SHARDS];
        for (_, (term, tf)) in counts {
            let shard = FxBuild::default().hash_one(&*term) as usize % SHARDS;
            by_shard[shard].push((term, tf));
        }
        for (shard, terms) in self.postings.iter().zip(by_shard) {
            if terms.is_empty() {
                continue;
            }
            if let Ok(mut postings) = shard.lock() {
                for (term, tf) in terms {
                    postings.entry(term).or_default().push((id, tf));
                }
            }
        }
        let end = text
            .char_indices()
            .nth(FRAGMENT_CHARS)
            .map(|(i, _)| i)
            .unwrap_or(text.len());
        let excerpt = &text[..end];
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
        let fragment = Fragment {
            u: &meta.url,
            t: &meta.titel,
            y: meta.typ,
            d: &meta.datum,
            g: meta.gremium.as_deref(),
            x: excerpt,
        };
        let json = serde_json::to_vec(&fragment).unwrap_or_default();
        (fragment_path(id), gzip_level(&json, 1))
    }

    pub fn record_count(&self) -> usize {
        self.records.len()
    }

    /// Encodes the dictionary into chunks and writes the entry file.
    pub fn finish(&self) -> Vec<IndexFile> {
        let lengths = self
            .lengths
            .lock()
            .map(|mut l| std::mem::take(&mut *l))
            .unwrap_or_default();
        let mut postings: Vec<(Arc<str>, Postings)> = self
            .postings
            .iter()
            .flat_map(|shard| {
                shard
                    .lock()
                    .map(|mut p| std::mem::take(&mut *p))
                    .unwrap_or_default()
            })
            .collect();
        postings.sort_by(|a, b| a.0.cmp(&b.0));
        let n = self.records.len().max(1) as f64;
        let average = (lengths.iter().map(|l| f64::from(*l)).sum::<f64>() / n).max(1.0);

        let mut files: Vec<IndexFile> = Vec::new();
        let mut chunks: Vec<String> = Vec::new();
        let mut current: Vec<u8> = Vec::new();
        for (term, mut list) in postings {
            list.sort_by_key(|p| p.0);
            // A record counts a term once; two entries arise only if a thread's term cache
            // was cleared while it counted that record.
            list.dedup_by(|later, earlier| {
                let same = later.0 == earlier.0;
                if same {
                    earlier.1 = earlier.1.saturating_add(later.1);
                }
                same
            });
            let df = list.len();
            let idf = ((n - df as f64 + 0.5) / (df as f64 + 0.5) + 1.0).ln();
            let mut weighted: Vec<(u32, u8)> = list
                .iter()
                .map(|(id, tf)| {
                    let tf = f64::from(*tf);
                    let len = f64::from(lengths.get(*id as usize).copied().unwrap_or(1));
                    let bm25 = idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * len / average));
                    (*id, (bm25 * 16.0).round().clamp(1.0, 255.0) as u8)
                })
                .collect();
            let truncated = weighted.len() > MAX_POSTINGS;
            if truncated {
                weighted.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
                weighted.truncate(MAX_POSTINGS);
                weighted.sort_by_key(|p| p.0);
            }
            if current.is_empty() {
                chunks.push(term.to_string());
            }
            varint(&mut current, term.len() as u64);
            current.extend_from_slice(term.as_bytes());
            varint(&mut current, ((df as u64) << 1) | u64::from(truncated));
            varint(&mut current, weighted.len() as u64);
            let mut last = 0u32;
            for (id, _) in &weighted {
                varint(&mut current, u64::from(id - last));
                last = *id;
            }
            current.extend(weighted.iter().map(|(_, w)| *w));
            if current.len() >= CHUNK_BYTES {
                files.push((format!("suche/i/{}.bin", chunks.len() - 1), gzip(&current)));
                current.clear();
            }
        }
        if !current.is_empty() {
            files.push((format!("suche/i/{}.bin", chunks.len() - 1), gzip(&current)));
        }

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
            version: 1,
            records: self.records.len() as u32,
            groups,
            chunks,
            typen: vec!["Sitzung", "Vorlage", "Anlage"],
            gremien,
            jahre,
            max_postings: MAX_POSTINGS,
        };
        let json = serde_json::to_vec(&entry).unwrap_or_default();
        files.push(("suche/index.bin".to_string(), gzip(&json)));
        files
    }
}

pub fn fragment_path(id: u32) -> String {
    format!("suche/f/{}/{id}.bin", id / 1000)
}

fn varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8 & 0x7f) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// gzip with a fixed header (no timestamp, no name), so output is byte-identical.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    gzip_level(bytes, 6)
}

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
    fn varints() {
        let mut out = Vec::new();
        varint(&mut out, 1);
        varint(&mut out, 300);
        assert_eq!(out, vec![1, 0xac, 0x02]);
    }
}
