//! The injection rules: one per sink class, so suppressions and baselines can name the class.

use fnwarden_project::{Class, ScanRule, Severity};

pub static COMMAND: ScanRule = ScanRule {
    id: "fnw-scan-inj-command",
    title: "Event data reaches an OS command",
    severity: Severity::High,
    class: Class::Injection,
    cwe: &[78],
    description: "Attacker-controlled event data (a request field, an S3 object key, a queue message) is built into a command that a \
                  shell or the OS runs. Anyone who can send the event runs commands inside the function, with its role's credentials \
                  and its /tmp.",
    remediation: "Do not pass event data to a shell: call the program with an argument list and no shell, quote with shlex.quote / \
                  shell-quote when a shell is unavoidable, or map the input to a fixed set of allowed values.",
};

pub static EVAL: ScanRule = ScanRule {
    id: "fnw-scan-inj-eval",
    title: "Event data reaches code evaluation",
    severity: Severity::High,
    class: Class::Injection,
    cwe: &[94, 95],
    description: "Attacker-controlled event data is evaluated as code (eval, exec, Function, vm, a dynamic import). The sender of the \
                  event runs arbitrary code in the function's runtime and can read its credentials or hijack later invocations.",
    remediation: "Never evaluate event data. Parse it as data (json.loads, JSON.parse) and dispatch on it through a fixed table of \
                  allowed operations.",
};

pub static SQL: ScanRule = ScanRule {
    id: "fnw-scan-inj-sql",
    title: "Event data is built into an SQL query",
    severity: Severity::High,
    class: Class::Injection,
    cwe: &[89],
    description: "An SQL query string is built from attacker-controlled event data and passed to the driver. The sender can read or \
                  change any data the function's database user can reach.",
    remediation: "Use parameterized queries: a constant query with placeholders and the values passed separately to the driver.",
};

pub static DESERIALIZE: ScanRule = ScanRule {
    id: "fnw-scan-inj-deserialize",
    title: "Event data is deserialized unsafely",
    severity: Severity::High,
    class: Class::Injection,
    cwe: &[502],
    description: "Attacker-controlled event data is handed to a deserializer that can instantiate arbitrary objects or run code \
                  (pickle, yaml.load without a safe loader, jsonpickle, node-serialize, ObjectInputStream). Sending a crafted \
                  payload is remote code execution in the function.",
    remediation: "Deserialize event data only with data-only formats and loaders: json, yaml.safe_load / SafeLoader, or a schema-bound \
                  decoder.",
};

pub static PATH: ScanRule = ScanRule {
    id: "fnw-scan-inj-path",
    title: "Event data chooses a file path",
    severity: Severity::Medium,
    class: Class::Injection,
    cwe: &[22],
    description: "A file path is built from attacker-controlled event data (often an S3 object key or a path parameter) and opened, \
                  written or served. `../` sequences reach other files: the function's code, /proc/self/environ with its \
                  credentials, or files that persist in /tmp across invocations.",
    remediation: "Reduce the input to a base name (os.path.basename, path.basename, filepath.Base) and check it against an allowlist, \
                  or generate the local file name (uuid) instead of reusing the key.",
};

pub static SSRF: ScanRule = ScanRule {
    id: "fnw-scan-inj-ssrf",
    title: "Event data chooses an outbound URL",
    severity: Severity::Medium,
    class: Class::Injection,
    cwe: &[918],
    description: "The URL or host of an outbound request comes from attacker-controlled event data. From inside the function the \
                  sender can reach the Lambda runtime API, internal VPC services and metadata endpoints, and make the function \
                  fetch anything with its network position.",
    remediation: "Compare the host with an allowlist before the request (`if host not in ALLOWED_HOSTS: reject`), or build the URL \
                  from a fixed base and encoded path segments.",
};

pub static HTML: ScanRule = ScanRule {
    id: "fnw-scan-inj-html",
    title: "Event data is rendered into HTML",
    severity: Severity::Medium,
    class: Class::Injection,
    cwe: &[79],
    description: "Attacker-controlled event data is returned in an HTML response or rendered as a template without escaping \
                  (render_template_string, Template(t), res.send of HTML, innerHTML). Anyone who can make a victim open the URL \
                  runs script in the application's origin; template injection (SSTI) is code execution.",
    remediation: "Escape values for HTML (html.escape, markupsafe.escape, escape-html, html/template) and render templates from \
                  files or constants, passing the data as context.",
};

pub fn all() -> Vec<&'static ScanRule> {
    vec![&COMMAND, &EVAL, &SQL, &DESERIALIZE, &PATH, &SSRF, &HTML]
}
