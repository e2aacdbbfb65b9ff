//! JSON into a [`Node`] tree with the line and column of every value (serde_json keeps no
//! positions). Recursion is bounded by [`MAX_DEPTH`]; sizes by the caller's file cap.

use crate::error::SyntaxError;
use crate::node::{Kind, MAX_DEPTH, Node, to_u32};

/// Parses one JSON document. `first_line` is the line `text` starts on in its file (heredocs).
pub(crate) fn parse(text: &str, first_line: u32) -> Result<Node, SyntaxError> {
    let mut p = JsonParser { bytes: text.as_bytes(), pos: 0, line: first_line.max(1), line_start: 0 };
    p.skip_ws();
    let node = p.value(0)?;
    p.skip_ws();
    if p.pos < p.bytes.len() {
        return Err(p.error("trailing characters after the JSON value"));
    }
    Ok(node)
}

struct JsonParser<'a> {
    bytes: &'a [u8],
    pos: usize,
    line: u32,
    line_start: usize,
}

impl JsonParser<'_> {
    /// At the end of the input, the error is on the last line with content, not the empty
    /// line after the final newline.
    fn error(&self, message: &str) -> SyntaxError {
        if self.pos >= self.bytes.len() {
            let trailing = self.bytes.iter().rev().take_while(|b| b.is_ascii_whitespace()).filter(|&&b| b == b'\n').count();
            return SyntaxError::new(self.line.saturating_sub(to_u32(trailing)).max(1), message);
        }
        SyntaxError::new(self.line, message)
    }

    fn col(&self) -> u32 {
        to_u32(self.pos - self.line_start + 1)
    }

    fn skip_ws(&mut self) {
        while let Some(&b) = self.bytes.get(self.pos) {
            match b {
                b'\n' => {
                    self.line = self.line.saturating_add(1);
                    self.pos += 1;
                    self.line_start = self.pos;
                }
                b' ' | b'\t' | b'\r' => self.pos += 1,
                _ => break,
            }
        }
    }

    fn value(&mut self, depth: usize) -> Result<Node, SyntaxError> {
        if depth > MAX_DEPTH {
            return Err(self.error("JSON nests too deep"));
        }
        let (line, col) = (self.line, self.col());
        let kind = match self.bytes.get(self.pos) {
            None => return Err(self.error("unexpected end of JSON")),
            Some(b'{') => self.object(depth)?,
            Some(b'[') => self.array(depth)?,
            Some(b'"') => Kind::Scalar(self.string()?),
            Some(b't') => self.word("true", Kind::Scalar("true".into()))?,
            Some(b'f') => self.word("false", Kind::Scalar("false".into()))?,
            Some(b'n') => self.word("null", Kind::Null)?,
            Some(b'-' | b'0'..=b'9') => Kind::Scalar(self.number()?),
            Some(_) => return Err(self.error("unexpected character in JSON")),
        };
        Ok(Node::new(kind, line, col))
    }

    fn word(&mut self, word: &str, kind: Kind) -> Result<Kind, SyntaxError> {
        if self.bytes[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(kind)
        } else {
            Err(self.error("unexpected word in JSON"))
        }
    }

    fn number(&mut self) -> Result<String, SyntaxError> {
        let start = self.pos;
        while let Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
        let text = std::str::from_utf8(&self.bytes[start..self.pos]).map_err(|_| self.error("bad number"))?;
        text.parse::<f64>().map_err(|_| self.error("bad number"))?;
        Ok(text.to_string())
    }

    fn string(&mut self) -> Result<String, SyntaxError> {
        self.pos += 1;
        let mut out = Vec::new();
        loop {
            let Some(&b) = self.bytes.get(self.pos) else {
                return Err(self.error("unterminated string"));
            };
            self.pos += 1;
            match b {
                b'"' => break,
                b'\n' => return Err(self.error("newline in a string")),
                b'\\' => {
                    let Some(&e) = self.bytes.get(self.pos) else {
                        return Err(self.error("unterminated string"));
                    };
                    self.pos += 1;
                    match e {
                        b'"' | b'\\' | b'/' => out.push(e),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'u' => {
                            let c = self.unicode_escape()?;
                            let mut buf = [0; 4];
                            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                        }
                        _ => return Err(self.error("bad escape in a string")),
                    }
                }
                _ => out.push(b),
            }
        }
        String::from_utf8(out).map_err(|_| self.error("string is not UTF-8"))
    }

    fn hex4(&mut self) -> Result<u32, SyntaxError> {
        let digits = self.bytes.get(self.pos..self.pos + 4).ok_or_else(|| self.error("short \\u escape"))?;
        let text = std::str::from_utf8(digits).map_err(|_| self.error("bad \\u escape"))?;
        let n = u32::from_str_radix(text, 16).map_err(|_| self.error("bad \\u escape"))?;
        self.pos += 4;
        Ok(n)
    }

    fn unicode_escape(&mut self) -> Result<char, SyntaxError> {
        let high = self.hex4()?;
        let code = if (0xD800..0xDC00).contains(&high) && self.bytes[self.pos..].starts_with(b"\\u") {
            self.pos += 2;
            let low = self.hex4()?;
            0x10000 + ((high - 0xD800) << 10) + (low.wrapping_sub(0xDC00) & 0x3FF)
        } else {
            high
        };
        Ok(char::from_u32(code).unwrap_or('\u{FFFD}'))
    }

    fn expect(&mut self, b: u8, message: &str) -> Result<(), SyntaxError> {
        self.skip_ws();
        if self.bytes.get(self.pos) == Some(&b) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(message))
        }
    }

    fn array(&mut self, depth: usize) -> Result<Kind, SyntaxError> {
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.bytes.get(self.pos) == Some(&b']') {
            self.pos += 1;
            return Ok(Kind::Seq(items));
        }
        loop {
            self.skip_ws();
            items.push(self.value(depth + 1)?);
            self.skip_ws();
            match self.bytes.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Kind::Seq(items));
                }
                _ => return Err(self.error("expected ',' or ']' in an array")),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Kind, SyntaxError> {
        self.pos += 1;
        let mut entries = Vec::new();
        self.skip_ws();
        if self.bytes.get(self.pos) == Some(&b'}') {
            self.pos += 1;
            return Ok(Kind::Map(entries));
        }
        loop {
            self.skip_ws();
            let (line, col) = (self.line, self.col());
            if self.bytes.get(self.pos) != Some(&b'"') {
                return Err(self.error("expected a string key in an object"));
            }
            let key = Node::new(Kind::Scalar(self.string()?), line, col);
            self.expect(b':', "expected ':' after an object key")?;
            self.skip_ws();
            let value = self.value(depth + 1)?;
            entries.push((key, value));
            self.skip_ws();
            match self.bytes.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Kind::Map(entries));
                }
                _ => return Err(self.error("expected ',' or '}' in an object")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_keep_lines() {
        let root = parse("{\n  \"a\": 1,\n  \"b\": {\n    \"c\": [true, null, \"x\\u00e9\\n\"]\n  }\n}", 1).unwrap();
        let (k, v) = root.entry("a").unwrap();
        assert_eq!((k.line, k.col, v.as_str()), (2, 3, Some("1")));
        let c = root.path(&["b", "c"]).unwrap();
        assert_eq!(c.line, 4);
        let items = c.as_seq().unwrap();
        assert_eq!(items[0].as_bool(), Some(true));
        assert!(items[1].is_null());
        assert_eq!(items[2].as_str(), Some("xé\n"));
    }

    #[test]
    fn heredoc_offsets_shift_lines() {
        let root = parse("{\n\"a\": 1}", 10).unwrap();
        assert_eq!(root.entry("a").unwrap().0.line, 11);
    }

    #[test]
    fn malformed_json_names_the_line() {
        assert_eq!(parse("{\n  \"a\": 1\n  \"b\": 2\n}", 1).unwrap_err().line, 3);
        assert_eq!(parse("{\"a\": tru}", 1).unwrap_err().line, 1);
        assert_eq!(parse("[1,\n 2\n\n", 1).unwrap_err().line, 2);
        assert!(parse("\"abc", 1).is_err());
        assert!(parse("{} x", 1).is_err());
        assert!(parse("", 1).is_err());
        assert!(parse("{\"a\": \"\\ud800\"}", 1).is_ok());
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(parse(&text, 1).unwrap_err().message.contains("deep"));
    }
}
