//! What a client's first bytes are: an HTTP request, a TLS ClientHello, a JSON-RPC (Stratum)
//! message, or something else. The recorder reads until one of these is complete, or until the
//! client falls silent.

use tls_parser::{TlsExtension, TlsMessage, TlsMessageHandshake, parse_tls_extensions, parse_tls_plaintext};

/// How many bytes of a connection are kept and classified.
pub const FIRST_BYTES: usize = 4096;
/// A TLS record is read whole even when larger than [`FIRST_BYTES`] (post-quantum key shares make
/// ClientHellos big).
pub const MAX_FIRST_READ: usize = 5 + (1 << 14);
const MAX_HEADERS: usize = 100;

#[derive(Debug, PartialEq, Eq)]
pub enum Sniffed {
    Http(HttpHead),
    Tls { sni: Option<String> },
    JsonRpc,
    Raw,
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct HttpHead {
    pub method: String,
    /// The request target as sent (path and query, or an absolute URL for proxies).
    pub target: String,
    pub host: String,
    pub user_agent: String,
    /// `Name: value`, in order.
    pub headers: Vec<String>,
    /// Whether the head (and any declared body) is complete.
    pub complete: bool,
}

/// Classifies `buf`, or returns `None` while more bytes could change the answer. `last` means no
/// more bytes will come (the client closed, fell silent, or the buffer is full).
pub fn sniff(buf: &[u8], last: bool) -> Option<Sniffed> {
    let last = last || (buf.len() >= FIRST_BYTES && !looks_like_tls(buf)) || buf.len() >= MAX_FIRST_READ;
    if buf.is_empty() {
        return None;
    }
    if looks_like_tls(buf) {
        return tls(buf, last);
    }
    if let Some(head) = http(buf) {
        return (head.complete || last).then_some(Sniffed::Http(head));
    }
    let text = buf.trim_ascii_start();
    if text.starts_with(b"{") || text.starts_with(b"[") {
        let rpc = contains(text, b"\"method\"") || contains(text, b"\"jsonrpc\"");
        if rpc && (buf.ends_with(b"\n") || last) {
            return Some(Sniffed::JsonRpc);
        }
    }
    last.then_some(Sniffed::Raw)
}

/// A TLS handshake record header: content type 22, major version 3.
fn looks_like_tls(buf: &[u8]) -> bool {
    buf.first() == Some(&0x16) && buf.get(1).is_none_or(|v| *v == 3)
}

fn tls(buf: &[u8], last: bool) -> Option<Sniffed> {
    let record_len = match buf.get(3..5) {
        Some(l) => 5 + usize::from(u16::from_be_bytes([l[0], l[1]])),
        None => return last.then_some(Sniffed::Tls { sni: None }),
    };
    if buf.len() < record_len && !last {
        return None;
    }
    Some(Sniffed::Tls { sni: sni(buf) })
}

fn sni(buf: &[u8]) -> Option<String> {
    let (_, record) = parse_tls_plaintext(buf).ok()?;
    record.msg.iter().find_map(|m| match m {
        TlsMessage::Handshake(TlsMessageHandshake::ClientHello(hello)) => {
            let (_, exts) = parse_tls_extensions(hello.ext?).ok()?;
            exts.iter().find_map(|e| match e {
                TlsExtension::SNI(names) => names.first().map(|(_, n)| String::from_utf8_lossy(n).into_owned()),
                _ => None,
            })
        }
        _ => None,
    })
}

/// The request head, if `buf` starts like an HTTP/1 request.
fn http(buf: &[u8]) -> Option<HttpHead> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut headers);
    let status = req.parse(buf).ok()?;
    let method = req.method?;
    let mut head = HttpHead { method: method.to_owned(), target: req.path.unwrap_or("").to_owned(), ..HttpHead::default() };
    let httparse::Status::Complete(head_len) = status else {
        // Partial: fine as long as the request line is there (a client that stops mid-header).
        return req.path.map(|_| head);
    };
    let mut body_len = 0usize;
    for h in req.headers.iter() {
        let value = String::from_utf8_lossy(h.value).into_owned();
        if h.name.eq_ignore_ascii_case("host") {
            head.host.clone_from(&value);
        } else if h.name.eq_ignore_ascii_case("user-agent") {
            head.user_agent.clone_from(&value);
        } else if h.name.eq_ignore_ascii_case("content-length") {
            body_len = value.trim().parse().unwrap_or(0);
        }
        head.headers.push(format!("{}: {value}", h.name));
    }
    head.complete = buf.len() >= head_len.saturating_add(body_len) || buf.len() >= FIRST_BYTES;
    Some(head)
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_waits_for_its_body_then_reports_the_head() {
        let req = b"POST /upload?k=1 HTTP/1.1\r\nHost: evil.example:8080\r\nUser-Agent: curl/8\r\nContent-Length: 4\r\n\r\nab";
        assert_eq!(sniff(req, false), None);
        let mut full = req.to_vec();
        full.extend_from_slice(b"cd");
        let Some(Sniffed::Http(h)) = sniff(&full, false) else { panic!("not http") };
        assert_eq!((h.method.as_str(), h.target.as_str(), h.host.as_str()), ("POST", "/upload?k=1", "evil.example:8080"));
        assert_eq!(h.user_agent, "curl/8");
        assert!(h.headers.contains(&"Content-Length: 4".to_owned()));
    }

    #[test]
    fn stratum_login_is_json_rpc_and_garbage_is_raw_only_at_the_end() {
        let login = br#"{"id":1,"method":"mining.subscribe","params":["XMRig/6.21"]}"#;
        assert_eq!(sniff(login, false), None);
        assert_eq!(sniff(&[login.as_slice(), b"\n"].concat(), false), Some(Sniffed::JsonRpc));
        assert_eq!(sniff(b"\x00\x01binary", false), None);
        assert_eq!(sniff(b"\x00\x01binary", true), Some(Sniffed::Raw));
        assert_eq!(sniff(&[0x16], true), Some(Sniffed::Tls { sni: None }));
        assert_eq!(sniff(&[0x16, 3, 1, 0xff, 0xff, 1], true), Some(Sniffed::Tls { sni: None }));
        assert_eq!(sniff(b"GET", true), Some(Sniffed::Raw));
    }
}
