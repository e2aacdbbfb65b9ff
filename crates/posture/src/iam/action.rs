//! IAM action patterns: `s3:GetObject`, `s3:Get*`, `s3:*`, `*`, matched case-insensitively as IAM
//! does, with `NotAction` meaning "everything but these".

use fnwarden_project::Statement;

/// How a statement grants an action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grant<'a> {
    /// Through this pattern of its `Action` list.
    Pattern(&'a str),
    /// Through `NotAction`: the action is not among the excluded ones.
    NotAction,
}

impl Grant<'_> {
    /// `*`, `iam:*`, or `NotAction`: it grants the action without naming it.
    pub fn is_broad(self) -> bool {
        match self {
            Grant::Pattern(p) => is_broad_pattern(p),
            Grant::NotAction => true,
        }
    }

    pub fn describe(self) -> String {
        match self {
            Grant::Pattern(p) => format!("`{p}`"),
            Grant::NotAction => "`NotAction`".to_owned(),
        }
    }
}

/// Does this allow statement grant `action`? Deny statements grant nothing.
pub fn grant<'a>(statement: &'a Statement, action: &str) -> Option<Grant<'a>> {
    if !statement.allow {
        return None;
    }
    let hit = statement.actions.iter().find(|p| matches(p, action));
    match (statement.not_action, hit) {
        (false, Some(p)) => Some(Grant::Pattern(p)),
        (true, None) => Some(Grant::NotAction),
        _ => None,
    }
}

/// `*`, `*:*` or a whole service (`s3:*`).
pub fn is_broad_pattern(pattern: &str) -> bool {
    let p = pattern.trim();
    p == "*" || p == "*:*" || p.split_once(':').is_some_and(|(service, rest)| !service.is_empty() && rest == "*")
}

const MAX_PATTERN: usize = 256;

/// `*` and `?` glob over ASCII case-insensitive text; linear backtracking, no recursion.
pub fn matches(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.trim().as_bytes(), text.as_bytes());
    // IAM action names are at most 128 characters; a longer pattern is not one, and bounding it
    // bounds the backtracking.
    if p.len() > MAX_PATTERN {
        return false;
    }
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == b'?' || p[pi].eq_ignore_ascii_case(&t[ti])) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&b| b == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;
    use fnwarden_project::Location;

    fn stmt(actions: &[&str], not_action: bool, allow: bool) -> Statement {
        Statement {
            allow,
            actions: actions.iter().map(|a| a.to_string()).collect(),
            not_action,
            resources: vec!["*".into()],
            principals: vec![],
            conditional: false,
            location: Location::new("t.yml", 1, 0),
        }
    }

    #[test]
    fn globs() {
        assert!(matches("*", "iam:PassRole"));
        assert!(matches("iam:*", "IAM:PassRole"));
        assert!(matches("iam:Pass*", "iam:passrole"));
        assert!(matches("iam:?assRole", "iam:PassRole"));
        assert!(matches("lambda:*Function*", "lambda:UpdateFunctionCode"));
        assert!(!matches("iam:Put*", "iam:PassRole"));
        assert!(!matches("s3:*", "iam:PassRole"));
        assert!(!matches("iam:PassRole", "iam:PassRoles"));
        assert!(matches("a*b*c", "aXXbYYc"));
        assert!(!matches("a*b*c", "aXXbYY"));
        assert!(!matches(&"*".repeat(10_000), "iam:PassRole"));
    }

    #[test]
    fn grants_follow_effect_and_not_action() {
        assert_eq!(grant(&stmt(&["iam:*"], false, true), "iam:PassRole"), Some(Grant::Pattern("iam:*")));
        assert_eq!(grant(&stmt(&["iam:*"], false, false), "iam:PassRole"), None);
        assert_eq!(grant(&stmt(&["s3:*"], true, true), "iam:PassRole"), Some(Grant::NotAction));
        assert_eq!(grant(&stmt(&["iam:*"], true, true), "iam:PassRole"), None);
    }

    #[test]
    fn broad_patterns() {
        assert!(is_broad_pattern("*"));
        assert!(is_broad_pattern("s3:*"));
        assert!(is_broad_pattern("*:*"));
        assert!(!is_broad_pattern("s3:Get*"));
        assert!(!is_broad_pattern("s3:GetObject"));
        assert!(!is_broad_pattern(":*"));
    }
}
