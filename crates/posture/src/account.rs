//! Account ids as IaC writes them: bare (`123456789012`) or inside an ARN
//! (`arn:aws:iam::123456789012:root`, `arn:aws:lambda:us-east-1:123456789012:layer:x:1`).

/// The literal 12-digit account a principal or ARN names; `None` when it names none or only a
/// reference (`${AWS::AccountId}`, `!Ref`, `var.x`), which deploys into your own account.
pub fn literal_account(text: &str) -> Option<&str> {
    let text = text.trim();
    if is_account_id(text) {
        return Some(text);
    }
    let account = Arn::parse(text)?.account;
    is_account_id(account).then_some(account)
}

/// An ARN's fields, split on the colons outside `${…}` (`${AWS::Region}` is one field). `!Sub` and
/// quotes around it are dropped.
#[derive(Debug, PartialEq, Eq)]
pub struct Arn<'a> {
    pub service: &'a str,
    pub region: &'a str,
    pub account: &'a str,
    /// Everything after the account: `table/Orders`, `function:api`, `uploads/*`.
    pub resource: &'a str,
}

impl<'a> Arn<'a> {
    pub fn parse(text: &'a str) -> Option<Arn<'a>> {
        let text = unquote(text);
        let text = unquote(text.strip_prefix("!Sub").unwrap_or(text));
        if !text.starts_with("arn:") {
            return None;
        }
        let mut fields = [""; 5];
        let (mut start, mut n, mut depth) = (0, 0, 0u32);
        let bytes = text.as_bytes();
        for (i, &b) in bytes.iter().enumerate() {
            match b {
                b'{' if i > 0 && bytes[i - 1] == b'$' => depth += 1,
                b'}' if depth > 0 => depth -= 1,
                b':' if depth == 0 => {
                    fields[n] = &text[start..i];
                    start = i + 1;
                    n += 1;
                    if n == fields.len() {
                        return Some(Arn { service: fields[2], region: fields[3], account: fields[4], resource: &text[start..] });
                    }
                }
                _ => {}
            }
        }
        None
    }
}

pub fn unquote(s: &str) -> &str {
    s.trim().trim_matches(|c| c == '"' || c == '\'').trim()
}

pub fn is_account_id(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

/// `lambda.amazonaws.com`, `s3.amazonaws.com.cn`: an AWS service, not an account.
pub fn is_service_principal(principal: &str) -> bool {
    let p = principal.trim().to_ascii_lowercase();
    p.ends_with(".amazonaws.com") || p.ends_with(".amazonaws.com.cn") || p.ends_with(".amazon.com")
}

/// `*`, or `{"AWS": "*"}` as the readers flatten it.
pub fn is_anyone(principal: &str) -> bool {
    principal.trim() == "*"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_bare_ids_and_arns() {
        assert_eq!(literal_account("123456789012"), Some("123456789012"));
        assert_eq!(literal_account("arn:aws:iam::123456789012:root"), Some("123456789012"));
        assert_eq!(literal_account("arn:aws:lambda:us-east-1:210987654321:layer:x:3"), Some("210987654321"));
        assert_eq!(literal_account("arn:aws:iam::${AWS::AccountId}:root"), None);
        assert_eq!(literal_account("!Ref AWS::AccountId"), None);
        assert_eq!(literal_account("12345"), None);
        assert_eq!(literal_account("arn:aws:s3:::bucket"), None);
        assert_eq!(literal_account("arn"), None);
        assert_eq!(literal_account("!Sub arn:aws:lambda:${AWS::Region}:580247275435:layer:x:3"), Some("580247275435"));
        assert_eq!(literal_account("arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:layer:x:3"), None);
    }

    #[test]
    fn arn_fields_keep_substitutions_whole() {
        let arn = Arn::parse("arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${Table}").unwrap();
        assert_eq!(
            (arn.service, arn.region, arn.account, arn.resource),
            ("dynamodb", "${AWS::Region}", "${AWS::AccountId}", "table/${Table}")
        );
        let arn = Arn::parse("arn:aws:s3:::uploads/*").unwrap();
        assert_eq!((arn.service, arn.account, arn.resource), ("s3", "", "uploads/*"));
        assert_eq!(Arn::parse("arn:aws:s3"), None);
        assert_eq!(Arn::parse("arn:aws:x:${unclosed:a:b:c"), None);
    }

    #[test]
    fn service_principals() {
        assert!(is_service_principal("apigateway.amazonaws.com"));
        assert!(is_service_principal("S3.amazonaws.com.cn"));
        assert!(!is_service_principal("123456789012"));
        assert!(!is_service_principal("*"));
    }
}
