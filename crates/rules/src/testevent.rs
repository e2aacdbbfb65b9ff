//! Events embedded in rule files as tests, written in YAML with the event schema.

use fnwarden_event::{Event, SCHEMA, Timestamp};

use crate::yaml::Node;

/// Reads one test event. `time` defaults to the epoch plus `seq` seconds so that a sequence of
/// test events is ordered without writing times by hand.
pub fn parse_test_event(node: &Node, seq: usize) -> Result<Event, String> {
    let mut json = node.to_json();
    let obj = json.as_object_mut().ok_or("a test event must be a mapping in the event schema")?;
    obj.entry("schema").or_insert_with(|| SCHEMA.into());
    obj.entry("time").or_insert_with(|| Timestamp::from_secs(1_700_000_000 + seq as i64).0.into());
    let mut ev: Event = serde_json::from_value(json).map_err(|e| format!("bad test event: {e}"))?;
    ev.normalize();
    Ok(ev)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse;

    #[test]
    fn test_events_default_their_time_and_schema() {
        let doc = &parse("type: execve\nproc: {exe: /bin/sh, args: [sh]}\n").unwrap()[0];
        let ev = parse_test_event(doc, 3).unwrap();
        assert_eq!(ev.time, Timestamp::from_secs(1_700_000_003));
        assert_eq!(ev.derived.cmdline, "sh");
        let bad = &parse("type: execve\nprocess: {}\n").unwrap()[0];
        assert!(parse_test_event(bad, 0).unwrap_err().contains("process"));
    }
}
