//! Layers published by other accounts: their code runs inside the function, with its role.

use fnwarden_project::{Class, Project, ScanRule, Severity};

use crate::PostureOptions;
use crate::account::literal_account;
use crate::draft::{Draft, Drafts};
use crate::text::clip;

pub static FOREIGN_LAYER: ScanRule = ScanRule {
    id: "fnw-scan-cfg-foreign-layer",
    title: "Layer from an outside account",
    severity: Severity::Medium,
    class: Class::Config,
    cwe: &[829],
    description: "A layer's code is extracted into /opt and runs in the function with its role and its secrets. A layer ARN \
                  in an account that is neither yours nor AWS's means someone else decides what runs there (and a new \
                  version of the same name can be anything).",
    remediation: "Publish the layer in your own account from source you review, pin its version, or list the publisher's \
                  account with `--own-account` once you trust it.",
};

pub const RULES: &[&ScanRule] = &[&FOREIGN_LAYER];

/// Accounts AWS publishes its own layers from (Lambda Insights, Powertools for AWS Lambda, AWS
/// Distro for OpenTelemetry, the AppConfig and the Parameters and Secrets extensions), per
/// docs/scan-posture.md, "Trusted layer accounts".
const AWS_LAYER_ACCOUNTS: &[&str] = &[
    // Lambda Insights extension (commercial regions).
    "580247275435",
    // Powertools for AWS Lambda: Python; TypeScript.
    "017000801446",
    "094274105915",
    // AWS Distro for OpenTelemetry.
    "901920570463",
    // AWS AppConfig Lambda extension, by region.
    "027255383542",
    "728743619870",
    "958113053741",
    "359756378197",
    "039592058896",
    "066940009817",
    "758369105281",
    "646970417810",
    "203683718741",
    "586093569114",
    "434848589818",
    "282860088358",
    "493207061005",
    "574348263942",
    "630222743974",
    "980059726660",
    "826293736237",
    "706869817123",
    "554480029851",
    "489524808438",
    "421114256042",
    "080788657173",
    "418787028745",
    "662846165436",
    "559955524753",
    "000010852771",
    // AWS Parameters and Secrets Lambda extension, by region.
    "177933569100",
    "590474943231",
    "997803712105",
    "345057560386",
    "200266452380",
    "187925254637",
    "772501565639",
    "427196147048",
    "325218067255",
    "524103009944",
    "015030872274",
    "133256977650",
    "780235371811",
    "317013901791",
    "768336418462",
    "133490724326",
    "738900069198",
    "576959938190",
    "176022468876",
    "070087711984",
    "044395824272",
    "665172237481",
    "490737872127",
    "858974508948",
    "832021897121",
    "933737806257",
];

pub fn check(project: &Project, opts: &PostureOptions, drafts: &mut Drafts) {
    for f in &project.functions {
        for layer in &f.layers {
            // References (`!Ref Layer`, `aws_lambda_layer_version.x.arn`, `${AWS::AccountId}`) are your own.
            let Some(account) = literal_account(&layer.value) else { continue };
            if opts.is_own_account(account) || AWS_LAYER_ACCOUNTS.contains(&account) {
                continue;
            }
            let msg = format!("layer `{}` comes from account {account}, neither yours nor AWS's", clip(&layer.value));
            drafts.add(Draft::new(&FOREIGN_LAYER, layer.location.clone(), msg).functions([f.name.as_str()]));
        }
    }
}
