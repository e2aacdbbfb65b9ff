//! Reads of `/proc/<pid>/environ` and of other processes' `/proc/<pid>/mem|maps`.

use crate::catalogue::PROC_ENVIRON;
use crate::findings::{Findings, scan_values};
use crate::paths::{ProcRead, proc_read, show};
use crate::syntax::Syntax;

pub(crate) fn check(s: &Syntax<'_>, out: &mut Findings) {
    // `cat /proc/1/environ` run through a shell.
    for call in &s.calls {
        let Some(cmd) = s.command(call) else { continue };
        if let Some(w) = cmd.words().into_iter().find(|w| proc_read(w).is_some()) {
            let what = proc_read(&w).map(describe).unwrap_or_default();
            out.add(s, &PROC_ENVIRON, call.node, format!("runs a command that reads {} ({what})", show(&w)), &[]);
        }
    }
    scan_values(s, out, &PROC_ENVIRON, |v, _| {
        let read = proc_read(&v.text)?;
        Some(format!("reads {} ({})", show(&v.text), describe(read)))
    });
}

fn describe(read: ProcRead) -> &'static str {
    match read {
        ProcRead::Environ => "a process environment, where the function's credentials live",
        ProcRead::Memory => "another process's memory layout or memory",
    }
}
