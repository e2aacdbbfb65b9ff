//! Running the real `fnwarden` binary on files written to a temporary directory.
#![allow(dead_code)] // each test binary uses part of this

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json_lines(&self) -> Vec<serde_json::Value> {
        self.stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}\nstderr:\n{}", self.stderr)))
            .collect()
    }
}

/// Runs `fnwarden args…`, feeding `stdin`.
pub fn fnwarden(args: &[&str], stdin: &str) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_fnwarden"))
        .args(args)
        .env_remove("RUST_LOG")
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("fnwarden binary runs");
    let mut input = child.stdin.take().expect("stdin is piped");
    // The binary may exit before reading (usage errors): a broken pipe here is fine.
    let _ = input.write_all(stdin.as_bytes());
    drop(input);
    let out = child.wait_with_output().expect("fnwarden finishes");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("temp file written");
    p
}

pub fn s(p: &Path) -> &str {
    p.to_str().expect("temp paths are UTF-8")
}

/// Two Falco-style rules: a shell under a language runtime (WARNING) and curl (CRITICAL).
pub const RULES: &str = r#"- list: shell_binaries
  items: [sh, bash, dash]

- macro: spawned_process
  condition: evt.type = execve

- rule: Shell spawned by function runtime
  id: test-shell-from-runtime
  desc: A shell started under the language runtime.
  condition: spawned_process and proc.name in (shell_binaries) and proc.pname in (python3, node)
  output: shell %proc.cmdline spawned by %proc.pname (function=%function.name)
  priority: WARNING
  tags: [serverless, attack.execution, attack.t1059.004]

- rule: Curl in a function
  id: test-curl
  desc: curl ran inside a function.
  condition: spawned_process and proc.name = curl
  output: curl ran (cmdline=%proc.cmdline)
  priority: CRITICAL
  tags: [serverless, attack.t1552.005]
"#;

pub const SHELL: &str = r#"{"time":"2026-11-22T10:00:01.25Z","type":"execve","host":"ip-10-0-0-7","function":{"provider":"aws","name":"thumbnailer","instance":"sbx-7"},"proc":{"pid":42,"exe":"/bin/sh","args":["sh","-c","id"],"ancestors":[{"pid":7,"exe":"/usr/bin/python3"}]}}"#;
pub const CURL: &str = r#"{"time":"2026-11-22T10:00:02Z","type":"execve","function":{"provider":"aws","name":"thumbnailer"},"proc":{"pid":43,"exe":"/usr/bin/curl","args":["curl","-s","http://169.254.169.254/"],"ancestors":[{"pid":42,"exe":"/bin/sh"}]}}"#;
pub const BENIGN: &str =
    r#"{"time":"2026-11-22T10:00:03Z","type":"execve","proc":{"pid":44,"exe":"/usr/bin/python3","args":["python3","handler.py"]}}"#;

/// Five lines: shell, garbage (line 2), curl, an unknown event type (line 4), benign.
pub fn events() -> String {
    format!("{SHELL}\nnot json at all\n{CURL}\n{{\"time\":1,\"type\":\"bogus\"}}\n{BENIGN}\n")
}
