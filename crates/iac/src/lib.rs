//! IaC readers for fnwarden scan: Serverless Framework, AWS SAM and CloudFormation, Terraform,
//! into one project model. Every value keeps the file and line it was written at; input that
//! does not parse or has the wrong shape becomes a [`Diagnostic`] and the rest goes on.

mod cfn;
mod error;
mod hcl;
mod iam;
mod json;
mod model;
mod node;
mod policy_templates;
mod serverless;
mod source;
mod terraform;
mod yaml;

use std::path::{Path, PathBuf};

use fnwarden_project::{DiagKind, Diagnostic, Framework, Project, ScanRule};
use rayon::prelude::*;

use crate::node::Node;
use crate::source::Source;
use crate::terraform::TfFile;

/// Largest IaC file read; bigger ones are reported and skipped.
const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Files with these names are other tools' (package managers, compilers), never IaC.
const NOT_IAC: &[&str] = &[
    "package.json",
    "package-lock.json",
    "pnpm-lock.yaml",
    "composer.json",
    "composer.lock",
    "tsconfig.json",
    "jsconfig.json",
    ".eslintrc.json",
];

/// Cheap name-based pre-check: could this file be IaC? (serverless.yml/.yaml/.json, *.tf,
/// *.yaml/*.yml, *.json/*.template that may be CloudFormation/SAM)
pub fn is_candidate(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else { return false };
    if NOT_IAC.contains(&name) || name.starts_with("tsconfig.") {
        return false;
    }
    matches!(extension(name).as_str(), "tf" | "yml" | "yaml" | "json" | "template")
}

fn extension(name: &str) -> String {
    name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default()
}

fn is_serverless_name(name: &str) -> bool {
    matches!(name, "serverless.yml" | "serverless.yaml" | "serverless.json")
}

/// Reads every IaC file among `files` (paths relative to `root`) into one Project. JSON/YAML
/// that is not IaC is ignored silently (sniffed before parsing where cheap); IaC-looking or
/// YAML files that do not parse, and templates with bad shapes, become Diagnostics
/// (BadYaml/BadJson/BadHcl/BadTemplate) naming file and line; the rest goes on.
pub fn read_project(root: &Path, files: &[PathBuf]) -> (Project, Vec<Diagnostic>) {
    // Parsing is the cost and each file's is independent: in parallel. Reading the trees into
    // the model links files (roles, buckets, references) and is cheap: in order.
    let parsed: Vec<Parsed> = files.par_iter().filter(|p| is_candidate(p)).map(|p| parse_file(root, p)).collect();
    let mut project = Project::default();
    let mut diagnostics = Vec::new();
    let mut terraform = Vec::new();
    for file in parsed {
        match file {
            Parsed::Skipped(mut diags) => diagnostics.append(&mut diags),
            Parsed::Terraform(tf) => terraform.push(tf),
            Parsed::Document { mut src, named, root } => {
                dispatch(&mut src, named, &root, &mut project);
                diagnostics.append(&mut src.diagnostics);
            }
        }
    }
    terraform::read(root, &terraform, &mut project);
    for file in &mut terraform {
        diagnostics.append(&mut file.src.diagnostics);
    }
    (project, diagnostics)
}

/// One file after parsing.
enum Parsed {
    /// Not IaC, or not readable: with the diagnostics that say why, if any.
    Skipped(Vec<Diagnostic>),
    Terraform(TfFile),
    Document {
        src: Source,
        named: bool,
        root: Node,
    },
}

fn parse_file(root: &Path, path: &Path) -> Parsed {
    let mut diagnostics = Vec::new();
    let Some(text) = read_text(root, path, &mut diagnostics) else { return Parsed::Skipped(diagnostics) };
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    let ext = extension(name);
    if ext == "tf" {
        return match hcl::parse(&text) {
            Ok(blocks) => Parsed::Terraform(TfFile { src: Source::new(path), blocks }),
            Err(e) => Parsed::Skipped(vec![Diagnostic::new(path, e.line, DiagKind::BadHcl, e.message)]),
        };
    }
    let json = ext == "json" || (ext == "template" && text.trim_start().starts_with('{'));
    let named = is_serverless_name(name);
    if !named && !looks_like_iac(&text) {
        // Plain YAML is still checked for syntax (cheaply, without a tree); Go-templated YAML
        // (Helm, `{{ }}`) is not YAML until rendered. Plain JSON is not ours.
        if !json
            && !text.contains("{{")
            && let Err(e) = yaml::validate(&text)
        {
            diagnostics.push(Diagnostic::new(path, e.line, DiagKind::BadYaml, e.message));
        }
        return Parsed::Skipped(diagnostics);
    }
    let (parsed, kind) = if json { (json::parse(&text, 1), DiagKind::BadJson) } else { (yaml::parse(&text), DiagKind::BadYaml) };
    match parsed {
        Ok(root) => Parsed::Document { src: Source::new(path), named, root },
        Err(e) => Parsed::Skipped(vec![Diagnostic::new(path, e.line, kind, e.message)]),
    }
}

/// The IaC readers raise no findings of their own.
pub fn rules() -> Vec<&'static ScanRule> {
    Vec::new()
}

fn read_text(root: &Path, path: &Path, diagnostics: &mut Vec<Diagnostic>) -> Option<String> {
    let full = root.join(path);
    let size = std::fs::metadata(&full).map(|m| m.len()).unwrap_or(0);
    if size > MAX_FILE_BYTES {
        diagnostics.push(Diagnostic::new(
            path,
            0,
            DiagKind::TooLarge,
            format!("{size} bytes; IaC files over {MAX_FILE_BYTES} bytes are not read"),
        ));
        return None;
    }
    let bytes = match std::fs::read(&full) {
        Ok(b) => b,
        Err(e) => {
            diagnostics.push(Diagnostic::new(path, 0, DiagKind::Unreadable, e.to_string()));
            return None;
        }
    };
    match String::from_utf8(bytes) {
        Ok(text) => Some(text.strip_prefix('\u{feff}').map(str::to_string).unwrap_or(text)),
        Err(_) => {
            // Only files that claim to be IaC are worth a word; other binary data is not ours.
            let claims =
                path.file_name().and_then(|n| n.to_str()).is_some_and(is_serverless_name) || extension(&path.to_string_lossy()) == "tf";
            if claims {
                diagnostics.push(Diagnostic::new(path, 0, DiagKind::Binary, "not UTF-8 text"));
            }
            None
        }
    }
}

/// Whether the text may be CloudFormation, SAM or Serverless, before paying for a full parse.
fn looks_like_iac(text: &str) -> bool {
    text.contains("AWS::")
        || text.contains("AWSTemplateFormatVersion")
        || (text.contains("service") && text.contains("functions") && text.contains("provider"))
}

fn dispatch(src: &mut Source, named: bool, root: &Node, project: &mut Project) {
    if named || serverless::is_service(root) {
        serverless::read(src, root, project);
    } else if cfn::is_template(root) {
        let sam = root.get("Transform").is_some_and(|t| t.text().contains("AWS::Serverless"));
        let framework = if sam { Framework::Sam } else { Framework::CloudFormation };
        let resources: Vec<&Node> = root.get("Resources").into_iter().collect();
        cfn::Template::new(src, root, &resources, framework).read(src, project);
    }
}
