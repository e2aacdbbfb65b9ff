//! Untrusted manifests: nothing panics, overflows the stack or runs away; bad input is a
//! located `BadManifest` diagnostic.

use std::path::Path;
use std::time::Instant;

use fnwarden_deps::read_manifest;
use fnwarden_project::DiagKind;
use proptest::prelude::*;

const NAMES: &[&str] = &[
    "package-lock.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "requirements.txt",
    "Pipfile.lock",
    "poetry.lock",
    "go.mod",
    "go.sum",
    "pom.xml",
    "x-1.0.dist-info/METADATA",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512), which in 0..NAMES.len()) {
        let _ = read_manifest(Path::new(NAMES[which]), &bytes);
    }

    #[test]
    fn manifest_like_text_never_panics(text in "[\\[\\]{}\"':,@=<>/ a-z0-9.\\-\\n\\t#$!~^*()]{0,400}", which in 0..NAMES.len()) {
        if let Err(d) = read_manifest(Path::new(NAMES[which]), text.as_bytes()) {
            prop_assert_eq!(d.file.as_path(), Path::new(NAMES[which]));
        }
    }
}

#[test]
fn deeply_nested_v1_lock_is_refused_not_a_stack_overflow() {
    let depth = 50_000;
    let mut text = String::from("{\"lockfileVersion\":1,\"dependencies\":");
    for _ in 0..depth {
        text.push_str("{\"a\":{\"version\":\"1.0.0\",\"dependencies\":");
    }
    text.push_str("{}");
    for _ in 0..depth {
        text.push_str("}}");
    }
    text.push('}');
    let d = read_manifest(Path::new("package-lock.json"), text.as_bytes()).unwrap_err();
    assert_eq!(d.kind, DiagKind::BadManifest);
    assert!(d.message.contains("nesting"), "{d:?}");
}

#[test]
fn deeply_nested_yaml_does_not_overflow() {
    let yaml = format!("packages:\n  a@1: {}{}\n", "[".repeat(20_000), "]".repeat(20_000));
    let d = read_manifest(Path::new("pnpm-lock.yaml"), yaml.as_bytes()).unwrap_err();
    assert_eq!((d.kind, d.line), (DiagKind::BadManifest, 2));
}

#[test]
fn deeply_nested_xml_does_not_overflow() {
    let xml = format!("<project>\n{}{}</project>", "<a>".repeat(20_000), "</a>".repeat(20_000));
    let d = read_manifest(Path::new("pom.xml"), xml.as_bytes()).unwrap_err();
    assert_eq!((d.kind, d.line), (DiagKind::BadManifest, 2));
    // Depth that real files have, with comments and self-closing tags, still reads.
    let ok = format!("<project><!-- <a><a><a> -->{}<b/>{}</project>", "<x>".repeat(200), "</x>".repeat(200));
    assert!(read_manifest(Path::new("pom.xml"), ok.as_bytes()).unwrap().is_empty());
}

#[test]
fn yaml_alias_bombs_are_bounded() {
    let mut yaml = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        let prev = i - 1;
        yaml.push_str(&format!(
            "a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"
        ));
    }
    yaml.push_str("packages:\n  /lodash@4.17.20:\n    dev: false\n");
    let start = Instant::now();
    let d = read_manifest(Path::new("pnpm-lock.yaml"), yaml.as_bytes()).unwrap_err();
    assert_eq!(d.kind, DiagKind::BadManifest);
    assert!(start.elapsed().as_secs() < 5);
}

#[test]
fn xml_entity_expansion_is_refused() {
    let xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE p [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]>\n<project><dependencies><dependency><groupId>&c;</groupId></dependency></dependencies></project>";
    let d = read_manifest(Path::new("pom.xml"), xml.as_bytes()).unwrap_err();
    assert_eq!(d.kind, DiagKind::BadManifest);
    assert!(d.message.contains("DTD"), "{d:?}");
}

#[test]
fn a_large_lock_file_reads_in_bounded_time() {
    let n = 100_000;
    let mut text = String::from("{\n  \"lockfileVersion\": 3,\n  \"packages\": {\n    \"\": {\"name\": \"big\"},\n");
    for i in 0..n {
        text.push_str(&format!("    \"node_modules/pkg-{i}\": {{\n      \"version\": \"1.0.{i}\",\n      \"resolved\": \"https://registry.npmjs.org/pkg-{i}/-/pkg-{i}-1.0.{i}.tgz\"\n    }},\n"));
    }
    text.push_str("    \"node_modules/last\": {\"version\": \"1.0.0\"}\n  }\n}\n");
    let start = Instant::now();
    let packages = read_manifest(Path::new("package-lock.json"), text.as_bytes()).unwrap();
    assert_eq!(packages.len(), n + 1);
    assert_eq!(packages[1].location.line, 9);
    assert!(start.elapsed().as_secs() < 20, "{:?}", start.elapsed());
}
