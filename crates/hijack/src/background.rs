//! Processes that outlive the handler: children that are detached on purpose, or started and
//! never waited for, and looping threads started at import time. The environment freezes them
//! after the response and thaws them with the next invocation.

use fnwarden_code::Lang;
use fnwarden_code::tree_sitter::Node;

use crate::catalogue::BACKGROUND_PROCESS;
use crate::command::Command;
use crate::findings::Findings;
use crate::syntax::{Call, Syntax};

/// Bound on the nodes searched in a thread target's body for a loop.
const MAX_BODY_NODES: usize = 20_000;

pub(crate) fn check(s: &Syntax<'_>, out: &mut Findings) {
    for call in &s.calls {
        let found = detached(s, call).or_else(|| unwaited(s, call)).or_else(|| module_thread(s, call));
        if let Some(message) = found {
            out.add(s, &BACKGROUND_PROCESS, call.node, message, &[]);
        }
    }
    // Go: `SysProcAttr: &syscall.SysProcAttr{Setsid: true}`.
    for k in &s.keyed {
        let key = k.child_by_field_name("key").map(|n| s.text(n)).unwrap_or("");
        let value = k.child_by_field_name("value").map(|n| s.text(n)).unwrap_or("");
        if matches!(key, "Setsid" | "Setpgid" | "Noctty") && value == "true" {
            out.add(s, &BACKGROUND_PROCESS, *k, format!("detaches a child process from the function's session ({key}: true)"), &[]);
        }
    }
}

/// Children put in their own session or process group, or run through `nohup`, `setsid`, `&`.
fn detached(s: &Syntax<'_>, call: &Call<'_>) -> Option<String> {
    let c = call.callee.as_str();
    if let Some(cmd) = s.command(call) {
        let how = cmd.detaches().or_else(|| match cmd {
            Command::Argv(v) => v.first().map(|p| p.rsplit('/').next().unwrap_or(p)).and_then(|p| match p {
                "nohup" => Some("nohup"),
                "setsid" => Some("setsid"),
                _ => None,
            }),
            Command::Shell(_) => None,
        });
        if let Some(how) = how {
            return Some(format!("{c} leaves a process running in the background ({how})"));
        }
    }
    let truthy = |n: Node<'_>| matches!(s.text(n), "True" | "true" | "1");
    match s.lang() {
        Lang::Python => {
            if let Some(v) = call.kwarg("start_new_session").filter(|v| truthy(*v)) {
                return Some(format!("{c} starts a child in a new session (start_new_session={})", s.text(v)));
            }
            if let Some(v) = call.kwarg("preexec_fn").filter(|v| matches!(s.dotted(*v).as_str(), "os.setsid" | "os.setpgrp")) {
                return Some(format!("{c} detaches its child (preexec_fn={})", s.text(v)));
            }
            if call.kwarg("process_group").is_some_and(|v| s.text(v) == "0") {
                return Some(format!("{c} puts its child in its own process group (process_group=0)"));
            }
            if call.is(&["os.setsid", "os.setpgrp", "os.daemon"]) {
                return Some(format!("{c}() detaches from the function's session"));
            }
            if call.is(&["os.fork", "os.forkpty"]) && !scope_calls(s, call, |x| x.callee.starts_with("os.wait")) {
                return Some(format!("{c}() forks a child that is never waited for"));
            }
            if c.starts_with("os.spawn")
                && let Some(mode) = call.args.first().map(|m| s.dotted(*m))
                && (mode.ends_with("P_NOWAIT") || mode.ends_with("P_NOWAITO") || mode.ends_with("P_DETACH"))
                && !scope_calls(s, call, |x| x.callee.starts_with("os.wait"))
            {
                return Some(format!("{c} with {mode} starts a child that is never waited for"));
            }
            None
        }
        l if l.is_js_family() => {
            let spawns = c.starts_with("child_process.");
            if spawns && call.kwarg("detached").is_some_and(truthy) {
                return Some(format!("{c} starts a detached child (detached: true)"));
            }
            if call.method() == "unref" && call.receiver.is_some_and(|r| is_child_process(s, r)) {
                return Some("unref() lets the child process outlive the handler".to_owned());
            }
            None
        }
        Lang::Go if call.is(&["syscall.Setsid"]) => Some("syscall.Setsid() detaches from the function's session".to_owned()),
        _ => None,
    }
}

/// A JS expression that is a child process: `spawn(...)`, or a variable holding one.
fn is_child_process(s: &Syntax<'_>, node: Node<'_>) -> bool {
    let node = match node.kind() {
        "identifier" => match s.def_for(s.text(node), node).and_then(|d| d.value) {
            Some(v) => v,
            None => return false,
        },
        _ => node,
    };
    s.call(node).is_some_and(|c| c.callee.starts_with("child_process."))
}

/// Started and never waited for: Python `Popen`, Go `cmd.Start()`, Java `start()` / `exec()`.
fn unwaited(s: &Syntax<'_>, call: &Call<'_>) -> Option<String> {
    let c = call.callee.as_str();
    let (waits, what): (&[&str], String) = match s.lang() {
        Lang::Python if call.is(&["subprocess.Popen", "asyncio.create_subprocess_exec", "asyncio.create_subprocess_shell"]) => {
            (&["wait", "communicate", "kill", "terminate", "poll", "send_signal", "__exit__"], c.to_owned())
        }
        Lang::Go if call.method() == "Start" && go_command(s, call.receiver?) => {
            (&["Wait", "Run", "Output", "CombinedOutput"], format!("{c}()"))
        }
        Lang::Go if c == "os.StartProcess" => (&["Wait", "Kill", "Signal"], c.to_owned()),
        Lang::Java
            if (call.method() == "start" && call.receiver.is_some_and(|r| java_builder(s, r)))
                || (call.method() == "exec" && c.contains("getRuntime")) =>
        {
            (&["waitFor", "destroy", "destroyForcibly", "onExit", "exitValue"], format!("{c}()"))
        }
        _ => return None,
    };
    // Go's `cmd.Start()` result is an error; the process is the receiver.
    let holder = if s.lang() == Lang::Go && call.method() == "Start" {
        call.receiver.map(|r| s.text(r).to_owned())
    } else {
        match result_of(s, call.node) {
            Holder::Discarded => None,
            Holder::Var(name) => Some(name),
            Holder::Managed | Holder::Other => return None,
        }
    };
    if let Some(name) = holder {
        let waited = scope_calls(s, call, |x| {
            let recv = x.receiver.map(|r| s.text(r)).unwrap_or("");
            (recv == name || recv == format!("{name}.Process")) && waits.contains(&x.method())
        });
        if waited {
            return None;
        }
    }
    Some(format!("{what} starts a process that is never waited for"))
}

/// A Go `*exec.Cmd`: `exec.Command(...)` itself or a variable set from it.
fn go_command(s: &Syntax<'_>, recv: Node<'_>) -> bool {
    let value = match recv.kind() {
        "identifier" => s.def_for(s.text(recv), recv).and_then(|d| d.value),
        _ => Some(recv),
    };
    value.is_some_and(|v| {
        let t = s.text(v);
        s.call(v).is_some_and(|c| c.is(&["exec.Command", "exec.CommandContext"])) || t.contains("exec.Cmd{")
    })
}

/// A Java `ProcessBuilder`: built inline or held in a variable.
fn java_builder(s: &Syntax<'_>, recv: Node<'_>) -> bool {
    let value = match recv.kind() {
        "identifier" => s.def_for(s.text(recv), recv).and_then(|d| d.value),
        _ => Some(recv),
    };
    value.is_some_and(|v| s.text(v).trim_start().starts_with("new ProcessBuilder"))
}

enum Holder {
    /// An expression statement: nothing keeps the process.
    Discarded,
    Var(String),
    /// `with Popen(...) as p:` waits on exit.
    Managed,
    /// Returned, passed on, awaited in a chain: someone else may wait.
    Other,
}

fn result_of(s: &Syntax<'_>, call: Node<'_>) -> Holder {
    let mut node = call;
    for _ in 0..4 {
        let Some(p) = s.parent(node) else { return Holder::Other };
        match p.kind() {
            "await" | "await_expression" | "parenthesized_expression" => node = p,
            "expression_statement" => return Holder::Discarded,
            "with_item" | "as_pattern" | "with_clause" | "try_with_resources_statement" | "resource" => return Holder::Managed,
            "assignment" | "assignment_expression" => {
                return p.child_by_field_name("left").map(|l| Holder::Var(s.text(l).to_owned())).unwrap_or(Holder::Other);
            }
            "variable_declarator" => {
                return p.child_by_field_name("name").map(|l| Holder::Var(s.text(l).to_owned())).unwrap_or(Holder::Other);
            }
            "expression_list" => node = p,
            "short_var_declaration" | "assignment_statement" => {
                let first = p.child_by_field_name("left").and_then(|l| l.named_child(0));
                return first.map(|l| Holder::Var(s.text(l).to_owned())).unwrap_or(Holder::Other);
            }
            _ => return Holder::Other,
        }
    }
    Holder::Other
}

/// Whether any call in the same function satisfies `f`.
fn scope_calls(s: &Syntax<'_>, call: &Call<'_>, f: impl Fn(&Call<'_>) -> bool) -> bool {
    s.calls.iter().any(|x| x.scope == call.scope && f(x))
}

/// Python: a thread started at import time whose target loops forever keeps working between
/// invocations.
fn module_thread(s: &Syntax<'_>, call: &Call<'_>) -> Option<String> {
    if s.lang() != Lang::Python || call.scope != s.root || !call.is(&["threading.Thread", "threading.Timer", "multiprocessing.Process"]) {
        return None;
    }
    let target = call.kwarg("target").or_else(|| if call.callee == "threading.Timer" { call.args.get(1).copied() } else { None })?;
    let name = s.text(target);
    let func = s.functions.iter().find(|f| f.child_by_field_name("name").is_some_and(|n| s.text(n) == name))?;
    loops_forever(s, *func).then(|| format!("{} starts {name}(), a loop, at module scope: it runs on across invocations", call.callee))
}

fn loops_forever(s: &Syntax<'_>, func: Node<'_>) -> bool {
    let mut cursor = func.walk();
    let mut seen = 0usize;
    loop {
        let n = cursor.node();
        seen += 1;
        if seen > MAX_BODY_NODES {
            return false;
        }
        if n.kind() == "while_statement" && n.child_by_field_name("condition").is_some_and(|c| matches!(s.text(c), "True" | "1")) {
            return true;
        }
        if cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.node().id() == func.id() {
                return false;
            }
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return false;
            }
        }
    }
}
