//! A progress bar by bytes for large input files, shown only to a person watching stderr.

use std::io::{IsTerminal, Read};

use indicatif::{ProgressBar, ProgressStyle};

/// Inputs smaller than this finish before a bar would help.
const MIN_BYTES: u64 = 16 << 20;

/// Where diagnostics go while input is read: through the bar when there is one, so that lines
/// and bar do not tear each other.
pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// A bar for an input of `len` bytes, when it is large and stderr is a terminal that alerts
    /// are not also written to (the bar would tear them).
    pub fn for_input(len: Option<u64>, alerts_on_terminal: bool) -> Progress {
        let wanted = !alerts_on_terminal && std::io::stderr().is_terminal();
        let bar = len.filter(|l| wanted && *l >= MIN_BYTES).map(|l| {
            let bar = ProgressBar::new(l);
            if let Ok(style) = ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}") {
                bar.set_style(style);
            }
            bar
        });
        Progress { bar }
    }

    pub fn wrap<R: Read + 'static>(&self, r: R) -> Box<dyn Read> {
        match &self.bar {
            Some(bar) => Box::new(bar.wrap_read(r)),
            None => Box::new(r),
        }
    }

    /// Moves the bar to `pos` bytes, for inputs read elsewhere.
    pub fn set(&self, pos: u64) {
        if let Some(bar) = &self.bar {
            bar.set_position(pos);
        }
    }

    pub fn eprintln(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.suspend(|| eprintln!("{line}")),
            None => eprintln!("{line}"),
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
