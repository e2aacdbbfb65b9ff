//! How random a value looks: Shannon entropy over its bytes, judged against its length, and the
//! character classes it mixes. Random credentials mix classes and rarely repeat; words, ids and
//! placeholders do the opposite.

/// Shannon entropy in bits per byte.
pub(crate) fn shannon(s: &[u8]) -> f64 {
    if s.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in s {
        counts[b as usize] += 1;
    }
    let n = s.len() as f64;
    counts.iter().filter(|&&c| c > 0).map(|&c| f64::from(c) / n).map(|p| -p * p.log2()).sum()
}

/// How many of lower case, upper case, digits and symbols the value uses.
pub(crate) fn classes(s: &[u8]) -> u32 {
    let mut seen = [false; 4];
    for &b in s {
        let class = match b {
            b'a'..=b'z' => 0,
            b'A'..=b'Z' => 1,
            b'0'..=b'9' => 2,
            _ => 3,
        };
        seen[class] = true;
    }
    seen.iter().filter(|&&x| x).count() as u32
}

/// The entropy a value of this length must reach. A string of n distinct bytes has log2(n) bits,
/// so short values are held to a bar just under that (a random 8-character value almost never
/// repeats more than one byte); from 12 bytes on the bar stays at 3.0, which random hex (about
/// 3.7) and base64 (about 5) clear and repeated or word-like text does not.
pub(crate) fn threshold(len: usize) -> f64 {
    ((len.max(1) as f64).log2() - 0.6).min(3.0)
}

/// Random-looking enough to be a credential: at least two character classes and entropy over
/// the length's bar.
pub(crate) fn looks_random(s: &[u8]) -> bool {
    classes(s) >= 2 && shannon(s) >= threshold(s.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entropy_of_known_strings() {
        assert_eq!(shannon(b""), 0.0);
        assert_eq!(shannon(b"aaaa"), 0.0);
        assert!((shannon(b"abcd") - 2.0).abs() < 1e-9);
        assert!((shannon(b"0123456789abcdef") - 4.0).abs() < 1e-9);
    }

    #[test]
    fn random_values_pass_and_repetitive_ones_do_not() {
        assert!(looks_random(b"Xk9#mQ2v"));
        assert!(looks_random(b"9f86d081884c7d659a2feaa0c55ad015"));
        assert!(looks_random(b"wJalrXUtnFEMI/K7MDENG/bPxRfiCYzQ8d3kLm2p"));
        assert!(!looks_random(b"aaaa1111"));
        assert!(!looks_random(b"abababab12"));
        assert!(!looks_random(b"passwordpassword"));
        assert!(!looks_random(b"12345678901234"));
    }

    #[test]
    fn classes_are_counted() {
        assert_eq!(classes(b"abc"), 1);
        assert_eq!(classes(b"aB3$"), 4);
        assert_eq!(classes(b"ABC_DEF"), 2);
    }
}
