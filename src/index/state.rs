//! What a build keeps of its search index so that the next build can patch the index
//! instead of building it again (`IndexBuilder::finish_patched`, docs/search.md).
//!
//! The state lives in the user's cache folder, like the parse cache: a summary file (the
//! dictionary, the chunk list, the runner-ups of truncated terms, a hash and the length of
//! each record) and, in a folder beside it, the *forward store* in `SHARDS` files by
//! record-id range: per term, the shard's records that have it, with their term frequency.
//! A patch reads the shards of the records it re-indexed (to find their old postings and
//! weights), and the next save writes only those shards again.
//!
//! Term numbers are stable between patches: a new term gets the next free number and a
//! term that lost its last posting keeps its number (marked dead), so one new word does
//! not renumber every record's terms. A full build numbers the terms afresh, in sorted
//! order.
//!
//! The state is input the user can reach (and break): everything read is checked (a hash
//! of the summary and of each shard, format, program, limits, record identity, lengths,
//! bounds), and what does not fit makes the patch give up, never produce a wrong index.

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasher, Hash, Hasher};
use std::io;
use std::ops::Range;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::search::{varint, FxBuild, IndexBuilder, Limits, Postings};

/// Forward-store shards. A one-record patch reads and writes one of them (about 1 MB at
/// 235,000 records); both cores have work when a full build writes them all.
pub(super) const SHARDS: usize = 64;

/// Changes whenever the stored layout, or the meaning of what is stored, does.
const FORMAT: u32 = 3;

/// The summary file: everything a patch needs except the forward store.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Summary {
    format: u32,
    /// The program that wrote it: another version may tokenise or encode differently.
    program: u64,
    limits: Limits,
    /// `IndexBuilder::identity` of the records.
    identity: u64,
    /// Per record id, the hash of its `RecordMeta`.
    pub meta_hashes: Vec<u64>,
    /// Per record id, its length in weighted terms: with a term frequency from the forward
    /// store, the weight the index holds for the record.
    pub lengths: Vec<u32>,
    pub dictionary: Dictionary,
    /// The chunks of the dictionary, in order.
    pub chunks: Vec<ChunkSummary>,
    /// The terms whose postings were cut, by term number.
    pub cuts: Vec<TermCut>,
    /// Per forward shard, the hash of its file.
    pub shard_hashes: Vec<u64>,
}

/// The terms of the index by term number.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Dictionary {
    /// Term by number. The first `sorted` are in dictionary order (a full build numbers
    /// every term so, and a patch finds a term among them by binary search); a patch appends
    /// the terms it adds.
    terms: Vec<String>,
    sorted: u32,
    /// Numbers (ascending) of terms that lost their last posting in a patch. A term that
    /// comes back gets its number again.
    dead: Vec<u32>,
}

/// What the dictionary knows of a term.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Lookup {
    Live(u32),
    Dead(u32),
    Absent,
}

impl Dictionary {
    /// The dictionary of a full build: `terms` sorted.
    pub fn full(terms: Vec<String>) -> Dictionary {
        Dictionary {
            sorted: terms.len() as u32,
            terms,
            dead: Vec::new(),
        }
    }

    /// Term numbers are below this.
    pub fn len(&self) -> usize {
        self.terms.len()
    }

    /// The term with number `number`, if it has postings.
    pub fn term(&self, number: u32) -> Option<&str> {
        let term = self.terms.get(number as usize)?;
        self.dead
            .binary_search(&number)
            .is_err()
            .then_some(term.as_str())
    }

    /// The terms a patch appended, for `lookup`.
    pub fn appended(&self) -> HashMap<&str, u32, FxBuild> {
        let sorted = (self.sorted as usize).min(self.terms.len());
        (sorted..self.terms.len())
            .map(|n| (self.terms[n].as_str(), n as u32))
            .collect()
    }

    /// The number of `term`; `appended` is `self.appended()`.
    pub fn lookup(&self, appended: &HashMap<&str, u32, FxBuild>, term: &str) -> Lookup {
        let sorted = &self.terms[..(self.sorted as usize).min(self.terms.len())];
        let number = match sorted.binary_search_by(|t| t.as_str().cmp(term)) {
            Ok(number) => number as u32,
            Err(_) => match appended.get(term) {
                Some(number) => *number,
                None => return Lookup::Absent,
            },
        };
        match self.dead.binary_search(&number) {
            Ok(_) => Lookup::Dead(number),
            Err(_) => Lookup::Live(number),
        }
    }

    /// Term `number` lost its last posting.
    pub fn kill(&mut self, number: u32) {
        if let Err(at) = self.dead.binary_search(&number) {
            self.dead.insert(at, number);
        }
    }

    /// A number for `term`, which has postings again (`Dead`) or for the first time.
    pub fn add(&mut self, term: &str, known: Lookup) -> u32 {
        match known {
            Lookup::Live(number) => number,
            Lookup::Dead(number) => {
                if let Ok(at) = self.dead.binary_search(&number) {
                    self.dead.remove(at);
                }
                number
            }
            Lookup::Absent => {
                self.terms.push(term.to_string());
                (self.terms.len() - 1) as u32
            }
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct ChunkSummary {
    /// Its first term (which names its file).
    pub first: String,
    /// The hash of its bytes before compression: what a patch reads back must be this.
    pub raw_hash: u64,
}

/// A term with more postings than the index keeps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct TermCut {
    pub term: u32,
    /// Its document frequency (all postings, kept or not).
    pub df: u64,
    /// The best postings below the cut, best first (`search::cut_order`). Every posting
    /// neither kept nor here ranks below the last of them.
    pub runner_ups: Vec<(u32, u8)>,
}

/// What the next build needs to patch the index this build wrote. Save it (`save`) once
/// the output is published; remove the old one (`remove`) before publishing.
#[derive(Debug)]
pub struct IndexState {
    pub(super) summary: Summary,
    /// Forward shards to write: all of them after a full build, the changed ones after a
    /// patch (the others are on disk already, with the hash the summary names).
    pub(super) dirty_shards: Vec<(usize, Vec<u8>)>,
    /// What a patch did; None after a full build.
    pub(super) patch: Option<PatchStats>,
}

/// What a patch of the index did, for `--timings` and tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PatchStats {
    /// Records indexed again.
    pub records: usize,
    /// Terms whose postings were made again.
    pub terms: usize,
    /// Chunks that held such a term.
    pub chunks_patched: usize,
    /// Unchanged chunks read because the chunker did not start a chunk where they did.
    pub chunks_resynced: usize,
    /// Chunk files made (some may turn out byte-identical to the old ones).
    pub chunks_made: usize,
    pub chunks_kept: usize,
    pub fragments_made: usize,
}

/// The state of the previous build, loaded before rendering.
#[derive(Debug)]
pub struct PreviousIndex {
    pub(super) summary: Summary,
    pub(super) shard_folder: PathBuf,
}

impl IndexState {
    /// The state of a full build.
    pub(super) fn full(
        builder: &IndexBuilder,
        terms: Vec<String>,
        chunks: Vec<ChunkSummary>,
        cuts: Vec<TermCut>,
        forward: Vec<Vec<u8>>,
    ) -> IndexState {
        let summary = Summary {
            format: FORMAT,
            program: program(),
            limits: builder.limits,
            identity: builder.identity(),
            meta_hashes: builder.meta_hashes(),
            lengths: builder.lengths(),
            dictionary: Dictionary::full(terms),
            chunks,
            cuts,
            shard_hashes: forward.iter().map(|bytes| hash_bytes(bytes)).collect(),
        };
        IndexState {
            summary,
            dirty_shards: forward.into_iter().enumerate().collect(),
            patch: None,
        }
    }

    /// The state of a patched build: the previous summary with its parts replaced.
    pub(super) fn patched(
        summary: Summary,
        dirty_shards: Vec<(usize, Vec<u8>)>,
        stats: PatchStats,
    ) -> IndexState {
        IndexState {
            summary,
            dirty_shards,
            patch: Some(stats),
        }
    }

    /// What the patch that made this state did; None after a full build.
    pub fn patch_stats(&self) -> Option<PatchStats> {
        self.patch
    }

    /// Writes the state to `path` (a file in the user's cache folder) and its forward
    /// shards into the folder `<path>.d`. The summary goes last: until it is written, the
    /// shards it names are not trusted.
    pub fn save(&self, path: &Path) -> io::Result<()> {
        let folder = shard_folder(path);
        self.dirty_shards
            .par_iter()
            .map(|(shard, bytes)| {
                crate::load::write_private(&shard_file(&folder, *shard), bytes, "suche")
            })
            .collect::<io::Result<()>>()?;
        let body = postcard::to_allocvec(&self.summary).map_err(io::Error::other)?;
        let mut bytes = Vec::with_capacity(8 + body.len());
        bytes.extend_from_slice(&hash_bytes(&body).to_le_bytes());
        bytes.extend_from_slice(&body);
        crate::load::write_private(path, &bytes, "suche")
    }

    /// Removes the state at `path` (its summary: shards without a summary are never read).
    /// Call it before publishing a build's output, so that a build that dies halfway leaves
    /// no state that describes an output that is no longer there.
    pub fn remove(path: &Path) -> io::Result<()> {
        match std::fs::remove_file(path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    /// Bytes of forward shards this state will write (for measurements).
    pub fn dirty_bytes(&self) -> usize {
        self.dirty_shards.iter().map(|(_, b)| b.len()).sum()
    }
}

impl PreviousIndex {
    /// None when the state is missing, unreadable, of another format, or was made for a
    /// different list of records (ids would shift): the caller then renders every page.
    pub fn load(path: &Path, builder: &IndexBuilder) -> Option<PreviousIndex> {
        let bytes = std::fs::read(path).ok()?;
        // A checksum first: a summary damaged in a way that still decodes would patch wrong.
        let (checksum, body) = bytes.split_first_chunk::<8>()?;
        if u64::from_le_bytes(*checksum) != hash_bytes(body) {
            return None;
        }
        let summary: Summary = postcard::from_bytes(body).ok()?;
        let fits = summary.format == FORMAT
            && summary.program == program()
            && summary.limits == builder.limits
            && summary.meta_hashes.len() == builder.records.len()
            && summary.lengths.len() == builder.records.len()
            && summary.shard_hashes.len() == SHARDS
            && summary.identity == builder.identity();
        fits.then(|| PreviousIndex {
            summary,
            shard_folder: shard_folder(path),
        })
    }
}

/// Forward shard `shard` in `folder`, checked against the hash `summary` names for it.
pub(super) fn read_shard(
    folder: &Path,
    summary: &Summary,
    shard: usize,
) -> Result<ForwardShard, String> {
    let path = shard_file(folder, shard);
    let bytes = std::fs::read(&path)
        .map_err(|e| format!("Suchindex-Zustand {} nicht lesbar: {e}", path.display()))?;
    if summary.shard_hashes.get(shard) != Some(&hash_bytes(&bytes)) {
        return Err(format!(
            "Suchindex-Zustand {} passt nicht zur Übersicht",
            path.display()
        ));
    }
    let records = shard_range(shard, summary.meta_hashes.len()).len();
    ForwardShard::decode(&bytes, records, summary.dictionary.len())
        .ok_or_else(|| format!("Suchindex-Zustand {} beschädigt", path.display()))
}

/// `<path>.d`: the folder of the forward shards.
fn shard_folder(path: &Path) -> PathBuf {
    let mut folder = path.as_os_str().to_owned();
    folder.push(".d");
    PathBuf::from(folder)
}

fn shard_file(folder: &Path, shard: usize) -> PathBuf {
    folder.join(format!("{shard:02}.bin"))
}

/// The records of forward shard `shard` of `records`.
pub(super) fn shard_range(shard: usize, records: usize) -> Range<usize> {
    let per_shard = records.div_ceil(SHARDS).max(1);
    let start = (shard * per_shard).min(records);
    start..((shard + 1) * per_shard).min(records)
}

/// The forward shard of record `id`.
pub(super) fn shard_of(id: u32, records: usize) -> usize {
    id as usize / records.div_ceil(SHARDS).max(1)
}

/// Terms handled by one task of `forward_shards`' first pass.
const TERMS_PER_BLOCK: usize = 2048;

/// A record's posting as the forward store keeps it: its offset in the shard and its term
/// frequency (with the record's length, the weight the index holds for it).
pub(super) type ForwardPosting = (u32, u16);

/// The forward store of a full build, from the merged postings (sorted by term, each list
/// by record id), encoded per shard (`ForwardShard::encode`). A shard holds, per term, the
/// run of the term's list that falls into the shard's id range, so nothing is scattered by
/// record (at 37 million postings, scattering through a table per record cost a second of
/// CPU): a first pass cuts the lists at shard boundaries (in parallel over terms), a second
/// encodes each shard's runs into one buffer (in parallel over shards).
pub(super) fn forward_shards(merged: &[(Box<str>, Postings)], records: usize) -> Vec<Vec<u8>> {
    let per_shard = records.div_ceil(SHARDS).max(1);
    // Per block of terms, per shard: (term number, where its run starts, its length).
    type Runs = Vec<Vec<(u32, u32, u32)>>;
    let blocks: Vec<Runs> = merged
        .par_chunks(TERMS_PER_BLOCK)
        .enumerate()
        .map(|(block, terms)| {
            let mut runs: Runs = vec![Vec::new(); SHARDS];
            for (at, (_, list)) in terms.iter().enumerate() {
                let term = (block * TERMS_PER_BLOCK + at) as u32;
                let mut from = 0;
                while let Some(first) = list.get(from) {
                    let shard = first.0 as usize / per_shard;
                    let end = (shard + 1) * per_shard;
                    // A scan, not a binary search: the list is read in order anyway, and
                    // the probes of a search into a long list miss the cache.
                    let run = list[from..]
                        .iter()
                        .take_while(|p| (p.0 as usize) < end)
                        .count();
                    if let Some(shard_runs) = runs.get_mut(shard) {
                        shard_runs.push((term, from as u32, run as u32));
                    }
                    from += run;
                }
            }
            runs
        })
        .collect();
    (0..SHARDS)
        .into_par_iter()
        .map(|shard| {
            let start = (shard * per_shard) as u32;
            let postings: usize = blocks
                .iter()
                .flat_map(|b| &b[shard])
                .map(|r| r.2 as usize)
                .sum();
            let mut bytes = Vec::with_capacity(postings * 2);
            for (term, from, run) in blocks.iter().flat_map(|b| &b[shard]) {
                let list = &merged[*term as usize].1[*from as usize..(from + run) as usize];
                encode_run(&mut bytes, *term, list, start);
            }
            bytes
        })
        .collect()
}

/// One term's run in a forward shard: its number, how many records, then per record its
/// offset in the shard as the gap from the previous one (`postings` hold record ids from
/// `start` on), shifted left by one with the low bit set when the term frequency is above
/// one, which then follows. Most frequencies are one: one varint per posting.
fn encode_run(out: &mut Vec<u8>, term: u32, postings: &[(u32, u16)], start: u32) {
    varint(out, u64::from(term));
    varint(out, postings.len() as u64);
    let mut last = start;
    for (id, tf) in postings {
        let gap = u64::from(id - last);
        last = *id;
        if *tf > 1 {
            varint(out, (gap << 1) | 1);
            varint(out, u64::from(*tf));
        } else {
            varint(out, gap << 1);
        }
    }
}

/// One shard of the forward store: per term with postings in the shard's records (by term
/// number), those records' postings (by offset in the shard).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ForwardShard {
    runs: Vec<(u32, Vec<ForwardPosting>)>,
}

impl ForwardShard {
    pub fn encode(&self) -> Vec<u8> {
        let total: usize = self.runs.iter().map(|(_, r)| r.len()).sum();
        let mut out = Vec::with_capacity(self.runs.len() * 4 + total * 2);
        for (term, postings) in &self.runs {
            encode_run(&mut out, *term, postings, 0);
        }
        out
    }

    /// The inverse of `encode` for a shard of `records` records whose term numbers are
    /// below `terms`; None if the bytes are not exactly that.
    fn decode(bytes: &[u8], records: usize, terms: usize) -> Option<ForwardShard> {
        let mut reader = Reader::new(bytes);
        let mut runs: Vec<(u32, Vec<ForwardPosting>)> = Vec::new();
        while !reader.is_at_end() {
            let term = u32::try_from(reader.varint()?).ok()?;
            if term as usize >= terms || runs.last().is_some_and(|(last, _)| *last >= term) {
                return None;
            }
            let count = usize::try_from(reader.varint()?).ok()?;
            // Every posting takes at least one byte: a corrupt count cannot allocate much.
            if count == 0 || count > reader.remaining() {
                return None;
            }
            // Not `Reader::increasing`: a term frequency may follow each gap.
            let mut postings = Vec::with_capacity(count);
            let mut last = 0u64;
            for at in 0..count {
                let flagged_gap = reader.varint()?;
                let gap = flagged_gap >> 1;
                if at > 0 && gap == 0 {
                    return None;
                }
                last = last.checked_add(gap)?;
                if last >= records as u64 {
                    return None;
                }
                let tf = match flagged_gap & 1 {
                    1 => u16::try_from(reader.varint()?).ok().filter(|tf| *tf > 1)?,
                    _ => 1,
                };
                postings.push((last as u32, tf));
            }
            runs.push((term, postings));
        }
        Some(ForwardShard { runs })
    }

    /// The term numbers of the record at `offset`, ascending.
    #[cfg(test)]
    pub fn terms_of(&self, offset: u32) -> Vec<u32> {
        self.runs
            .iter()
            .filter(|(_, postings)| postings.binary_search_by_key(&offset, |p| p.0).is_ok())
            .map(|(term, _)| *term)
            .collect()
    }

    /// (term number, offset, term frequency) for each term of the records at `offsets`
    /// (ascending), by term. One pass over the shard, however many records are asked for.
    pub fn postings_of_records(&self, offsets: &[u32]) -> Vec<(u32, u32, u16)> {
        let size = offsets.last().map_or(0, |last| *last as usize + 1);
        let mut wanted = vec![false; size];
        for offset in offsets {
            wanted[*offset as usize] = true;
        }
        let mut found = Vec::new();
        for (term, postings) in &self.runs {
            for (offset, tf) in postings {
                if wanted.get(*offset as usize).copied().unwrap_or(false) {
                    found.push((*term, *offset, *tf));
                }
            }
        }
        found
    }

    /// Gives the records at `offsets` (ascending) the postings of `new_postings` (term
    /// number → postings by offset; only records of `offsets`), and no others.
    pub fn replace(&mut self, offsets: &[u32], new_postings: &BTreeMap<u32, Vec<ForwardPosting>>) {
        for (_, postings) in &mut self.runs {
            postings.retain(|p| offsets.binary_search(&p.0).is_err());
        }
        let old = std::mem::take(&mut self.runs);
        let mut new = new_postings.iter().peekable();
        for (term, mut postings) in old {
            while let Some((added, added_postings)) = new.next_if(|(t, _)| **t < term) {
                self.runs.push((*added, added_postings.clone()));
            }
            if let Some((_, added_postings)) = new.next_if(|(t, _)| **t == term) {
                postings.extend_from_slice(added_postings);
                postings.sort_unstable_by_key(|p| p.0);
            }
            if !postings.is_empty() {
                self.runs.push((term, postings));
            }
        }
        self.runs
            .extend(new.map(|(term, postings)| (*term, postings.clone())));
    }
}

/// Reads varints and byte runs from untrusted bytes; every read is checked.
pub(super) struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { bytes, at: 0 }
    }

    /// `count` strictly increasing numbers below 2^32, written as varint gaps (the first
    /// as it is); None when the bytes say otherwise. Every number takes at least one byte,
    /// so a corrupt count cannot allocate much.
    pub fn increasing(&mut self, count: usize) -> Option<Vec<u32>> {
        if count > self.remaining() {
            return None;
        }
        let mut numbers = Vec::with_capacity(count);
        let mut last = 0u64;
        for at in 0..count {
            let gap = self.varint()?;
            if at > 0 && gap == 0 {
                return None;
            }
            last = last.checked_add(gap)?;
            numbers.push(u32::try_from(last).ok()?);
        }
        Some(numbers)
    }

    pub fn varint(&mut self) -> Option<u64> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = *self.bytes.get(self.at)?;
            self.at += 1;
            // The tenth byte holds the top bit only.
            if shift == 63 && byte > 1 {
                return None;
            }
            value |= u64::from(byte & 0x7f) << shift;
            if byte < 0x80 {
                return Some(value);
            }
        }
        None
    }

    /// Skips `count` varints (the record ids of a term's postings, when only the entry's
    /// end is wanted): a varint ends at each byte below 0x80.
    pub fn skip_varints(&mut self, count: usize) -> Option<()> {
        if count == 0 {
            return Some(());
        }
        let mut left = count;
        let rest = self.bytes.get(self.at..)?;
        let end = rest.iter().position(|byte| {
            left -= usize::from(*byte < 0x80);
            left == 0
        })?;
        self.at += end + 1;
        Some(())
    }

    pub fn take(&mut self, len: usize) -> Option<&'a [u8]> {
        let end = self.at.checked_add(len)?;
        let run = self.bytes.get(self.at..end)?;
        self.at = end;
        Some(run)
    }

    pub fn position(&self) -> usize {
        self.at
    }

    pub fn remaining(&self) -> usize {
        self.bytes.len() - self.at
    }

    pub fn is_at_end(&self) -> bool {
        self.at == self.bytes.len()
    }
}

/// Length and FxHash of `bytes` in one number: the check of a shard or chunk read back.
pub(super) fn hash_bytes(bytes: &[u8]) -> u64 {
    let mut hasher = FxBuild::default().build_hasher();
    hasher.write(bytes);
    hasher.finish() ^ (bytes.len() as u64).rotate_left(32)
}

/// The running program, by its executable's size and time stamps: another build of portal
/// may tokenise or encode differently, so its state is not used.
fn program() -> u64 {
    let mut hasher = FxBuild::default().build_hasher();
    FORMAT.hash(&mut hasher);
    std::env::current_exe()
        .ok()
        .and_then(|exe| crate::load::FileStamp::of(&exe))
        .hash(&mut hasher);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forward_shards_round_trip_and_reject_corruption() {
        // Records 0..130 in shards of 3 (130.div_ceil(64) = 3).
        let merged: Vec<(Box<str>, Postings)> = vec![
            ("a".into(), vec![(0, 1), (2, 4), (4, 1)]),
            ("b".into(), vec![(1, 1)]),
            ("c".into(), vec![(2, 1), (3, 2), (129, 7)]),
        ];
        let shards = forward_shards(&merged, 130);
        assert_eq!(shards.len(), SHARDS);
        let first = ForwardShard::decode(&shards[0], 3, 3).expect("decodes");
        assert_eq!(first.terms_of(0), vec![0]);
        assert_eq!(first.terms_of(1), vec![1]);
        assert_eq!(first.terms_of(2), vec![0, 2]);
        assert_eq!(
            first.postings_of_records(&[2]),
            vec![(0, 2, 4), (2, 2, 1)],
            "record 2: `a` four times, `c` once"
        );
        let second = ForwardShard::decode(&shards[1], 3, 3).expect("decodes");
        assert_eq!(
            second.postings_of_records(&[0, 1]),
            vec![(0, 1, 1), (2, 0, 2)]
        );
        let last = ForwardShard::decode(&shards[43], 1, 3).expect("decodes");
        assert_eq!(
            last.postings_of_records(&[0]),
            vec![(2, 0, 7)],
            "record 129"
        );
        assert_eq!(first.encode(), shards[0]);

        assert_eq!(
            ForwardShard::decode(&shards[0], 3, 2),
            None,
            "term out of range"
        );
        assert_eq!(
            ForwardShard::decode(&shards[0], 2, 3),
            None,
            "offset out of range"
        );
        let bytes = &shards[0];
        assert_eq!(ForwardShard::decode(&bytes[..bytes.len() - 1], 3, 3), None);

        // Record 2 loses `a` and `c` and gets `b`; record 1 keeps `b`.
        let mut patched = first.clone();
        patched.replace(&[2], &BTreeMap::from([(1, vec![(2, 3)])]));
        assert_eq!(patched.terms_of(2), vec![1]);
        assert_eq!(patched.terms_of(1), vec![1]);
        assert_eq!(patched.terms_of(0), vec![0]);
        assert_eq!(
            ForwardShard::decode(&patched.encode(), 3, 3),
            Some(patched.clone())
        );
        // A record without terms leaves no empty run behind.
        patched.replace(&[0], &BTreeMap::new());
        assert_eq!(patched.runs, vec![(1, vec![(1, 1), (2, 3)])]);
    }

    #[test]
    fn shard_ranges_cover_the_records() {
        for records in [0, 1, 63, 64, 65, 1000] {
            let mut next = 0;
            for shard in 0..SHARDS {
                let range = shard_range(shard, records);
                assert_eq!(range.start, next.min(records));
                for id in range.clone() {
                    assert_eq!(shard_of(id as u32, records), shard);
                }
                next = range.end.max(next);
            }
            assert_eq!(next, records);
        }
    }

    #[test]
    fn varints_from_untrusted_bytes() {
        assert_eq!(Reader::new(&[0xac, 0x02]).varint(), Some(300));
        let mut reader = Reader::new(&[0xac, 0x02, 0x05, 0x80, 0x01, 0x07]);
        assert_eq!(reader.skip_varints(3), Some(()));
        assert_eq!(reader.varint(), Some(7));
        assert_eq!(Reader::new(&[0xac, 0x02, 0x85]).skip_varints(2), None);
        assert_eq!(Reader::new(&[0x80]).varint(), None);
        assert_eq!(Reader::new(&[0xff; 11]).varint(), None);
    }
}
