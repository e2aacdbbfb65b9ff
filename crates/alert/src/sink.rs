//! Where alerts go: the [`Sink`] trait and the choice of output format.

use std::io::Write;
use std::str::FromStr;

use crate::{Alert, FalcoSink, JsonSink, TableSink};

#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    #[error("writing alerts: {0}")]
    Io(#[from] std::io::Error),
    #[error("encoding alert as JSON: {0}")]
    Json(#[from] serde_json::Error),
}

impl SinkError {
    /// The reader went away (`fnwarden detect … | head`): not worth an error message.
    pub fn is_broken_pipe(&self) -> bool {
        match self {
            SinkError::Io(e) => e.kind() == std::io::ErrorKind::BrokenPipe,
            SinkError::Json(e) => e.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe),
        }
    }
}

/// An output for alerts. Alerts are written as they come; `flush` pushes them to the reader
/// (a live stream wants that after every batch); `finish` writes any summary and flushes.
pub trait Sink {
    fn emit(&mut self, alert: &Alert) -> Result<(), SinkError>;
    fn flush(&mut self) -> Result<(), SinkError>;
    fn finish(&mut self) -> Result<(), SinkError> {
        self.flush()
    }
}

/// Writes one value as a line of JSON.
pub(crate) fn json_line<W: std::io::Write, T: serde::Serialize>(out: &mut W, value: &T) -> Result<(), SinkError> {
    serde_json::to_writer(&mut *out, value)?;
    out.write_all(b"\n")?;
    Ok(())
}

/// How alerts are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    /// `table` when writing to a terminal, `json` otherwise.
    #[default]
    Auto,
    Table,
    Json,
    Falco,
}

#[derive(Debug, thiserror::Error)]
#[error("unknown format {0:?}: expected auto, table, json or falco")]
pub struct UnknownFormat(pub String);

impl FromStr for Format {
    type Err = UnknownFormat;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "auto" => Ok(Format::Auto),
            "table" => Ok(Format::Table),
            "json" => Ok(Format::Json),
            "falco" => Ok(Format::Falco),
            _ => Err(UnknownFormat(s.to_owned())),
        }
    }
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Auto => "auto",
            Format::Table => "table",
            Format::Json => "json",
            Format::Falco => "falco",
        }
    }

    /// Settles `auto` for a writer that is (or is not) a terminal.
    pub fn resolve(self, is_tty: bool) -> Format {
        match self {
            Format::Auto if is_tty => Format::Table,
            Format::Auto => Format::Json,
            f => f,
        }
    }

    /// A sink of this format over `out`; `is_tty` says whether `out` is a terminal.
    pub fn sink<'a, W: Write + 'a>(self, out: W, is_tty: bool) -> Box<dyn Sink + 'a> {
        match self.resolve(is_tty) {
            Format::Table => Box::new(TableSink::new(out, colour_wanted(is_tty))),
            Format::Falco => Box::new(FalcoSink::new(out)),
            Format::Json | Format::Auto => Box::new(JsonSink::new(out)),
        }
    }
}

/// Colour only for a terminal, and never when `NO_COLOR` is set to anything non-empty
/// (<https://no-color.org>).
pub fn colour_wanted(is_tty: bool) -> bool {
    is_tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_parse_and_auto_follows_the_terminal() {
        assert_eq!("FALCO".parse::<Format>().unwrap(), Format::Falco);
        assert_eq!("table".parse::<Format>().unwrap(), Format::Table);
        let err = "xml".parse::<Format>().unwrap_err().to_string();
        assert!(err.contains("xml") && err.contains("falco"), "{err}");
        assert_eq!(Format::Auto.resolve(true), Format::Table);
        assert_eq!(Format::Auto.resolve(false), Format::Json);
        assert_eq!(Format::Falco.resolve(true), Format::Falco);
    }

    fn written(format: Format, is_tty: bool) -> String {
        let mut buf = Vec::new();
        let mut sink = format.sink(&mut buf, is_tty);
        sink.emit(&crate::fixture::alert()).unwrap();
        sink.finish().unwrap();
        drop(sink);
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn sinks_follow_the_format_and_never_colour_a_pipe() {
        assert!(!colour_wanted(false));
        let table = written(Format::Table, false);
        assert!(table.contains("MEDIUM") && !table.contains('\x1b'), "{table}");
        let auto = written(Format::Auto, false);
        assert!(auto.starts_with("{\"id\":"), "{auto}");
        let falco = written(Format::Falco, false);
        assert!(falco.starts_with("{\"output\":"), "{falco}");
    }
}
