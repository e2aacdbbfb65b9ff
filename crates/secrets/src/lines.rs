//! Byte offsets to 1-based line and column. Findings come in increasing offset order, so the
//! cursor only moves forward: a file with many findings on one huge line costs one pass, not one
//! pass per finding.

pub(crate) struct LineCursor<'a> {
    bytes: &'a [u8],
    offset: usize,
    line: u32,
    /// Column (in characters) of `offset`, 1-based.
    column: u32,
}

impl<'a> LineCursor<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> LineCursor<'a> {
        LineCursor { bytes, offset: 0, line: 1, column: 1 }
    }

    /// Line and column of `to`. Offsets before the cursor restart from the top.
    pub(crate) fn at(&mut self, to: usize) -> (u32, u32) {
        let to = to.min(self.bytes.len());
        if to < self.offset {
            *self = LineCursor::new(self.bytes);
        }
        let span = &self.bytes[self.offset..to];
        match memchr::memrchr(b'\n', span) {
            Some(last) => {
                let newlines = memchr::memchr_iter(b'\n', span).count();
                self.line = self.line.saturating_add(u32::try_from(newlines).unwrap_or(u32::MAX));
                self.column = 1u32.saturating_add(chars(&span[last + 1..]));
            }
            None => self.column = self.column.saturating_add(chars(span)),
        }
        self.offset = to;
        (self.line, self.column)
    }
}

/// Characters in UTF-8 (invalid bytes count one each): every byte that is not a continuation.
fn chars(b: &[u8]) -> u32 {
    u32::try_from(b.iter().filter(|&&c| c & 0xC0 != 0x80).count()).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns() {
        let text = "ab\ncd\n\u{e9}x y\n";
        let mut c = LineCursor::new(text.as_bytes());
        assert_eq!(c.at(0), (1, 1));
        assert_eq!(c.at(1), (1, 2));
        assert_eq!(c.at(4), (2, 2));
        let y = text.find('y').unwrap();
        assert_eq!(c.at(y), (3, 4));
        assert_eq!(c.at(1), (1, 2));
        assert_eq!(c.at(10_000), (4, 1));
    }
}
