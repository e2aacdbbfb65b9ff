//! Plain text columns for listings meant for people.

/// Left-aligned columns; the last column is not padded.
pub fn table<const N: usize>(header: [&str; N], rows: &[[String; N]]) -> String {
    if rows.is_empty() {
        return String::new();
    }
    let mut width = header.map(|h| h.chars().count());
    for r in rows {
        for (w, c) in width.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut s = String::new();
    let mut line = |cells: &[&str]| {
        for (i, c) in cells.iter().enumerate() {
            if i + 1 == N {
                s.push_str(c);
            } else {
                s.push_str(c);
                s.push_str(&" ".repeat(width[i] - c.chars().count() + 2));
            }
        }
        s.push('\n');
    };
    line(&header);
    for r in rows {
        line(&r.each_ref().map(String::as_str));
    }
    s.pop();
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_align_and_the_last_is_not_padded() {
        let rows = [["a".to_owned(), "long value".to_owned(), "x".to_owned()], ["bbb".to_owned(), "v".to_owned(), "y".to_owned()]];
        assert_eq!(table(["K", "V", "Z"], &rows), "K    V           Z\na    long value  x\nbbb  v           y");
        assert_eq!(table(["K"], &[]), "");
    }
}
