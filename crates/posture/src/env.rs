//! Environment blocks: literal secrets, and variables that make the runtime load someone's code.

use fnwarden_project::{Class, EnvValue, EnvVar, Function, Project, ScanRule, Severity};

use crate::draft::{Draft, Drafts};
use crate::text::clip;

pub static ENV_SECRET: ScanRule = ScanRule {
    id: "fnw-scan-cfg-env-secret",
    title: "Secret written literally in a function's environment",
    severity: Severity::High,
    class: Class::Secret,
    cwe: &[798, 526],
    description: "A credential in the IaC's environment block is in the repository, in every deployment package's \
                  configuration, readable to anyone with `lambda:GetFunctionConfiguration`, and printed by code that dumps \
                  its environment. Rotating it means a redeploy.",
    remediation: "Store the secret in Secrets Manager or SSM Parameter Store (SecureString) and pass its name, or resolve it at \
                  deploy time (`{{resolve:secretsmanager:…}}`, `${ssm:…}`); then rotate the exposed value.",
};

pub static ENV_CODE_INJECTION: ScanRule = ScanRule {
    id: "fnw-scan-cfg-env-code-injection",
    title: "Environment variable makes the runtime load extra code",
    severity: Severity::Medium,
    class: Class::Config,
    cwe: &[94, 427],
    description: "Variables such as AWS_LAMBDA_EXEC_WRAPPER, LD_PRELOAD, NODE_OPTIONS=--require, PYTHONPATH or \
                  JAVA_TOOL_OPTIONS=-javaagent run code before the handler, outside its source: whoever can change the \
                  configuration or the file they name (a layer, `/tmp`) controls every invocation.",
    remediation: "Remove the variable, or make sure what it loads ships in the function's own package or a layer you \
                  publish, never from `/tmp`; restrict `lambda:UpdateFunctionConfiguration`.",
};

pub const RULES: &[&ScanRule] = &[&ENV_SECRET, &ENV_CODE_INJECTION];

pub fn check(project: &Project, drafts: &mut Drafts) {
    for f in &project.functions {
        for var in &f.env {
            secret(f, var, drafts);
            injection(f, var, drafts);
        }
    }
}

fn secret(f: &Function, var: &EnvVar, drafts: &mut Drafts) {
    // Computed values (`!Ref`, `${ssm:…}`, `var.x`) are resolved at deploy time: not in the IaC.
    let EnvValue::Literal(value) = &var.value else { return };
    let Some(matched) = fnwarden_secrets::check_assignment(&var.name, value) else { return };
    let shown = fnwarden_secrets::redact(value.trim());
    let msg = format!("environment variable {} holds a literal secret ({}): `{shown}`", clip(&var.name), matched.title);
    drafts.add(Draft::new(&ENV_SECRET, var.location.clone(), msg).functions([f.name.as_str()]));
}

/// How a variable loads code: by being set at all, or only with some flags in its value.
enum Loads {
    Always,
    WithFlag(&'static [&'static str]),
}

const LOADERS: &[(&str, Loads)] = &[
    ("AWS_LAMBDA_EXEC_WRAPPER", Loads::Always),
    ("LD_PRELOAD", Loads::Always),
    ("LD_AUDIT", Loads::Always),
    ("NODE_OPTIONS", Loads::WithFlag(&["--require", "-r", "--import", "--loader", "--experimental-loader"])),
    ("PYTHONPATH", Loads::Always),
    ("PYTHONSTARTUP", Loads::Always),
    ("PYTHONINSPECT", Loads::Always),
    ("PYTHONHOME", Loads::Always),
    ("JAVA_TOOL_OPTIONS", Loads::WithFlag(&["-javaagent", "-agentpath", "-agentlib", "-Xbootclasspath"])),
    ("_JAVA_OPTIONS", Loads::WithFlag(&["-javaagent", "-agentpath", "-agentlib", "-Xbootclasspath"])),
    ("JDK_JAVA_OPTIONS", Loads::WithFlag(&["-javaagent", "-agentpath", "-agentlib", "-Xbootclasspath"])),
    ("PERL5OPT", Loads::Always),
    ("PERL5LIB", Loads::Always),
    ("RUBYOPT", Loads::Always),
    ("RUBYLIB", Loads::Always),
    // Not `ENV`: sh reads it only when interactive, and `ENV=production` is everywhere.
    ("BASH_ENV", Loads::Always),
    ("DOTNET_STARTUP_HOOKS", Loads::Always),
];

fn injection(f: &Function, var: &EnvVar, drafts: &mut Drafts) {
    let Some((_, loads)) = LOADERS.iter().find(|(name, _)| *name == var.name.trim()) else { return };
    let shown = match &var.value {
        EnvValue::Literal(v) => v.trim(),
        EnvValue::Computed(expr) => expr.trim(),
    };
    if let Loads::WithFlag(flags) = loads {
        // A computed value is unknown until deploy: only literal flags are judged.
        let EnvValue::Literal(v) = &var.value else { return };
        if !v.split_whitespace().any(|word| {
            flags.iter().any(|flag| word == *flag || word.starts_with(&format!("{flag}=")) || word.starts_with(&format!("{flag}:")))
        }) {
            return;
        }
    }
    // Code loaded from /tmp can be planted by any earlier invocation: persistence.
    let severity = if shown.contains("/tmp") { Severity::High } else { ENV_CODE_INJECTION.severity };
    let msg = format!("{}=`{}` loads code before the handler", clip(&var.name), clip(shown));
    drafts.add(Draft::new(&ENV_CODE_INJECTION, var.location.clone(), msg).severity(severity).functions([f.name.as_str()]));
}
