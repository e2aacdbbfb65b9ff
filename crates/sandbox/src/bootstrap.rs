//! Light built-in bootstraps for Python and Node.js: the Lambda runtime loop written with each
//! language's standard library, so that an unmodified handler runs without `awslambdaric` or
//! `aws-lambda-ric` installed. They read the same environment the official clients do
//! (`AWS_LAMBDA_RUNTIME_API`, `_HANDLER`, `LAMBDA_TASK_ROOT`).

const PYTHON: &str = include_str!("bootstrap/python.py");
const NODE: &str = include_str!("bootstrap/node.mjs");

/// A language runtime fnwarden can bootstrap itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Runtime {
    Python,
    Node,
}

impl Runtime {
    /// Accepts Lambda runtime names (`python3.11`, `nodejs20.x`) and plain ones (`python`, `node`).
    pub fn parse(name: &str) -> Option<Runtime> {
        let n = name.to_ascii_lowercase();
        if n.starts_with("python") {
            Some(Runtime::Python)
        } else if n.starts_with("nodejs") || n == "node" {
            Some(Runtime::Node)
        } else {
            None
        }
    }

    /// The interpreter and arguments that run the built-in bootstrap.
    pub fn command(self) -> (&'static str, Vec<&'static str>) {
        match self {
            Runtime::Python => ("python3", vec!["-c", PYTHON]),
            Runtime::Node => ("node", vec!["--input-type=module", "-e", NODE]),
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
        assert_eq!(Runtime::parse("provided.al2023"), None);
    }
}
