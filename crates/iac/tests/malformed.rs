//! Hostile and malformed IaC: every bad file becomes a diagnostic naming the file and line, and
//! the rest of the tree is still read.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use fnwarden_iac::{is_candidate, read_project};
use fnwarden_project::{DiagKind, Diagnostic, EnvValue, Project};

fn scan(files: &[(&str, &[u8])]) -> (Project, Vec<Diagnostic>) {
    let dir = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for (name, content) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, content).unwrap();
        paths.push(PathBuf::from(name));
    }
    read_project(dir.path(), &paths)
}

fn only(diagnostics: &[Diagnostic]) -> (&Path, u32, DiagKind) {
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    let d = &diagnostics[0];
    (d.file.as_path(), d.line, d.kind)
}

const GOOD_SAM: &[u8] = b"Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: app.handler\n      Runtime: python3.12\n";

#[test]
fn bad_yaml_in_a_serverless_file_names_the_line_and_the_rest_goes_on() {
    let (project, diags) =
        scan(&[("svc/serverless.yml", b"service: a\nprovider:\n  name: aws\n   runtime: x\n"), ("template.yaml", GOOD_SAM)]);
    assert_eq!(only(&diags), (Path::new("svc/serverless.yml"), 4, DiagKind::BadYaml));
    assert_eq!(project.functions.len(), 1);
    assert_eq!(project.functions[0].name, "Fn");
}

#[test]
fn bad_yaml_that_is_not_iac_is_still_reported_but_helm_templates_are_not() {
    let (_, diags) = scan(&[
        (".github/workflows/ci.yml", b"on: push\njobs:\n  build: [\n"),
        ("chart/templates/d.yaml", b"{{- if .Values.x }}\nkind: [\n"),
    ]);
    let (file, _, kind) = only(&diags);
    assert_eq!((file, kind), (Path::new(".github/workflows/ci.yml"), DiagKind::BadYaml));
}

#[test]
fn bad_json_template_names_the_line_and_plain_json_is_ignored() {
    let bad = b"{\n  \"AWSTemplateFormatVersion\": \"2010-09-09\",\n  \"Resources\": {\n    \"Fn\": { \"Type\": \"AWS::Lambda::Function\" \n  }\n}\n";
    let (project, diags) = scan(&[("stack.json", bad), ("data/fixtures.json", b"{ this is not json"), ("config.json", b"{\"a\": 1}")]);
    assert_eq!(only(&diags), (Path::new("stack.json"), 6, DiagKind::BadJson));
    assert!(project.functions.is_empty());
}

#[test]
fn bad_hcl_names_the_line() {
    let good = b"resource \"aws_lambda_function\" \"ok\" {\n  handler = \"a.b\"\n}\n";
    let (project, diags) = scan(&[
        ("infra/broken.tf", b"resource \"aws_lambda_function\" \"f\" {\n  handler = \"a.b\"\n  runtime = \n}\n"),
        ("infra/ok.tf", good),
    ]);
    let (file, line, kind) = only(&diags);
    assert_eq!((file, kind), (Path::new("infra/broken.tf"), DiagKind::BadHcl));
    assert!((3..=4).contains(&line), "line {line}");
    assert_eq!(project.functions.len(), 1);
}

#[test]
fn wrong_shapes_are_bad_templates() {
    let (_, diags) = scan(&[("serverless.yml", b"service: a\nprovider:\n  name: aws\nfunctions: 5\n")]);
    assert_eq!(only(&diags), (Path::new("serverless.yml"), 4, DiagKind::BadTemplate));

    let (project, diags) = scan(&[("serverless.yml", b"service: a\nfunctions:\n  ok:\n    handler: h.main\n  broken: 5\n")]);
    assert_eq!(only(&diags), (Path::new("serverless.yml"), 5, DiagKind::BadTemplate));
    assert_eq!(project.functions.len(), 1);

    // Filled in at deploy time: not a wrong shape.
    let (_, diags) = scan(&[("serverless.yml", b"service: a\nfunctions: ${file(./functions.yml)}\n")]);
    assert!(diags.is_empty(), "{diags:#?}");

    let (_, diags) = scan(&[("serverless.yml", b"- just\n- a list\n")]);
    assert_eq!(only(&diags), (Path::new("serverless.yml"), 1, DiagKind::BadTemplate));

    let (_, diags) = scan(&[("t.yaml", b"AWSTemplateFormatVersion: '2010-09-09'\nResources: 5\n")]);
    assert_eq!(only(&diags), (Path::new("t.yaml"), 2, DiagKind::BadTemplate));

    let (_, diags) = scan(&[("t.yaml", b"AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  NoType:\n    Properties: {}\n")]);
    assert_eq!(only(&diags), (Path::new("t.yaml"), 3, DiagKind::BadTemplate));

    let events = b"Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: a.b\n      Events: [1, 2]\n";
    let (project, diags) = scan(&[("t.yaml", events)]);
    assert_eq!(only(&diags), (Path::new("t.yaml"), 7, DiagKind::BadTemplate));
    assert_eq!(project.functions.len(), 1);

    let no_props = b"Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n";
    let (_, diags) = scan(&[("t.yaml", no_props)]);
    assert_eq!(only(&diags), (Path::new("t.yaml"), 3, DiagKind::BadTemplate));
}

#[test]
fn alias_bombs_are_bounded() {
    let mut text = String::from("service: bomb\nprovider: {name: aws}\ncustom:\n  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let p = i - 1;
        text.push_str(&format!("  a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"));
    }
    let started = Instant::now();
    let (_, diags) = scan(&[("serverless.yml", text.as_bytes())]);
    assert!(started.elapsed() < Duration::from_secs(10));
    let (_, line, kind) = only(&diags);
    assert_eq!(kind, DiagKind::BadYaml);
    assert!(line > 4, "line {line}");
}

#[test]
fn deep_nesting_is_bounded() {
    let json = format!("{{\"AWSTemplateFormatVersion\": \"x\", \"Resources\": {}{}}}", "[".repeat(200_000), "]".repeat(200_000));
    let yaml = format!("AWSTemplateFormatVersion: x\nResources: {}{}\n", "{a: ".repeat(50_000), "}".repeat(50_000));
    let tf = format!("locals {{\n  x = {}1{}\n}}\n", "[".repeat(50_000), "]".repeat(50_000));
    let (_, diags) = scan(&[("a.json", json.as_bytes()), ("b.yaml", yaml.as_bytes()), ("c.tf", tf.as_bytes())]);
    let kinds: Vec<DiagKind> = diags.iter().map(|d| d.kind).collect();
    assert_eq!(kinds, vec![DiagKind::BadJson, DiagKind::BadYaml, DiagKind::BadHcl]);
}

#[test]
fn cyclic_variables_stay_computed() {
    let text = b"service: loop\nprovider:\n  name: aws\n  environment:\n    A: ${self:custom.a}\ncustom:\n  a: ${self:custom.b}\n  b: ${self:custom.a}\nfunctions:\n  f:\n    handler: h.main\n    timeout: ${self:custom.a}\n";
    let (project, diags) = scan(&[("serverless.yml", text)]);
    assert!(diags.is_empty(), "{diags:#?}");
    let f = &project.functions[0];
    assert!(matches!(&f.env[0].value, EnvValue::Computed(_)));
    assert!(f.timeout.is_none());
}

#[test]
fn huge_and_binary_files_are_skipped_with_a_reason() {
    let huge = vec![b'#'; 17 * 1024 * 1024];
    let (_, diags) = scan(&[("big.yaml", &huge), ("main.tf", b"\xff\xfe\x00binary")]);
    let kinds: Vec<DiagKind> = diags.iter().map(|d| d.kind).collect();
    assert_eq!(kinds, vec![DiagKind::TooLarge, DiagKind::Binary]);
}

#[test]
fn serverless_json_and_anchors_are_read() {
    let json = b"{\n  \"service\": \"j\",\n  \"provider\": {\"name\": \"aws\", \"runtime\": \"nodejs20.x\"},\n  \"functions\": {\n    \"api\": {\"handler\": \"h.main\", \"events\": [{\"http\": \"GET /\"}]}\n  }\n}\n";
    let yaml = b"service: y\nx-defaults: &defaults\n  timeout: 6\n  handler: h.main\nfunctions:\n  one:\n    <<: *defaults\n  two:\n    <<: *defaults\n    timeout: 9\n";
    let (project, diags) = scan(&[("a/serverless.json", json), ("b/serverless.yaml", yaml)]);
    assert!(diags.is_empty(), "{diags:#?}");
    let api = project.function("api").unwrap();
    assert_eq!(api.runtime.as_ref().unwrap().location.line, 3);
    assert_eq!(api.code_dir, PathBuf::from("a"));
    assert!(api.triggers[0].public);
    assert_eq!(api.triggers[0].location.line, 5);
    assert_eq!(project.function("one").unwrap().timeout.as_ref().unwrap().value, 6);
    assert_eq!(project.function("two").unwrap().timeout.as_ref().unwrap().value, 9);
    assert_eq!(project.function("one").unwrap().code_dir, PathBuf::from("b"));
}

#[test]
fn candidates_by_name() {
    for yes in ["serverless.yml", "a/template.yaml", "x.tf", "stack.template", "cfn/stack.json", "sub/serverless.json"] {
        assert!(is_candidate(Path::new(yes)), "{yes}");
    }
    for no in ["package.json", "web/package-lock.json", "pnpm-lock.yaml", "tsconfig.build.json", "app.py", "README.md", "main.tf.bak"] {
        assert!(!is_candidate(Path::new(no)), "{no}");
    }
}

/// Every prefix of the corpus's IaC files (cut anywhere, as a truncated upload would be) is read
/// without a panic: the reader reports or reads what is there.
#[test]
fn truncated_corpus_files_never_panic() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/scan");
    let files = [
        "iac-serverless-orders/serverless.yml",
        "iac-sam-thumbnails/template.yaml",
        "iac-cfn-json-reports/stack.template.json",
        "iac-terraform-ingest/infra/main.tf",
        "iac-terraform-ingest/infra/iam.tf",
        "iac-terraform-modules/lambda.tf",
    ];
    let dir = tempfile::tempdir().unwrap();
    for file in files {
        let text = std::fs::read(corpus.join(file)).unwrap();
        let name = PathBuf::from(Path::new(file).file_name().unwrap());
        for cut in (0..text.len()).step_by(17) {
            std::fs::write(dir.path().join(&name), &text[..cut]).unwrap();
            let (_, diagnostics) = read_project(dir.path(), std::slice::from_ref(&name));
            assert!(diagnostics.iter().all(|d| d.file == name), "{diagnostics:?}");
        }
    }
}

/// Provider defaults copied into thousands of functions are bounded as a whole.
#[test]
fn provider_defaults_times_functions_are_bounded() {
    let mut text = String::from("service: wide\nprovider:\n  name: aws\n  environment:\n");
    for i in 0..400 {
        text.push_str(&format!("    VAR_{i}: v\n"));
    }
    text.push_str("functions:\n");
    for i in 0..3000 {
        text.push_str(&format!("  f{i}:\n    handler: h.f\n"));
    }
    let (project, diags) = scan(&[("serverless.yml", text.as_bytes())]);
    let (_, line, kind) = only(&diags);
    assert_eq!((line, kind), (405, DiagKind::BadTemplate));
    assert!(project.functions.len() < 3000);
    assert!(project.functions.iter().map(|f| f.env.len()).sum::<usize>() <= 250_000);
    assert!(project.functions.iter().all(|f| f.env.len() == 256));
}
