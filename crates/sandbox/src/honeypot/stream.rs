//! Deadline-bounded reads and writes on a client connection: a hostile client decides how fast
//! and how much it sends, never how long fnwarden waits.

use std::io;
use std::time::Duration;

use tokio::net::TcpStream;
use tokio::time::{Instant, timeout_at};

/// Reads whatever is available into `buf`, waiting at most until `deadline`. `Ok(None)` on
/// timeout, `Ok(Some(0))` at end of stream.
pub async fn read_until(stream: &TcpStream, buf: &mut [u8], deadline: Instant) -> io::Result<Option<usize>> {
    loop {
        match timeout_at(deadline, stream.readable()).await {
            Err(_) => return Ok(None),
            Ok(r) => r?,
        }
        match stream.try_read(buf) {
            Ok(n) => return Ok(Some(n)),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
            Err(e) => return Err(e),
        }
    }
}

/// Fills `buf` completely before `deadline`; false if the client closed, failed or was too slow.
pub async fn read_exact(stream: &TcpStream, buf: &mut [u8], deadline: Instant) -> bool {
    let mut got = 0;
    while got < buf.len() {
        match read_until(stream, &mut buf[got..], deadline).await {
            Ok(Some(n)) if n > 0 => got += n,
            _ => return false,
        }
    }
    true
}

/// Writes all of `data`, giving up after `limit`.
pub async fn write_all(stream: &TcpStream, mut data: &[u8], limit: Duration) -> io::Result<()> {
    let deadline = Instant::now() + limit;
    while !data.is_empty() {
        match timeout_at(deadline, stream.writable()).await {
            Err(_) => return Err(io::ErrorKind::TimedOut.into()),
            Ok(r) => r?,
        }
        match stream.try_write(data) {
            Ok(n) => data = &data[n..],
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Reads and discards until the client closes, `cap` bytes have come, or it stays silent for
/// `idle` or the connection outlives `deadline`. Returns the number of bytes read.
pub async fn drain(stream: &TcpStream, cap: u64, idle: Duration, deadline: Instant) -> u64 {
    let mut buf = [0u8; 16 * 1024];
    let mut total = 0u64;
    while total < cap {
        let until = deadline.min(Instant::now() + idle);
        match read_until(stream, &mut buf, until).await {
            Ok(Some(n)) if n > 0 => total += n as u64,
            _ => break,
        }
    }
    total
}
