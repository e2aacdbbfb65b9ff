//! Calls that run a program, in each language, and what their command line does: which program
//! it starts, whether it leaves it running in the background, whether it makes a file executable.

use fnwarden_code::Lang;
use fnwarden_code::tree_sitter::Node;

use crate::fold::HOLE;
use crate::paths::{is_tmp, shell_mode_executes};
use crate::syntax::{Call, Syntax, named_children};

/// A command line as far as it folds: one shell string, or an argv.
pub(crate) enum Command {
    Shell(String),
    Argv(Vec<String>),
}

impl<'t> Syntax<'t> {
    /// The command a call runs, when it is a process-starting call; worked out once per call.
    pub fn command<'c>(&self, call: &'c Call<'t>) -> Option<&'c Command> {
        call.command.get_or_init(|| self.lift_command(call)).as_ref()
    }

    fn lift_command(&self, call: &Call<'t>) -> Option<Command> {
        let c = call.callee.as_str();
        let first = call.args.first().copied();
        let shell_kw = call.kwarg("shell").is_some_and(|v| matches!(self.text(v), "True" | "true"));
        let cmd = match self.lang() {
            Lang::Python => match c {
                "os.system"
                | "os.popen"
                | "subprocess.getoutput"
                | "subprocess.getstatusoutput"
                | "commands.getoutput"
                | "asyncio.create_subprocess_shell" => Command::Shell(self.fold_text(first?)?),
                "subprocess.run"
                | "subprocess.call"
                | "subprocess.check_call"
                | "subprocess.check_output"
                | "subprocess.Popen"
                | "pty.spawn" => {
                    let a = first.or_else(|| call.kwarg("args"))?;
                    match self.argv(a) {
                        Some(v) => argv_or_shell(v),
                        None if shell_kw => Command::Shell(self.fold_text(a)?),
                        None => Command::Argv(vec![self.fold_text(a)?]),
                    }
                }
                "asyncio.create_subprocess_exec" => Command::Argv(self.fold_all(&call.args)),
                // `os.execv(path, [name, *args])`, `os.execl(path, name, *args)`: the program,
                // then its arguments without `argv[0]`.
                _ if c.starts_with("os.exec") => {
                    let mut v = vec![self.fold_text(first?)?];
                    if c.starts_with("os.execv") {
                        v.extend(call.args.get(1).and_then(|a| self.argv(*a)).unwrap_or_default().into_iter().skip(1));
                    } else {
                        v.extend(call.args.iter().skip(2).map(|a| self.fold_or_hole(*a)));
                    }
                    Command::Argv(v)
                }
                _ if c.starts_with("os.spawn") => {
                    let path = call.args.get(1)?;
                    Command::Argv(vec![self.fold_text(*path)?])
                }
                "os.posix_spawn" | "os.posix_spawnp" => Command::Argv(vec![self.fold_text(first?)?]),
                _ => return None,
            },
            l if l.is_js_family() => match c {
                "child_process.exec" | "child_process.execSync" | "shelljs.exec" | "execa.command" | "execa.commandSync" => {
                    Command::Shell(self.fold_text(first?)?)
                }
                "child_process.spawn"
                | "child_process.spawnSync"
                | "child_process.execFile"
                | "child_process.execFileSync"
                | "execa"
                | "execa.sync" => {
                    let mut v = vec![self.fold_text(first?)?];
                    if let Some(rest) = call.args.get(1).and_then(|a| self.argv(*a)) {
                        v.extend(rest);
                    }
                    if shell_kw { Command::Shell(v.join(" ")) } else { argv_or_shell(v) }
                }
                "child_process.fork" => Command::Argv(vec!["node".to_owned(), self.fold_text(first?)?]),
                _ => return None,
            },
            Lang::Go => match c {
                "exec.Command" | "syscall.Exec" | "syscall.ForkExec" | "os.StartProcess" => argv_or_shell(
                    call.args.iter().take(if c == "exec.Command" { usize::MAX } else { 1 }).map(|a| self.fold_or_hole(*a)).collect(),
                ),
                "exec.CommandContext" => argv_or_shell(call.args.iter().skip(1).map(|a| self.fold_or_hole(*a)).collect()),
                _ => return None,
            },
            Lang::Java => {
                if call.method() == "exec" && self.is_runtime(call) {
                    let a = first?;
                    match self.argv(a) {
                        Some(v) => argv_or_shell(v),
                        None => Command::Shell(self.fold_text(a)?),
                    }
                } else if c == "new ProcessBuilder" {
                    match call.args.as_slice() {
                        [one] => argv_or_shell(self.argv(*one).unwrap_or_else(|| vec![self.fold_or_hole(*one)])),
                        many => argv_or_shell(self.fold_all(many)),
                    }
                } else {
                    return None;
                }
            }
            _ => return None,
        };
        Some(cmd)
    }

    /// `Runtime.getRuntime().exec`, or `rt.exec` where `rt = Runtime.getRuntime()`.
    fn is_runtime(&self, call: &Call<'t>) -> bool {
        if call.callee.contains("getRuntime") {
            return true;
        }
        let Some(recv) = call.receiver.filter(|r| r.kind() == "identifier") else { return false };
        self.def_for(self.text(recv), recv).and_then(|d| d.value).is_some_and(|v| self.text(v).contains("getRuntime"))
    }

    fn fold_or_hole(&self, node: Node<'t>) -> String {
        self.fold_text(node).unwrap_or_else(|| HOLE.to_string())
    }

    fn fold_all(&self, nodes: &[Node<'t>]) -> Vec<String> {
        nodes.iter().map(|a| self.fold_or_hole(*a)).collect()
    }

    /// The elements of a list literal (Python list/tuple, JS array, Java array or `List.of`,
    /// Go `[]string{…}`), following a variable once.
    pub fn argv(&self, node: Node<'t>) -> Option<Vec<String>> {
        let node = match node.kind() {
            "identifier" => self.def_for(self.text(node), node)?.value?,
            _ => node,
        };
        let elems = match node.kind() {
            "list" | "tuple" | "array" | "array_initializer" => named_children(node),
            "array_creation_expression" => named_children(node.child_by_field_name("value")?),
            "composite_literal" => {
                let body = node.child_by_field_name("body")?;
                named_children(body).into_iter().map(|e| e.named_child(0).unwrap_or(e)).collect()
            }
            "method_invocation" | "call_expression" => {
                let call = self.call(node)?;
                if !matches!(call.callee.as_str(), "List.of" | "Arrays.asList") {
                    return None;
                }
                call.args.clone()
            }
            _ => return None,
        };
        Some(elems.into_iter().filter(|e| e.kind() != "comment").map(|e| self.fold_or_hole(e)).collect())
    }
}

/// `['sh', '-c', 'x']` is a shell string.
fn argv_or_shell(argv: Vec<String>) -> Command {
    match argv.as_slice() {
        [sh, flag, script, ..] if is_shell(sh) && flag == "-c" => Command::Shell(script.clone()),
        _ => Command::Argv(argv),
    }
}

fn base(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

fn is_shell(word: &str) -> bool {
    matches!(base(word), "sh" | "bash" | "zsh" | "dash" | "ash" | "ksh" | "busybox")
}

/// Shell control operators split a line into simple commands.
fn simple_commands(line: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for seg in line.split(['\n', ';', '|', '&', '`', '(', ')']) {
        let words: Vec<String> = seg.split_whitespace().map(|w| w.trim_matches(['\'', '"']).to_owned()).filter(|w| !w.is_empty()).collect();
        if !words.is_empty() {
            out.push(words);
        }
    }
    out
}

/// Words that run the rest of the line as another command.
const PREFIXES: [&str; 11] = ["nohup", "setsid", "exec", "env", "sudo", "nice", "stdbuf", "time", "command", "timeout", "daemonize"];
/// Interpreters whose first operand is the code they run.
const INTERPRETERS: [&str; 15] =
    ["sh", "bash", "zsh", "dash", "ksh", "source", ".", "python", "python3", "python2", "node", "perl", "ruby", "php", "java"];

/// The `/tmp` file a simple command runs (as the program, an interpreter's script, or a preloaded
/// library through `LD_PRELOAD=`/`PATH=`).
fn runs_tmp(words: &[String]) -> Option<String> {
    let mut i = 0;
    while let Some(w) = words.get(i) {
        if let Some((var, val)) = w.split_once('=') {
            if matches!(var, "LD_PRELOAD" | "LD_LIBRARY_PATH" | "PATH" | "PYTHONPATH" | "NODE_PATH" | "NODE_OPTIONS")
                && val.split(':').any(is_tmp)
            {
                return Some(val.to_owned());
            }
            i += 1;
            continue;
        }
        if PREFIXES.contains(&base(w)) || (i > 0 && w.starts_with('-')) {
            i += 1;
            continue;
        }
        break;
    }
    let prog = words.get(i)?;
    if is_tmp(prog) {
        return Some(prog.clone());
    }
    let name = base(prog);
    let is_interp = INTERPRETERS.contains(&name) || name.starts_with("python");
    if !is_interp {
        return None;
    }
    words[i + 1..].iter().find(|w| !w.starts_with('-') || w.as_str() == "-").filter(|w| is_tmp(w)).cloned()
}

impl Command {
    /// The `/tmp` file this command executes, if any.
    pub fn runs_tmp(&self) -> Option<String> {
        match self {
            Command::Shell(s) => simple_commands(s).iter().find_map(|w| runs_tmp(w)),
            Command::Argv(v) => runs_tmp(v),
        }
    }

    /// How the command leaves a process running after it returns: `nohup`, `setsid`,
    /// `disown`, or a trailing `&`.
    pub fn detaches(&self) -> Option<&'static str> {
        let Command::Shell(s) = self else { return None };
        for words in simple_commands(s) {
            for w in &words {
                match base(w) {
                    "nohup" => return Some("nohup"),
                    "setsid" => return Some("setsid"),
                    "disown" => return Some("disown"),
                    "daemonize" | "start-stop-daemon" => return Some("a daemonizer"),
                    _ => {}
                }
            }
        }
        background_ampersand(s).then_some("a background `&`")
    }

    /// The `/tmp` path a `chmod` in this command makes executable.
    pub fn chmods_tmp(&self) -> Option<String> {
        let commands = match self {
            Command::Shell(s) => simple_commands(s),
            Command::Argv(v) => vec![v.clone()],
        };
        commands.iter().find_map(|w| {
            let at = w.iter().position(|x| base(x) == "chmod")?;
            let rest = &w[at + 1..];
            let exec = rest.iter().any(|m| !is_tmp(m) && shell_mode_executes(m));
            exec.then(|| rest.iter().find(|p| is_tmp(p)).cloned()).flatten()
        })
    }

    /// Every word of the command, for path checks.
    pub fn words(&self) -> Vec<String> {
        match self {
            Command::Shell(s) => simple_commands(s).into_iter().flatten().collect(),
            Command::Argv(v) => v.clone(),
        }
    }
}

/// A lone `&` ends a command in the background; `&&`, `>&`, `&>` and `2>&1` do not.
fn background_ampersand(s: &str) -> bool {
    let b = s.as_bytes();
    (0..b.len()).any(|i| {
        b[i] == b'&'
            && b.get(i + 1) != Some(&b'&')
            && b.get(i + 1) != Some(&b'>')
            && (i == 0 || (b[i - 1] != b'&' && b[i - 1] != b'>' && b[i - 1] != b'<'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(s: &str) -> Command {
        Command::Shell(s.to_owned())
    }

    #[test]
    fn tmp_programs() {
        assert_eq!(sh("/tmp/miner -o pool").runs_tmp().as_deref(), Some("/tmp/miner"));
        assert_eq!(sh("cd /var/task && bash /tmp/setup.sh").runs_tmp().as_deref(), Some("/tmp/setup.sh"));
        assert_eq!(sh("nohup python3 -u /tmp/agent.py &").runs_tmp().as_deref(), Some("/tmp/agent.py"));
        assert_eq!(sh("LD_PRELOAD=/tmp/hook.so ls").runs_tmp().as_deref(), Some("/tmp/hook.so"));
        assert_eq!(sh("tar xzf /tmp/a.tgz -C /tmp").runs_tmp(), None);
        assert_eq!(sh("ls -la /tmp").runs_tmp(), None);
        assert_eq!(Command::Argv(vec!["/opt/bin/ffmpeg".into(), "-i".into(), "/tmp/in.mp4".into()]).runs_tmp(), None);
    }

    #[test]
    fn detaching() {
        assert_eq!(sh("nohup ./x").detaches(), Some("nohup"));
        assert_eq!(sh("/tmp/x > /dev/null 2>&1 &").detaches(), Some("a background `&`"));
        assert_eq!(sh("make && make install 2>&1").detaches(), None);
        assert_eq!(sh("cmd &> log").detaches(), None);
        assert_eq!(Command::Argv(vec!["nohup".into()]).detaches(), None);
    }

    #[test]
    fn chmod() {
        assert_eq!(sh("chmod +x /tmp/x && /tmp/x").chmods_tmp().as_deref(), Some("/tmp/x"));
        assert_eq!(sh("chmod 755 /tmp/x").chmods_tmp().as_deref(), Some("/tmp/x"));
        assert_eq!(sh("chmod 644 /tmp/x").chmods_tmp(), None);
        assert_eq!(sh("chmod +x /var/task/x").chmods_tmp(), None);
    }
}
