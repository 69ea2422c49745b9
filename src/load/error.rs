//! Load errors: every problem names the file, where in it (line or feature), the field
//! and the value, so a user can fix the input. All problems of a file are collected
//! and reported together.

use std::fmt;
use std::path::{Path, PathBuf};

/// Where in a file a problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// The file as a whole (unreadable, wrong format, missing column).
    File,
    /// A 1-based line of a text file (the header is line 1).
    Line(u64),
    /// A 0-based feature index of a boundary file.
    Feature(usize),
}

/// One thing wrong with an input file.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub file: PathBuf,
    pub location: Location,
    /// The column or property at fault, when there is one.
    pub field: Option<String>,
    /// The offending value as found in the file.
    pub value: Option<String>,
    pub message: String,
}

impl Problem {
    pub fn new(file: &Path, location: Location, message: impl Into<String>) -> Self {
        Problem { file: file.to_path_buf(), location, field: None, value: None, message: message.into() }
    }

    pub fn field(mut self, field: impl Into<String>, value: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self.value = Some(value.into());
        self
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        match self.location {
            Location::File => {}
            Location::Line(n) => write!(f, ":{n}")?,
            Location::Feature(i) => write!(f, ": feature {i}")?,
        }
        if let Some(field) = &self.field {
            write!(f, ": field '{field}'")?;
            if let Some(v) = &self.value {
                write!(f, " = '{v}'")?;
            }
        }
        write!(f, ": {}", self.message)
    }
}

/// All problems found in one load. Never empty.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct LoadError {
    pub problems: Vec<Problem>,
}

impl LoadError {
    pub fn one(problem: Problem) -> Self {
        LoadError { problems: vec![problem] }
    }

    /// `Ok(value)` when no problems were collected, else all of them as one error.
    pub fn check<T>(value: T, problems: Vec<Problem>) -> Result<T, LoadError> {
        if problems.is_empty() {
            Ok(value)
        } else {
            Err(LoadError { problems })
        }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.problems.len();
        writeln!(f, "{n} problem{} found:", if n == 1 { "" } else { "s" })?;
        for p in &self.problems {
            writeln!(f, "  {p}")?;
        }
        Ok(())
    }
}
