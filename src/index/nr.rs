//! The Vorlage-Nr lookup: a typed number in any spelling leads straight to its Vorlage.
//!
//! Numbers are spread over small files keyed by their serial (the last group of at least
//! three digits: `0013` in `FB 56/0013/WP18`, `1329` in `2024/1329/1`), so the browser
//! fetches one file of a few entries whatever the size of the archive. Each file is a
//! gzipped JSON array of `[nr, slug, titel]`: the page is `vorlagen/<slug>/`, and an array
//! without key names and paths, compressed, is a third of the size.

use serde::Serialize;

use crate::link::Site;

/// `[nr, slug, titel]`, borrowed from the site: every build makes all 4,000 files'
/// contents (105,000 entries at 6,000 Sitzungen) to learn which of them changed.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Entry<'a>(pub &'a str, pub &'a str, pub &'a str);

/// The shard key of a number: its last group of at least three digits, else its last digit
/// group, else `x`. The browser computes the same key from what was typed.
pub fn shard_key(nr: &str) -> &str {
    let mut last: Option<&str> = None;
    for group in nr
        .rsplit(|c: char| !c.is_ascii_digit())
        .filter(|g| !g.is_empty())
    {
        if group.len() >= 3 {
            return group;
        }
        last.get_or_insert(group);
    }
    last.unwrap_or("x")
}

/// A lookup entry with the packed prefixes of its shard key and its number beside them.
type Keyed<'a> = ((u128, &'a str), (u128, Entry<'a>));

/// All lookup files: `<key>` of `suche/nr/<key>.bin` → entries sorted by number, in
/// the byte order of the keys. Sorted in parallel rather than grouped in a map: every
/// rebuild makes them (a tree map of the keys took 0.04 s on one core).
pub fn lookup_files(site: &Site) -> Vec<(&str, Vec<Entry<'_>>)> {
    use crate::order::{cmp_keyed, prefix_key};
    use rayon::prelude::*;
    // With the packed prefixes of key and number beside them (`order::cmp_keyed`): most
    // comparisons then stay in this array instead of reading two strings each.
    let mut keyed: Vec<Keyed> = site
        .vorlagen
        .par_iter()
        .map(|v| {
            let key = shard_key(&v.nr);
            (
                (prefix_key(key), key),
                (prefix_key(&v.nr), Entry(&v.nr, &v.slug, &v.titel)),
            )
        })
        .collect();
    keyed.par_sort_unstable_by(|(key_a, a), (key_b, b)| {
        cmp_keyed(*key_a, *key_b).then_with(|| cmp_keyed((a.0, a.1 .0), (b.0, b.1 .0)))
    });
    let mut files: Vec<(&str, Vec<Entry>)> = Vec::new();
    for ((_, key), (_, entry)) in keyed {
        match files.last_mut() {
            Some((last, entries)) if *last == key => entries.push(entry),
            _ => files.push((key, vec![entry])),
        }
    }
    files
}

#[cfg(test)]
mod tests {
    use super::shard_key;

    #[test]
    fn keys() {
        assert_eq!(shard_key("FB 56/0013/WP18"), "0013");
        assert_eq!(shard_key("FB 56/0013/WP18-1"), "0013");
        assert_eq!(shard_key("0013/WP18"), "0013");
        assert_eq!(shard_key("2024/1329/1"), "1329");
        assert_eq!(shard_key("BV/2022/2028"), "2028");
        assert_eq!(shard_key("A 12/7"), "7");
        assert_eq!(shard_key("ohne"), "x");
        assert_eq!(shard_key("12/7/5"), "5");
        assert_eq!(shard_key("123/7/5"), "123");
    }
}
