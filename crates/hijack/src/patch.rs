//! Patches of what the runtime and every later invocation share: built-ins, runtime modules,
//! the runtime client, logging streams, the module loader; Java agents and reflective access to
//! runtime internals; Go stdout swaps and monkey patching.
//!
//! Test doubles (`Mock()`, `jest.fn()`, `sinon.stub()`) and test files are left alone: tests
//! patch on purpose and never run inside the deployed function.

use fnwarden_code::Lang;
use fnwarden_code::tree_sitter::Node;

use crate::catalogue::RUNTIME_PATCH;
use crate::findings::Findings;
use crate::syntax::{Call, Syntax};

/// Python modules the runtime and the runtime client rely on.
const PY_MODULES: [&str; 16] = [
    "builtins",
    "__builtins__",
    "socket",
    "ssl",
    "http",
    "urllib",
    "urllib3",
    "subprocess",
    "os",
    "requests",
    "json",
    "awslambdaric",
    "bootstrap",
    "lambda_runtime_client",
    "runtime_client",
    "importlib",
];
/// Node core modules whose functions carry the runtime's and the function's traffic.
const JS_MODULES: [&str; 8] = ["http", "https", "net", "tls", "dns", "child_process", "module", "fs"];
/// Globals the Node runtime itself uses.
const JS_GLOBALS: [&str; 14] = [
    "fetch",
    "require",
    "process",
    "console",
    "setTimeout",
    "setInterval",
    "Promise",
    "JSON",
    "XMLHttpRequest",
    "WebSocket",
    "Buffer",
    "eval",
    "Function",
    "awslambda",
];

pub(crate) fn check(s: &Syntax<'_>, out: &mut Findings) {
    if s.is_test_file() {
        return;
    }
    for a in &s.assigns {
        let Some(value) = a.value else { continue };
        if is_test_double(s, value) {
            continue;
        }
        if let Some(what) = patched_target(s, a.target) {
            out.add(s, &RUNTIME_PATCH, a.node, format!("replaces {what}, which the runtime shares across invocations"), &[]);
        }
    }
    for call in &s.calls {
        if let Some(message) = patching_call(s, call) {
            out.add(s, &RUNTIME_PATCH, call.node, message, &[]);
        }
    }
    for d in &s.directives {
        let t = s.text(*d);
        if t.starts_with("//go:linkname") && (t.contains(" runtime.") || t.contains("aws-lambda-go")) {
            out.add(s, &RUNTIME_PATCH, *d, format!("links to runtime internals ({})", t.trim()), &[]);
        }
    }
}

/// The runtime global an assignment target names, as people read it.
fn patched_target(s: &Syntax<'_>, target: Node<'_>) -> Option<String> {
    let d = through_alias(s, target, s.dotted(target));
    if d.is_empty() || !d.contains(['.', '[']) {
        return None;
    }
    let head = d.split(['.', '[']).next().unwrap_or("");
    let hit = match s.lang() {
        Lang::Python => {
            matches!(d.as_str(), "sys.modules[]" | "sys.stdout.write" | "sys.stderr.write" | "__builtins__[]" | "builtins.__dict__[]")
                // Flask's route table: swapping the handler of a warm app (the GCF persistence PoC).
                || d.ends_with(".view_functions[]")
                || (target.kind() == "attribute" && PY_MODULES.contains(&head) && (s.is_module(head) || head == "__builtins__"))
        }
        // A module's own exports are not the loader's.
        l if l.is_js_family() && (d == "module.exports" || d.starts_with("module.exports.") || d.starts_with("module.exports[")) => false,
        l if l.is_js_family() => {
            let second = d.split('.').nth(1).unwrap_or("");
            let lower = d.to_ascii_lowercase();
            head == "console"
                || matches!(
                    d.as_str(),
                    "process.stdout.write" | "process.stderr.write" | "process.exit" | "process.emit" | "process.binding"
                )
                || (matches!(head, "global" | "globalThis" | "window") && JS_GLOBALS.contains(&second))
                || lower.starts_with("module.prototype.")
                || lower.starts_with("module._")
                || d.starts_with("require.cache")
                || d.starts_with("require.extensions")
                || head == "awslambda"
                || ["Object.prototype.", "Array.prototype.", "Function.prototype.", "Promise.prototype.", "String.prototype."]
                    .iter()
                    .any(|p| d.starts_with(p))
                || matches!(d.as_str(), "JSON.parse" | "JSON.stringify")
                || (JS_MODULES.contains(&head) && s.is_module(head))
        }
        Lang::Go => matches!(d.as_str(), "os.Stdout" | "os.Stderr"),
        _ => false,
    };
    hit.then_some(d)
}

fn patching_call(s: &Syntax<'_>, call: &Call<'_>) -> Option<String> {
    let c = call.callee.as_str();
    match s.lang() {
        Lang::Python => {
            if call.is(&["sys.settrace", "sys.setprofile", "threading.settrace", "threading.setprofile", "sys.addaudithook"]) {
                return Some(format!("{c}() installs a hook that sees every later invocation's frames"));
            }
            if call.is(&["sys.meta_path.insert", "sys.meta_path.append", "sys.path_hooks.insert", "sys.path_hooks.append"]) {
                return Some(format!("{c}() hooks every later import"));
            }
            if c == "setattr" {
                let obj = call.args.first().map(|o| s.dotted(*o)).unwrap_or_default();
                let head = obj.split('.').next().unwrap_or("");
                let value_is_double = call.args.get(2).is_some_and(|v| is_test_double(s, *v));
                if !obj.is_empty() && PY_MODULES.contains(&head) && s.is_module(head) && !value_is_double {
                    let name = call.args.get(1).and_then(|n| s.plain_literal(*n)).unwrap_or_else(|| "an attribute".to_owned());
                    return Some(format!("setattr() replaces {obj}.{name}, which the runtime shares across invocations"));
                }
            }
            None
        }
        l if l.is_js_family() => {
            if call.is(&["process.binding", "process._linkedBinding"]) {
                return Some(format!("{c}() reaches into Node's internal bindings"));
            }
            let defines = call.is(&[
                "Object.defineProperty",
                "Object.defineProperties",
                "Reflect.defineProperty",
                "Reflect.set",
                "Object.setPrototypeOf",
            ]);
            if defines && let Some(target) = call.args.first() {
                let t = s.dotted(*target);
                let head = t.split('.').next().unwrap_or("");
                let shared = matches!(
                    t.as_str(),
                    "globalThis"
                        | "global"
                        | "window"
                        | "process"
                        | "process.env"
                        | "console"
                        | "require.cache"
                        | "Object.prototype"
                        | "JSON"
                        | "awslambda"
                        | "process.stdout"
                ) || (JS_MODULES.contains(&head) && s.is_module(head));
                if shared {
                    return Some(format!("{c}({t}, ...) redefines a global the runtime shares across invocations"));
                }
            }
            None
        }
        Lang::Java => {
            let m = call.method();
            if matches!(
                m,
                "redefineClasses"
                    | "retransformClasses"
                    | "addTransformer"
                    | "appendToBootstrapClassLoaderSearch"
                    | "appendToSystemClassLoaderSearch"
            ) {
                return Some(format!("{m}() rewrites loaded classes through an instrumentation agent"));
            }
            if call.is(&["VirtualMachine.attach", "ByteBuddyAgent.install"]) || m == "loadAgent" {
                return Some(format!("{c}() attaches an agent to the running JVM"));
            }
            if call.is(&["System.setOut", "System.setErr"]) {
                return Some(format!("{c}() replaces the runtime's output stream"));
            }
            if m == "setAccessible" && call.args.first().is_some_and(|a| s.text(*a) == "true") && touches_runtime_internals(s, call.node) {
                return Some(
                    "setAccessible(true) opens runtime internals (the Lambda runtime client, the process environment) for rewriting"
                        .to_owned(),
                );
            }
            None
        }
        Lang::Go => {
            let pkg = c.split('.').next().unwrap_or("");
            let patches = matches!(pkg, "gomonkey" | "monkey" | "mpatch")
                && matches!(
                    call.method(),
                    "ApplyFunc" | "ApplyMethod" | "ApplyGlobalVar" | "Patch" | "PatchInstanceMethod" | "PatchMethod"
                );
            patches.then(|| format!("{c}() patches functions in the running binary"))
        }
        _ => None,
    }
}

/// Names in the enclosing method that point at runtime internals.
fn touches_runtime_internals(s: &Syntax<'_>, node: Node<'_>) -> bool {
    let mut scope = node;
    for _ in 0..256 {
        match s.parent(scope) {
            Some(p) if !matches!(p.kind(), "method_declaration" | "constructor_declaration" | "class_body") => scope = p,
            Some(p) => {
                scope = p;
                break;
            }
            None => break,
        }
    }
    let t = s.text(scope);
    [
        "lambdainternal",
        "com.amazonaws.services.lambda.runtime.api.client",
        "java.lang.ProcessEnvironment",
        "theEnvironment",
        "theUnmodifiableEnvironment",
        "sun.misc.Unsafe",
        "jdk.internal",
    ]
    .iter()
    .any(|m| t.contains(m))
}

/// `loader._load` where `const loader = Module as any`: the object the variable stands for.
fn through_alias(s: &Syntax<'_>, target: Node<'_>, dotted: String) -> String {
    let Some(i) = dotted.find(['.', '[']) else { return dotted };
    let (head, rest) = dotted.split_at(i);
    let Some(mut value) = s.def_for(head, target).and_then(|d| d.value) else { return dotted };
    while matches!(
        value.kind(),
        "as_expression" | "parenthesized_expression" | "non_null_expression" | "satisfies_expression" | "type_assertion"
    ) {
        let Some(inner) = value.named_child(0) else { break };
        value = inner;
    }
    if !matches!(value.kind(), "identifier" | "member_expression" | "attribute") {
        return dotted;
    }
    let base = s.dotted(value);
    if base.is_empty() { dotted } else { format!("{base}{rest}") }
}

/// `Mock()`, `MagicMock(...)`, `jest.fn()`, `sinon.stub()`, `vi.fn()`: a test double.
fn is_test_double(s: &Syntax<'_>, value: Node<'_>) -> bool {
    let Some(call) = s.call(value) else { return false };
    let c = call.callee.as_str();
    matches!(call.method(), "Mock" | "MagicMock" | "AsyncMock" | "NonCallableMock" | "create_autospec")
        || c.starts_with("jest.")
        || c.starts_with("vi.")
        || c.starts_with("sinon.")
        || c.starts_with("mock.")
        || c.starts_with("unittest.mock.")
}
