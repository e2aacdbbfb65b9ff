//! Any bytes as a log file, recognised or read as each format (gzip included): the reader must
//! count every record it delivers as an event or a rejection, and never panic.
#![no_main]

use fnwarden_event::Event;
use fnwarden_logs::{EventSink, LogFormat, LogReader, ReadOptions, Rejection};
use libfuzzer_sys::fuzz_target;

#[derive(Default)]
struct Count {
    events: u64,
    rejected: u64,
}

impl EventSink for Count {
    fn event(&mut self, ev: Event) -> bool {
        // Anything the reader produced must serialise as an event again.
        let _ = serde_json::to_string(&ev);
        self.events += 1;
        true
    }
    fn rejected(&mut self, _: &Rejection) {
        self.rejected += 1;
    }
}

fuzz_target!(|data: &[u8]| {
    // The first byte picks the format: auto, or one of them forced.
    let Some((&pick, body)) = data.split_first() else { return };
    let formats = fnwarden_logs::format::ALL;
    let format: Option<LogFormat> = formats.get(usize::from(pick) % (formats.len() + 1)).copied();
    let mut reader = LogReader::new(ReadOptions { format, ..Default::default() });
    let mut count = Count::default();
    let Ok(mut input) = fnwarden_logs::input::decompress(Box::new(std::io::Cursor::new(body.to_vec()))) else { return };
    reader.read_stream(input.as_mut(), "fuzz", "fuzz", &mut count);
    let s = reader.stats();
    assert_eq!((s.events, s.rejected), (count.events, count.rejected));
});
