//! Patching the search index: a rebuild that indexed only the records of the pages it
//! rendered again rewrites only what those records touch, byte for byte what a full build
//! would write (docs/search.md, "How a rebuild patches the index").
//!
//! 1. The records not added again must be as they were (their `RecordMeta` hash).
//! 2. The re-added records' old postings come from the forward store, their new ones from
//!    this build's thread collections; the affected terms are those in which one of them
//!    differs (a record indexed again unchanged affects none).
//! 3. Each chunk holding an affected term is read back from the published output, split
//!    into its self-delimiting entries, and the affected entries are made again: old
//!    postings of the re-added records out, new ones in, the cut of a truncated term
//!    redone with the runner-ups the state kept.
//! 4. The dictionary is chunked again from the first affected chunk on; an old chunk is
//!    kept as it is when the chunker starts a chunk exactly where it started and it holds
//!    no affected term (its bytes, and so its boundaries, are then what they were).
//! 5. Fragment files are made again where they hold a re-added record; the other records'
//!    excerpts in them are read back. The entry file is made again.
//!
//! Whatever does not fit (a file changed in the output, a state that contradicts the
//! index, runner-ups used up) gives up with a reason: the caller then builds it all.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rayon::prelude::*;
use serde::Deserialize;

use super::search::{
    chunk_path, cut_order, cut_postings, encode_entry, fragment_path, weigh, weight, Chunker, Cut,
    FxBuild, IndexBuilder, IndexFile, Limits, NewChunk, FRAGMENTS_PER_FILE,
};
use super::state::{
    hash_bytes, read_shard, shard_of, shard_range, ChunkSummary, ForwardPosting, ForwardShard,
    IndexState, Lookup, PatchStats, PreviousIndex, Reader, Summary, TermCut,
};
use crate::write::Staging;

/// Why a patch gave up (German: it reaches the user as the reason for a full rebuild).
type Refusal = String;

/// The excerpts of the records added in this build, by record id.
type Excerpts = HashMap<u32, Box<str>>;

/// The postings of the records added in this build: per term, (record id, term frequency)
/// by id.
type Fresh = BTreeMap<String, Vec<(u32, u16)>>;

/// What happens to one term: the re-added records that had it, and their new postings.
#[derive(Debug)]
struct Change {
    /// What the previous dictionary knows of it (`Live`: the index has it).
    known: Lookup,
    /// Re-added records that had the term, by id.
    removed: Vec<u32>,
    /// New postings, by id.
    added: Vec<(u32, u8)>,
}

impl Default for Change {
    fn default() -> Self {
        Change {
            known: Lookup::Absent,
            removed: Vec::new(),
            added: Vec::new(),
        }
    }
}

/// A chunk of the new dictionary: kept from the output as it is, or made now.
enum Planned {
    Kept(usize),
    New(NewChunk),
}

/// A term's entry as read from a chunk.
#[derive(Debug)]
struct OldEntry {
    df: u64,
    truncated: bool,
    /// Kept postings, by id.
    kept: Vec<(u32, u8)>,
}

impl IndexBuilder {
    /// Patches the index the previous build published, for a build in which only the
    /// changed records were added (every other record is, by the caller's fingerprints,
    /// unchanged). Returns the files to write, the paths of the files to keep as they are
    /// (`Staging::keep`; every one was checked with `previous_kept_intact`) and the state for the
    /// next build. Registers nothing with `staging`: after a refusal, add the remaining
    /// records and call `finish`.
    pub fn finish_patched(
        &self,
        previous: PreviousIndex,
        staging: &Staging,
    ) -> Result<(Vec<IndexFile>, Vec<String>, IndexState), Refusal> {
        let records = self.records.len();
        let PreviousIndex {
            mut summary,
            shard_folder,
        } = previous;
        if summary.chunks.is_empty() {
            return Err("der letzte Suchindex war leer".to_string());
        }
        // 1. Records not indexed again must be exactly as they were.
        let meta_hashes = self.meta_hashes();
        if let Some(id) = (0..records)
            .find(|id| !self.is_added(*id as u32) && meta_hashes[*id] != summary.meta_hashes[*id])
        {
            return Err(format!(
                "Treffer {} hat sich geändert, wurde aber nicht neu erfasst",
                self.records[id].url
            ));
        }
        let changed: Vec<u32> = (0..records as u32)
            .filter(|id| self.is_added(*id))
            .collect();

        // 2. Old terms of the re-added records, new postings, affected terms.
        let (fresh, excerpts) = self.fresh_postings();
        let dirty_shards: BTreeSet<usize> =
            changed.iter().map(|id| shard_of(*id, records)).collect();
        let forward: BTreeMap<usize, ForwardShard> = dirty_shards
            .par_iter()
            .map(|shard| Ok((*shard, read_shard(&shard_folder, &summary, *shard)?)))
            .collect::<Result<_, Refusal>>()?;
        let lengths = self.lengths();
        let changes = affected_terms(&summary, &forward, &changed, &fresh, &lengths, records)?;

        // 3. Affected chunks, patched in parallel; the dictionary and cuts follow.
        let mut stats = PatchStats {
            records: changed.len(),
            terms: changes.len(),
            ..PatchStats::default()
        };
        let mut cuts: HashMap<u32, TermCut> = std::mem::take(&mut summary.cuts)
            .into_iter()
            .map(|cut| (cut.term, cut))
            .collect();
        let patched = self.patch_chunks(staging, &summary.chunks, changes, &cuts)?;
        stats.chunks_patched = patched.len();
        let mut numbers = update_dictionary(&mut summary, &mut cuts, &patched);
        // Terms in which no posting changed keep their numbers.
        let appended = summary.dictionary.appended();
        for term in fresh.keys() {
            if !numbers.contains_key(term) {
                match summary.dictionary.lookup(&appended, term) {
                    Lookup::Live(number) => numbers.insert(term.clone(), number),
                    _ => return Err(corrupt("unverändertes Wort fehlt")),
                };
            }
        }
        drop(appended);

        // 4. Chunk again from the first affected chunk on.
        let patched = patched
            .into_iter()
            .map(|(index, chunk)| (index, chunk.entries))
            .collect();
        let Rechunked {
            mut files,
            mut kept,
            chunks,
        } = rechunk(staging, &summary.chunks, patched, &mut stats)?;

        // 5. Fragment files of the re-added records; the others are kept.
        let fragments = self.patch_fragments(staging, &changed, &excerpts)?;
        stats.fragments_made = fragments.len();
        let made: BTreeSet<&str> = fragments.iter().map(|f| f.path.as_str()).collect();
        kept.extend(
            (0..records.div_ceil(FRAGMENTS_PER_FILE))
                .map(fragment_path)
                .filter(|path| !made.contains(path.as_str())),
        );
        files.extend(fragments);
        // Kept, not read: the check at the start of the build suffices, as for kept pages
        // (stat'ing the 60,000 files again took a tenth of a second of every rebuild).
        if let Some(path) = kept
            .par_iter()
            .find_any(|p| !staging.previous_kept_intact(p).unwrap_or(false))
        {
            return Err(format!("{path} in der Ausgabe geändert oder fehlt"));
        }
        files.push(self.entry_file(chunks.iter().map(|c| c.first.clone()).collect()));

        // The state for the next build.
        let dirty = patched_forward(forward, &changed, &fresh, &numbers, records)?;
        for (shard, bytes) in &dirty {
            summary.shard_hashes[*shard] = hash_bytes(bytes);
        }
        let mut cuts: Vec<TermCut> = cuts.into_values().collect();
        cuts.sort_unstable_by_key(|c| c.term);
        summary.cuts = cuts;
        summary.chunks = chunks;
        summary.meta_hashes = meta_hashes;
        for id in &changed {
            if let (Some(old), Some(new)) = (
                summary.lengths.get_mut(*id as usize),
                lengths.get(*id as usize),
            ) {
                *old = *new;
            }
        }
        Ok((files, kept, IndexState::patched(summary, dirty, stats)))
    }

    /// Reads each chunk that holds an affected term and makes its entries again.
    fn patch_chunks(
        &self,
        staging: &Staging,
        chunks: &[ChunkSummary],
        changes: BTreeMap<String, Change>,
        cuts: &HashMap<u32, TermCut>,
    ) -> Result<Vec<(usize, PatchedChunk)>, Refusal> {
        let mut by_chunk: BTreeMap<usize, Vec<(String, Change)>> = BTreeMap::new();
        for (term, change) in changes {
            // A new term before the first chunk's first term goes into the first chunk.
            let chunk = chunks
                .partition_point(|c| c.first.as_str() <= term.as_str())
                .saturating_sub(1);
            by_chunk.entry(chunk).or_default().push((term, change));
        }
        let is_changed = |id: u32| self.is_added(id);
        by_chunk
            .into_par_iter()
            .map(|(index, terms)| {
                let raw = read_chunk(staging, &chunks[index])?;
                let chunk = patch_chunk(&raw, terms, cuts, is_changed, self.limits)?;
                Ok((index, chunk))
            })
            .collect()
    }

    /// The fragment files that hold a re-added record, with the other records' excerpts
    /// read back from the output.
    fn patch_fragments(
        &self,
        staging: &Staging,
        changed: &[u32],
        excerpts: &Excerpts,
    ) -> Result<Vec<IndexFile>, Refusal> {
        let files: BTreeSet<usize> = changed
            .iter()
            .map(|id| *id as usize / FRAGMENTS_PER_FILE)
            .collect();
        files
            .par_iter()
            .map(|file| {
                let first = file * FRAGMENTS_PER_FILE;
                let ids = first..(first + FRAGMENTS_PER_FILE).min(self.records.len());
                let mut texts = read_fragment(staging, *file, &self.records[ids.clone()])?;
                for (id, text) in ids.zip(&mut texts) {
                    if let Some(new) = excerpts.get(&(id as u32)) {
                        *text = new.clone();
                    } else if self.is_added(id as u32) {
                        // Added without text reaching a collection: an empty excerpt.
                        *text = Box::from("");
                    }
                }
                Ok(self.fragment_file(*file, &texts))
            })
            .collect()
    }

    /// The postings (record id, term frequency) and excerpts of the records added in this
    /// build, read
    /// from the threads' collections without taking them: after a refusal, `finish` still
    /// needs them.
    fn fresh_postings(&self) -> (Fresh, Excerpts) {
        let locals = self.locals.lock().map(|l| l.clone()).unwrap_or_default();
        let mut fresh: Fresh = BTreeMap::new();
        let mut excerpts = HashMap::new();
        for local in locals {
            let Ok(local) = local.lock() else { continue };
            for (term, list) in local.terms.iter().zip(&local.postings) {
                if !list.is_empty() {
                    fresh
                        .entry(term.to_string())
                        .or_default()
                        .extend_from_slice(list);
                }
            }
            for (id, text) in &local.excerpts {
                excerpts.insert(*id, text.clone());
            }
        }
        for list in fresh.values_mut() {
            list.sort_unstable_by_key(|p| p.0);
        }
        (fresh, excerpts)
    }
}

/// The affected terms: every term a re-added record had (from the forward store) or has
/// now (from this build's postings), with what the previous dictionary knows of it —
/// except terms in which every re-added record's posting is what it was (same weight),
/// whose entries a full build would write unchanged: a page rendered again with the same
/// text, or an edit that leaves the record's weights, touches none of its chunks.
fn affected_terms(
    summary: &Summary,
    forward: &BTreeMap<usize, ForwardShard>,
    changed: &[u32],
    fresh: &Fresh,
    lengths: &[u32],
    records: usize,
) -> Result<BTreeMap<String, Change>, Refusal> {
    let mut changes: BTreeMap<String, Change> = BTreeMap::new();
    // Per term, the re-added records' old postings with the weights the index holds.
    let mut before: HashMap<String, Vec<(u32, u8)>, FxBuild> = HashMap::default();
    for (shard, forward) in forward {
        let start = shard_range(*shard, records).start;
        for (number, offset, tf) in
            forward.postings_of_records(&changed_offsets(changed, *shard, records))
        {
            let term = summary
                .dictionary
                .term(number)
                .ok_or_else(|| corrupt("Wortnummer ohne Wort"))?;
            let id = start as u32 + offset;
            let length = summary.lengths.get(id as usize).copied().unwrap_or(1);
            let change = changes.entry(term.to_string()).or_default();
            change.known = Lookup::Live(number);
            change.removed.push(id);
            before
                .entry(term.to_string())
                .or_default()
                .push((id, weight(tf, length)));
        }
    }
    for change in changes.values_mut() {
        change.removed.sort_unstable();
    }
    let appended = summary.dictionary.appended();
    for (term, postings) in fresh {
        let change = changes.entry(term.clone()).or_default();
        let known = summary.dictionary.lookup(&appended, term);
        if matches!(change.known, Lookup::Live(_)) && change.known != known {
            return Err(corrupt("Wörterbuch und Vorwärtsverzeichnis verschieden"));
        }
        change.known = known;
        change.added = weigh(postings, lengths);
    }
    changes.retain(|term, change| {
        let mut old = before.remove(term).unwrap_or_default();
        old.sort_unstable_by_key(|p| p.0);
        old != change.added
    });
    Ok(changes)
}

/// Records the outcome of each affected term in the dictionary (a term without postings
/// is marked dead, a new one gets a number) and in the cuts; returns the numbers of the
/// terms that have postings.
fn update_dictionary(
    summary: &mut Summary,
    cuts: &mut HashMap<u32, TermCut>,
    patched: &[(usize, PatchedChunk)],
) -> HashMap<String, u32, FxBuild> {
    let mut numbers: HashMap<String, u32, FxBuild> = HashMap::default();
    for (_, chunk) in patched {
        for (term, known, cut) in &chunk.outcomes {
            let Some(cut) = cut else {
                if let Lookup::Live(number) = known {
                    summary.dictionary.kill(*number);
                    cuts.remove(number);
                }
                continue;
            };
            let number = summary.dictionary.add(term, *known);
            numbers.insert(term.clone(), number);
            if cut.is_truncated() {
                let runner_ups = cut.runner_ups.clone();
                let df = cut.df;
                cuts.insert(
                    number,
                    TermCut {
                        term: number,
                        df,
                        runner_ups,
                    },
                );
            } else {
                cuts.remove(&number);
            }
        }
    }
    numbers
}

/// The chunks of the new dictionary: old chunks (in order) with the affected ones
/// replaced by their new entries (`patched`, by index) are chunked again; an unaffected
/// old chunk at which the chunker starts a chunk is kept, and so are its boundaries.
fn rechunk(
    staging: &Staging,
    old_chunks: &[ChunkSummary],
    mut patched: HashMap<usize, Vec<u8>>,
    stats: &mut PatchStats,
) -> Result<Rechunked, Refusal> {
    let mut plan: Vec<Planned> = Vec::new();
    let mut chunker = Chunker::default();
    for (index, old) in old_chunks.iter().enumerate() {
        match patched.remove(&index) {
            None if chunker.at_chunk_start() => {
                plan.extend(chunker.take_closed().into_iter().map(Planned::New));
                plan.push(Planned::Kept(index));
            }
            None => {
                stats.chunks_resynced += 1;
                let raw = read_chunk(staging, old)?;
                for (term, entry) in split_entries(&raw)? {
                    chunker.push(term, entry);
                }
            }
            Some(entries) => {
                for (term, entry) in split_entries(&entries)? {
                    chunker.push(term, entry);
                }
            }
        }
    }
    plan.extend(chunker.finish().into_iter().map(Planned::New));

    let mut files: Vec<IndexFile> = Vec::new();
    let mut kept: Vec<String> = Vec::new();
    let mut chunks: Vec<ChunkSummary> = Vec::with_capacity(plan.len());
    for planned in plan {
        match planned {
            Planned::Kept(index) => {
                let old = &old_chunks[index];
                kept.push(chunk_path(&old.first));
                chunks.push(old.clone());
            }
            Planned::New(chunk) => {
                chunks.push(ChunkSummary {
                    first: chunk.first.clone(),
                    raw_hash: hash_bytes(&chunk.raw),
                });
                files.push(chunk.into_file());
            }
        }
    }
    stats.chunks_made = files.len();
    stats.chunks_kept = kept.len();
    Ok(Rechunked {
        files,
        kept,
        chunks,
    })
}

/// The dictionary's chunks after a patch.
struct Rechunked {
    /// Chunk files to write.
    files: Vec<IndexFile>,
    /// Paths of chunk files to keep.
    kept: Vec<String>,
    /// Every chunk, in order.
    chunks: Vec<ChunkSummary>,
}

/// The dirty forward shards with the re-added records' new terms, encoded.
fn patched_forward(
    forward: BTreeMap<usize, ForwardShard>,
    changed: &[u32],
    fresh: &Fresh,
    numbers: &HashMap<String, u32, FxBuild>,
    records: usize,
) -> Result<Vec<(usize, Vec<u8>)>, Refusal> {
    let mut new_terms: BTreeMap<usize, BTreeMap<u32, Vec<ForwardPosting>>> = BTreeMap::new();
    for (term, postings) in fresh {
        let number = *numbers
            .get(term.as_str())
            .ok_or_else(|| corrupt("neues Wort ohne Nummer"))?;
        for (id, tf) in postings {
            let shard = shard_of(*id, records);
            let offset = *id - shard_range(shard, records).start as u32;
            new_terms
                .entry(shard)
                .or_default()
                .entry(number)
                .or_default()
                .push((offset, *tf));
        }
    }
    Ok(forward
        .into_par_iter()
        .map(|(shard, mut forward)| {
            let empty = BTreeMap::new();
            let added = new_terms.get(&shard).unwrap_or(&empty);
            forward.replace(&changed_offsets(changed, shard, records), added);
            (shard, forward.encode())
        })
        .collect())
}

fn corrupt(what: &str) -> Refusal {
    format!("Suchindex-Zustand widersprüchlich ({what})")
}

/// The offsets in forward shard `shard` of the records of `changed` (ascending) in it.
fn changed_offsets(changed: &[u32], shard: usize, records: usize) -> Vec<u32> {
    let range = shard_range(shard, records);
    changed
        .iter()
        .filter(|id| range.contains(&(**id as usize)))
        .map(|id| *id - range.start as u32)
        .collect()
}

/// A chunk's bytes before compression, read back from the output: only if the file is
/// the one the previous build wrote, and its bytes are the ones the state describes.
fn read_chunk(staging: &Staging, chunk: &ChunkSummary) -> Result<Vec<u8>, Refusal> {
    let path = chunk_path(&chunk.first);
    let raw = read_gzip(staging, &path)?;
    if hash_bytes(&raw) != chunk.raw_hash {
        return Err(format!("{path} passt nicht zum Suchindex-Zustand"));
    }
    Ok(raw)
}

/// The unpacked bytes of the index file `rel` of the previous build.
fn read_gzip(staging: &Staging, rel: &str) -> Result<Vec<u8>, Refusal> {
    if !staging.previous_intact(rel) {
        return Err(format!("{rel} in der Ausgabe geändert oder fehlt"));
    }
    let packed = std::fs::read(staging.target().join(rel))
        .map_err(|e| format!("{rel} nicht lesbar: {e}"))?;
    gunzip(&packed).ok_or_else(|| format!("{rel} nicht lesbar"))
}

/// The bytes of a gzip member as `IndexFile::compress` writes it (no optional header
/// fields), inflated in one call into a buffer of the size its trailer gives: through a
/// `GzDecoder` and its buffer, the chunks of a patch unpacked at half the speed.
fn gunzip(packed: &[u8]) -> Option<Vec<u8>> {
    let (header, rest) = packed.split_first_chunk::<10>()?;
    let (body, trailer) = rest.split_last_chunk::<8>()?;
    if header[..4] != [0x1f, 0x8b, 8, 0] {
        return None;
    }
    let crc = u32::from_le_bytes([trailer[0], trailer[1], trailer[2], trailer[3]]);
    let size = u32::from_le_bytes([trailer[4], trailer[5], trailer[6], trailer[7]]) as usize;
    // Deflate expands at most 1032-fold: a damaged size field cannot allocate more.
    let mut raw = Vec::with_capacity(size.min(body.len().saturating_mul(1032)));
    let mut inflater = flate2::Decompress::new(false);
    let status = inflater
        .decompress_vec(body, &mut raw, flate2::FlushDecompress::Finish)
        .ok()?;
    let mut check = flate2::Crc::new();
    check.update(&raw);
    let complete = status == flate2::Status::StreamEnd
        && inflater.total_in() == body.len() as u64
        && raw.len() == size
        && check.sum() == crc;
    complete.then_some(raw)
}

/// A chunk's entries: (term, the entry's bytes), in dictionary order.
fn split_entries(raw: &[u8]) -> Result<Vec<(&str, &[u8])>, Refusal> {
    let bad = || corrupt("Block nicht lesbar");
    let mut reader = Reader::new(raw);
    let mut entries: Vec<(&str, &[u8])> = Vec::new();
    while !reader.is_at_end() {
        let start = reader.position();
        let term_len = reader.varint().ok_or_else(bad)?;
        let term = reader
            .take(usize::try_from(term_len).map_err(|_| bad())?)
            .and_then(|b| std::str::from_utf8(b).ok())
            .ok_or_else(bad)?;
        reader.varint().ok_or_else(bad)?; // df and the truncation bit
        let count = usize::try_from(reader.varint().ok_or_else(bad)?).map_err(|_| bad())?;
        reader.skip_varints(count).ok_or_else(bad)?;
        reader.take(count).ok_or_else(bad)?;
        if entries.last().is_some_and(|(last, _)| *last >= term) {
            return Err(bad());
        }
        entries.push((term, &raw[start..reader.position()]));
    }
    Ok(entries)
}

/// The document frequency and kept postings of one entry (`search::encode_entry`).
fn decode_entry(entry: &[u8]) -> Option<OldEntry> {
    let mut reader = Reader::new(entry);
    let term_len = usize::try_from(reader.varint()?).ok()?;
    reader.take(term_len)?;
    let df_bits = reader.varint()?;
    let count = usize::try_from(reader.varint()?).ok()?;
    let ids = reader.increasing(count)?;
    let weights = reader.take(count)?;
    reader.is_at_end().then(|| OldEntry {
        df: df_bits >> 1,
        truncated: df_bits & 1 == 1,
        kept: ids.into_iter().zip(weights.iter().copied()).collect(),
    })
}

/// An affected chunk made again.
struct PatchedChunk {
    /// Its entries in dictionary order: unaffected entries as they were, patched ones new,
    /// new terms inserted, terms without postings left out.
    entries: Vec<u8>,
    /// Per affected term: what the old dictionary knew of it, and its cut (None: no
    /// postings left).
    outcomes: Vec<(String, Lookup, Option<Cut>)>,
}

/// Applies `changes` (sorted by term, all falling into this chunk) to the chunk `raw`.
fn patch_chunk(
    raw: &[u8],
    changes: Vec<(String, Change)>,
    cuts: &HashMap<u32, TermCut>,
    is_changed: impl Fn(u32) -> bool,
    limits: Limits,
) -> Result<PatchedChunk, Refusal> {
    let old = split_entries(raw)?;
    let mut entries = Vec::with_capacity(raw.len() + changes.len() * 16);
    let mut outcomes = Vec::with_capacity(changes.len());
    let mut old = old.into_iter().peekable();
    for (term, change) in changes {
        while let Some((_, bytes)) = old.next_if(|(t, _)| *t < term.as_str()) {
            entries.extend_from_slice(bytes);
        }
        let before = match old.next_if(|(t, _)| *t == term.as_str()) {
            Some((_, bytes)) => {
                Some(decode_entry(bytes).ok_or_else(|| corrupt("Eintrag nicht lesbar"))?)
            }
            None => None,
        };
        let old_cut = match change.known {
            Lookup::Live(number) if before.is_some() => cuts.get(&number),
            Lookup::Dead(_) | Lookup::Absent if before.is_none() => None,
            _ => return Err(corrupt("Wörterbuch und Index verschieden")),
        };
        let cut = patch_term(before, old_cut, &change, &is_changed, limits)?;
        if let Some(cut) = &cut {
            entries.extend_from_slice(&encode_entry(&term, cut.df, &cut.kept));
        }
        outcomes.push((term, change.known, cut));
    }
    for (_, bytes) in old {
        entries.extend_from_slice(bytes);
    }
    Ok(PatchedChunk { entries, outcomes })
}

/// A term's new postings: its old entry (if any) and cut, without the re-added records'
/// old postings, with their new ones, cut as a full build would cut them. None when no
/// posting is left.
fn patch_term(
    before: Option<OldEntry>,
    old_cut: Option<&TermCut>,
    change: &Change,
    is_changed: impl Fn(u32) -> bool,
    limits: Limits,
) -> Result<Option<Cut>, Refusal> {
    let before = before.unwrap_or(OldEntry {
        df: 0,
        truncated: false,
        kept: Vec::new(),
    });
    if let Some(cut) = old_cut {
        return patch_cut_term(before, cut, change, is_changed, limits);
    }
    // Not cut: the entry holds every posting.
    if before.truncated || before.df != before.kept.len() as u64 {
        return Err(corrupt("abgeschnittener Begriff"));
    }
    let (kept, _) = without_removed(&before.kept, change, &is_changed)?;
    let known = merge_by_id(kept, &change.added)?;
    Ok((!known.is_empty()).then(|| cut_postings(known, limits)))
}

/// A term whose postings were cut. The state knows the kept postings and the best
/// runner-ups below the cut; every other posting (`unknown` of them) ranks below the last
/// runner-up. So the new best `max_postings` are known if at least that many known
/// postings rank above that bound; otherwise the patch gives up.
///
/// Linear in the kept postings: only the lowest-ranked kept postings can be displaced,
/// at most one per posting that may enter, so only those are ranked.
fn patch_cut_term(
    before: OldEntry,
    cut: &TermCut,
    change: &Change,
    is_changed: impl Fn(u32) -> bool,
    limits: Limits,
) -> Result<Option<Cut>, Refusal> {
    let lowest_kept = before.kept.iter().copied().max_by_key(cut_order);
    let runner_ups_fit = cut
        .runner_ups
        .windows(2)
        .all(|w| cut_order(&w[0]) < cut_order(&w[1]))
        && match (lowest_kept, cut.runner_ups.first()) {
            (Some(lowest), Some(first)) => cut_order(&lowest) < cut_order(first),
            (lowest, _) => lowest.is_some(),
        };
    if !before.truncated
        || cut.df != before.df
        || before.kept.len() != limits.max_postings
        || !runner_ups_fit
    {
        return Err(corrupt("abgeschnittener Begriff"));
    }
    // Every posting neither kept nor a runner-up ranks below this one.
    let bound = cut
        .runner_ups
        .last()
        .copied()
        .or(lowest_kept)
        .ok_or_else(|| corrupt("abgeschnittener Begriff ohne Treffer"))?;
    let unknown = before
        .df
        .checked_sub((before.kept.len() + cut.runner_ups.len()) as u64)
        .ok_or_else(|| corrupt("Dokumentfrequenz"))?;
    let (mut entering, found_runner_ups) = without_removed(&cut.runner_ups, change, &is_changed)?;
    // Usually no kept posting goes: the kept list is then taken as it is, not copied.
    let (kept, found_kept) = match count_removed(&before.kept, change, &is_changed)? {
        0 => (before.kept, 0),
        _ => without_removed(&before.kept, change, &is_changed)?,
    };
    if entering
        .iter()
        .any(|p| kept.binary_search_by_key(&p.0, |k| k.0).is_ok())
    {
        return Err(corrupt("Nachrücker zugleich behalten"));
    }
    // The rest of the removed postings were among the unknown ones.
    let unknown = change
        .removed
        .len()
        .checked_sub(found_kept + found_runner_ups)
        .and_then(|among_unknown| unknown.checked_sub(among_unknown as u64))
        .ok_or_else(|| corrupt("Dokumentfrequenz"))?;
    let df = (kept.len() + entering.len() + change.added.len()) as u64 + unknown;
    if df == 0 {
        return Ok(None);
    }
    // A new posting below the bound may rank below unknown ones: it is not known to be
    // among the best, and joins the unknown ones (it still counts in `df`).
    entering.extend(
        change
            .added
            .iter()
            .filter(|p| unknown == 0 || cut_order(p) <= cut_order(&bound)),
    );
    if unknown > 0 && kept.len() + entering.len() < limits.max_postings {
        return Err(format!(
            "Nachrücker für einen häufigen Begriff aufgebraucht ({} sicher, {} nötig)",
            kept.len() + entering.len(),
            limits.max_postings
        ));
    }
    // Only a posting that ranks above the lowest kept one can displace one (runner-ups never
    // do), and each displaces at most one: the lowest ranked, which are those from the
    // `displaceable`-th lowest on (the order is total). Usually none: no ranking at all.
    let challengers = match kept.iter().max_by_key(|p| cut_order(p)) {
        Some(lowest) => entering
            .iter()
            .filter(|p| cut_order(p) < cut_order(lowest))
            .count(),
        None => 0,
    };
    let displaceable = challengers.min(kept.len());
    let (staying, mut pool) = if displaceable == 0 {
        (kept, Vec::new())
    } else {
        let mut by_rank = kept.clone();
        let (_, threshold, _) =
            by_rank.select_nth_unstable_by_key(kept.len() - displaceable, cut_order);
        let threshold = cut_order(threshold);
        kept.into_iter()
            .partition(|p: &(u32, u8)| cut_order(p) < threshold)
    };
    pool.append(&mut entering);
    pool.sort_unstable_by_key(cut_order);
    let taken = limits
        .max_postings
        .saturating_sub(staying.len())
        .min(pool.len());
    let mut runner_ups = pool.split_off(taken);
    runner_ups.truncate(limits.runner_ups);
    pool.sort_unstable_by_key(|p| p.0);
    Ok(Some(Cut {
        df,
        kept: merge_by_id(staying, &pool)?,
        runner_ups,
    }))
}

/// `list` without the postings of the records that had the term and were indexed again
/// (`change.removed`), in the same order; and how many it held. A re-added record there
/// that the forward store does not list means the state contradicts the index.
fn without_removed(
    list: &[(u32, u8)],
    change: &Change,
    is_changed: impl Fn(u32) -> bool,
) -> Result<(Vec<(u32, u8)>, usize), Refusal> {
    let mut rest = Vec::with_capacity(list.len());
    let mut found = 0;
    for posting in list {
        if !is_changed(posting.0) {
            rest.push(*posting);
        } else if change.removed.binary_search(&posting.0).is_ok() {
            found += 1;
        } else {
            return Err(corrupt("Vorwärtsverzeichnis"));
        }
    }
    Ok((rest, found))
}

/// How many postings of `list` `without_removed` would take out (with the same check).
fn count_removed(
    list: &[(u32, u8)],
    change: &Change,
    is_changed: impl Fn(u32) -> bool,
) -> Result<usize, Refusal> {
    let mut found = 0;
    for posting in list {
        if is_changed(posting.0) {
            if change.removed.binary_search(&posting.0).is_err() {
                return Err(corrupt("Vorwärtsverzeichnis"));
            }
            found += 1;
        }
    }
    Ok(found)
}

/// Two posting lists sorted by record id, merged; a record in both means a corrupt state.
fn merge_by_id(a: Vec<(u32, u8)>, b: &[(u32, u8)]) -> Result<Vec<(u32, u8)>, Refusal> {
    if b.is_empty() {
        return Ok(a);
    }
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        let take_a = j == b.len() || (i < a.len() && a[i].0 < b[j].0);
        if take_a {
            out.push(a[i]);
            i += 1;
        } else {
            if i < a.len() && a[i].0 == b[j].0 {
                return Err(corrupt("doppelter Treffer"));
            }
            out.push(b[j]);
            j += 1;
        }
    }
    Ok(out)
}

/// The excerpts in fragment file `file` of the previous build, which must hold `records`.
fn read_fragment(
    staging: &Staging,
    file: usize,
    records: &[super::search::RecordMeta],
) -> Result<Vec<Box<str>>, Refusal> {
    #[derive(Deserialize)]
    struct Fragment {
        u: String,
        x: String,
    }
    let path = fragment_path(file);
    let raw = read_gzip(staging, &path)?;
    let fragments: Vec<Fragment> =
        serde_json::from_slice(&raw).map_err(|e| format!("{path} nicht lesbar: {e}"))?;
    if fragments.len() != records.len() || fragments.iter().zip(records).any(|(f, r)| f.u != r.url)
    {
        return Err(format!("{path} passt nicht zu den Treffern"));
    }
    Ok(fragments
        .into_iter()
        .map(|f| f.x.into_boxed_str())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::super::search::{IndexFile, Limits, RecordMeta};
    use super::*;
    use crate::write::{Manifest, Staging};
    use std::path::Path;

    const RECORDS: usize = 400;
    const LIMITS: Limits = Limits {
        max_postings: 20,
        runner_ups: 4,
    };

    fn records() -> Vec<RecordMeta> {
        (0..RECORDS)
            .map(|i| RecordMeta {
                url: format!("vorlagen/v-{i:04}/"),
                titel: format!("Vorlage {i}: Haushalt"),
                typ: ["Vorlage", "Anlage", "Sitzung"][i % 3],
                datum: Some(crate::model::Date {
                    year: 2020 + (i % 4) as i32,
                    month: 1 + (i % 9) as u32,
                    day: 10 + (i % 10) as u32,
                }),
                gremium: (i % 5 != 0).then(|| format!("Ausschuss {}", i % 4).into()),
            })
            .collect()
    }

    /// Numbered words: numbers are index terms as written (no stemming), so a test knows
    /// its terms. `common` words follow a Zipf-like spread over a vocabulary of 6,000.
    fn base_words(id: u32) -> Vec<String> {
        let mut state = u64::from(id).wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        let mut words = Vec::new();
        for _ in 0..90 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let unit = (state >> 11) as f64 / (1u64 << 53) as f64;
            let rank = 6000f64.powf(unit) as u32;
            words.push(format!("{}", 100_000 + rank));
        }
        // Words of this record alone, together in the dictionary: many chunks, most of
        // which a change of a few records leaves alone.
        words.extend((0..60).map(|k| format!("9{id:04}{k:03}000000000000")));
        words
    }

    /// Controlled terms of the first build, by record id:
    /// - `3333333`: tf 3 in records 0..20 (kept), tf 1 in 20..30 (cut: 4 runner-ups, 6 unknown);
    /// - `5555555`: in 40..60, exactly the limit;
    /// - `6666666`: in 60..81, one over the limit (one runner-up, nothing unknown);
    /// - `8888888`: only in record 90.
    fn text_v1(id: u32) -> Option<String> {
        if id == 333 {
            return None; // never added, as a record whose page adds no text
        }
        let mut words = base_words(id);
        let i = id as usize;
        if i < 20 {
            words.extend(["3333333"; 3].map(String::from));
        } else if i < 30 {
            words.push("3333333".into());
        }
        if (40..60).contains(&i) {
            words.push("5555555".into());
        }
        if (60..81).contains(&i) {
            words.push("6666666".into());
        }
        if i == 90 {
            words.push("8888888".into());
        }
        Some(words.join(" "))
    }

    /// The records the second build changes.
    const CHANGED_V2: [u32; 8] = [5, 25, 61, 90, 100, 150, 151, 399];

    fn text_v2(id: u32) -> Option<String> {
        let mut text = text_v1(id)?;
        match id {
            // Leaves the kept set of `3333333` (a runner-up moves up).
            5 => text = text.replace("3333333", ""),
            // Enters it.
            25 => text.push_str(" 3333333 3333333 3333333 3333333 3333333"),
            // `6666666` falls to the limit: no longer cut.
            61 => text = text.replace("6666666", ""),
            // `8888888` disappears; a word never seen before appears.
            90 => text = text.replace("8888888", "7777777"),
            // `5555555` goes over the limit; some words go, one comes.
            100 => {
                text = text.replacen("10", "x", 20);
                text.push_str(" 5555555 104444");
            }
            // Hundreds of new terms in the middle of the dictionary: chunks grow and
            // their boundaries move.
            150 => {
                for n in 0..1000 {
                    text.push_str(&format!(" 1025{n:04}00000000000000"));
                }
            }
            // Text and length change a little (weights of all its terms).
            151 => text.push_str(" 100001 100002"),
            // Shorter.
            399 => text.truncate(text.len() / 2),
            _ => {}
        }
        Some(text)
    }

    /// The third build undoes the boundary move and changes a record of a truncated term
    /// again, on top of the patched state.
    const CHANGED_V3: [u32; 5] = [0, 25, 90, 150, 200];

    fn text_v3(id: u32) -> Option<String> {
        let mut text = text_v2(id)?;
        match id {
            0 => text = text.replace("3333333", ""),
            25 => text = text.replace("3333333", ""),
            // `8888888` comes back (its number was marked dead), `7777777` moves to 200.
            90 | 150 => text = text_v1(id)?,
            200 => text.push_str(" 7777777 102500100000000000000"),
            _ => {}
        }
        Some(text)
    }

    fn builder(records: Vec<RecordMeta>) -> IndexBuilder {
        IndexBuilder::new(records).0.with_limits(LIMITS)
    }

    fn add(builder: &IndexBuilder, ids: &[u32], text: impl Fn(u32) -> Option<String> + Sync) {
        ids.par_iter().for_each(|id| {
            if let Some(text) = text(*id) {
                builder.add(*id, &text);
            }
        });
    }

    fn all_ids() -> Vec<u32> {
        (0..RECORDS as u32).collect()
    }

    /// The files of a full build with `text`, compressed as they are published.
    /// The texts of `text`, with the records in `dropped` no longer using `3333333`.
    fn dropping_3333333<'a>(
        text: impl Fn(u32) -> Option<String> + Sync + 'a,
        dropped: &'a [u32],
    ) -> impl Fn(u32) -> Option<String> + Sync + 'a {
        move |id| {
            let text = text(id)?;
            Some(if dropped.contains(&id) {
                text.replace("3333333", "")
            } else {
                text
            })
        }
    }

    fn full_build(text: impl Fn(u32) -> Option<String> + Sync) -> BTreeMap<String, Vec<u8>> {
        let builder = builder(records());
        add(&builder, &all_ids(), text);
        let (files, _) = builder.finish();
        files
            .into_iter()
            .map(|f| {
                let bytes = IndexFile::compress(&f.raw, f.level);
                (f.path, bytes)
            })
            .collect()
    }

    /// Publishes `files` and `kept` into `out` as the renderer does; returns the manifest.
    fn publish(out: &Path, staging: Staging, files: &[IndexFile], kept: &[String]) -> Manifest {
        for path in kept {
            assert!(staging.keep(path).expect("keep"), "{path} not kept");
        }
        for file in files {
            staging
                .write_derived(&file.path, &file.raw, |raw| {
                    IndexFile::compress(raw, file.level)
                })
                .expect("write");
        }
        let (_, manifest) = staging.publish().expect("publish");
        assert!(out.is_dir());
        manifest
    }

    fn files_on_disk(out: &Path) -> BTreeMap<String, Vec<u8>> {
        walkdir::WalkDir::new(out)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                let rel = e
                    .path()
                    .strip_prefix(out)
                    .expect("inside")
                    .to_string_lossy()
                    .replace('\\', "/");
                (rel, std::fs::read(e.path()).expect("read"))
            })
            .collect()
    }

    fn assert_same_files(actual: &BTreeMap<String, Vec<u8>>, expected: &BTreeMap<String, Vec<u8>>) {
        let missing: Vec<&String> = expected
            .keys()
            .filter(|p| !actual.contains_key(*p))
            .collect();
        let extra: Vec<&String> = actual
            .keys()
            .filter(|p| !expected.contains_key(*p))
            .collect();
        assert!(missing.is_empty(), "missing: {missing:?}");
        assert!(extra.is_empty(), "left over: {extra:?}");
        for (path, bytes) in expected {
            assert!(actual[path] == *bytes, "{path} differs from a full build");
        }
    }

    /// A first full build published into `out`, its state saved at `state`.
    fn first_build(out: &Path, state: &Path) -> Manifest {
        let builder = builder(records());
        add(&builder, &all_ids(), text_v1);
        let (files, index_state) = builder.finish();
        let staging = Staging::create(out, Manifest::default()).expect("staging");
        let manifest = publish(out, staging, &files, &[]);
        index_state.save(state).expect("save");
        manifest
    }

    /// A patched build of `changed` with `text` on top of what `out` and `state` hold.
    fn patched_build(
        out: &Path,
        state: &Path,
        manifest: Manifest,
        records: Vec<RecordMeta>,
        changed: &[u32],
        text: impl Fn(u32) -> Option<String> + Sync,
    ) -> Result<(Manifest, PatchStats), Refusal> {
        let builder = builder(records);
        let previous = PreviousIndex::load(state, &builder).ok_or("no state")?;
        add(&builder, changed, text);
        let staging = Staging::create(out, manifest).expect("staging");
        let (files, kept, index_state) = builder.finish_patched(previous, &staging)?;
        IndexState::remove(state).expect("remove");
        let manifest = publish(out, staging, &files, &kept);
        let stats = index_state.patch_stats().expect("stats of a patch");
        index_state.save(state).expect("save");
        Ok((manifest, stats))
    }

    #[test]
    fn a_patched_index_is_byte_identical_to_a_full_build() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let out = tmp.path().join("site");
        let state = tmp.path().join("cache/x.suche");
        let manifest = first_build(&out, &state);
        let first = files_on_disk(&out);
        assert_same_files(&first, &full_build(text_v1));
        let chunks = first.keys().filter(|p| p.starts_with("suche/i/")).count();
        assert!(chunks >= 6, "too few chunks to move boundaries: {chunks}");

        let (manifest, first_patch) =
            patched_build(&out, &state, manifest, records(), &CHANGED_V2, text_v2)
                .expect("patch 1");
        let second = files_on_disk(&out);
        assert_same_files(&second, &full_build(text_v2));
        assert!(
            first_patch.chunks_kept > 0 && first_patch.fragments_made == 7,
            "{first_patch:?}"
        );
        let moved = second
            .keys()
            .filter(|p| p.starts_with("suche/i/") && !first.contains_key(*p))
            .count();
        assert!(moved > 0, "no chunk boundary moved");

        // A second patch on top of the patched state: new term numbers, empty slots, runner-ups
        // that a patch chose.
        let (_, second_patch) =
            patched_build(&out, &state, manifest, records(), &CHANGED_V3, text_v3)
                .expect("patch 2");
        assert_same_files(&files_on_disk(&out), &full_build(text_v3));
        let previous = PreviousIndex::load(&state, &builder(records())).expect("state");
        let dictionary = &previous.summary.dictionary;
        let appended = dictionary.appended();
        assert!(matches!(
            dictionary.lookup(&appended, "8888888"),
            Lookup::Live(_)
        ));
        assert!(matches!(
            dictionary.lookup(&appended, "7777777"),
            Lookup::Live(_)
        ));
        assert!(matches!(
            dictionary.lookup(&appended, "1025000000000000000000"),
            Lookup::Dead(_)
        ));
        assert!(
            first_patch.chunks_resynced + second_patch.chunks_resynced > 0,
            "no patch had to read an unchanged chunk to find a chunk start again"
        );
    }

    #[test]
    fn the_truncation_cases_are_exercised() {
        // The scenario above relies on these cuts; they must hold for it to test anything.
        let cut = |text: fn(u32) -> Option<String>, term: &str| {
            let builder = builder(records());
            add(&builder, &all_ids(), text);
            let (_, state) = builder.finish();
            let dictionary = &state.summary.dictionary;
            match dictionary.lookup(&dictionary.appended(), term) {
                Lookup::Live(n) => Some(state.summary.cuts.iter().find(|c| c.term == n).cloned()),
                _ => None,
            }
        };
        let three = cut(text_v1, "3333333").expect("term").expect("cut");
        assert_eq!((three.df, three.runner_ups.len()), (30, 4));
        assert!(
            !three.runner_ups.iter().any(|p| p.0 == 25),
            "25 starts among the postings the state does not know"
        );
        assert_eq!(cut(text_v1, "5555555"), Some(None));
        assert_eq!(cut(text_v2, "5555555").expect("term").expect("cut").df, 21);
        assert_eq!(cut(text_v1, "6666666").expect("term").expect("cut").df, 21);
        assert_eq!(cut(text_v2, "6666666"), Some(None));
        assert!(cut(text_v1, "8888888").is_some() && cut(text_v2, "8888888").is_none());
        assert!(cut(text_v1, "7777777").is_none() && cut(text_v2, "7777777").is_some());
    }

    #[test]
    fn a_patch_gives_up_when_the_records_or_the_output_changed() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let out = tmp.path().join("site");
        let state = tmp.path().join("cache/x.suche");
        let manifest = first_build(&out, &state);

        // A record more: ids shift, the state does not fit.
        let mut more = records();
        more.push(RecordMeta {
            url: "vorlagen/neu/".into(),
            ..more[0].clone()
        });
        assert!(PreviousIndex::load(&state, &builder(more)).is_none());
        assert!(PreviousIndex::load(&state, &builder(records())).is_some());

        // A title changed, but the record was not indexed again.
        let mut retitled = records();
        retitled[3].titel.push_str(" (neu)");
        let id = IndexBuilder::new(retitled.clone()).1[3];
        let refused = patched_build(
            &out,
            &state,
            Manifest::default(),
            retitled.clone(),
            &[],
            text_v1,
        )
        .expect_err("meta changed without re-add");
        assert!(refused.contains("nicht neu erfasst"), "{refused}");

        // A chunk changed in the output.
        let chunk = files_on_disk(&out)
            .into_keys()
            .find(|p| p.starts_with("suche/i/"))
            .expect("a chunk");
        let mut bytes = std::fs::read(out.join(&chunk)).expect("read");
        bytes.push(0);
        std::fs::write(out.join(&chunk), &bytes).expect("write");
        let refused = patched_build(&out, &state, manifest, retitled, &[id], text_v1)
            .expect_err("a chunk changed");
        assert!(refused.contains(&chunk), "{refused}");
    }

    #[test]
    fn a_patch_with_the_title_re_added_succeeds() {
        // The counterpart of the refusal above: the same change, re-added, is patched.
        let tmp = tempfile::tempdir().expect("tempdir");
        let out = tmp.path().join("site");
        let state = tmp.path().join("cache/x.suche");
        let manifest = first_build(&out, &state);
        let mut retitled = records();
        retitled[3].titel.push_str(" Querbeet");
        let id = IndexBuilder::new(retitled.clone()).1[3];
        patched_build(&out, &state, manifest, retitled.clone(), &[id], text_v1).expect("patch");
        let builder = builder(retitled);
        add(&builder, &all_ids(), text_v1);
        let expected: BTreeMap<String, Vec<u8>> = builder
            .finish()
            .0
            .into_iter()
            .map(|f| {
                let bytes = IndexFile::compress(&f.raw, f.level);
                (f.path, bytes)
            })
            .collect();
        assert_same_files(&files_on_disk(&out), &expected);
    }

    #[test]
    fn a_patch_gives_up_when_the_runner_ups_are_used_up() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let out = tmp.path().join("site");
        let state = tmp.path().join("cache/x.suche");
        let manifest = first_build(&out, &state);
        // Five kept records of `3333333` drop it: 15 kept + 4 runner-ups < 20, and 6 more
        // postings are not known.
        let dropped = [0, 1, 2, 3, 4];
        let text = dropping_3333333(text_v1, &dropped);
        let refused = patched_build(&out, &state, manifest, records(), &dropped, text)
            .expect_err("runner-ups used up");
        assert!(refused.contains("Nachrücker"), "{refused}");
    }

    #[test]
    fn a_posting_below_the_runner_ups_is_not_taken_for_one() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let out = tmp.path().join("site");
        let state = tmp.path().join("cache/x.suche");
        let manifest = first_build(&out, &state);
        // Record 0 drops `3333333` (a runner-up moves up); record 200 gets it once in a long
        // text, so its posting ranks below the runner-ups, among the postings the state
        // does not know.
        let second = |id: u32| {
            let text = text_v1(id)?;
            Some(match id {
                0 => text.replace("3333333", ""),
                200 => format!("{text} 3333333{}", " 100001".repeat(600)),
                _ => text,
            })
        };
        let (manifest, _) =
            patched_build(&out, &state, manifest, records(), &[0, 200], second).expect("patch");
        assert_same_files(&files_on_disk(&out), &full_build(second));
        // Four more kept records drop it: 16 kept and 3 runner-ups are known to be the best;
        // record 200's posting is not known to rank above the unknown ones.
        let dropped = [1, 2, 3, 4];
        let third = dropping_3333333(second, &dropped);
        let refused = patched_build(&out, &state, manifest, records(), &dropped, third)
            .expect_err("runner-ups used up");
        assert!(refused.contains("Nachrücker"), "{refused}");
    }

    #[test]
    fn a_record_entering_the_kept_postings_displaces_the_lowest() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let out = tmp.path().join("site");
        let state = tmp.path().join("cache/x.suche");
        let manifest = first_build(&out, &state);
        // Record 26 (below the cut of `3333333`) now uses it six times; no kept record
        // leaves, so the lowest kept one must make room.
        let text = |id: u32| {
            let text = text_v1(id)?;
            Some(if id == 26 {
                format!("{text}{}", " 3333333".repeat(5))
            } else {
                text
            })
        };
        patched_build(&out, &state, manifest, records(), &[26], text).expect("patch");
        assert_same_files(&files_on_disk(&out), &full_build(text));
    }

    #[test]
    fn a_record_indexed_again_unchanged_touches_no_chunk() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let out = tmp.path().join("site");
        let state = tmp.path().join("cache/x.suche");
        let manifest = first_build(&out, &state);
        // Its page was rendered again (a linked page changed, say), its text is the same.
        let (_, stats) =
            patched_build(&out, &state, manifest, records(), &[10, 11], text_v1).expect("patch");
        assert_eq!(
            (stats.terms, stats.chunks_patched, stats.chunks_made),
            (0, 0, 0)
        );
        assert_eq!(stats.fragments_made, 1);
        assert_same_files(&files_on_disk(&out), &full_build(text_v1));
    }

    #[test]
    fn a_corrupt_state_is_refused() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let out = tmp.path().join("site");
        let state = tmp.path().join("cache/x.suche");
        let manifest = first_build(&out, &state);
        // A forward shard that does not match the summary's hash.
        let shard = state.with_extension("suche.d").join("00.bin");
        let mut bytes = std::fs::read(&shard).expect("shard");
        bytes[0] ^= 1;
        std::fs::write(&shard, &bytes).expect("write");
        let refused = patched_build(&out, &state, manifest, records(), &[0], text_v1)
            .expect_err("corrupt shard");
        assert!(refused.contains("00.bin"), "{refused}");
        // A summary with one bit changed, or cut short, does not load.
        let summary = std::fs::read(&state).expect("summary");
        assert!(PreviousIndex::load(&state, &builder(records())).is_some());
        let mut flipped = summary.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 1;
        std::fs::write(&state, &flipped).expect("write");
        assert!(PreviousIndex::load(&state, &builder(records())).is_none());
        std::fs::write(&state, &summary[..summary.len() / 2]).expect("write");
        assert!(PreviousIndex::load(&state, &builder(records())).is_none());
    }

    #[test]
    fn gunzip_reads_what_compress_writes_and_nothing_else() {
        let raw: Vec<u8> = (0..100_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let packed = IndexFile::compress(&raw, 6);
        assert_eq!(gunzip(&packed).as_deref(), Some(raw.as_slice()));
        assert_eq!(
            gunzip(&IndexFile::compress(b"", 2)).as_deref(),
            Some(&b""[..])
        );
        let mut flipped = packed.clone();
        let middle = flipped.len() / 2;
        flipped[middle] ^= 0x10;
        assert_eq!(gunzip(&flipped), None);
        assert_eq!(gunzip(&packed[..packed.len() - 1]), None);
        let mut longer = packed.clone();
        let at = longer.len() - 4;
        longer[at] ^= 1; // the length in the trailer
        assert_eq!(gunzip(&longer), None);
    }

    #[test]
    fn term_entries_round_trip() {
        let kept = vec![(3, 120), (9, 7), (400, 255)];
        let entry = encode_entry("hund", 5, &kept);
        let decoded = decode_entry(&entry).expect("decodes");
        assert_eq!((decoded.df, decoded.truncated), (5, true));
        assert_eq!(decoded.kept, kept);
        let two = [entry.clone(), encode_entry("katz", 3, &kept)].concat();
        let split = split_entries(&two).expect("splits");
        assert_eq!(split.len(), 2);
        assert_eq!((split[0].0, split[1].0), ("hund", "katz"));
        assert!(split_entries(&two[..two.len() - 1]).is_err());
        assert!(decode_entry(&entry[..entry.len() - 1]).is_none());
    }
}
