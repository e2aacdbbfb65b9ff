//! Hostile input: deep nesting, huge and wide files, syntax errors. Nothing may panic or
//! overflow the stack, and what can still be analysed is.

mod support;
use std::time::Instant;

use support::{parse_all_lenient, scan};

#[test]
fn hundred_thousand_deep_parentheses() {
    let depth = 100_000;
    let src = format!(
        "import os\ndef handler(event, context):\n    x = {}event['a']{}\n    os.system(x)\n",
        "(".repeat(depth),
        ")".repeat(depth)
    );
    let got = scan(&[("app.py", &src)]);
    // Past the depth limit the expression is read flat: the event is still in it.
    assert_eq!(got, ["fnw-scan-inj-command app.py:4"]);
}

#[test]
fn hundred_thousand_deep_binary_chain() {
    let chain = format!("event.body{}", " + 'x'".repeat(100_000));
    let src = format!("const cp = require('child_process');\nexports.handler = async (event) => {{\n  cp.exec({chain});\n}};\n");
    assert_eq!(scan(&[("index.js", &src)]), ["fnw-scan-inj-command index.js:3"]);
}

#[test]
fn hundred_thousand_deep_calls() {
    let depth = 100_000;
    let src = format!(
        "const cp = require('child_process');\nfunction f(a) {{ return a; }}\nexports.handler = async (event) => {{\n  cp.exec({}event.q{});\n}};\n",
        "f(".repeat(depth),
        ")".repeat(depth)
    );
    // tree-sitter may give up on such a file (the caller reports it); when it parses, the
    // flow is still found.
    let parsed = parse_all_lenient(&[("index.js", &src)]);
    if !parsed.is_empty() {
        assert_eq!(scan(&[("index.js", &src)]), ["fnw-scan-inj-command index.js:4"]);
    }
}

#[test]
fn deeply_nested_blocks_and_patterns() {
    let depth = 3_000;
    let mut src = String::from("package main\nimport \"os/exec\"\nfunc h(e map[string]string) {\n");
    for _ in 0..depth {
        src.push_str("if true {\n");
    }
    src.push_str("exec.Command(e[\"x\"]).Run()\n");
    for _ in 0..depth {
        src.push_str("}\n");
    }
    src.push_str("}\nfunc main() { lambda.Start(h) }\n");
    let _ = scan(&[("main.go", &src)]);
    let nested_list = format!("import os\ndef handler(event, context):\n    {} = event\n", "[".repeat(20_000) + "a" + &"]".repeat(20_000));
    let _ = scan(&[("p.py", &nested_list)]);
}

#[test]
fn wide_and_large_files_are_linear() {
    let n = 200_000;
    let mut src = String::from("import os\ndef handler(event, context):\n    items = [");
    for i in 0..n {
        src.push_str(&format!("{i}, "));
    }
    src.push_str("event['x']]\n    os.system(' '.join(items))\n");
    for i in 0..2_000 {
        src.push_str(&format!("def helper{i}(a, b):\n    c = a + b\n    return helper{}(c, a)\n", i + 1));
    }
    let start = Instant::now();
    let got = scan(&[("big.py", &src)]);
    assert_eq!(got, ["fnw-scan-inj-command big.py:4"]);
    assert!(start.elapsed().as_secs() < 20, "took {:?}", start.elapsed());
}

#[test]
fn long_call_chains_between_functions_stay_bounded() {
    // f0 → f1 → … → f499: summaries are memoised, depth is bounded.
    let mut src = String::from("import os\ndef handler(event, context):\n    f0(event['c'])\n");
    for i in 0..500 {
        src.push_str(&format!("def f{i}(x):\n    f{}(x)\n    f{}(x)\n", i + 1, i + 1));
    }
    src.push_str("def f500(x):\n    os.system(x)\n");
    let start = Instant::now();
    let _ = scan(&[("chain.py", &src)]);
    assert!(start.elapsed().as_secs() < 10, "took {:?}", start.elapsed());
}

#[test]
fn syntax_errors_keep_the_parts_that_parse() {
    let py = "import os\ndef handler(event, context):\n    x = event['a']\n    y = (((\n    os.system(x)\n";
    let _ = scan(&[("broken.py", py)]);
    let js = "const cp = require('child_process');\nexports.handler = async (event) => {\n  cp.exec(event.cmd);\n  const = = ;\n};\n";
    assert_eq!(scan(&[("broken.js", js)]), ["fnw-scan-inj-command broken.js:3"]);
    for junk in ["\u{0}\u{1}\u{2}", "}}}}{{{{", "def (", "func func func", "class { void x( }", "exports.handler = (", "@@@@"] {
        for name in ["a.py", "a.js", "a.ts", "a.go", "A.java", "a.tsx"] {
            let _ = scan(&[(name, junk)]);
        }
    }
}

#[test]
fn deep_nesting_in_every_function_of_a_long_call_chain() {
    // Each function nests its call to the next one 150 levels deep: the stack must hold the
    // whole chain on an ordinary 2 MiB thread.
    let mut src = String::from("import os\ndef handler(event, context):\n    f0(event['c'])\n");
    for i in 0..40 {
        src.push_str(&format!("def f{i}(x):\n    return {}f{}(x){}\n", "(".repeat(150), i + 1, ")".repeat(150)));
    }
    src.push_str("def f40(x):\n    os.system(x)\n");
    let handle = std::thread::Builder::new().stack_size(2 << 20).spawn(move || scan(&[("chain.py", &src)])).unwrap();
    let _ = handle.join().expect("no stack overflow");
    let mut js = String::from("const cp = require('child_process');\nexports.handler = async (event) => { g0(event.c); };\n");
    for i in 0..40 {
        js.push_str(&format!("function g{i}(x) {{ return {}g{}(x){}; }}\n", "[".repeat(150), i + 1, "]".repeat(150)));
    }
    js.push_str("function g40(x) { cp.exec(x); }\n");
    let handle = std::thread::Builder::new().stack_size(2 << 20).spawn(move || scan(&[("chain.js", &js)])).unwrap();
    let _ = handle.join().expect("no stack overflow");
}
