//! The function's files as one program: each file's named functions, imports and module
//! constants, and how a call names a function in another file.

use std::path::{Component, Path, PathBuf};

use fnwarden_code::tree_sitter::Node;
use fnwarden_code::{Lang, ParsedFile, is_function};
use rustc_hash::FxHashMap;

/// Bounds the index walk of one hostile tree.
const MAX_NODES: usize = 2_000_000;

/// What a local name imported from another file of the program refers to.
#[derive(Clone, Copy, Debug)]
pub enum Import<'a> {
    /// The whole module: `import util` / `const util = require('./util')`; calls are `util.f()`.
    Module(u32),
    /// One name of it: `from util import f` / `const { f } = require('./util')`.
    Symbol(u32, &'a str),
}

#[derive(Default)]
pub struct FileInfo<'a> {
    /// Local name → canonical dotted name of what it was imported as (`run` → `subprocess.run`,
    /// `cp` → `child_process`, `exec` → `os/exec`).
    pub aliases: FxHashMap<&'a str, String>,
    pub imports: FxHashMap<&'a str, Import<'a>>,
    /// Named functions (and JS export names) of the file.
    pub defs: FxHashMap<&'a str, Vec<Node<'a>>>,
    /// Module-level `NAME = value`.
    pub consts: FxHashMap<&'a str, Node<'a>>,
    /// Go package name.
    pub package: Option<&'a str>,
}

pub struct Program<'a> {
    pub files: &'a [&'a ParsedFile],
    pub info: Vec<FileInfo<'a>>,
    by_path: FxHashMap<PathBuf, u32>,
    /// Go: files by directory (one package each).
    go_dirs: FxHashMap<&'a Path, Vec<u32>>,
    /// Go: package folders by their last path element (what an import path ends with).
    go_by_name: FxHashMap<&'a str, Vec<u32>>,
    /// Java: files by declared class name.
    java_classes: FxHashMap<&'a str, Vec<u32>>,
    /// Java: files by the names of the methods they declare.
    java_methods: FxHashMap<&'a str, Vec<u32>>,
}

impl<'a> Program<'a> {
    pub fn new(files: &'a [&'a ParsedFile]) -> Program<'a> {
        let by_path = files.iter().enumerate().map(|(i, f)| (normalize(&f.path), i as u32)).collect();
        let mut prog = Program {
            files,
            info: Vec::with_capacity(files.len()),
            by_path,
            go_dirs: FxHashMap::default(),
            go_by_name: FxHashMap::default(),
            java_classes: FxHashMap::default(),
            java_methods: FxHashMap::default(),
        };
        for (i, f) in files.iter().enumerate() {
            let info = prog.collect(i as u32, f);
            prog.info.push(info);
        }
        prog
    }

    pub fn file_index(&self, path: &Path) -> Option<u32> {
        self.by_path.get(&normalize(path)).copied()
    }

    fn collect(&mut self, idx: u32, f: &'a ParsedFile) -> FileInfo<'a> {
        let mut info = FileInfo::default();
        let mut cursor = f.tree.walk();
        let mut seen = 0usize;
        // Asking a node for its parent, or the cursor for its depth, costs the depth: count it.
        let mut depth = 0u32;
        loop {
            seen += 1;
            if seen > MAX_NODES {
                break;
            }
            self.visit(idx, f, cursor.node(), depth, &mut info);
            if cursor.goto_first_child() {
                depth += 1;
                continue;
            }
            let mut done = false;
            while !cursor.goto_next_sibling() {
                if !cursor.goto_parent() {
                    done = true;
                    break;
                }
                depth -= 1;
            }
            if done {
                break;
            }
        }
        if f.lang == Lang::Go
            && let Some(dir) = f.path.parent()
        {
            self.go_dirs.entry(dir).or_default().push(idx);
            if let Some(name) = dir.file_name().and_then(|d| d.to_str()) {
                self.go_by_name.entry(name).or_default().push(idx);
            }
        }
        if f.lang == Lang::Java {
            for name in info.defs.keys() {
                self.java_methods.entry(name).or_default().push(idx);
            }
        }
        info
    }

    fn visit(&mut self, idx: u32, f: &'a ParsedFile, n: Node<'a>, depth: u32, info: &mut FileInfo<'a>) {
        let text = |n: Node<'a>| f.text(n);
        // Module level: `module > expression_statement > assignment`, `program > lexical_declaration > declarator`.
        let top = depth <= 2;
        if is_function(f.lang, n)
            && let Some(name) = n.child_by_field_name("name")
        {
            info.defs.entry(text(name)).or_default().push(n);
        }
        match (f.lang, n.kind()) {
            (Lang::Python, "import_statement") => {
                let mut c = n.walk();
                for item in n.children_by_field_name("name", &mut c) {
                    let (module, local) = match item.kind() {
                        "aliased_import" => {
                            (item.child_by_field_name("name").map(text).unwrap_or(""), item.child_by_field_name("alias").map(text))
                        }
                        _ => (text(item), None),
                    };
                    let local = local.unwrap_or_else(|| module.split('.').next().unwrap_or(module));
                    info.aliases
                        .insert(local, if local == module.split('.').next().unwrap_or("") { local.to_owned() } else { module.to_owned() });
                    if let Some(target) = self.python_module(f, module, 0) {
                        info.imports.insert(local, Import::Module(target));
                    }
                }
            }
            (Lang::Python, "import_from_statement") => {
                let Some(module_node) = n.child_by_field_name("module_name") else { return };
                let raw = text(module_node);
                let dots = raw.len() - raw.trim_start_matches('.').len();
                let module = raw.trim_start_matches('.');
                let mut c = n.walk();
                for item in n.children_by_field_name("name", &mut c) {
                    let (name, local) = match item.kind() {
                        "aliased_import" => {
                            let name = item.child_by_field_name("name").map(text).unwrap_or("");
                            (name, item.child_by_field_name("alias").map(text).unwrap_or(name))
                        }
                        _ => (text(item), text(item)),
                    };
                    let canonical = if module.is_empty() { name.to_owned() } else { format!("{module}.{name}") };
                    info.aliases.insert(local, canonical);
                    if let Some(target) = self.python_module(f, module, dots) {
                        info.imports.insert(local, Import::Symbol(target, name));
                    } else if let Some(target) = self.python_module(f, format!("{module}.{name}").trim_start_matches('.'), dots) {
                        info.imports.insert(local, Import::Module(target));
                    }
                }
            }
            (Lang::Python, "assignment") if top => {
                if let (Some(l), Some(r)) = (n.child_by_field_name("left"), n.child_by_field_name("right"))
                    && l.kind() == "identifier"
                {
                    info.consts.insert(text(l), r);
                }
            }
            (Lang::Go, "package_clause") => info.package = n.named_child(0).map(text),
            (Lang::Go, "import_spec") => {
                let Some(path) = n.child_by_field_name("path") else { return };
                let path = text(path).trim_matches(['"', '`']);
                let last = path.rsplit('/').find(|s| !(s.len() > 1 && s.starts_with('v') && s[1..].bytes().all(|b| b.is_ascii_digit())));
                let local = n.child_by_field_name("name").map(text).or(last).unwrap_or(path);
                info.aliases.insert(local, path.to_owned());
            }
            (Lang::Go, "var_spec" | "const_spec") if depth <= 3 => {
                if let (Some(name), Some(value)) = (n.child_by_field_name("name"), n.child_by_field_name("value")) {
                    info.consts.insert(text(name), value.named_child(0).unwrap_or(value));
                }
            }
            (Lang::Java, "class_declaration" | "interface_declaration" | "enum_declaration" | "record_declaration") => {
                if let Some(name) = n.child_by_field_name("name") {
                    self.java_classes.entry(text(name)).or_default().push(idx);
                }
            }
            (Lang::Java, "field_declaration") => {
                if let Some(d) = n.child_by_field_name("declarator")
                    && let (Some(name), Some(value)) = (d.child_by_field_name("name"), d.child_by_field_name("value"))
                {
                    info.consts.insert(text(name), value);
                }
            }
            (Lang::Python | Lang::Go | Lang::Java, _) => {}
            (_, "variable_declarator") => self.js_declarator(f, n, info, top),
            (_, "assignment_expression") => {
                // `exports.x = fn` / `module.exports.x = fn`: a def under the export name.
                let (Some(l), Some(r)) = (n.child_by_field_name("left"), n.child_by_field_name("right")) else { return };
                let left = text(l);
                if let Some(name) = left.strip_prefix("module.").unwrap_or(left).strip_prefix("exports.")
                    && is_function(f.lang, r)
                {
                    info.defs.entry(name).or_default().push(r);
                }
                if (left == "module.exports" || left == "exports") && r.kind() == "object" {
                    let mut c = r.walk();
                    for pair in r.named_children(&mut c).filter(|p| p.kind() == "pair") {
                        if let (Some(k), Some(v)) = (pair.child_by_field_name("key"), pair.child_by_field_name("value"))
                            && is_function(f.lang, v)
                        {
                            info.defs.entry(text(k).trim_matches(['"', '\''])).or_default().push(v);
                        }
                    }
                }
            }
            (_, "import_statement") => {
                let Some(source) = n.child_by_field_name("source") else { return };
                let module = js_module_name(text(source));
                let target = self.js_module(f, text(source));
                let mut c = n.walk();
                let Some(clause) = n.named_children(&mut c).find(|c| c.kind() == "import_clause") else { return };
                let mut c2 = clause.walk();
                for part in clause.named_children(&mut c2) {
                    match part.kind() {
                        "identifier" => {
                            info.aliases.insert(text(part), module.clone());
                            if let Some(t) = target {
                                info.imports.insert(text(part), Import::Symbol(t, "default"));
                            }
                        }
                        "namespace_import" => {
                            if let Some(id) = part.named_child(0) {
                                info.aliases.insert(text(id), module.clone());
                                if let Some(t) = target {
                                    info.imports.insert(text(id), Import::Module(t));
                                }
                            }
                        }
                        "named_imports" => {
                            let mut c3 = part.walk();
                            for spec in part.named_children(&mut c3).filter(|s| s.kind() == "import_specifier") {
                                let Some(name) = spec.child_by_field_name("name").map(text) else { continue };
                                let local = spec.child_by_field_name("alias").map(text).unwrap_or(name);
                                info.aliases.insert(local, format!("{module}.{name}"));
                                if let Some(t) = target {
                                    info.imports.insert(local, Import::Symbol(t, name));
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }

    /// `const x = require('m')`, `const { a, b: c } = require('m')`, `const f = () => …`,
    /// `const run = util.promisify(cp.exec)`.
    fn js_declarator(&mut self, f: &'a ParsedFile, n: Node<'a>, info: &mut FileInfo<'a>, top: bool) {
        let text = |n: Node<'a>| f.text(n);
        let (Some(name), Some(value)) = (n.child_by_field_name("name"), n.child_by_field_name("value")) else { return };
        if is_function(f.lang, value) && name.kind() == "identifier" {
            info.defs.entry(text(name)).or_default().push(value);
            return;
        }
        if top && name.kind() == "identifier" && matches!(value.kind(), "string" | "template_string" | "regex" | "new_expression" | "array")
        {
            info.consts.insert(text(name), value);
        }
        let mut v = value;
        if v.kind() == "await_expression" {
            v = v.named_child(0).unwrap_or(v);
        }
        // `promisify(x)`: the result is `x`.
        if v.kind() == "call_expression"
            && v.child_by_field_name("function").is_some_and(|c| text(c).ends_with("promisify"))
            && let Some(arg) = v.child_by_field_name("arguments").and_then(|a| a.named_child(0))
        {
            if let Some(canon) = js_require_path(f, arg, &info.aliases) {
                info.aliases.insert(text(name), canon);
            }
            return;
        }
        let Some(canon) = js_require_path(f, v, &info.aliases) else { return };
        let target = js_require_arg(f, v).and_then(|spec| self.js_module(f, spec));
        match name.kind() {
            "identifier" => {
                if let Some(t) = target {
                    info.imports.insert(text(name), Import::Module(t));
                }
                info.aliases.insert(text(name), canon);
            }
            "object_pattern" => {
                let mut c = name.walk();
                for p in name.named_children(&mut c) {
                    let (key, local) = match p.kind() {
                        "shorthand_property_identifier_pattern" => (text(p), text(p)),
                        "pair_pattern" => match (p.child_by_field_name("key"), p.child_by_field_name("value")) {
                            (Some(k), Some(v)) => (text(k), text(v)),
                            _ => continue,
                        },
                        _ => continue,
                    };
                    info.aliases.insert(local, format!("{canon}.{key}"));
                    if let Some(t) = target {
                        info.imports.insert(local, Import::Symbol(t, key));
                    }
                }
            }
            _ => {}
        }
    }

    /// A Python module name to one of the program's files: relative to the importing file,
    /// then to each folder above it (the deployment root is one of them).
    fn python_module(&self, from: &ParsedFile, module: &str, dots: usize) -> Option<u32> {
        if module.is_empty() {
            return None;
        }
        let rel = module.replace('.', "/");
        let mut dir = from.path.parent().map(Path::to_path_buf).unwrap_or_default();
        for _ in 1..dots {
            dir.pop();
        }
        loop {
            for candidate in [dir.join(format!("{rel}.py")), dir.join(&rel).join("__init__.py")] {
                if let Some(i) = self.file_index(&candidate) {
                    return Some(i);
                }
            }
            if dots > 0 || !dir.pop() {
                return None;
            }
        }
    }

    /// A relative JS module specifier (`./util`, `../lib/db.js`) to one of the program's files.
    fn js_module(&self, from: &ParsedFile, spec: &str) -> Option<u32> {
        let spec = spec.trim_matches(['"', '\'', '`']);
        if !spec.starts_with('.') {
            return None;
        }
        let base = from.path.parent().unwrap_or(Path::new("")).join(spec);
        if let Some(i) = self.file_index(&base) {
            return Some(i);
        }
        let stem = base.to_string_lossy().trim_end_matches(".js").to_owned();
        for ext in ["js", "ts", "mjs", "cjs", "tsx", "jsx", "mts"] {
            for candidate in [PathBuf::from(format!("{stem}.{ext}")), base.join(format!("index.{ext}"))] {
                if let Some(i) = self.file_index(&candidate) {
                    return Some(i);
                }
            }
        }
        None
    }

    /// Go: the files of the same package (same folder).
    pub fn go_package_files(&self, file: u32) -> &[u32] {
        let dir = self.files[file as usize].path.parent().unwrap_or(Path::new(""));
        self.go_dirs.get(dir).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Go: files of an imported package, by the last element of its import path.
    pub fn go_import_files(&self, import_path: &str) -> &[u32] {
        let last = import_path.rsplit('/').next().unwrap_or(import_path);
        self.go_by_name.get(last).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Java: the files declaring a method of this name.
    pub fn java_method_files(&self, method: &str) -> &[u32] {
        self.java_methods.get(method).map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn java_class_files(&self, class: &str) -> &[u32] {
        self.java_classes.get(class).map(Vec::as_slice).unwrap_or(&[])
    }
}

/// Lexical normalisation: `a/./b/../c` → `a/c`.
pub fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// `'node:fs/promises'` → `fs`; `'child_process'` → `child_process`.
pub fn js_module_name(spec: &str) -> String {
    let s = spec.trim_matches(['"', '\'', '`']);
    let s = s.strip_prefix("node:").unwrap_or(s);
    match s {
        "fs/promises" | "fs-extra" | "graceful-fs" => "fs".to_owned(),
        "child-process-promise" => "child_process".to_owned(),
        _ => s.to_owned(),
    }
}

fn js_require_arg<'a>(f: &'a ParsedFile, v: Node<'a>) -> Option<&'a str> {
    let mut v = v;
    while v.kind() == "member_expression" {
        v = v.child_by_field_name("object")?;
    }
    if v.kind() != "call_expression" || v.child_by_field_name("function").map(|c| f.text(c)) != Some("require") {
        return None;
    }
    let arg = v.child_by_field_name("arguments")?.named_child(0)?;
    (arg.kind() == "string").then(|| f.text(arg))
}

/// The canonical name of `require('m')`, `require('m').a.b`, or an alias `x.a` of one.
fn js_require_path(f: &ParsedFile, v: Node<'_>, aliases: &FxHashMap<&str, String>) -> Option<String> {
    match v.kind() {
        "call_expression" => js_require_arg(f, v).map(js_module_name),
        "member_expression" => {
            let object = v.child_by_field_name("object")?;
            let prop = f.text(v.child_by_field_name("property")?);
            Some(format!("{}.{prop}", js_require_path(f, object, aliases)?))
        }
        "identifier" => aliases.get(f.text(v)).cloned(),
        _ => None,
    }
}
