//! The Snowball German stemmer (the classic algorithm of snowballstem.org), so that
//! "Hunde", "Hunden" and "Hund" find each other. The browser runs the same algorithm
//! (static/suche.js); `tests/fixtures/stems.tsv` pins both to the same results.

fn is_vowel(c: char) -> bool {
    matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y' | 'ä' | 'ö' | 'ü')
}

fn ends_with(word: &[char], suffix: &str) -> bool {
    let s: Vec<char> = suffix.chars().collect();
    word.len() >= s.len() && word[word.len() - s.len()..] == s[..]
}

/// The longest of `suffixes` that `word` ends with.
fn longest<'a>(word: &[char], suffixes: &[&'a str]) -> Option<&'a str> {
    suffixes
        .iter()
        .filter(|s| ends_with(word, s))
        .max_by_key(|s| s.chars().count())
        .copied()
}

/// Start of R1 and R2 (char positions); `len` when the region is empty.
fn regions(w: &[char]) -> (usize, usize) {
    let len = w.len();
    if len < 3 {
        return (len, len);
    }
    let after_vowel_consonant = |from: usize| -> usize {
        let mut i = from;
        while i < len && !is_vowel(w[i]) {
            i += 1;
        }
        while i < len && is_vowel(w[i]) {
            i += 1;
        }
        if i < len {
            i + 1
        } else {
            len
        }
    };
    let p1 = after_vowel_consonant(0);
    let p2 = after_vowel_consonant(p1);
    (p1.max(3), p2)
}

/// Stems one lower-case word.
pub fn stem(word: &str) -> String {
    let mut w: Vec<char> = Vec::with_capacity(word.len());
    for c in word.chars() {
        if c == 'ß' {
            w.extend(['s', 's']);
        } else {
            w.push(c);
        }
    }
    // u and y between vowels are consonants: mark them upper case.
    let mut i = 1;
    while i + 1 < w.len() {
        if is_vowel(w[i - 1]) && (w[i] == 'u' || w[i] == 'y') && is_vowel(w[i + 1]) {
            w[i] = w[i].to_ascii_uppercase();
            i += 3;
        } else {
            i += 1;
        }
    }
    let (p1, p2) = regions(&w);

    // Step 1
    if let Some(s) = longest(&w, &["em", "ern", "er", "e", "en", "es", "s"]) {
        let start = w.len() - s.chars().count();
        if start >= p1 {
            match s {
                "s" => {
                    if start > 0 && "bdfghklmnrt".contains(w[start - 1]) {
                        w.truncate(start);
                    }
                }
                "e" | "en" | "es" => {
                    w.truncate(start);
                    if ends_with(&w, "niss") {
                        w.pop();
                    }
                }
                _ => w.truncate(start),
            }
        }
    }
    // Step 2
    if let Some(s) = longest(&w, &["en", "er", "est", "st"]) {
        let start = w.len() - s.chars().count();
        if start >= p1 {
            if s == "st" {
                if start >= 4 && "bdfghklmnt".contains(w[start - 1]) {
                    w.truncate(start);
                }
            } else {
                w.truncate(start);
            }
        }
    }
    // Step 3: d-suffixes
    if let Some(s) = longest(
        &w,
        &["end", "ung", "ig", "ik", "isch", "lich", "heit", "keit"],
    ) {
        let start = w.len() - s.chars().count();
        if start >= p2 {
            match s {
                "end" | "ung" => {
                    w.truncate(start);
                    if ends_with(&w, "ig") {
                        let ig = w.len() - 2;
                        if ig >= p2 && (ig == 0 || w[ig - 1] != 'e') {
                            w.truncate(ig);
                        }
                    }
                }
                "ig" | "ik" | "isch" => {
                    if start == 0 || w[start - 1] != 'e' {
                        w.truncate(start);
                    }
                }
                "lich" | "heit" => {
                    w.truncate(start);
                    if ends_with(&w, "er") || ends_with(&w, "en") {
                        let e = w.len() - 2;
                        if e >= p1 {
                            w.truncate(e);
                        }
                    }
                }
                _ => {
                    w.truncate(start);
                    if let Some(s2) = longest(&w, &["lich", "ig"]) {
                        let s2_start = w.len() - s2.chars().count();
                        if s2_start >= p2 {
                            w.truncate(s2_start);
                        }
                    }
                }
            }
        }
    }
    w.into_iter()
        .map(|c| match c {
            'U' => 'u',
            'Y' => 'y',
            'ä' => 'a',
            'ö' => 'o',
            'ü' => 'u',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::stem;

    /// Examples from the Snowball German stemmer's documentation and vocabulary.
    #[test]
    fn snowball_examples() {
        for (word, expected) in [
            ("äckern", "ack"),
            ("ackers", "ack"),
            ("armes", "arm"),
            ("bedürfnissen", "bedurfnis"),
            ("derbsten", "derb"),
            ("aufeinanderfolgenden", "aufeinanderfolg"),
            ("kategorischen", "kategor"),
            ("hunde", "hund"),
            ("hunden", "hund"),
            ("hund", "hund"),
            ("obdachlose", "obdachlos"),
            ("obdachloser", "obdachlos"),
            ("obdachlosen", "obdachlos"),
            ("straße", "strass"),
            ("genehmigung", "genehm"),
            ("beratungsstelle", "beratungsstell"),
            ("a", "a"),
        ] {
            assert_eq!(stem(word), expected, "{word}");
        }
    }
}

#[cfg(test)]
mod parity {
    const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/stems.tsv");

    /// `tests/fixtures/stems.tsv` pins the stems of the seed vocabulary and some hard
    /// cases; the browser test checks static/suche.js against the same file. Regenerate
    /// with `PORTAL_WRITE_STEMS=1 cargo test --lib stems_fixture`.
    #[test]
    fn stems_fixture_matches_reference_and_ours() {
        let reference = rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::German);
        if std::env::var_os("PORTAL_WRITE_STEMS").is_some() {
            let mut words = seed_words();
            for w in [
                "häuser",
                "straße",
                "bauen",
                "bayern",
                "kategorischen",
                "derbsten",
                "bedürfnissen",
                "feuer",
                "treue",
                "zuständigkeit",
                "herrlichkeit",
                "gesetzlich",
                "wichtigkeiten",
                "übergangsheime",
                "mehrgenerationenhäuser",
            ] {
                words.insert(w.to_string());
            }
            let text: String = words
                .iter()
                .map(|w| format!("{w}\t{}\n", reference.stem(w)))
                .collect();
            std::fs::write(FIXTURE, text).expect("write fixture");
        }
        let text = std::fs::read_to_string(FIXTURE).expect("fixture");
        let mut count = 0;
        for line in text.lines() {
            let (word, expected) = line.split_once('\t').expect("word<TAB>stem");
            assert_eq!(reference.stem(word), expected, "reference: {word}");
            assert_eq!(super::stem(word), expected, "ours: {word}");
            count += 1;
        }
        assert!(count > 1000, "{count} words");
    }

    fn seed_words() -> std::collections::BTreeSet<String> {
        let mut words = std::collections::BTreeSet::new();
        for entry in walkdir::WalkDir::new(concat!(env!("CARGO_MANIFEST_DIR"), "/content")) {
            let entry = entry.expect("walk");
            if entry.file_type().is_file() {
                let text = std::fs::read_to_string(entry.path()).expect("read");
                for w in text.split(|c: char| !c.is_alphanumeric()) {
                    if !w.is_empty() && !w.chars().all(|c| c.is_ascii_digit()) {
                        words.insert(w.to_lowercase());
                    }
                }
            }
        }
        words
    }

    /// Our stemmer against the rust-stemmers crate (Snowball's own generated code) on every
    /// word of the seed corpus.
    #[test]
    fn agrees_with_snowball_reference_on_the_seed_vocabulary() {
        let reference = rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::German);
        let words = seed_words();
        let differences: Vec<String> = words
            .iter()
            .filter(|w| super::stem(w) != reference.stem(w))
            .map(|w| {
                format!(
                    "{w}: ours {} reference {}",
                    super::stem(w),
                    reference.stem(w)
                )
            })
            .collect();
        assert!(
            differences.is_empty(),
            "{} of {} differ:\n{}",
            differences.len(),
            words.len(),
            differences.join("\n")
        );
    }
}
