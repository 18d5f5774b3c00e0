//! The Vorlage-Nr lookup: a typed number in any spelling leads straight to its Vorlage.
//!
//! Numbers are spread over small files keyed by their serial (the last group of at least
//! three digits: `0013` in `FB 56/0013/WP18`, `1329` in `2024/1329/1`), so the browser
//! fetches one file of a few entries whatever the size of the archive. Each file is a
//! gzipped JSON array of `[nr, slug, titel]`: the page is `vorlagen/<slug>/`, and an array
//! without key names and paths, compressed, is a third of the size.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::link::Site;

/// `[nr, slug, titel]`.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Entry(pub String, pub String, pub String);

/// The shard key of a number: its last group of at least three digits, else its last digit
/// group, else `x`. The browser computes the same key from what was typed.
pub fn shard_key(nr: &str) -> String {
    let groups: Vec<&str> = nr
        .split(|c: char| !c.is_ascii_digit())
        .filter(|g| !g.is_empty())
        .collect();
    groups
        .iter()
        .rev()
        .find(|g| g.len() >= 3)
        .or_else(|| groups.last())
        .map(|g| g.to_string())
        .unwrap_or_else(|| "x".to_string())
}

/// All lookup files: `<key>` of `suche/nr/<key>.bin` → entries sorted by number.
pub fn lookup_files(site: &Site) -> BTreeMap<String, Vec<Entry>> {
    let mut files: BTreeMap<String, Vec<Entry>> = BTreeMap::new();
    for v in &site.vorlagen {
        files.entry(shard_key(&v.nr)).or_default().push(Entry(
            v.nr.clone(),
            v.slug.clone(),
            v.titel.clone(),
        ));
    }
    for entries in files.values_mut() {
        entries.sort_by(|a, b| a.0.cmp(&b.0));
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
    }
}
