//! The audit trail: every enforcement action, mode change and reload, one JSON object per
//! line, appended and flushed as it happens.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use fnwarden_event::{Event, Timestamp};
use serde_json::{Value, json};

pub struct Audit {
    file: File,
    pub path: PathBuf,
}

impl Audit {
    pub fn open(path: &Path) -> anyhow::Result<Audit> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| format!("cannot create the audit directory {}", dir.display()))?;
        }
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .with_context(|| format!("cannot open the audit trail {}", path.display()))?;
        Ok(Audit { file, path: path.to_owned() })
    }

    pub fn record(&mut self, what: &str, mut fields: Value) {
        if let Value::Object(m) = &mut fields {
            m.insert("time".into(), json!(Timestamp::now().to_string()));
            m.insert("what".into(), json!(what));
        }
        // The trail must not stop the monitor: a failed write is reported, not fatal.
        if let Err(e) = writeln!(self.file, "{fields}").and_then(|()| self.file.flush()) {
            tracing::error!("audit trail {}: {e}", self.path.display());
        }
    }

    /// An action a guard took (or, in dry-run, would have taken).
    pub fn action(&mut self, ev: &Event) {
        let Some(s) = &ev.syscall else { return };
        let (Some(action), Some(guard)) = (&s.action, s.args.get("guard")) else { return };
        let p = ev.process.as_ref();
        self.record(
            "enforcement",
            json!({
                "event_time": ev.time.to_string(),
                "guard": guard,
                "action": action,
                "type": ev.kind.name(),
                "pid": p.map(|p| p.pid),
                "exe": p.map(|p| p.exe.as_str()),
                "cmdline": p.map(|p| p.args.join(" ")),
                "path": ev.file.as_ref().map(|f| f.path.as_str()),
                "target_pid": s.target.as_ref().map(|t| t.pid),
                "function": ev.function.name,
                "instance": ev.function.instance,
            }),
        );
    }
}
