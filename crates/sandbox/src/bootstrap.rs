//! How a function's runtime starts. Python and Node.js get light built-in bootstraps: the Lambda
//! runtime loop written with each language's standard library, so that an unmodified handler
//! runs without `awslambdaric` or `aws-lambda-ric` installed. A `provided` function brings its
//! own `bootstrap` executable, as on Lambda. All read the environment the official clients do
//! (`AWS_LAMBDA_RUNTIME_API`, `_HANDLER`, `LAMBDA_TASK_ROOT`).

use std::path::{Path, PathBuf};

const PYTHON: &str = include_str!("bootstrap/python.py");
const NODE: &str = include_str!("bootstrap/node.mjs");

/// A function runtime.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Runtime {
    Python,
    Node,
    /// A custom runtime: the function's own `bootstrap` executable.
    Provided,
}

impl Runtime {
    /// Accepts Lambda runtime names (`python3.11`, `nodejs20.x`, `provided.al2023`) and plain
    /// ones (`python`, `node`, `provided`).
    pub fn parse(name: &str) -> Option<Runtime> {
        let n = name.to_ascii_lowercase();
        if n.starts_with("python") {
            Some(Runtime::Python)
        } else if n.starts_with("nodejs") || n == "node" {
            Some(Runtime::Node)
        } else if n.starts_with("provided") {
            Some(Runtime::Provided)
        } else {
            None
        }
    }

    /// The program and arguments that start the runtime for code in `task_root`.
    pub fn command(self, task_root: &Path) -> (String, Vec<String>) {
        let owned = |p: &str, a: &[&str]| (p.to_owned(), a.iter().map(|s| (*s).to_owned()).collect());
        match self {
            Runtime::Python => owned("python3", &["-c", PYTHON]),
            Runtime::Node => owned("node", &["--input-type=module", "-e", NODE]),
            Runtime::Provided => (task_root.join("bootstrap").to_string_lossy().into_owned(), Vec::new()),
        }
    }
}

/// Which runtime interface client serves a Python or Node.js function.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Client {
    /// fnwarden's standard-library bootstrap.
    #[default]
    Builtin,
    /// AWS's own client (`python3 -m awslambdaric`), which must be installed for the system
    /// interpreter.
    Official,
}

/// How a runtime starts inside the sandbox: its argv, and the files it needs under
/// `/var/runtime`, as on Lambda.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Launch {
    pub argv: Vec<String>,
    pub files: Vec<(PathBuf, Vec<u8>, u32)>,
}

impl Runtime {
    /// The sandbox runs the system interpreters: /usr is what it shares with the host.
    pub fn launch(self, client: Client, handler: &str) -> Launch {
        let argv = |a: &[&str]| a.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let file = |name: &str, text: &str| vec![(Path::new("/var/runtime").join(name), text.as_bytes().to_vec(), 0o444)];
        match (self, client) {
            (Runtime::Python, Client::Builtin) => {
                Launch { argv: argv(&["/usr/bin/python3", "/var/runtime/bootstrap.py"]), files: file("bootstrap.py", PYTHON) }
            }
            (Runtime::Python, Client::Official) => {
                Launch { argv: argv(&["/usr/bin/python3", "-m", "awslambdaric", handler]), files: Vec::new() }
            }
            (Runtime::Node, _) => {
                Launch { argv: argv(&["/usr/bin/node", "/var/runtime/bootstrap.mjs"]), files: file("bootstrap.mjs", NODE) }
            }
            (Runtime::Provided, _) => Launch { argv: argv(&["/var/task/bootstrap"]), files: Vec::new() },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtime_names_parse() {
        assert_eq!(Runtime::parse("python3.11"), Some(Runtime::Python));
        assert_eq!(Runtime::parse("nodejs20.x"), Some(Runtime::Node));
        assert_eq!(Runtime::parse("node"), Some(Runtime::Node));
        assert_eq!(Runtime::parse("provided.al2023"), Some(Runtime::Provided));
        assert_eq!(Runtime::parse("java21"), None);
        let (program, args) = Runtime::Provided.command(Path::new("/var/task"));
        assert_eq!((program.as_str(), args.len()), ("/var/task/bootstrap", 0));
    }
}
