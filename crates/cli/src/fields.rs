//! `fnwarden fields`: every field a rule can use, and every event type.

use std::process::ExitCode;

use fnwarden_event::EventKind;
use fnwarden_event::field::{ArgKind, FIELDS, FieldDef, KindMask, Scope};

use crate::columns::table;

#[derive(clap::Args, Debug)]
#[command(
    about = "List the fields rules can use (or, with --types, the event types)",
    long_about = "Lists every field a rule condition or output can use: its name (with the argument it \
takes, e.g. proc.aname[n] or cloud.raw.<path>), its type (which decides the operators that fit), \
the event types that carry it, and what it means. FILTER keeps fields whose name contains it.\n\n\
Examples:\n  fnwarden fields proc.\n  fnwarden fields --types\n  fnwarden fields --json | jq '.[].name'"
)]
pub struct Args {
    /// List event types (the values of evt.type) with their category instead.
    #[arg(long)]
    types: bool,
    /// One JSON array, for machines.
    #[arg(long)]
    json: bool,
    /// Only fields (or types) whose name contains this text.
    filter: Option<String>,
}

/// The name as a rule writes it, with the argument it takes.
fn usage(f: &FieldDef) -> String {
    match f.arg {
        ArgKind::None => f.name.to_owned(),
        ArgKind::Index => format!("{}[n]", f.name),
        ArgKind::Key if f.name == "evt.arg" => "evt.arg.<name>".to_owned(),
        ArgKind::Key => format!("{}[NAME]", f.name),
        ArgKind::Path => format!("{}.<path>", f.name),
    }
}

/// Which event types carry the field, shortly, for people.
fn scope_text(s: Scope) -> String {
    match s {
        Scope::All => "all".to_owned(),
        Scope::Sensor => "process, file, network, kernel".to_owned(),
        Scope::Cat(c) => c.name().to_owned(),
        Scope::Kinds(ks) => ks.iter().map(|k| k.name()).collect::<Vec<_>>().join(", "),
    }
}

fn kinds(m: KindMask) -> Vec<&'static str> {
    m.iter().map(EventKind::name).collect()
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let keep = |name: &str| a.filter.as_deref().is_none_or(|f| name.to_ascii_lowercase().contains(&f.to_ascii_lowercase()));
    let out = if a.types {
        let types: Vec<&EventKind> = EventKind::ALL.iter().filter(|k| keep(k.name())).collect();
        if a.json {
            let v: Vec<serde_json::Value> = types
                .iter()
                .map(|k| serde_json::json!({"type": k.name(), "category": k.category().name(), "description": k.description()}))
                .collect();
            serde_json::to_string_pretty(&v)?
        } else {
            let rows: Vec<[String; 3]> =
                types.iter().map(|k| [k.name().to_owned(), k.category().name().to_owned(), k.description().to_owned()]).collect();
            table(["TYPE", "CATEGORY", "MEANING"], &rows)
        }
    } else {
        let fields: Vec<&FieldDef> = FIELDS.iter().filter(|f| keep(f.name)).collect();
        if a.json {
            let v: Vec<serde_json::Value> = fields
                .iter()
                .map(|f| {
                    serde_json::json!({
                        "name": f.name,
                        "usage": usage(f),
                        "type": f.ty.name(),
                        "event_types": kinds(f.scope.mask()),
                        "description": f.description,
                    })
                })
                .collect();
            serde_json::to_string_pretty(&v)?
        } else {
            let rows: Vec<[String; 4]> =
                fields.iter().map(|f| [usage(f), f.ty.name().to_owned(), scope_text(f.scope), f.description.to_owned()]).collect();
            table(["FIELD", "TYPE", "EVENT TYPES", "MEANING"], &rows)
        }
    };
    if out.is_empty() || out == "[]" {
        eprintln!("nothing matches {:?}", a.filter.unwrap_or_default());
        return Ok(ExitCode::from(1));
    }
    println!("{out}");
    Ok(ExitCode::SUCCESS)
}
