//! Any bytes as a log file, recognised or read as each format: the reader never panics, and
//! what it delivers matches what it counts.

use fnwarden_event::Event;
use fnwarden_logs::{EventSink, LogReader, ReadOptions, Rejection};
use proptest::prelude::*;

#[derive(Default)]
struct Count {
    events: u64,
    rejected: u64,
}

impl EventSink for Count {
    fn event(&mut self, ev: Event) -> bool {
        assert!(serde_json::to_string(&ev).is_ok());
        self.events += 1;
        true
    }
    fn rejected(&mut self, r: &Rejection) {
        assert!(!r.message.is_empty() && r.origin == "p");
        self.rejected += 1;
    }
}

fn read(bytes: &[u8], pick: usize) -> (Count, fnwarden_logs::ReadStats) {
    let formats = fnwarden_logs::format::ALL;
    let format = formats.get(pick % (formats.len() + 1)).copied();
    let mut reader = LogReader::new(ReadOptions { format, ..Default::default() });
    let mut count = Count::default();
    let mut input = fnwarden_logs::input::decompress(Box::new(std::io::Cursor::new(bytes.to_vec()))).unwrap();
    reader.read_stream(input.as_mut(), "p", "p", &mut count);
    let stats = reader.stats().clone();
    (count, stats)
}

/// Text that looks like logs: pieces of every format, shuffled and cut.
fn loggy() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("{\"Records\":[".to_owned()),
        Just("{\"eventTime\":\"2026-11-30T10:00:00Z\",\"eventName\":\"GetObject\",\"eventSource\":\"s3.amazonaws.com\"}".to_owned()),
        Just("{\"protoPayload\":{\"methodName\":\"m\"},\"timestamp\":\"2026-11-30T10:00:00Z\"}".to_owned()),
        Just("{\"type\":\"platform.report\",\"time\":\"x\",\"record\":{\"metrics\":{\"durationMs\":-1}}}".to_owned()),
        Just("REPORT RequestId: 1234abcd\tDuration: 1.5 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB".to_owned()),
        Just("START RequestId: 1234abcd Version: $LATEST".to_owned()),
        Just("2026-11-30T10:00:00Z\t1234abcd-0000\tERROR\tboom".to_owned()),
        Just("Executed 'Functions.F' (Failed, Id=1, Duration=12ms)".to_owned()),
        Just("]}".to_owned()),
        Just(",".to_owned()),
        Just("\n".to_owned()),
        "[ -~]{0,20}",
    ];
    prop::collection::vec(piece, 0..24).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn arbitrary_bytes_are_counted(bytes in prop::collection::vec(any::<u8>(), 0..600), pick in 0usize..16) {
        let (count, stats) = read(&bytes, pick);
        prop_assert_eq!((count.events, count.rejected), (stats.events, stats.rejected));
    }

    #[test]
    fn log_like_text_is_counted(text in loggy(), pick in 0usize..16) {
        let (count, stats) = read(text.as_bytes(), pick);
        prop_assert_eq!((count.events, count.rejected), (stats.events, stats.rejected));
        // Every record looked at became an event or a rejection (a rejected file counts once).
        prop_assert!(stats.records <= stats.events + stats.rejected + 1);
    }
}
