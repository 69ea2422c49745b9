//! The moment at which the data is read: the end of a year, or one day.
//!
//! Results and assessments are dated twice: the year they count for, and (optionally) the
//! day of the decision or assessment. A record is in force at a moment when
//!   1. for the end of year `Y`: its year is `Y` or earlier;
//!   2. for a day `D`: its date is `D` or earlier, a record without a readable date counting
//!      from the last day of its year (so a dateless 2023 record is not yet in force on
//!      2023-06-30).
//!
//! [`in_force`] is the one rule every reader uses to pick the record in force from a
//! unit's records.

use std::fmt;

/// A calendar day, `YYYY-MM-DD`, stored as the number `YYYYMMDD` so that days compare as
/// numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(u32);

/// Text that is not a day, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{text}' is {reason}")]
pub struct DayError {
    pub text: String,
    /// "not a date: YYYY-MM-DD expected (e.g. 2023-12-31)", "not a date: month 13 does not exist", …
    pub reason: String,
}

impl Day {
    /// Parses `YYYY-MM-DD`, a real day of the Gregorian calendar (leap years included).
    pub fn parse(text: &str) -> Result<Day, DayError> {
        let bad = |reason: String| DayError { text: text.to_string(), reason };
        let b = text.as_bytes();
        let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' || !digits(0..4) || !digits(5..7) || !digits(8..10) {
            return Err(bad("not a date: YYYY-MM-DD expected (e.g. 2023-12-31)".into()));
        }
        let num = |r: std::ops::Range<usize>| text[r].parse::<u32>().unwrap_or(0);
        let (y, m, d) = (num(0..4), num(5..7), num(8..10));
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        let days_in_month = match m {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return Err(bad(format!("not a date: month {m} does not exist"))),
        };
        if d == 0 || d > days_in_month {
            return Err(bad(format!("not a date: day {d} does not exist in month {m} of {y}")));
        }
        Ok(Day(y * 10_000 + m * 100 + d))
    }

    /// 31 December of `year`.
    pub fn end_of_year(year: u16) -> Day {
        Day(year as u32 * 10_000 + 1231)
    }

    pub fn year(self) -> u16 {
        (self.0 / 10_000) as u16
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.0 / 10_000, self.0 / 100 % 100, self.0 % 100)
    }
}

impl serde::Serialize for Day {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A moment outside the data, naming the parameter (`year` or `date`) to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{parameter}: {message}")]
pub struct MomentError {
    pub parameter: &'static str,
    pub message: String,
}

/// When to read the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AsOf {
    /// The end of a year: everything of that year or before.
    Year(u16),
    /// One day: everything dated that day or before.
    Day(Day),
}

impl AsOf {
    /// The year the moment falls in (whose criteria set applies).
    pub fn year(self) -> u16 {
        match self {
            AsOf::Year(y) => y,
            AsOf::Day(d) => d.year(),
        }
    }

    /// The day, when the moment is one.
    pub fn day(self) -> Option<Day> {
        match self {
            AsOf::Year(_) => None,
            AsOf::Day(d) => Some(d),
        }
    }

    /// The moment asked for by an optional year and an optional day, checked against the
    /// years the data covers: the day when given (in those years, and in `year` when both
    /// are given), else the end of `year`, else the end of the last year of the data.
    pub fn resolve(year: Option<u16>, day: Option<Day>, years: &std::ops::RangeInclusive<u16>) -> Result<AsOf, MomentError> {
        // Written only for an error: this runs on every point query.
        let span = || format!("{}–{}", years.start(), years.end());
        if let Some(y) = year.filter(|y| !years.contains(y)) {
            return Err(MomentError { parameter: "year", message: format!("'{y}' is not a year of the data ({})", span()) });
        }
        match day {
            None => Ok(AsOf::Year(year.unwrap_or(*years.end()))),
            Some(d) if !years.contains(&d.year()) => Err(MomentError { parameter: "date", message: format!("{d} is outside the years of the data ({})", span()) }),
            Some(d) if year.is_some_and(|y| y != d.year()) => {
                Err(MomentError { parameter: "date", message: format!("{d} is not in the year asked for ({})", year.unwrap_or_default()) })
            }
            Some(d) => Ok(AsOf::Day(d)),
        }
    }

    /// Whether a record of `year`, dated `date` (ISO; see the module doc when absent), is
    /// in force at this moment.
    pub fn includes(self, year: u16, date: Option<&str>) -> bool {
        match self {
            AsOf::Year(y) => year <= y,
            AsOf::Day(d) => {
                // Cheap rejections first: the date never moves a record to another year's end.
                if year > d.year() {
                    return false;
                }
                let dated = date.and_then(|t| Day::parse(t.trim()).ok()).unwrap_or_else(|| Day::end_of_year(year));
                dated <= d
            }
        }
    }
}

/// `2024` for the end of a year, `2024-06-30` for a day: as URLs and cache keys write it.
impl fmt::Display for AsOf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AsOf::Year(y) => write!(f, "{y}"),
            AsOf::Day(d) => d.fmt(f),
        }
    }
}

/// The record in force at `as_of` among `records` sorted by year: the last one included.
pub fn in_force<T>(records: &[T], as_of: AsOf, dated: impl Fn(&T) -> (u16, Option<&str>)) -> Option<&T> {
    match as_of {
        // Sorted by year, so the records in force are a prefix.
        AsOf::Year(y) => records.iter().take_while(|r| dated(r).0 <= y).last(),
        AsOf::Day(_) => records.iter().filter(|r| {
            let (year, date) = dated(r);
            as_of.includes(year, date)
        }).last(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_parse_only_when_real() {
        assert_eq!(Day::parse("2024-02-29").unwrap().to_string(), "2024-02-29");
        for bad in ["2023-02-29", "2024-13-01", "2024-00-10", "2024-1-01", "24-01-01", "2024/01/01", "2024-01-32", "+024-01-01", "2024-0a-01"] {
            assert!(Day::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Day::end_of_year(2023).to_string(), "2023-12-31");
    }

    #[test]
    fn a_record_is_in_force_from_its_date_or_its_year_end() {
        let records = [(2021u16, Some("2021-03-15")), (2023, None), (2024, Some("2024-06-01"))];
        let pick = |as_of| in_force(&records, as_of, |r| (r.0, r.1)).map(|r| r.0);
        assert_eq!(pick(AsOf::Year(2020)), None);
        assert_eq!(pick(AsOf::Year(2023)), Some(2023));
        assert_eq!(pick(AsOf::Day(Day::parse("2021-03-14").unwrap())), None);
        assert_eq!(pick(AsOf::Day(Day::parse("2021-03-15").unwrap())), Some(2021));
        assert_eq!(pick(AsOf::Day(Day::parse("2023-12-30").unwrap())), Some(2021), "dateless: from its year's end");
        assert_eq!(pick(AsOf::Day(Day::parse("2024-05-31").unwrap())), Some(2023));
        assert_eq!(pick(AsOf::Day(Day::parse("2024-06-01").unwrap())), Some(2024));
    }
}
