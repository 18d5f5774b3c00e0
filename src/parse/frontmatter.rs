//! Splits a document into its YAML frontmatter and its Markdown body.

/// The two parts of a document, with the positions needed for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split<'a> {
    pub yaml: &'a str,
    /// 1-based line of the first YAML line in the file.
    pub yaml_line: usize,
    pub body: &'a str,
    /// Byte offset of the body in the file.
    pub body_offset: usize,
    /// 1-based line of the first body line in the file.
    pub body_line: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SplitError {
    Empty,
    NoFrontmatter,
    /// The opening `---` is on line 1 but no closing line follows.
    NotClosed,
}

/// Splits `---\n<yaml>\n---\n<body>`. A UTF-8 byte order mark and `\r\n` line ends are
/// accepted; the closing line may also be `...` as in YAML.
pub fn split(text: &str) -> Result<Split<'_>, SplitError> {
    let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let text_after_bom = &text[start..];
    if text_after_bom.trim().is_empty() {
        return Err(SplitError::Empty);
    }
    let first_line_end = text_after_bom.find('\n').unwrap_or(text_after_bom.len());
    if text_after_bom[..first_line_end].trim_end() != "---" {
        return Err(SplitError::NoFrontmatter);
    }
    let yaml_start = start + first_line_end + 1;
    if yaml_start > text.len() {
        return Err(SplitError::NotClosed);
    }
    let mut offset = yaml_start;
    for (line, raw_line) in (2..).zip(text[yaml_start..].split_inclusive('\n')) {
        let trimmed = raw_line.trim_end();
        if trimmed == "---" || trimmed == "..." {
            let body_offset = offset + raw_line.len();
            return Ok(Split {
                yaml: &text[yaml_start..offset],
                yaml_line: 2,
                body: &text[body_offset..],
                body_offset,
                body_line: line + 1,
            });
        }
        offset += raw_line.len();
    }
    Err(SplitError::NotClosed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_yaml_and_body() {
        let s = split("---\ntyp: vorlage\n---\nText\n").expect("split");
        assert_eq!(s.yaml, "typ: vorlage\n");
        assert_eq!(s.body, "Text\n");
        assert_eq!(s.body_line, 4);
        assert_eq!(s.yaml_line, 2);
    }

    #[test]
    fn accepts_bom_and_crlf() {
        let s = split("\u{feff}---\r\na: 1\r\n---\r\nB").expect("split");
        assert_eq!(s.yaml, "a: 1\r\n");
        assert_eq!(s.body, "B");
    }

    #[test]
    fn reports_missing_and_unclosed_frontmatter() {
        assert_eq!(split(""), Err(SplitError::Empty));
        assert_eq!(split("  \n"), Err(SplitError::Empty));
        assert_eq!(split("# Titel\n"), Err(SplitError::NoFrontmatter));
        assert_eq!(split("---\ntyp: vorlage\n"), Err(SplitError::NotClosed));
        assert_eq!(split("---"), Err(SplitError::NotClosed));
    }
}
