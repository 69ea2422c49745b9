//! GSO codes of communes (5 digits), districts (3) and provinces (2).
//!
//! Stored as integers (compact, cheap to hash and compare) and always printed
//! zero-padded, as the General Statistics Office writes them.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{value}' is not a {what} code ({digits} digits expected)")]
pub struct CodeError {
    pub value: String,
    pub what: &'static str,
    pub digits: usize,
}

macro_rules! gso_code {
    ($name:ident, $what:literal, $digits:literal) => {
        #[doc = concat!("A ", $what, " code: ", stringify!($digits), " decimal digits.")]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub u32);

        impl $name {
            pub const DIGITS: usize = $digits;

            /// Parses a code; shorter numbers are accepted and read as zero-padded
            /// (spreadsheets often drop the leading zeros).
            pub fn parse(text: &str) -> Result<Self, CodeError> {
                let t = text.trim();
                let err = || CodeError { value: text.to_string(), what: $what, digits: $digits };
                if t.is_empty() || t.len() > $digits || !t.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(err());
                }
                t.parse::<u32>().map($name).map_err(|_| err())
            }

            /// The zero-padded digits, written into `buf` without `fmt` (every answer
            /// writes several codes); `None` for a number too long for a code, which only
            /// a hand-built value can hold.
            fn digits(self, buf: &mut [u8; $digits]) -> Option<&str> {
                if self.0 >= 10u32.pow($digits) {
                    return None;
                }
                let mut n = self.0;
                for b in buf.iter_mut().rev() {
                    *b = b'0' + (n % 10) as u8;
                    n /= 10;
                }
                std::str::from_utf8(buf).ok()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self.digits(&mut [0; $digits]) {
                    Some(digits) => f.write_str(digits),
                    None => write!(f, "{}", self.0),
                }
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                match self.digits(&mut [0; $digits]) {
                    Some(digits) => s.serialize_str(digits),
                    None => s.collect_str(self),
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = CodeError;
            fn from_str(s: &str) -> Result<Self, CodeError> {
                Self::parse(s)
            }
        }
    };
}

gso_code!(CommuneCode, "commune", 5);
gso_code!(DistrictCode, "district", 3);
gso_code!(ProvinceCode, "province", 2);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_print_zero_padded_and_round_trip() {
        let c = CommuneCode::parse("00571").unwrap();
        assert_eq!(c.0, 571);
        assert_eq!(c.to_string(), "00571");
        assert_eq!(CommuneCode::parse("571").unwrap(), c);
        assert_eq!(ProvinceCode::parse("1").unwrap().to_string(), "01");
        for n in [0, 7, 42, 571, 99_999, 100_000, 1_234_567] {
            let c = CommuneCode(n);
            assert_eq!(c.to_string(), format!("{n:05}"));
            assert_eq!(serde_json::to_string(&c).unwrap(), format!("\"{n:05}\""));
        }
        assert_eq!(DistrictCode(5).to_string(), "005");
    }

    #[test]
    fn bad_codes_are_refused_with_the_value() {
        let e = CommuneCode::parse("12a45").unwrap_err();
        assert!(e.to_string().contains("'12a45'"), "{e}");
        assert!(CommuneCode::parse("123456").is_err());
        assert!(DistrictCode::parse("").is_err());
    }
}
