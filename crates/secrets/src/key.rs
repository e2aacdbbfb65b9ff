//! What a key name says its value is. A key is split into words (`AWS_SECRET_ACCESS_KEY`,
//! `awsSecretAccessKey` and `aws-secret-access-key` all give aws/secret/access/key) and judged
//! by its last word, so `password` counts and `password_policy`, `token_url`, `secret_name` do not.

/// The kinds of secret a key name announces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum KeyKind {
    Password,
    Secret,
    AwsSecretKey,
    AwsSessionToken,
    TencentSecretKey,
    TwilioSecret,
    AzureClientSecret,
    NpmToken,
    /// `Authorization`: the value carries a scheme (`Bearer …`, `Basic …`).
    Authorization,
}

const MAX_WORDS: usize = 16;

/// Lower-case words of an identifier, split at separators and camelCase humps.
pub(crate) fn words(key: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let b = key.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        // A hump: aB, or the last capital of a run before lower case (APIKey -> api key).
        let hump = c.is_ascii_uppercase() && i > 0 && (b[i - 1].is_ascii_lowercase() || b[i - 1].is_ascii_digit() && !cur.is_empty())
            || c.is_ascii_uppercase() && i > 0 && b[i - 1].is_ascii_uppercase() && b.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
        if hump && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        cur.push(c.to_ascii_lowercase() as char);
        if out.len() >= MAX_WORDS {
            break;
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Words before `key` that make it a secret key rather than a lookup key or a public key.
const KEY_QUALIFIERS: &[&str] = &[
    "api",
    "access",
    "secret",
    "private",
    "signing",
    "encryption",
    "master",
    "auth",
    "client",
    "app",
    "account",
    "service",
    "license",
    "subscription",
    "webhook",
    "hmac",
    "jwt",
];

/// Words before `token` / `secret` that make it a non-credential (pagination, CSRF, limits).
const NOT_CREDENTIAL: &[&str] = &[
    "next",
    "page",
    "continuation",
    "pagination",
    "csrf",
    "xsrf",
    "idempotency",
    "cancel",
    "cancellation",
    "sync",
    "max",
    "min",
    "num",
    "public",
    "request",
];

/// The kind of secret `key` names, if any.
pub(crate) fn classify(key: &str) -> Option<KeyKind> {
    let w = words(key);
    let last = w.last()?.as_str();
    let prev = w.len().checked_sub(2).map(|i| w[i].as_str()).unwrap_or("");
    let has = |word: &str| w.iter().any(|x| x == word);
    if NOT_CREDENTIAL.contains(&prev) {
        return None;
    }
    let base = match last {
        "password" | "passwd" | "pwd" | "passphrase" | "passw" => KeyKind::Password,
        "pass" if w.len() >= 2 => KeyKind::Password,
        "secret" | "token" | "apikey" | "accesskey" | "privatekey" | "secretkey" | "credential" | "credentials" | "auth"
        | "sessiontoken" => KeyKind::Secret,
        "key" if KEY_QUALIFIERS.contains(&prev) => KeyKind::Secret,
        "authorization" => KeyKind::Authorization,
        _ => return None,
    };
    let joined: String = w.concat();
    let kind = if joined.contains("secretaccesskey") || has("aws") && (last == "secretkey" || prev == "secret" && last == "key") {
        KeyKind::AwsSecretKey
    } else if (has("aws") || has("amz")) && (joined.ends_with("sessiontoken") || joined.ends_with("securitytoken")) {
        KeyKind::AwsSessionToken
    } else if (has("tencent") || has("tencentcloud") || has("qcloud") || has("tc")) && (joined.ends_with("secretkey") || last == "secret") {
        KeyKind::TencentSecretKey
    } else if has("twilio") {
        KeyKind::TwilioSecret
    } else if (has("azure") || has("arm")) && joined.ends_with("clientsecret") {
        KeyKind::AzureClientSecret
    } else if key.ends_with("_authToken") {
        KeyKind::NpmToken
    } else {
        base
    };
    Some(kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_identifier_styles() {
        assert_eq!(words("AWS_SECRET_ACCESS_KEY"), ["aws", "secret", "access", "key"]);
        assert_eq!(words("awsSecretAccessKey"), ["aws", "secret", "access", "key"]);
        assert_eq!(words("x-api-key"), ["x", "api", "key"]);
        assert_eq!(words("APIKey"), ["api", "key"]);
        assert_eq!(words("db.password"), ["db", "password"]);
        assert_eq!(words("oauth2Token"), ["oauth2", "token"]);
    }

    #[test]
    fn secret_names_are_classified() {
        assert_eq!(classify("DB_PASSWORD"), Some(KeyKind::Password));
        assert_eq!(classify("dbPass"), Some(KeyKind::Password));
        assert_eq!(classify("apiKey"), Some(KeyKind::Secret));
        assert_eq!(classify("API_KEY"), Some(KeyKind::Secret));
        assert_eq!(classify("client_secret"), Some(KeyKind::Secret));
        assert_eq!(classify("aws_secret_access_key"), Some(KeyKind::AwsSecretKey));
        assert_eq!(classify("SecretAccessKey"), Some(KeyKind::AwsSecretKey));
        assert_eq!(classify("AWS_SESSION_TOKEN"), Some(KeyKind::AwsSessionToken));
        assert_eq!(classify("TENCENTCLOUD_SECRET_KEY"), Some(KeyKind::TencentSecretKey));
        assert_eq!(classify("TWILIO_AUTH_TOKEN"), Some(KeyKind::TwilioSecret));
        assert_eq!(classify("AZURE_CLIENT_SECRET"), Some(KeyKind::AzureClientSecret));
        assert_eq!(classify("_authToken"), Some(KeyKind::NpmToken));
        assert_eq!(classify("Authorization"), Some(KeyKind::Authorization));
    }

    #[test]
    fn non_secret_names_are_not() {
        for k in [
            "password_policy",
            "token_url",
            "secret_name",
            "SECRET_ARN",
            "public_key",
            "next_token",
            "NextToken",
            "csrf_token",
            "primary_key",
            "tokenizer",
            "passive",
            "pass",
            "aws_access_key_id",
            "SecretId",
            "author",
        ] {
            assert_eq!(classify(k), None, "{k}");
        }
    }
}
