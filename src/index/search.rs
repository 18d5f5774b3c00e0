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

use std::collections::HashMap;
use std::io::Write;
use std::sync::Mutex;

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
const FRAGMENT_CHARS: usize = 6_000;

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

/// Lower-case words of a text, split at everything that is not a letter or digit.
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && w.chars().count() <= 40)
        .map(str::to_lowercase)
}

/// The index terms of a text: stems of words that are not stop words.
pub fn terms(text: &str) -> impl Iterator<Item = String> + '_ {
    words(text).filter_map(|w| {
        let is_number = w.chars().all(|c| c.is_ascii_digit());
        if STOP_WORDS.contains(&w.as_str()) || (w.chars().count() < 2 && !is_number) {
            None
        } else if is_number {
            Some(w)
        } else {
            Some(stem(&w))
        }
    })
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
    postings: Mutex<HashMap<String, Vec<(u32, u16)>>>,
}

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
                postings: Mutex::new(HashMap::new()),
            },
            ids,
        )
    }

    /// Indexes the text of record `id`; the title counts three times. Returns the fragment
    /// file to write for it.
    pub fn add(&self, id: u32, text: &str) -> IndexFile {
        let meta = &self.records[id as usize];
        let mut counts: HashMap<String, u16> = HashMap::new();
        let mut length = 0u32;
        for (source, boost) in [(meta.titel.as_str(), 3u16), (text, 1u16)] {
            for term in terms(source) {
                let c = counts.entry(term).or_insert(0);
                *c = c.saturating_add(boost);
                length += u32::from(boost);
            }
        }
        if let Ok(mut lengths) = self.lengths.lock() {
            lengths[id as usize] = length;
        }
        if let Ok(mut postings) = self.postings.lock() {
            for (term, tf) in counts {
                postings.entry(term).or_default().push((id, tf));
            }
        }
        let excerpt: String = text.chars().take(FRAGMENT_CHARS).collect();
        #[derive(Serialize)]
        struct Fragment<'a> {
            #[serde(flatten)]
            meta: &'a RecordMeta,
            x: String,
        }
        let json = serde_json::to_vec(&Fragment { meta, x: excerpt }).unwrap_or_default();
        (fragment_path(id), gzip(&json))
    }

    /// Encodes the dictionary into chunks and writes the entry file.
    pub fn finish(&self) -> Vec<IndexFile> {
        let lengths = self
            .lengths
            .lock()
            .map(|mut l| std::mem::take(&mut *l))
            .unwrap_or_default();
        let mut postings: Vec<(String, Vec<(u32, u16)>)> = self
            .postings
            .lock()
            .map(|mut p| std::mem::take(&mut *p))
            .unwrap_or_default()
            .into_iter()
            .collect();
        postings.sort_by(|a, b| a.0.cmp(&b.0));
        let n = self.records.len().max(1) as f64;
        let average = (lengths.iter().map(|l| f64::from(*l)).sum::<f64>() / n).max(1.0);

        let mut files: Vec<IndexFile> = Vec::new();
        let mut chunks: Vec<String> = Vec::new();
        let mut current: Vec<u8> = Vec::new();
        for (term, mut list) in postings {
            list.sort_by_key(|p| p.0);
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
                chunks.push(term.clone());
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
    let mut encoder = GzEncoder::new(
        Vec::with_capacity(bytes.len() / 3 + 32),
        Compression::new(6),
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
        let t: Vec<String> = terms("Hilfe für Obdachlose mit Hunden, 2021").collect();
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
