//! Parsing, the hijack rules, handler conventions and taint on arbitrary source text: the first
//! byte picks the language.
#![no_main]

use fnwarden_code::Lang;
use libfuzzer_sys::fuzz_target;

const LANGS: &[(Lang, &str)] =
    &[(Lang::Python, "app.py"), (Lang::JavaScript, "app.js"), (Lang::TypeScript, "app.ts"), (Lang::Tsx, "app.tsx"), (Lang::Go, "main.go"), (Lang::Java, "App.java")];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else { return };
    let (lang, name) = LANGS[usize::from(pick) % LANGS.len()];
    let (file, _) = fnwarden_code::parse(name.into(), lang, String::from_utf8_lossy(body).into_owned());
    let Some(file) = file else { return };
    let _ = fnwarden_hijack::check(&file);
    let files = [&file];
    let entries = fnwarden_code::convention_entries(&files);
    let _ = fnwarden_taint::analyze(&files, &entries);
});
