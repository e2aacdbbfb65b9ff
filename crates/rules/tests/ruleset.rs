//! Loading several files: references across files and dialects, in any file order.

use std::path::Path;

use fnwarden_rules::ruleset::Builder;

const RULE: &str = "title: Console login\nname: login\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  s:\n    eventName: ConsoleLogin\n  condition: s\n";
const COUNT: &str = "title: Many logins\nname: many_logins\ncorrelation:\n  type: event_count\n  rules: [login]\n  group-by: [cloud.principal]\n  timespan: 5m\n  condition: {gte: 3}\n";
const CHAIN: &str = "title: Bursts of logins\ncorrelation:\n  type: event_count\n  rules: [many_logins]\n  group-by: [cloud.principal]\n  timespan: 1h\n  condition: {gte: 2}\n";

#[test]
fn correlation_chains_link_whatever_the_file_order() {
    let mut b = Builder::default();
    // The chain comes first, the correlation it references second, the base rule last.
    b.add_str(CHAIN, Path::new("a.yml"));
    b.add_str(COUNT, Path::new("b.yml"));
    b.add_str(RULE, Path::new("c.yml"));
    let set = b.finish();
    assert!(set.errors.is_empty(), "{:#?}", set.errors);
    assert_eq!(set.correlations.len(), 2);
}

#[test]
fn a_broken_link_drops_the_whole_chain_with_an_error_each() {
    let mut b = Builder::default();
    b.add_str(CHAIN, Path::new("a.yml"));
    b.add_str(COUNT, Path::new("b.yml"));
    let set = b.finish();
    assert!(set.correlations.is_empty());
    assert_eq!(set.errors.len(), 2, "{:#?}", set.errors);
    assert!(set.errors.iter().any(|e| e.file == Path::new("b.yml") && e.message.contains("\"login\"")));
    assert!(set.errors.iter().any(|e| e.file == Path::new("a.yml") && e.message.contains("\"many_logins\"")));
}

#[test]
fn falco_and_sigma_rules_load_side_by_side() {
    let mut b = Builder::default();
    b.add_str(RULE, Path::new("sigma.yml"));
    b.add_str("- rule: Shell\n  condition: proc.name = sh\n", Path::new("falco.yaml"));
    let set = b.finish();
    assert!(set.errors.is_empty(), "{:#?}", set.errors);
    assert_eq!(set.rules.len(), 2);
    assert_eq!(set.files, 2);
}
