//! Maven versions ordered as Maven's `ComparableVersion` orders them: split into items at `.`,
//! `-` and digit/letter transitions, each `-` (and each transition) opening a nested list;
//! trailing "null" items (`0`, ``, `final`, `ga`, `release`) dropped; qualifiers ranked
//! alpha < beta < milestone < rc = cr < snapshot < release < sp < anything else (lexically).

use std::cmp::Ordering;

#[derive(Clone, Debug)]
pub(crate) struct Version {
    items: Vec<Item>,
}

#[derive(Clone, Debug)]
enum Item {
    /// Digits without leading zeros (arbitrary length; compared by length, then text).
    Int(String),
    /// A qualifier after aliasing (`a1` → `alpha`, `cr` → `rc`, `ga`/`final`/`release` → ``).
    Str(String),
    List(Vec<Item>),
}

const QUALIFIERS: [&str; 7] = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];
/// The rank of `` (a release) among QUALIFIERS.
const RELEASE: usize = 5;
/// Versions longer than this are not versions; bounds the nesting built below.
const MAX_LEN: usize = 256;

impl Version {
    pub fn parse(text: &str) -> Option<Version> {
        let v = text.trim().to_lowercase();
        if v.is_empty() || v.len() > MAX_LEN {
            return None;
        }
        // The lists form a chain: each new list is the last item of the one before.
        let mut chain: Vec<Vec<Item>> = vec![Vec::new()];
        let mut start = 0;
        let mut digit = false;
        let chars: Vec<(usize, char)> = v.char_indices().collect();
        for &(i, c) in &chars {
            let current = chain.len() - 1;
            if c == '.' || c == '-' {
                let item = if i == start { Item::Int(String::new()) } else { item(&v[start..i], false) };
                chain[current].push(item);
                start = i + c.len_utf8();
                if c == '-' {
                    chain.push(Vec::new());
                }
            } else if c.is_ascii_digit() {
                if !digit && i > start {
                    chain[current].push(item(&v[start..i], true));
                    start = i;
                    chain.push(Vec::new());
                }
                digit = true;
            } else {
                if digit && i > start {
                    chain[current].push(item(&v[start..i], false));
                    start = i;
                    chain.push(Vec::new());
                }
                digit = false;
            }
        }
        if v.len() > start {
            let last = chain.len() - 1;
            chain[last].push(item(&v[start..], false));
        }
        let mut inner: Option<Vec<Item>> = None;
        while let Some(mut list) = chain.pop() {
            if let Some(child) = inner.take() {
                list.push(Item::List(child));
            }
            normalise(&mut list);
            inner = Some(list);
        }
        Some(Version { items: inner.unwrap_or_default() })
    }
}

fn item(text: &str, followed_by_digit: bool) -> Item {
    if text.bytes().all(|b| b.is_ascii_digit()) {
        return Item::Int(text.trim_start_matches('0').to_string());
    }
    let text = match (text, followed_by_digit) {
        ("a", true) => "alpha",
        ("b", true) => "beta",
        ("m", true) => "milestone",
        ("ga" | "final" | "release", _) => "",
        ("cr", _) => "rc",
        (t, _) => t,
    };
    Item::Str(text.to_string())
}

/// Drops trailing null items, looking past nested lists (as ComparableVersion does).
fn normalise(list: &mut Vec<Item>) {
    let mut i = list.len();
    while i > 0 {
        i -= 1;
        if is_null(&list[i]) {
            list.remove(i);
        } else if !matches!(list[i], Item::List(_)) {
            break;
        }
    }
}

fn is_null(item: &Item) -> bool {
    match item {
        Item::Int(n) => n.is_empty(),
        Item::Str(s) => s.is_empty(),
        Item::List(l) => l.is_empty(),
    }
}

/// ComparableVersion compares qualifier ranks as strings: `"0"`…`"6"` for known ones,
/// `"7-<text>"` for the rest.
fn rank(q: &str) -> String {
    match QUALIFIERS.iter().position(|k| *k == q) {
        Some(i) => i.to_string(),
        None => format!("{}-{q}", QUALIFIERS.len()),
    }
}

fn int_cmp(a: &str, b: &str) -> Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// `a` against `b`, where None is the padding of a shorter list.
fn cmp(a: Option<&Item>, b: Option<&Item>) -> Ordering {
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(b)) => cmp(Some(b), None).reverse(),
        (Some(Item::Int(n)), None) => {
            if n.is_empty() {
                Ordering::Equal
            } else {
                Ordering::Greater
            }
        }
        (Some(Item::Str(s)), None) => rank(s).cmp(&RELEASE.to_string()),
        (Some(Item::List(l)), None) => cmp(l.first(), None),
        (Some(Item::Int(x)), Some(Item::Int(y))) => int_cmp(x, y),
        (Some(Item::Int(_)), Some(_)) => Ordering::Greater,
        (Some(Item::Str(_)), Some(Item::Int(_) | Item::List(_))) => Ordering::Less,
        (Some(Item::Str(x)), Some(Item::Str(y))) => rank(x).cmp(&rank(y)),
        (Some(Item::List(_)), Some(Item::Int(_))) => Ordering::Less,
        (Some(Item::List(_)), Some(Item::Str(_))) => Ordering::Greater,
        (Some(Item::List(x)), Some(Item::List(y))) => list_cmp(x, y),
    }
}

fn list_cmp(x: &[Item], y: &[Item]) -> Ordering {
    for i in 0..x.len().max(y.len()) {
        let o = cmp(x.get(i), y.get(i));
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

impl Ord for Version {
    fn cmp(&self, other: &Version) -> Ordering {
        list_cmp(&self.items, &other.items)
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Version) -> Option<Ordering> {
        Some(Ord::cmp(self, other))
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Version) -> bool {
        Ord::cmp(self, other) == Ordering::Equal
    }
}

impl Eq for Version {}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    fn assert_increasing(list: &[&str]) {
        for (i, a) in list.iter().enumerate() {
            for b in &list[i + 1..] {
                assert!(v(a) < v(b), "{a} < {b}");
            }
        }
    }

    #[test]
    fn qualifier_order() {
        assert_increasing(&[
            "1-alpha2snapshot",
            "1-alpha2",
            "1-alpha-123",
            "1-beta-2",
            "1-beta123",
            "1-m2",
            "1-m11",
            "1-rc",
            "1-cr2",
            "1-rc123",
            "1-SNAPSHOT",
            "1",
            "1-sp",
            "1-sp2",
            "1-sp123",
            "1-abc",
            "1-def",
            "1-pom-1",
            "1-1-snapshot",
            "1-1",
            "1-2",
            "1-123",
        ]);
    }

    #[test]
    fn number_order() {
        assert_increasing(&[
            "2.0", "2-1", "2.0.a", "2.0.0.a", "2.0.2", "2.0.123", "2.1.0", "2.1-a", "2.1b", "2.1-c", "2.1-1", "2.1.0.1", "2.2", "2.123",
            "11.a2", "11.a11", "11.b2", "11.b11", "11.m2", "11.m11", "11", "11.a", "11b", "11c", "11m",
        ]);
    }

    #[test]
    fn equal_spellings() {
        for (a, b) in [
            ("1", "1.0.0"),
            ("1-ga", "1"),
            ("1.final", "1"),
            ("1-release", "1.0"),
            ("1cr1", "1rc1"),
            ("1a1", "1-alpha-1"),
            ("1.0.RC1", "1.0.rc1"),
            ("2.0-beta9", "2.0-BETA9"),
            ("1.007", "1.7"),
        ] {
            assert_eq!(v(a), v(b), "{a} == {b}");
        }
    }

    #[test]
    fn log4j_and_jackson_versions() {
        assert!(v("2.0-beta9") < v("2.0"));
        assert!(v("2.0-rc1") < v("2.0"));
        assert!(v("2.14.1") < v("2.15.0"));
        assert!(v("2.12.2") < v("2.12.4"));
        assert!(v("2.9.10") < v("2.9.10.8"));
        assert!(v("2.9.10.8") < v("2.10.0"));
    }

    proptest! {
        #[test]
        fn ordering_is_antisymmetric(a in "[0-9a-z.-]{1,12}", b in "[0-9a-z.-]{1,12}") {
            let (x, y) = (v(&a), v(&b));
            prop_assert_eq!(Ord::cmp(&x, &y), Ord::cmp(&y, &x).reverse());
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,300}") {
            let _ = Version::parse(&s);
        }
    }
}
