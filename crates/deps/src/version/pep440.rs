//! PEP 440 versions and their ordering: `[N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]`, with
//! the spelling variants PEP 440 normalises (`alpha`, `c`, `pre`, `-1` for a post release,
//! `_`/`-`/`.` separators, a leading `v`).

use std::cmp::Ordering;

#[derive(Clone, Debug)]
pub(crate) struct Version {
    epoch: u64,
    release: Vec<u64>,
    /// (0 = a, 1 = b, 2 = rc, number)
    pre: Option<(u8, u64)>,
    post: Option<u64>,
    dev: Option<u64>,
    local: Vec<Local>,
}

/// Local segments compare numbers above strings (PEP 440), hence this variant order.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Local {
    Text(String),
    Number(u64),
}

/// The pre-release slot of the sort key: a dev release of a final version sorts before its
/// pre-releases, a final (or post) release after them.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum PreKey {
    BeforeAll,
    Pre(u8, u64),
    Final,
}

impl Version {
    pub fn parse(text: &str) -> Option<Version> {
        let s = text.trim().to_ascii_lowercase();
        let s = s.strip_prefix('v').unwrap_or(&s);
        let (public, local) = match s.split_once('+') {
            Some((p, l)) => (p, Some(l)),
            None => (s, None),
        };
        let mut c = Cursor { s: public, i: 0 };
        let mut epoch = 0;
        let mut release = vec![c.number()?];
        if c.eat("!") {
            epoch = release[0];
            release = vec![c.number()?];
        }
        while c.peek_sep_digit() {
            c.i += 1;
            release.push(c.number()?);
        }
        let pre = c.pre()?;
        let post = c.post()?;
        let dev = c.dev()?;
        if c.i != c.s.len() {
            return None;
        }
        let local = match local {
            None => Vec::new(),
            Some(l) => {
                let parts = l.split(['.', '-', '_']).map(|p| match p.parse::<u64>() {
                    Ok(n) if p.bytes().all(|b| b.is_ascii_digit()) => Some(Local::Number(n)),
                    _ if !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric()) => Some(Local::Text(p.to_string())),
                    _ => None,
                });
                parts.collect::<Option<Vec<_>>>()?
            }
        };
        Some(Version { epoch, release, pre, post, dev, local })
    }

    fn release_trimmed(&self) -> &[u64] {
        let end = self.release.iter().rposition(|&n| n != 0).map_or(0, |i| i + 1);
        &self.release[..end]
    }

    fn pre_key(&self) -> PreKey {
        match (self.pre, self.post, self.dev) {
            (Some((k, n)), _, _) => PreKey::Pre(k, n),
            (None, None, Some(_)) => PreKey::BeforeAll,
            _ => PreKey::Final,
        }
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Version) -> Ordering {
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| self.release_trimmed().cmp(other.release_trimmed()))
            .then_with(|| self.pre_key().cmp(&other.pre_key()))
            // No post release sorts before any post release: Option's None < Some.
            .then_with(|| self.post.cmp(&other.post))
            // No dev release sorts after every dev release.
            .then_with(|| (self.dev.is_none(), self.dev).cmp(&(other.dev.is_none(), other.dev)))
            .then_with(|| self.local.cmp(&other.local))
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Version) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Version) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Version {}

struct Cursor<'a> {
    s: &'a str,
    i: usize,
}

impl Cursor<'_> {
    fn rest(&self) -> &str {
        &self.s[self.i..]
    }

    fn eat(&mut self, p: &str) -> bool {
        if self.rest().starts_with(p) {
            self.i += p.len();
            true
        } else {
            false
        }
    }

    fn number(&mut self) -> Option<u64> {
        let n = self.rest().bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return None;
        }
        let v = self.rest()[..n].parse().ok()?;
        self.i += n;
        Some(v)
    }

    fn opt_number(&mut self) -> Option<u64> {
        let save = self.i;
        self.sep();
        match self.number() {
            Some(n) => Some(n),
            None => {
                self.i = save;
                None
            }
        }
    }

    fn peek_sep_digit(&self) -> bool {
        let b = self.rest().as_bytes();
        b.first() == Some(&b'.') && b.get(1).is_some_and(u8::is_ascii_digit)
    }

    fn sep(&mut self) -> bool {
        self.eat(".") || self.eat("-") || self.eat("_")
    }

    /// Tries `[sep]word` for each word; on success, the cursor is after it.
    fn word(&mut self, words: &[(&str, u8)]) -> Option<u8> {
        let save = self.i;
        self.sep();
        for (w, k) in words {
            if self.eat(w) {
                return Some(*k);
            }
        }
        self.i = save;
        None
    }

    /// Outer None: malformed; inner None: absent.
    fn pre(&mut self) -> Option<Option<(u8, u64)>> {
        // Longest spellings first, so `alpha` is not read as `a` + `lpha`.
        const WORDS: &[(&str, u8)] = &[("alpha", 0), ("beta", 1), ("preview", 2), ("pre", 2), ("rc", 2), ("a", 0), ("b", 1), ("c", 2)];
        Some(self.word(WORDS).map(|k| (k, self.opt_number().unwrap_or(0))))
    }

    fn post(&mut self) -> Option<Option<u64>> {
        let save = self.i;
        if self.eat("-") {
            match self.number() {
                Some(n) => return Some(Some(n)),
                None => self.i = save,
            }
        }
        Some(self.word(&[("post", 0), ("rev", 0), ("r", 0)]).map(|_| self.opt_number().unwrap_or(0)))
    }

    fn dev(&mut self) -> Option<Option<u64>> {
        Some(self.word(&[("dev", 0)]).map(|_| self.opt_number().unwrap_or(0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap_or_else(|| panic!("{s} did not parse"))
    }

    /// PEP 440's own example of the full ordering, in increasing order.
    const ORDERED: &[&str] = &[
        "1.0.dev456",
        "1.0a1",
        "1.0a2.dev456",
        "1.0a12.dev456",
        "1.0a12",
        "1.0b1.dev456",
        "1.0b2",
        "1.0b2.post345.dev456",
        "1.0b2.post345",
        "1.0rc1.dev456",
        "1.0rc1",
        "1.0",
        "1.0+abc.5",
        "1.0+abc.7",
        "1.0+5",
        "1.0.post456.dev34",
        "1.0.post456",
        "1.0.15",
        "1.1.dev1",
        "1!0.1",
    ];

    #[test]
    fn pep_440_example_order() {
        for w in ORDERED.windows(2) {
            assert!(v(w[0]) < v(w[1]), "{} < {}", w[0], w[1]);
        }
    }

    #[test]
    fn normalised_spellings_are_equal() {
        for (a, b) in [
            ("1.0", "1.0.0"),
            ("1.0alpha1", "1.0a1"),
            ("1.0-c1", "1.0rc1"),
            ("1.0.pre", "1.0rc0"),
            ("1.0-1", "1.0.post1"),
            ("1.0.rev2", "1.0.post2"),
            ("1.0-dev", "1.0.dev0"),
            ("v2.3", "2.3"),
            ("0!1.0", "1.0"),
            ("1.0_beta_2", "1.0b2"),
            ("1.0+ubuntu-1", "1.0+ubuntu.1"),
        ] {
            assert_eq!(v(a), v(b), "{a} == {b}");
        }
    }

    #[test]
    fn malformed_versions_do_not_parse() {
        for s in ["", "abc", "1..0", "1.0+", "1.0+a!b", "1.0x", "1.0.", "99999999999999999999999"] {
            assert!(Version::parse(s).is_none(), "{s}");
        }
    }

    proptest! {
        #[test]
        fn ordering_is_total_and_consistent(a in "[0-9]{1,2}(\\.[0-9]{1,2}){0,2}((a|b|rc)[0-9])?(\\.post[0-9])?(\\.dev[0-9])?",
                                             b in "[0-9]{1,2}(\\.[0-9]{1,2}){0,2}((a|b|rc)[0-9])?(\\.post[0-9])?(\\.dev[0-9])?") {
            let (x, y) = (v(&a), v(&b));
            prop_assert_eq!(x.cmp(&y), y.cmp(&x).reverse());
            prop_assert_eq!(x.cmp(&x), Ordering::Equal);
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,40}") {
            let _ = Version::parse(&s);
        }
    }
}
