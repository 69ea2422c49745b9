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
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{:0width$}", self.0, width = $digits)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
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
    }

    #[test]
    fn bad_codes_are_refused_with_the_value() {
        let e = CommuneCode::parse("12a45").unwrap_err();
        assert!(e.to_string().contains("'12a45'"), "{e}");
        assert!(CommuneCode::parse("123456").is_err());
        assert!(DistrictCode::parse("").is_err());
    }
}
