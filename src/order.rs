//! Orders that every build computes over the whole site: Vorlage-Nrs sorted in byte
//! order, and items moved into a computed order in place.
//!
//! The strings of a large site lie all over the heap, one allocation each; a plain sort
//! of 400,000 of them spends most of its time waiting for memory. Here each string's first
//! 16 bytes are packed into an integer beside it, so most comparisons stay in one array
//! (a number like `FB 56/0051/WP18` mostly fits).

use rayon::prelude::*;

/// The first 16 bytes of `s` as a big-endian integer, zero-padded: comparing two of them
/// agrees with comparing the strings, except that equal keys need more (a string sorts
/// after its own prefix either way).
pub fn prefix_key(s: &str) -> u128 {
    let mut bytes = [0u8; 16];
    let n = s.len().min(16);
    bytes[..n].copy_from_slice(&s.as_bytes()[..n]);
    u128::from_be_bytes(bytes)
}

/// Byte order of two strings given with their [`prefix_key`]s. On equal keys, two strings
/// of at most 16 bytes differ only in trailing NUL bytes, so their lengths decide without
/// reading the strings: numbers repeat (every mention of a Vorlage), and reading both
/// strings of every tie was most of the sort's time.
pub fn cmp_keyed(a: (u128, &str), b: (u128, &str)) -> std::cmp::Ordering {
    a.0.cmp(&b.0).then_with(|| {
        if a.1.len() <= 16 && b.1.len() <= 16 {
            a.1.len().cmp(&b.1.len())
        } else {
            a.1.cmp(b.1)
        }
    })
}

/// Sorts in byte order and drops repeats.
pub fn sort_unique(items: &mut Vec<&str>) {
    let mut keyed: Vec<(u128, &str)> = items.par_iter().map(|s| (prefix_key(s), *s)).collect();
    keyed.par_sort_unstable_by(|a, b| cmp_keyed(*a, *b));
    keyed.dedup_by(|a, b| cmp_keyed(*a, *b).is_eq());
    items.clear();
    items.extend(keyed.into_iter().map(|(_, s)| s));
}

/// Puts `items[order[i]]` at `i`, in place (`order` is a permutation of the indices): the
/// items of a large site are not copied into fresh memory on every build.
pub fn permute<T>(items: &mut [T], order: &[usize]) {
    let mut placed = vec![false; items.len()];
    for start in 0..items.len() {
        if placed[start] {
            continue;
        }
        // Follow the cycle through `start`: each slot takes the item its order names.
        let mut slot = start;
        loop {
            placed[slot] = true;
            let from = order[slot];
            if from == start {
                break;
            }
            items.swap(slot, from);
            slot = from;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_unique_orders_by_bytes_and_drops_repeats() {
        let words = [
            "FB 56/0051/WP18",
            "FB 56/0051/WP18",
            "FB 56/0051/WP17",
            "FB 56/0051/WP18-1",
            "FB 56/0051",
            "FB 56/0051\0",
            "FB 56/0051\0\0",
            "FB 56/0051\0",
            "sixteen bytes ab",
            "sixteen bytes ab\0",
            "sixteen bytes abd",
            "sixteen bytes abc",
            "sixteen bytes ab",
            "",
            "Ä 1",
            "A 1",
            "a very long number that shares more than sixteen bytes A",
            "a very long number that shares more than sixteen bytes B",
            "a very long number that shares more than sixteen bytes A",
            "z",
        ];
        for a in words {
            for b in words {
                let keyed = cmp_keyed((prefix_key(a), a), (prefix_key(b), b));
                assert_eq!(keyed, a.cmp(b), "{a:?} against {b:?}");
            }
        }
        let mut expected: Vec<&str> = words.to_vec();
        expected.sort_unstable();
        expected.dedup();
        let mut sorted: Vec<&str> = words.iter().rev().copied().collect();
        sort_unique(&mut sorted);
        assert_eq!(sorted, expected);
    }

    #[test]
    fn permute_places_each_item_where_its_order_names_it() {
        for order in [
            vec![],
            vec![0],
            vec![2, 0, 1],
            vec![1, 0, 3, 2, 4],
            vec![4, 3, 2, 1, 0],
            vec![3, 4, 0, 1, 2, 6, 5],
        ] {
            let items: Vec<String> = (0..order.len()).map(|i| format!("r{i}")).collect();
            let expected: Vec<String> = order.iter().map(|i| items[*i].clone()).collect();
            let mut permuted = items.clone();
            permute(&mut permuted, &order);
            assert_eq!(permuted, expected, "order {order:?}");
        }
    }
}
