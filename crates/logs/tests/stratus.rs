//! Every Stratus Red Team detonation log in `../shared/datasets/cloudtrail/stratus-red-team/`
//! (read in place) through the built-in pack and SigmaHQ's cloud rules, unchanged: which of the
//! 35 techniques raise an alert, and the three Lambda techniques their specific ones.

mod common;

use std::collections::BTreeMap;

#[test]
fn stratus_techniques_are_detected() {
    let (Some(dir), sigma) = (common::shared("cloudtrail/stratus-red-team"), common::shared("sigma/cloud")) else { return };
    let with_sigma = common::rules(&sigma.into_iter().collect::<Vec<_>>());
    let builtin = common::rules(&[]);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 35, "the dataset has 35 techniques");
    let mut table: BTreeMap<String, (Vec<String>, Vec<String>)> = BTreeMap::new();
    for f in &files {
        let technique = f.file_stem().unwrap().to_string_lossy().into_owned();
        let all = common::run(&with_sigma, std::slice::from_ref(f));
        assert!(all.rejected.is_empty(), "{technique}: {:?}", all.rejected);
        let own = common::run(&builtin, std::slice::from_ref(f));
        table.insert(technique, (own.ids().into_iter().collect(), all.ids().into_iter().filter(|i| !i.starts_with("fnw-")).collect()));
    }
    let mut detected = 0;
    let mut by_builtin = 0;
    println!("{:<62} built-in pack / SigmaHQ cloud", "technique");
    for (t, (own, sigma)) in &table {
        detected += usize::from(!own.is_empty() || !sigma.is_empty());
        by_builtin += usize::from(!own.is_empty());
        println!("{t:<62} {} / {} SigmaHQ", if own.is_empty() { "-".to_owned() } else { own.join(", ") }, sigma.len());
    }
    println!("detected: {detected}/35 (built-in pack alone: {by_builtin}/35)");
    assert!(detected >= 30, "only {detected} of 35 techniques detected");
    for (technique, id) in [
        ("aws.persistence.lambda-backdoor-function", "fnw-cloud-lambda-permission-public"),
        ("aws.persistence.lambda-layer-extension", "fnw-cloud-lambda-layer-added"),
        ("aws.persistence.lambda-overwrite-code", "fnw-cloud-lambda-code-updated"),
    ] {
        assert!(table[technique].0.iter().any(|i| i == id), "{technique} must raise {id}, got {:?}", table[technique].0);
    }
}
