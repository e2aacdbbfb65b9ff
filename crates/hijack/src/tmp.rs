//! `/tmp` as a place for code: files made executable there, and code run or loaded from there.
//! Warm environments keep `/tmp`, so what one invocation leaves, the next one trusts.

use fnwarden_code::Lang;
use fnwarden_code::tree_sitter::Node;

use crate::catalogue::{TMP_EXECUTABLE, TMP_TRUSTED};
use crate::findings::Findings;
use crate::paths::{is_tmp, parse_mode, show};
use crate::syntax::{Call, Syntax};

/// Bound on the nodes searched under one argument for a `/tmp` path.
const MAX_MENTION_NODES: usize = 4096;

pub(crate) fn check(s: &Syntax<'_>, out: &mut Findings) {
    for call in &s.calls {
        if let Some((path, how)) = makes_executable(s, call) {
            let mut steps = Vec::new();
            if let Some(w) = s
                .calls
                .iter()
                .find(|w| w.node.start_byte() < call.node.start_byte() && written_path(s, w).as_deref() == Some(path.as_str()))
            {
                steps.push((w.node, format!("writes {}", show(&path))));
            }
            out.add(s, &TMP_EXECUTABLE, call.node, format!("makes {} executable ({how})", show(&path)), &steps);
        }
        if let Some((path, how, always)) = loads_tmp(s, call) {
            if !always && written_fresh(s, call, &path) {
                continue;
            }
            out.add(s, &TMP_TRUSTED, call.node, format!("{how} {} from /tmp, which warm invocations share", show(&path)), &[]);
        }
    }
    for a in &s.assigns {
        if let Some((var, path)) = search_path_assignment(s, a.target, a.value) {
            out.add(
                s,
                &TMP_TRUSTED,
                a.node,
                format!("puts {} on {var}, so code planted there by an earlier invocation loads", show(&path)),
                &[],
            );
        }
    }
}

/// The path a call writes (creates or overwrites), when it folds.
fn written_path(s: &Syntax<'_>, call: &Call<'_>) -> Option<String> {
    let arg = |i: usize| call.args.get(i).and_then(|a| s.fold_text(*a));
    let c = call.callee.as_str();
    match c {
        "open" | "io.open" | "codecs.open" => {
            let mode = call.args.get(1).copied().or_else(|| call.kwarg("mode")).and_then(|m| s.plain_literal(m))?;
            mode.contains(['w', 'a', 'x', '+']).then(|| arg(0)).flatten()
        }
        "shutil.copy"
        | "shutil.copy2"
        | "shutil.copyfile"
        | "shutil.move"
        | "urllib.request.urlretrieve"
        | "fs.copyFileSync"
        | "fs.copyFile"
        | "fs.promises.copyFile"
        | "fs.renameSync"
        | "Files.copy"
        | "Files.move" => arg(1),
        "fs.writeFileSync"
        | "fs.writeFile"
        | "fs.promises.writeFile"
        | "fs.createWriteStream"
        | "os.WriteFile"
        | "ioutil.WriteFile"
        | "os.Create"
        | "os.OpenFile"
        | "Files.write"
        | "Files.writeString"
        | "Files.newOutputStream"
        | "new FileOutputStream"
        | "new FileWriter"
        | "os.open" => arg(0),
        _ => match call.method() {
            "write_bytes" | "write_text" | "touch" => call.receiver.and_then(|r| s.fold_text(r)),
            "download_file" => call.kwarg("Filename").or_else(|| call.args.get(2).copied()).and_then(|a| s.fold_text(a)),
            _ => None,
        },
    }
    .filter(|p| is_tmp(p))
}

/// A call that gives a `/tmp` file execute permission: the path and how.
fn makes_executable(s: &Syntax<'_>, call: &Call<'_>) -> Option<(String, String)> {
    let c = call.callee.as_str();
    let path_at = |i: usize| call.args.get(i).and_then(|a| s.fold_text(*a)).filter(|p| is_tmp(p));
    let exec_mode = |n: Option<Node<'_>>| n.and_then(|m| mode_value(s, m, 0)).filter(|m| m & 0o111 != 0);
    if let Some(cmd) = s.command(call)
        && let Some(path) = cmd.chmods_tmp()
    {
        return Some((path, "chmod in a command".to_owned()));
    }
    let (path, mode) = match c {
        "os.chmod" | "os.lchmod" | "fs.chmodSync" | "fs.chmod" | "fs.promises.chmod" | "os.Chmod" | "fs.lchmodSync" => {
            (path_at(0)?, exec_mode(call.args.get(1).copied())?)
        }
        "os.open" | "fs.openSync" | "fs.open" | "fs.promises.open" | "os.OpenFile" => (path_at(0)?, exec_mode(call.args.get(2).copied())?),
        "os.WriteFile" | "ioutil.WriteFile" => (path_at(0)?, exec_mode(call.args.get(2).copied())?),
        "fs.writeFileSync" | "fs.writeFile" | "fs.promises.writeFile" | "fs.createWriteStream" => {
            (path_at(0)?, exec_mode(call.kwarg("mode"))?)
        }
        "Files.setPosixFilePermissions" => {
            let perms = call.args.get(1).map(|p| expanded_text(s, *p)).unwrap_or_default();
            let exec = perms.contains("EXECUTE") || perms.split('"').skip(1).step_by(2).any(|q| q.len() == 9 && q.contains('x'));
            if !exec {
                return None;
            }
            return Some((path_at(0)?, "Files.setPosixFilePermissions with execute".to_owned()));
        }
        _ => {
            return match call.method() {
                // pathlib `Path(p).chmod(0o755)`, Go `f.Chmod(0755)` on `os.Create(p)`.
                "chmod" | "Chmod" => {
                    let mode = exec_mode(call.args.first().copied())?;
                    let path = receiver_path(s, call)?;
                    Some((path, format!("{} {:#o}", call.method(), mode)))
                }
                // Java `new File(p).setExecutable(true)`
                "setExecutable" if call.args.first().is_some_and(|a| s.text(*a) == "true") => {
                    Some((receiver_path(s, call)?, "setExecutable(true)".to_owned()))
                }
                _ => None,
            };
        }
    };
    Some((path, format!("{c} {mode:#o}")))
}

/// The `/tmp` path of a method call's receiver, following `f := os.Create(p)` once.
fn receiver_path(s: &Syntax<'_>, call: &Call<'_>) -> Option<String> {
    let recv = call.receiver?;
    if let Some(p) = s.fold_text(recv).filter(|p| is_tmp(p)) {
        return Some(p);
    }
    let value = s.def_for(s.text(recv), recv)?.value?;
    let opener = s.call(value)?;
    opener.args.first().and_then(|a| s.fold_text(*a)).filter(|p| is_tmp(p))
}

/// A mode argument's permission bits: literals, `stat.S_IX*` and `fs.constants.S_IX*` flags
/// or-ed together, Go's `os.ModePerm`, JS `{ mode: … }`.
fn mode_value(s: &Syntax<'_>, node: Node<'_>, depth: u32) -> Option<u32> {
    if depth > 16 {
        return None;
    }
    let d = depth + 1;
    match node.kind() {
        "integer" | "number" | "int_literal" | "decimal_integer_literal" | "octal_integer_literal" | "hex_integer_literal" => {
            parse_mode(s.text(node))
        }
        "string" | "string_literal" => parse_mode(s.text(node)),
        "binary_operator" | "binary_expression" => {
            let l = node.child_by_field_name("left").and_then(|n| mode_value(s, n, d)).unwrap_or(0);
            let r = node.child_by_field_name("right").and_then(|n| mode_value(s, n, d)).unwrap_or(0);
            Some(l | r)
        }
        "parenthesized_expression" => node.named_child(0).and_then(|n| mode_value(s, n, d)),
        "identifier" => s.def_for(s.text(node), node).and_then(|def| def.value).and_then(|v| mode_value(s, v, d)),
        _ => {
            let t = s.dotted(node);
            let name = t.rsplit('.').next().unwrap_or("");
            Some(match name {
                "S_IXUSR" | "S_IEXEC" => 0o100,
                "S_IXGRP" => 0o010,
                "S_IXOTH" => 0o001,
                "S_IRWXU" => 0o700,
                "S_IRWXG" => 0o070,
                "S_IRWXO" => 0o007,
                "ModePerm" => 0o777,
                _ => return None,
            })
        }
    }
}

/// What a call does with code from `/tmp`: the path, a verb for the message, and whether it is
/// reported even when the same function wrote the file just before (search paths are).
fn loads_tmp(s: &Syntax<'_>, call: &Call<'_>) -> Option<(String, &'static str, bool)> {
    if let Some(cmd) = s.command(call)
        && let Some(p) = cmd.runs_tmp()
    {
        return Some((p, "executes", false));
    }
    let c = call.callee.as_str();
    let at = |i: usize| call.args.get(i).and_then(|a| s.fold_text(*a)).filter(|p| is_tmp(p));
    let mentions = |i: usize| call.args.get(i).and_then(|a| mentions_tmp(s, *a, 0));
    let lang = s.lang();
    let found = match lang {
        Lang::Python => match c {
            "importlib.util.spec_from_file_location"
            | "imp.load_source"
            | "imp.load_dynamic"
            | "SourceFileLoader"
            | "importlib.machinery.SourceFileLoader" => at(1).map(|p| (p, "imports")),
            "runpy.run_path" | "zipimport.zipimporter" => at(0).map(|p| (p, "runs")),
            "ctypes.CDLL"
            | "ctypes.cdll.LoadLibrary"
            | "ctypes.PyDLL"
            | "ctypes.CDLL.LoadLibrary"
            | "cdll.LoadLibrary"
            | "ctypes.util.find_library" => at(0).map(|p| (p, "loads the native library")),
            "sys.path.insert" => return at(1).map(|p| (p, "adds to sys.path", true)),
            "sys.path.append" | "site.addsitedir" | "sys.path.extend" => return mentions(0).map(|p| (p, "adds to sys.path", true)),
            "pickle.load" | "pickle.loads" | "cPickle.load" | "cPickle.loads" | "dill.load" | "dill.loads" | "joblib.load"
            | "torch.load" | "marshal.load" | "marshal.loads" | "shelve.open" | "cloudpickle.load" | "jsonpickle.decode"
            | "pickle.Unpickler" => mentions(0).map(|p| (p, "unpickles")),
            "exec" | "eval" | "compile" => mentions(0).map(|p| (p, "evaluates code read")),
            _ if call.method() == "dlopen" => at(0).map(|p| (p, "loads the native library")),
            _ => None,
        },
        l if l.is_js_family() => match c {
            "require" | "import" | "require.resolve" => at(0).map(|p| (p, "requires")),
            "process.dlopen" => at(1).map(|p| (p, "loads the native addon")),
            "module.paths.push" | "module.paths.unshift" | "module.globalPaths.push" | "module.globalPaths.unshift" => {
                return mentions(0).map(|p| (p, "adds to the module search path", true));
            }
            "eval"
            | "Function"
            | "new Function"
            | "vm.runInThisContext"
            | "vm.runInNewContext"
            | "vm.runInContext"
            | "new vm.Script"
            | "vm.compileFunction" => mentions(0).map(|p| (p, "evaluates code read")),
            _ => None,
        },
        Lang::Go => match c {
            "plugin.Open" => at(0).map(|p| (p, "loads the plugin")),
            _ => None,
        },
        Lang::Java => match c {
            "System.load" | "Runtime.getRuntime().load" => at(0).map(|p| (p, "loads the native library")),
            "new URLClassLoader" | "URLClassLoader.newInstance" => mentions(0).map(|p| (p, "loads classes")),
            "new ObjectInputStream" => mentions(0).map(|p| (p, "deserializes")),
            _ => None,
        },
        _ => None,
    };
    // `import('/tmp/x.js')` is a call whose function is the `import` keyword.
    let found = found.or_else(|| {
        (lang.is_js_family() && call.node.child_by_field_name("function").is_some_and(|f| f.kind() == "import"))
            .then(|| at(0).map(|p| (p, "imports")))
            .flatten()
    });
    found.map(|(p, how)| (p, how, false))
}

/// A `/tmp` path anywhere under an expression, following variables a few hops:
/// `pickle.loads(open(p, 'rb').read())` with `p = '/tmp/model.pkl'`.
fn mentions_tmp(s: &Syntax<'_>, node: Node<'_>, hops: u32) -> Option<String> {
    if hops > 4 {
        return None;
    }
    let mut cursor = node.walk();
    let mut seen = 0usize;
    loop {
        let n = cursor.node();
        seen += 1;
        if seen > MAX_MENTION_NODES {
            return None;
        }
        match n.kind() {
            "identifier" => {
                if let Some(v) = s.def_for(s.text(n), n).and_then(|d| d.value)
                    && v.id() != node.id()
                    && let Some(p) = mentions_tmp(s, v, hops + 1)
                {
                    return Some(p);
                }
            }
            "string"
            | "string_literal"
            | "interpreted_string_literal"
            | "template_string"
            | "call"
            | "call_expression"
            | "method_invocation"
            | "binary_operator"
            | "binary_expression" => {
                if let Some(p) = s.fold_text(n).filter(|p| is_tmp(p)) {
                    return Some(p);
                }
            }
            _ => {}
        }
        if cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.node().id() == node.id() {
                return None;
            }
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return None;
            }
        }
    }
}

/// The text of an expression with one variable hop, for permission sets built elsewhere.
fn expanded_text(s: &Syntax<'_>, node: Node<'_>) -> String {
    if node.kind() == "identifier"
        && let Some(v) = s.def_for(s.text(node), node).and_then(|d| d.value)
    {
        return s.text(v).to_owned();
    }
    s.text(node).to_owned()
}

/// The same function wrote `path` before this use and never checked whether it was already
/// there: the file is this invocation's own, not one an earlier invocation left.
fn written_fresh(s: &Syntax<'_>, use_site: &Call<'_>, path: &str) -> bool {
    let same_scope = s.calls.iter().filter(|c| c.scope == use_site.scope);
    let mut wrote = false;
    for c in same_scope {
        if is_existence_check(s, c, path) {
            return false;
        }
        if c.node.start_byte() < use_site.node.start_byte() && written_path(s, c).as_deref() == Some(path) {
            wrote = true;
        }
    }
    wrote
}

fn is_existence_check(s: &Syntax<'_>, call: &Call<'_>, path: &str) -> bool {
    let c = call.callee.as_str();
    let direct = matches!(
        c,
        "os.path.exists"
            | "os.path.isfile"
            | "os.path.lexists"
            | "os.access"
            | "fs.existsSync"
            | "fs.accessSync"
            | "fs.statSync"
            | "fs.promises.access"
            | "fs.promises.stat"
            | "os.Stat"
            | "os.Lstat"
            | "Files.exists"
            | "Files.isRegularFile"
            | "Files.isExecutable"
    );
    if direct {
        return call.args.first().and_then(|a| s.fold_text(*a)).as_deref() == Some(path);
    }
    matches!(call.method(), "exists" | "is_file" | "isFile" | "canExecute")
        && call.receiver.and_then(|r| s.fold_text(r)).as_deref() == Some(path)
}

/// `sys.path = ['/tmp', …]`, `os.environ['LD_PRELOAD'] = '/tmp/x.so'`, `process.env.NODE_PATH = '/tmp/lib'`.
fn search_path_assignment(s: &Syntax<'_>, target: Node<'_>, value: Option<Node<'_>>) -> Option<(String, String)> {
    let value = value?;
    let var = match s.env_var_name(target) {
        Some(v) if matches!(v.as_str(), "PATH" | "PYTHONPATH" | "NODE_PATH" | "LD_PRELOAD" | "LD_LIBRARY_PATH" | "NODE_OPTIONS") => v,
        Some(_) => return None,
        None => {
            let t = s.dotted(target);
            if !matches!(t.as_str(), "sys.path" | "module.paths") {
                return None;
            }
            t
        }
    };
    // `PATH=…:/tmp/bin` lists folders; any of them under /tmp counts.
    let listed = s.fold_text(value).and_then(|v| v.split([':', ' ', '=']).find(|p| is_tmp(p)).map(str::to_owned));
    let path = listed.or_else(|| mentions_tmp(s, value, 0))?;
    Some((var, path))
}
