//! A value assigned to a secret-named key, judged by what the key announces: provider-named keys
//! want their provider's shape, generic ones a literal that is neither a stand-in nor a word.

use fnwarden_project::ScanRule;

use crate::key::KeyKind;
use crate::rules;
use crate::value::{self, Strictness};

pub(crate) struct Judged {
    pub rule: &'static ScanRule,
    /// For messages: what the value is.
    pub what: &'static str,
    /// Bytes of the value before the secret (an `Authorization` scheme).
    pub skip: usize,
}

fn judged(rule: &'static ScanRule, what: &'static str) -> Option<Judged> {
    Some(Judged { rule, what, skip: 0 })
}

fn all(v: &str, allowed: impl Fn(u8) -> bool) -> bool {
    v.bytes().all(allowed)
}

fn base64_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=')
}

/// Entra ID client secrets: three characters, a digit, `Q~`, then 31 to 34 more.
fn is_azure_client_secret(v: &str) -> bool {
    let b = v.as_bytes();
    let secret_byte = |c: &u8| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'~' | b'.' | b'-');
    (37..=40).contains(&b.len()) && b[3].is_ascii_digit() && &b[4..6] == b"Q~" && b.iter().all(secret_byte) && !value::is_placeholder(v)
}

/// The secret in `v`, when `kind` names one and `v` is a literal credential.
pub(crate) fn judge(kind: KeyKind, v: &str) -> Option<Judged> {
    let generic = |strictness| value::is_generic_secret(v, strictness);
    let real =
        |len_ok: bool| len_ok && !value::is_example_token(v) && !value::is_reference(v) && crate::entropy::looks_random(v.as_bytes());
    match kind {
        KeyKind::AwsSecretKey if real(v.len() == 40 && all(v, base64_byte)) => judged(&rules::AWS_SECRET_KEY, "AWS secret access key"),
        KeyKind::AwsSessionToken if real(v.len() >= 100 && all(v, base64_byte)) => judged(&rules::AWS_SESSION_TOKEN, "AWS session token"),
        KeyKind::TencentSecretKey if real(v.len() == 32 && all(v, |b| b.is_ascii_alphanumeric())) => {
            judged(&rules::TENCENT_SECRET_KEY, "Tencent Cloud SecretKey")
        }
        KeyKind::TwilioSecret if real(v.len() == 32 && all(v, |b| b.is_ascii_alphanumeric())) => {
            judged(&rules::TWILIO_KEY, "Twilio auth token")
        }
        KeyKind::AzureClientSecret | KeyKind::Secret if is_azure_client_secret(v) => {
            judged(&rules::AZURE_CLIENT_SECRET, "Azure client secret")
        }
        KeyKind::AzureClientSecret if generic(Strictness::Secret) => judged(&rules::AZURE_CLIENT_SECRET, "Azure client secret"),
        KeyKind::NpmToken if generic(Strictness::Secret) => judged(&rules::NPM_TOKEN, "npm registry token"),
        KeyKind::Authorization => {
            let (scheme, token) = v.split_once(' ')?;
            let known = ["bearer", "basic", "token", "bot", "apikey"].contains(&scheme.to_ascii_lowercase().as_str());
            (known && value::is_generic_secret(token, Strictness::Secret)).then_some(Judged {
                rule: &rules::GENERIC_SECRET,
                what: "authorization credential",
                skip: scheme.len() + 1,
            })
        }
        KeyKind::Password if generic(Strictness::Password) => judged(&rules::GENERIC_PASSWORD, "password"),
        KeyKind::Password => None,
        _ if generic(Strictness::Secret) => judged(&rules::GENERIC_SECRET, "secret"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(kind: KeyKind, v: &str) -> Option<&'static str> {
        judge(kind, v).map(|j| j.rule.id)
    }

    #[test]
    fn provider_named_keys_want_their_shape() {
        assert_eq!(rule(KeyKind::AwsSecretKey, "q7Xv2mLk9PzR4tWc8YbN1dHs6FgJ0aKe3UoI5rTy"), Some("fnw-scan-secret-aws-secret-key"));
        assert_eq!(rule(KeyKind::AwsSecretKey, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"), None);
        // Not 40 long: judged as a generic secret.
        assert_eq!(rule(KeyKind::AwsSecretKey, "q7Xv2mLk9PzR4tWc8YbN"), Some("fnw-scan-secret-generic-api-key"));
        assert_eq!(rule(KeyKind::TwilioSecret, "8c1f4e7a2b9d6c3f0e5a8b1d4c7f2e9a"), Some("fnw-scan-secret-twilio-key"));
        assert_eq!(rule(KeyKind::TencentSecretKey, "Gu5t9xGARNpq86cd98joQYCN3Cozk1qA"), Some("fnw-scan-secret-tencent-secret-key"));
        assert_eq!(rule(KeyKind::AzureClientSecret, "${AZURE_SECRET}"), None);
        assert_eq!(rule(KeyKind::Secret, "yeI0Q~8L_KON7Ns0VN-XeoA_Cef9zz-ckumPuEeX"), Some("fnw-scan-secret-azure-client-secret"));
    }

    #[test]
    fn authorization_values_carry_a_scheme() {
        let j = judge(KeyKind::Authorization, "Bearer 7hQ2xK9mVr4LpZ8sWc3N").unwrap();
        assert_eq!(j.skip, 7);
        assert!(judge(KeyKind::Authorization, "Bearer ${TOKEN}").is_none());
        assert!(judge(KeyKind::Authorization, "7hQ2xK9mVr4LpZ8sWc3N").is_none());
    }

    #[test]
    fn generic_kinds() {
        assert_eq!(rule(KeyKind::Password, "Tr0ub4dor&3"), Some("fnw-scan-secret-generic-password"));
        assert_eq!(rule(KeyKind::Password, "changeme"), None);
        assert_eq!(rule(KeyKind::Secret, "9f3Kq2LxV7mZp1Rt"), Some("fnw-scan-secret-generic-api-key"));
        assert_eq!(rule(KeyKind::Secret, "your_api_key_here"), None);
    }
}
