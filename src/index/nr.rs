//! The Vorlage-Nr lookup: a typed number in any spelling leads straight to its Vorlage.
//!
//! Numbers are spread over small files keyed by their serial (the last group of at least
//! three digits: `0013` in `FB 56/0013/WP18`, `1329` in `2024/1329/1`), so the browser
//! fetches one file of a few entries whatever the size of the archive.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::link::Site;

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Entry {
    pub nr: String,
    pub url: String,
    pub titel: String,
}

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

/// All lookup files: `suche/nr/<key>.json` → entries sorted by number.
pub fn lookup_files(site: &Site) -> BTreeMap<String, Vec<Entry>> {
    let mut files: BTreeMap<String, Vec<Entry>> = BTreeMap::new();
    for v in &site.vorlagen {
        files.entry(shard_key(&v.nr)).or_default().push(Entry {
            nr: v.nr.clone(),
            url: format!("vorlagen/{}/", v.slug),
            titel: v.titel.clone(),
        });
    }
    for entries in files.values_mut() {
        entries.sort_by(|a, b| a.nr.cmp(&b.nr));
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
