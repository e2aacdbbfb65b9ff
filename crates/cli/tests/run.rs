//! `fnwarden run` end to end: real handlers in the real sandbox, judged by the built-in rules.
//! Every run happens inside an outer network namespace made for it (`unshare --net`), so that
//! even a broken sandbox has nowhere to send traffic. Needs root; skips with a message without.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

struct Outcome {
    code: i32,
    stdout: String,
    stderr: String,
    report: Value,
}

fn root() -> bool {
    // SAFETY: geteuid has no preconditions.
    let euid = unsafe { libc_geteuid() };
    if euid != 0 {
        eprintln!("skipped: `fnwarden run` needs root (namespaces, cgroups, seccomp)");
    }
    euid == 0
}

unsafe extern "C" {
    #[link_name = "geteuid"]
    fn libc_geteuid() -> u32;
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/functions").join(name)
}

/// A name no other process on the machine carries, to find leftovers by.
fn unique(name: &str) -> String {
    let n = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    format!("{name}-{}-{n}", std::process::id())
}

/// Processes whose environment names the function: anything the sandbox left behind.
fn leftovers(name: &str) -> Vec<String> {
    let needle = format!("AWS_LAMBDA_FUNCTION_NAME={name}\0");
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().bytes().all(|b| b.is_ascii_digit()))
        .filter(|e| std::fs::read(e.path().join("environ")).is_ok_and(|env| env.windows(needle.len()).any(|w| w == needle.as_bytes())))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect()
}

fn run(dir: &Path, extra: &[&str]) -> Outcome {
    let tmp = tempfile::tempdir().expect("temp dir");
    let report = tmp.path().join("report.json");
    let name = unique(dir.file_name().map_or("fn".into(), |n| n.to_string_lossy().into_owned()).as_str());
    let out = Command::new("unshare")
        .args(["--net", "--"])
        .arg(env!("CARGO_BIN_EXE_fnwarden"))
        .arg("run")
        .arg(dir)
        .args(["--format", "json", "--name", &name, "--json"])
        .arg(&report)
        .args(extra)
        .env_remove("RUST_LOG")
        .env("NO_COLOR", "1")
        .output()
        .expect("unshare and fnwarden run");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let report = std::fs::read(&report).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or(Value::Null);
    let left = leftovers(&name);
    assert!(left.is_empty(), "processes left behind by {name}: {left:?}\nstderr:\n{stderr}");
    Outcome { code: out.status.code().unwrap_or(-1), stdout, stderr, report }
}

fn alert_ids(o: &Outcome) -> Vec<String> {
    let mut ids: Vec<String> =
        o.report["alerts"].as_array().into_iter().flatten().filter_map(|a| a["rule"]["id"].as_str().map(str::to_owned)).collect();
    ids.sort();
    ids.dedup();
    ids
}

fn statuses(o: &Outcome) -> Vec<String> {
    o.report["report"]["invocations"].as_array().into_iter().flatten().filter_map(|i| i["status"].as_str().map(str::to_owned)).collect()
}

/// Runs an example and checks it raises at least its expected alerts; a benign one, none.
fn example(name: &str) {
    if !root() {
        return;
    }
    let dir = repo().join("examples/functions").join(name);
    let meta: Value = serde_json::from_slice(&std::fs::read(dir.join("function.json")).expect("function.json")).expect("valid JSON");
    let expect: Vec<&str> = meta["expect"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
    let o = run(&dir, &[]);
    let ids = alert_ids(&o);
    let context = format!("{name}: exit {}, alerts {ids:?}\nstdout:\n{}\nstderr:\n{}", o.code, o.stdout, o.stderr);
    assert_ne!(o.report, Value::Null, "no report: {context}");
    if expect.is_empty() {
        assert!(ids.is_empty(), "a benign function raised alerts: {context}");
        assert_eq!(o.code, 0, "{context}");
        assert_eq!(o.report["verdict"], "clean", "{context}");
        assert!(statuses(&o).iter().all(|s| s == "success"), "{context}");
    } else {
        for want in &expect {
            assert!(ids.iter().any(|id| id == want), "{name} did not raise {want}: {context}");
        }
        assert_eq!(o.code, 1, "{context}");
        assert_ne!(o.report["verdict"], "clean", "{context}");
    }
}

macro_rules! examples {
    ($($test:ident => $dir:literal,)*) => {
        $( #[test] fn $test() { example($dir); } )*
    };
}

examples! {
    benign_hello_python => "hello-python",
    benign_hello_node => "hello-node",
    benign_hello_provided => "hello-provided",
    benign_thumbnail_python => "thumbnail-python",
    benign_api_node => "api-node",
    benign_bench_typical => "bench-typical-python",
    attack_env_theft => "env-theft",
    attack_env_theft_node => "env-theft-node",
    attack_metadata_creds => "metadata-creds",
    attack_metadata_creds_node => "metadata-creds-node",
    attack_reverse_shell => "reverse-shell",
    attack_reverse_shell_node => "reverse-shell-node",
    attack_download_exec => "download-exec",
    attack_memfd_exec => "memfd-exec",
    attack_bootstrap_replace => "bootstrap-replace",
    attack_second_poller => "second-poller",
    attack_tmp_persistence => "tmp-persistence",
    attack_stratum_miner => "stratum-miner",
    attack_port_scan => "port-scan",
    attack_fork_bomb => "fork-bomb",
    attack_runtime_tamper => "runtime-tamper",
}

#[test]
fn every_example_has_a_test() {
    let listed = include_str!("run.rs");
    for e in std::fs::read_dir(repo().join("examples/functions")).expect("examples/functions").flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if e.path().join("function.json").is_file() && name != "bench-files-python" {
            assert!(listed.contains(&format!("=> \"{name}\"")), "examples/functions/{name} has no test in tests/run.rs");
        }
    }
}

/// What the honeypots see is tied to the process that sent it, like what the monitor sees.
#[test]
fn honeypot_events_name_the_process_that_made_them() {
    if !root() {
        return;
    }
    let tmp = tempfile::tempdir().expect("temp dir");
    let events = tmp.path().join("events.jsonl");
    let o = run(&repo().join("examples/functions/metadata-creds"), &["--events", events.to_str().unwrap_or_default()]);
    let text = std::fs::read_to_string(&events).unwrap_or_default();
    let seen: Vec<Value> = text
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|e| matches!(e["source"].as_str(), Some("sandbox-metadata" | "sandbox-dns")))
        .collect();
    assert!(seen.len() >= 5, "metadata and DNS requests recorded: {}", o.stderr);
    for e in &seen {
        assert_eq!(e["proc"]["exe"], "/usr/bin/python3", "{e}");
        assert_eq!(e["sandbox"]["role"], "runtime", "{e}");
    }
}

/// AWS's own runtime client, unmodified, serves the handler in the sandbox as on Lambda.
#[test]
fn awslambdaric_runs_in_the_sandbox() {
    if !root() {
        return;
    }
    let o = run(&repo().join("examples/functions/hello-python"), &["--client", "official", "-n", "2"]);
    assert_eq!(statuses(&o), ["success", "success"], "{}\n{}", o.stdout, o.stderr);
    assert_eq!(o.report["verdict"], "clean", "{:?}", alert_ids(&o));
    let exec = o.report["report"]["invocations"][0]["profile"]["processes"].to_string();
    assert!(exec.contains("-m awslambdaric app.handler"), "{exec}");
}

#[test]
fn the_function_cannot_reach_the_host() {
    if !root() {
        return;
    }
    let o = run(&fixture("escape-attempts"), &[]);
    let inv = &o.report["report"]["invocations"][0];
    assert_eq!(inv["status"], "success", "{}\n{}", o.stdout, o.stderr);
    let r: Value = serde_json::from_str(inv["response"].as_str().unwrap_or("null")).unwrap_or(Value::Null);
    assert_eq!(r["uid"], 993, "{r}");
    assert_eq!(r["hostname"], "fnwarden-sandbox", "{r}");
    let pids: Vec<i64> = r["pids"].as_array().into_iter().flatten().filter_map(Value::as_i64).collect();
    assert!(pids.contains(&1) && pids.len() < 10, "only the sandbox's processes are visible: {pids:?}");
    for (probe, why) in [
        ("root_writable", "the root is read-only"),
        ("task_writable", "/var/task is read-only"),
        ("host_root_home", "host files are not there"),
        ("host_shadow", "host files are not there"),
        ("unshare", "namespaces are refused"),
        ("kill_pid1", "init cannot be killed"),
    ] {
        assert_eq!(r[probe]["ok"], false, "{why}: {probe} = {}", r[probe]);
    }
    assert_eq!(r["tmp_writable"]["ok"], true, "{r}");
    // Every address answers inside the sandbox's own network: the connection reached the
    // egress recorder, which recorded it, not the host's network.
    assert_eq!(r["outbound"]["ok"], true, "{r}");
    let flows = inv["profile"]["flows"].to_string();
    assert!(flows.contains("tcp 192.0.2.1:9"), "the connection was recorded: {flows}");
    let status = r["no_new_privs"].to_string();
    assert!(status.contains("NoNewPrivs:\\t1") && status.contains("CapEff:\\t0000000000000000"), "{status}");
    let ids = alert_ids(&o);
    assert!(ids.iter().any(|i| i == "fnw-sbx-syscall-denied"), "the refused unshare is reported: {ids:?}");
}

#[test]
fn bad_input_gets_a_clear_result_and_the_sandbox_is_torn_down() {
    if !root() {
        return;
    }
    let o = run(&fixture("missing-handler"), &[]);
    assert_eq!(statuses(&o), ["init_error"], "{}", o.stderr);
    let o = run(&fixture("syntax-error"), &[]);
    assert_eq!(statuses(&o), ["init_error"], "{}", o.stderr);
    let err = &o.report["report"]["invocations"][0]["error_type"];
    assert!(err.as_str().is_some_and(|e| e.contains("Syntax")), "{err}");

    let o = run(&fixture("never-responds"), &["--timeout", "1s", "-n", "2"]);
    assert_eq!(statuses(&o), ["timeout", "timeout"], "{}", o.stderr);

    let o = run(&fixture("kills-runtime"), &["-n", "2"]);
    assert_eq!(statuses(&o), ["crashed", "crashed"], "each crash cold-starts a fresh instance: {}", o.stderr);
    assert_eq!(o.report["report"]["instances"], 2);

    let o = run(&fixture("memory-hog"), &["--memory", "64"]);
    assert_eq!(statuses(&o), ["crashed"], "{}", o.stderr);
    assert_eq!(o.report["report"]["invocations"][0]["error_type"], "Runtime.OutOfMemory");

    let o = run(&fixture("fills-tmp"), &["--tmp", "16", "-n", "2"]);
    assert_eq!(statuses(&o), ["success", "success"], "{}", o.stderr);
    let r: Value = serde_json::from_str(o.report["report"]["invocations"][0]["response"].as_str().unwrap_or("null")).unwrap_or_default();
    assert!(r["written_mb"].as_i64().is_some_and(|mb| mb <= 16), "/tmp is bounded: {r}");

    let bad = tempfile::tempdir().expect("temp dir");
    let event = bad.path().join("event.json");
    std::fs::write(&event, "{\"a\": 1,\n \"b\": }").expect("write event");
    let o = run(&repo().join("examples/functions/hello-python"), &["--event", event.to_str().unwrap_or_default()]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(o.stderr.contains("event.json:2:") && o.stderr.contains("not valid JSON"), "{}", o.stderr);
}
