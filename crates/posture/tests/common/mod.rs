//! Builders for project models written by hand, so each test states only what it is about.
#![allow(dead_code)]

use fnwarden_posture::{PostureOptions, check};
use fnwarden_project::{
    EnvValue, EnvVar, Finding, Framework, Function, FunctionUrl, Location, Permission, Policy, Project, Role, Spanned, Statement, Trigger,
    TriggerKind,
};
use time::macros::date;

pub const FILE: &str = "template.yaml";
pub const OWN: &str = "111111111111";

pub fn at(line: u32) -> Location {
    Location::new(FILE, line, 0)
}

pub fn function(name: &str, line: u32) -> Function {
    Function {
        name: name.into(),
        location: at(line),
        framework: Framework::Sam,
        runtime: None,
        handler: None,
        code_dir: "src".into(),
        env: vec![],
        timeout: None,
        memory: None,
        reserved_concurrency: None,
        layers: vec![],
        role: None,
        policies: vec![],
        triggers: vec![],
        url: None,
    }
}

pub fn allow(line: u32, actions: &[&str], resources: &[&str]) -> Statement {
    Statement {
        allow: true,
        actions: actions.iter().map(|s| s.to_string()).collect(),
        not_action: false,
        resources: resources.iter().map(|s| s.to_string()).collect(),
        principals: vec![],
        conditional: false,
        location: at(line),
    }
}

pub fn deny(line: u32, actions: &[&str], resources: &[&str]) -> Statement {
    Statement { allow: false, ..allow(line, actions, resources) }
}

pub fn trust(line: u32, principals: &[&str]) -> Statement {
    Statement { principals: principals.iter().map(|s| s.to_string()).collect(), ..allow(line, &["sts:AssumeRole"], &[]) }
}

pub fn inline(name: &str, line: u32, statements: Vec<Statement>) -> Policy {
    Policy { name: name.into(), managed: None, statements, location: at(line) }
}

pub fn managed(name: &str, line: u32) -> Policy {
    Policy { name: name.into(), managed: Some(name.into()), statements: vec![], location: at(line) }
}

pub fn role(key: &str, line: u32, trust: Vec<Statement>, policies: Vec<Policy>) -> Role {
    Role { key: key.into(), location: at(line), trust, policies }
}

pub fn trigger(kind: TriggerKind, public: bool, detail: &str, line: u32) -> Trigger {
    Trigger { kind, public, detail: detail.into(), resource: None, batch_size: None, location: at(line) }
}

pub fn literal(name: &str, value: &str, line: u32) -> EnvVar {
    EnvVar { name: name.into(), value: EnvValue::Literal(value.into()), location: at(line) }
}

pub fn computed(name: &str, expr: &str, line: u32) -> EnvVar {
    EnvVar { name: name.into(), value: EnvValue::Computed(expr.into()), location: at(line) }
}

pub fn spanned<T>(value: T, line: u32) -> Spanned<T> {
    Spanned::new(value, at(line))
}

pub fn url(auth_none: bool, line: u32) -> FunctionUrl {
    FunctionUrl { auth_none, location: at(line) }
}

pub fn permission(function: &str, principal: &str, action: &str, line: u32) -> Permission {
    Permission {
        function: Some(function.into()),
        principal: principal.into(),
        action: action.into(),
        source_account: None,
        source_arn: None,
        url_auth_type: None,
        location: at(line),
    }
}

pub fn opts() -> PostureOptions {
    PostureOptions { today: date!(2026 - 12 - 01), own_accounts: vec![OWN.into()], ..PostureOptions::default() }
}

pub fn project(functions: Vec<Function>) -> Project {
    Project { functions, ..Project::default() }
}

pub fn run(project: &Project) -> Vec<Finding> {
    check(project, &opts())
}

/// The findings of one rule, as (line, function).
pub fn of(findings: &[Finding], rule: &str) -> Vec<(u32, Option<String>)> {
    findings.iter().filter(|f| f.rule.id == rule).map(|f| (f.location.line, f.function.clone())).collect()
}

pub fn messages(findings: &[Finding], rule: &str) -> Vec<String> {
    findings.iter().filter(|f| f.rule.id == rule).map(|f| f.message.clone()).collect()
}

pub fn named(line: u32, function: &str) -> (u32, Option<String>) {
    (line, Some(function.to_owned()))
}
