//! Untrusted input: deep nesting, huge files and broken syntax must neither panic, overflow the
//! stack nor take long; what still parses is still checked.

mod common;
use std::time::{Duration, Instant};

use common::*;
use fnwarden_code::Lang;

const ENV: &str = "fnw-scan-hijack-proc-environ";

fn timed<T>(f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    assert!(start.elapsed() < Duration::from_secs(30), "took {:?}", start.elapsed());
    out
}

#[test]
fn deeply_nested_expressions_do_not_overflow() {
    let depth = 20_000;
    let py_src = format!("x = {}'/proc/self/environ'{}\nopen(x)\n", "(".repeat(depth), ")".repeat(depth));
    let js_src = format!("const x = {}'a'{};\nrequire('fs').readFileSync('/proc/1/environ');\n", "[".repeat(depth), "]".repeat(depth));
    let go_src = format!("package main\nfunc f() {{ x := {}1{} }}\n", "(".repeat(depth), ")".repeat(depth));
    let java_src = format!("class A {{ void f() {{ int x = {}1{}; }} }}\n", "(".repeat(depth), ")".repeat(depth));
    timed(|| {
        findings(Lang::Python, "a.py", &py_src);
        assert_eq!(lines(Lang::JavaScript, "a.js", &js_src, ENV), vec![2]);
        findings(Lang::Go, "a.go", &go_src);
        findings(Lang::Java, "A.java", &java_src);
    });
}

#[test]
fn deeply_nested_functions_and_blocks_do_not_overflow() {
    let depth = 3_000;
    // tree-sitter-python 0.25's indent scanner aborts (debug) past ~510 indentation levels,
    // inside `parse`, before this crate runs: the scan must keep such files from it.
    let py_depth = 400;
    let mut py_src = String::new();
    for i in 0..py_depth {
        py_src.push_str(&" ".repeat(i));
        py_src.push_str(&format!("def f{i}():\n"));
    }
    py_src.push_str(&" ".repeat(py_depth));
    py_src.push_str("open('/proc/self/environ')\n");
    let js_src = format!("{}open('/proc/self/environ');{}", "function f() {".repeat(depth), "}".repeat(depth));
    timed(|| {
        assert_eq!(lines(Lang::Python, "a.py", &py_src, ENV), vec![401]);
        assert_eq!(lines(Lang::JavaScript, "a.js", &js_src, ENV), vec![1]);
    });
}

#[test]
fn long_concatenations_are_bounded() {
    let terms: Vec<String> = (0..20_000).map(|i| format!("'p{i}'")).collect();
    let src = format!("x = {}\nopen(x + '/proc/self/environ')\n", terms.join(" + "));
    timed(|| findings(Lang::Python, "a.py", &src));
    let args: Vec<String> = (0..5_000).map(|i| format!("f{i}(a)")).collect();
    let src = format!("g({})\n", args.join(", "));
    timed(|| findings(Lang::JavaScript, "a.js", &src));
}

#[test]
fn huge_files_are_checked_in_bounded_time() {
    let mut src = String::from("import os, subprocess\n");
    for i in 0..4_000 {
        src.push_str(&format!(
            "def h{i}(event, context):\n    p = os.path.join('/tmp', 'f{i}')\n    return subprocess.run(['ls', p], check=True)\n"
        ));
    }
    src.push_str("def leak():\n    return open('/proc/1/environ').read()\n");
    let last = u32::try_from(src.lines().count()).unwrap();
    let found = timed(|| lines(Lang::Python, "big.py", &src, ENV));
    assert_eq!(found, vec![last]);
}

#[test]
fn syntax_errors_keep_the_rest_analysed() {
    let py_src = "def handler(event, context:\n    x = [1, 2\nopen('/proc/self/environ')\n";
    assert!(findings(Lang::Python, "a.py", py_src).iter().all(|f| f.location.line > 0));
    let js_src = "exports.handler = async (e) => {\n  const a = `unterminated ${\n};\nrequire('fs').readFileSync('/proc/self/environ');\n";
    findings(Lang::JavaScript, "a.js", js_src);
    let java_src = "class { void ( { Runtime.getRuntime().exec(\"nohup x &\"); \n";
    findings(Lang::Java, "A.java", java_src);
    let go_src = "package main\nfunc main( { exec.Command(\"/tmp/x\").Start( }\n";
    findings(Lang::Go, "a.go", go_src);
}

#[test]
fn garbage_does_not_panic() {
    let mut bytes = String::new();
    let mut x: u32 = 12345;
    for _ in 0..20_000 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        let c = char::from_u32(32 + (x >> 16) % 95).unwrap_or(' ');
        bytes.push(c);
        if x.is_multiple_of(17) {
            bytes.push('\n');
        }
    }
    // Only the rules are timed: tree-sitter's own error recovery on garbage is slow in debug
    // builds (the Java grammar most), and it is the scan's to bound.
    for lang in [Lang::Python, Lang::JavaScript, Lang::TypeScript, Lang::Tsx, Lang::Go, Lang::Java] {
        let text = if lang == Lang::Java { &bytes[..8_000] } else { &bytes[..] };
        let (file, _) = fnwarden_code::parse("g.txt".into(), lang, text.to_owned());
        let file = file.expect("a tree");
        timed(|| fnwarden_hijack::check(&file));
    }
    for src in ["", "\0\0\0", "'''", "`${`${`", "f'{", "\"\\", "os.chmod(", "a = b = c = '/tmp/x'\nos.chmod(a, 0o7777777777777777777)"] {
        for lang in [Lang::Python, Lang::JavaScript, Lang::Go, Lang::Java] {
            findings(lang, "x", src);
        }
    }
}

#[test]
fn long_mode_expressions_and_cyclic_variables_are_bounded() {
    let ors = vec!["1"; 30_000].join(" | ");
    let src = format!("import os\nos.chmod('/tmp/x', {ors})\na = b | 0o100\nb = a | 0o1\nos.chmod('/tmp/y', a)\nx = y\ny = x\nopen(x)\n");
    timed(|| findings(Lang::Python, "a.py", &src));
}
