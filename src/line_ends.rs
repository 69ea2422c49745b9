//! Line ends as people's editors count them: CRLF, LF and a lone CR (classic Mac, and what
//! Excel for Mac's "CSV (Macintosh)" format writes) each end one line.
//!
//! The CSV reader ends a record at any of the three but counts lines by LF only, so after
//! a lone CR every record would be named with the line of the one before it (a file saved
//! with CRs alone would be all "line 1"). Readers of text that name lines in their
//! problems turn every line end into LF first ([`to_lf`]); the lines the reader then
//! counts are the ones a user sees.

use std::borrow::Cow;

/// `bytes` with each CRLF and each lone CR written as LF; borrowed when there is no CR.
pub fn to_lf(bytes: &[u8]) -> Cow<'_, [u8]> {
    if !bytes.contains(&b'\r') {
        return Cow::Borrowed(bytes);
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut rest = bytes.iter().peekable();
    while let Some(&b) = rest.next() {
        if b == b'\r' {
            // CRLF is one line end: the LF is written once, for both.
            rest.next_if_eq(&&b'\n');
            out.push(b'\n');
        } else {
            out.push(b);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_line_end_becomes_one_lf() {
        assert_eq!(&*to_lf(b"a\r\nb\rc\nd\r\re\r"), b"a\nb\nc\nd\n\ne\n");
        assert_eq!(&*to_lf(b"\r\r\n\n"), b"\n\n\n");
        assert!(matches!(to_lf(b"a\nb\n"), Cow::Borrowed(_)), "nothing to change, nothing copied");
    }

    #[test]
    fn the_csv_reader_then_names_the_line_an_editor_shows() {
        for text in ["h\ra\rb\r", "h\r\na\r\nb\r\n", "h\na\rb\r\n"] {
            let bytes = to_lf(text.as_bytes());
            let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(&*bytes);
            let lines: Vec<u64> = reader.byte_records().map(|r| r.unwrap().position().unwrap().line()).collect();
            assert_eq!(lines, [1, 2, 3], "{text:?}");
        }
    }
}
