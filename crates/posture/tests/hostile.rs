//! Whatever the IaC says, the checks neither panic nor loop: arbitrary strings in every field the
//! rules parse (actions, resources, principals, ARNs, runtimes, env values, batch sizes).

mod common;

use common::*;
use fnwarden_posture::check;
use fnwarden_project::{Project, TriggerKind};
use proptest::prelude::*;

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[ -~]{0,40}",
        "(arn:aws:[a-z0-9*${}:/-]{0,30})",
        "[*?a-zA-Z:]{0,20}",
        Just("${".to_owned()),
        Just("arn:aws:lambda:${AWS::Region}:${".to_owned()),
        Just("*".to_owned()),
    ]
}

fn model(words: Vec<String>, numbers: Vec<u64>) -> Project {
    let w = |i: usize| words.get(i % words.len().max(1)).cloned().unwrap_or_default();
    let n = |i: usize| numbers.get(i % numbers.len().max(1)).copied().unwrap_or_default();
    let mut f = function(&w(0), 1);
    f.runtime = Some(spanned(w(1), 2));
    f.timeout = Some(spanned(n(0), 3));
    f.memory = Some(spanned(n(1), 4));
    f.reserved_concurrency = Some(spanned((n(2) as i64).wrapping_sub(5), 5));
    f.layers = vec![spanned(w(2), 6), spanned(w(3), 7)];
    f.env = vec![literal(&w(4), &w(5), 8), literal("NODE_OPTIONS", &w(6), 9), computed(&w(7), &w(8), 10)];
    f.role = Some(w(9));
    f.url = Some(url(n(3) % 2 == 0, 11));
    let mut t = trigger(TriggerKind::S3, n(4) % 2 == 0, &w(10), 12);
    t.resource = Some(w(11));
    t.batch_size = Some(spanned(n(5), 13));
    f.triggers = vec![t];
    let mut s = allow(14, &[&w(12), &w(13)], &[&w(11), &w(14)]);
    s.not_action = n(6) % 3 == 0;
    f.policies = vec![inline(&w(15), 15, vec![s.clone()])];
    let mut p = project(vec![f]);
    p.roles = vec![role(&w(9), 20, vec![trust(21, &[&w(16), &w(17)])], vec![managed(&w(18), 22), inline("r", 23, vec![s])])];
    let mut perm = permission(&w(0), &w(19), &w(20), 30);
    perm.url_auth_type = Some(w(21));
    p.permissions = vec![perm];
    p
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_models_never_panic(words in prop::collection::vec(text(), 1..24), numbers in prop::collection::vec(any::<u64>(), 1..8)) {
        let p = model(words, numbers);
        let found = check(&p, &opts());
        // Every finding points into the model's one file.
        prop_assert!(found.iter().all(|f| f.location.file.as_os_str() == FILE));
    }
}
