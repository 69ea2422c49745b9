//! Log output: tracing events to standard error, as text or as JSON lines.
//!
//! Steps ([`init`], called by the binary before anything logs):
//!   1. read the filter (`--log`, `RUST_LOG`); a malformed one is an error naming the flag;
//!   2. text: one line per event, with ANSI colours only when stderr is a terminal (piped
//!      into a file or a journal, escape codes are noise); json: one JSON object per line
//!      (`timestamp`, `level`, `target`, `message` and the event's fields at the top level),
//!      never coloured.

use crate::config::{LogArgs, LogFormat};
use std::io::IsTerminal;
use tracing_subscriber::EnvFilter;

#[derive(Debug, thiserror::Error)]
pub enum LoggingError {
    #[error("--log / RUST_LOG '{filter}' is not a log filter (e.g. 'info' or 'warn,bando=debug'): {source}")]
    Filter { filter: String, source: tracing_subscriber::filter::ParseError },
    #[error("a logger is already installed: {0}")]
    Installed(String),
}

/// Installs the process's log subscriber.
pub fn init(args: &LogArgs) -> Result<(), LoggingError> {
    let filter = EnvFilter::try_new(&args.log_filter)
        .map_err(|source| LoggingError::Filter { filter: args.log_filter.clone(), source })?;
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let installed = match args.log_format {
        LogFormat::Text => builder.with_ansi(std::io::stderr().is_terminal()).try_init(),
        LogFormat::Json => builder.with_ansi(false).json().flatten_event(true).with_current_span(false).with_span_list(false).try_init(),
    };
    installed.map_err(|e| LoggingError::Installed(e.to_string()))
}
