//! One spreadsheet cell as text, the way today's CSV files write it.
//!
//! Whole numbers print without a decimal part (`571`, `2024`), other numbers in their
//! shortest exact form, dates as `YYYY-MM-DD`, booleans as `true`/`false`. A cached formula
//! value counts as the value; an error value (`#N/A`) is a problem. Text is trimmed; line
//! breaks inside a cell become spaces. Text starting with `=` is refused: it would become a
//! formula again when the data is exported to a spreadsheet.

use calamine::DataRef;

/// Longest text a cell may hold (Excel's own limit).
pub const MAX_CELL_CHARS: usize = 32_767;

/// Why a cell cannot be read, in English and Vietnamese.
pub(crate) struct CellProblem {
    pub en: String,
    pub vi: String,
}

/// The cell's text, or why it has none.
pub(crate) fn cell_text(value: &DataRef<'_>) -> Result<String, CellProblem> {
    let text = match value {
        DataRef::Empty => String::new(),
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => s.to_string(),
        DataRef::Float(f) => number_text(*f),
        DataRef::Int(i) => i.to_string(),
        DataRef::Bool(b) => b.to_string(),
        DataRef::DateTime(d) => {
            let (y, m, day, ..) = d.to_ymd_hms_milli();
            format!("{y:04}-{m:02}-{day:02}")
        }
        DataRef::DateTimeIso(s) => s.get(..10).unwrap_or(s).to_string(),
        DataRef::DurationIso(s) => {
            return Err(CellProblem {
                en: format!("the cell holds a duration ({s}), not a value of this column"),
                vi: format!("Ô chứa một khoảng thời gian ({s}), không phải giá trị của cột này"),
            })
        }
        DataRef::Error(e) => {
            return Err(CellProblem {
                en: format!("the cell holds an error value ({e}); type the value"),
                vi: format!("Ô chứa giá trị lỗi ({e}); hãy nhập giá trị"),
            })
        }
    };
    clean_text(&text)
}

/// Checks and tidies text from any source (cells and CSV fields alike).
pub(crate) fn clean_text(text: &str) -> Result<String, CellProblem> {
    if text.chars().count() > MAX_CELL_CHARS {
        return Err(CellProblem {
            en: format!("the text is longer than {MAX_CELL_CHARS} characters"),
            vi: format!("Nội dung dài quá {MAX_CELL_CHARS} ký tự"),
        });
    }
    let text = text.trim();
    if text.starts_with('=') {
        return Err(CellProblem {
            en: "text starting with '=' looks like a formula; formulas are never evaluated: type the value".into(),
            vi: "Nội dung bắt đầu bằng '=' giống công thức; công thức không được tính: hãy nhập giá trị".into(),
        });
    }
    Ok(if text.contains(['\n', '\r']) { text.replace("\r\n", " ").replace(['\n', '\r'], " ") } else { text.to_string() })
}

/// `2024` for whole numbers (spreadsheets store every number as a double), else the
/// shortest text that reads back as the same double.
pub fn number_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_as_csv_files_write_them() {
        assert_eq!(number_text(571.0), "571");
        assert_eq!(number_text(105.964112), "105.964112");
        assert_eq!(number_text(-0.5), "-0.5");
    }

    #[test]
    fn formulas_as_text_and_line_breaks() {
        assert!(clean_text("=SUM(A1:A3)").is_err());
        assert_eq!(clean_text(" a\r\nb\nc ").ok().as_deref(), Some("a b c"));
    }
}
