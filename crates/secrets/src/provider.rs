//! Provider credential formats. Each pattern starts at one of its literal anchors (the prefilter
//! finds those), so it is confirmed by one anchored regex run over a bounded window at the hit.

use fnwarden_project::ScanRule;

use crate::rules;

/// Extra checks a regex cannot express.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Check {
    /// The token must not continue into more token characters, nor be a documented example.
    Token,
    /// Base64url header that decodes to JSON naming an `alg`.
    Jwt,
    /// The password part (group 1) must be a real one, and the host not a local dev database.
    DatabaseUrl,
    /// A PEM block; inside a JSON `"private_key"` field it is a GCP service-account key.
    PrivateKey,
}

/// Where a match starts, relative to its anchor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Back {
    /// This many bytes before the anchor.
    Fixed(usize),
    /// At the start of the URL scheme that ends at the anchor (`postgres` of `postgres://`).
    Scheme,
}

/// Longest URL scheme looked back over.
const MAX_SCHEME: usize = 16;

impl Back {
    /// The match start for an anchor at `hit`, if there is room for it.
    pub(crate) fn start(self, bytes: &[u8], hit: usize) -> Option<usize> {
        match self {
            Back::Fixed(n) => hit.checked_sub(n),
            Back::Scheme => {
                let floor = hit.saturating_sub(MAX_SCHEME);
                let mut s = hit;
                while s > floor && (bytes[s - 1].is_ascii_lowercase() || bytes[s - 1] == b'+') {
                    s -= 1;
                }
                (s < hit).then_some(s)
            }
        }
    }
}

pub(crate) struct Pattern {
    pub rule: &'static ScanRule,
    /// For messages: what was found.
    pub kind: &'static str,
    /// Literal prefixes of the match, found by the shared prefilter.
    pub anchors: &'static [&'static str],
    /// Where the match starts relative to the anchor.
    pub back: Back,
    /// Matched anchored at the start `back` gives, over a bounded window. When it has a
    /// group 1, that group is the secret.
    pub regex: &'static str,
    pub check: Check,
    /// The byte before the match must not be a token character.
    pub boundary: bool,
}

/// Ordered by precedence: when two matches overlap, the earlier pattern's is kept. Anchors are
/// few and case-sensitive (at most 64 in all with the keywords) so the prefilter can use SIMD.
pub(crate) static PATTERNS: &[Pattern] = &[
    Pattern {
        rule: &rules::PRIVATE_KEY,
        kind: "private key",
        anchors: &["-----BEGIN"],
        back: Back::Fixed(0),
        regex: r"-----BEGIN (?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?-----(?:\\n|\\r|[\r\n \t])*(?:Proc-Type:|Comment:|[A-Za-z0-9+/=]{40,})",
        check: Check::PrivateKey,
        boundary: false,
    },
    Pattern {
        rule: &rules::AWS_ACCESS_KEY_ID,
        kind: "AWS access key id",
        anchors: &["AKI", "ASIA", "ABIA", "ACCA"],
        back: Back::Fixed(0),
        regex: r"(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}",
        check: Check::Token,
        boundary: true,
    },
    Pattern {
        rule: &rules::TENCENT_SECRET_ID,
        kind: "Tencent Cloud SecretId",
        anchors: &["AKI"],
        back: Back::Fixed(0),
        regex: r"AKID[0-9A-Za-z]{32}",
        check: Check::Token,
        boundary: true,
    },
    Pattern {
        rule: &rules::AWS_SESSION_TOKEN,
        kind: "AWS session token",
        anchors: &["IQoJb3JpZ2luX2Vj", "FwoGZXIvYXdzE"],
        back: Back::Fixed(0),
        regex: r"(?:IQoJb3JpZ2luX2Vj|FwoGZXIvYXdzE)[A-Za-z0-9/+=]{100,}",
        check: Check::Token,
        boundary: true,
    },
    Pattern {
        rule: &rules::GCP_API_KEY,
        kind: "Google API key",
        anchors: &["AIza"],
        back: Back::Fixed(0),
        regex: r"AIza[0-9A-Za-z_\-]{35}",
        check: Check::Token,
        boundary: true,
    },
    Pattern {
        rule: &rules::AZURE_STORAGE_KEY,
        kind: "Azure account or shared access key",
        // Found through the `Key` keyword (scanner::PROVIDER_KEYS).
        anchors: &[],
        back: Back::Fixed(0),
        regex: r"(?:AccountKey|SharedAccessKey)=([A-Za-z0-9+/]{40,88}={0,2})",
        check: Check::Token,
        boundary: false,
    },
    Pattern {
        rule: &rules::GITHUB_TOKEN,
        kind: "GitHub token",
        anchors: &["ghp_", "gho_", "ghu_", "ghs_", "ghr_"],
        back: Back::Fixed(0),
        regex: r"gh[pousr]_[A-Za-z0-9]{36}",
        check: Check::Token,
        boundary: true,
    },
    Pattern {
        rule: &rules::GITHUB_TOKEN,
        kind: "GitHub fine-grained token",
        // `github_pat_` by `b_pat_`: `git` starts too many words for the prefilter.
        anchors: &["b_pat_"],
        back: Back::Fixed(5),
        regex: r"github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}",
        check: Check::Token,
        boundary: true,
    },
    Pattern {
        rule: &rules::GITLAB_TOKEN,
        kind: "GitLab token",
        anchors: &["glpat-", "gldt-", "glrt-", "glptt-"],
        back: Back::Fixed(0),
        regex: r"gl(?:pat|dt|rt|ptt)-[0-9A-Za-z_\-]{20,64}",
        check: Check::Token,
        boundary: true,
    },
    Pattern {
        rule: &rules::GITLAB_TOKEN,
        kind: "GitLab OAuth application secret",
        // `gloas-` by `oas-`: `glo` starts `global`.
        anchors: &["oas-"],
        back: Back::Fixed(2),
        regex: r"gloas-[0-9A-Za-z_\-]{20,64}",
        check: Check::Token,
        boundary: true,
    },
    Pattern {
        rule: &rules::SLACK_TOKEN,
        kind: "Slack token",
        anchors: &["xox", "xapp-"],
        back: Back::Fixed(0),
        regex: r"(?:xox[bpares]-[0-9]{6,}-[0-9A-Za-z\-]{10,}|xapp-[0-9]-[A-Z0-9]{6,}-[0-9]{6,}-[A-Za-z0-9]{20,})",
        check: Check::Token,
        boundary: true,
    },
    Pattern {
        rule: &rules::SLACK_WEBHOOK,
        kind: "Slack webhook URL",
        anchors: &["hooks.slack.com"],
        back: Back::Fixed(0),
        regex: r"hooks\.slack\.com/services/(T[A-Z0-9]{6,}/B[A-Z0-9]{6,}/[A-Za-z0-9]{20,})",
        check: Check::Token,
        boundary: false,
    },
    Pattern {
        rule: &rules::STRIPE_KEY,
        kind: "Stripe live key",
        anchors: &["k_live_"],
        back: Back::Fixed(1),
        regex: r"[sr]k_live_[0-9A-Za-z]{20,247}",
        check: Check::Token,
        boundary: true,
    },
    Pattern {
        rule: &rules::SENDGRID_KEY,
        kind: "SendGrid API key",
        anchors: &["SG."],
        back: Back::Fixed(0),
        regex: r"SG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43}",
        check: Check::Token,
        boundary: true,
    },
    Pattern {
        rule: &rules::NPM_TOKEN,
        kind: "npm access token",
        anchors: &["npm_"],
        back: Back::Fixed(0),
        regex: r"npm_[A-Za-z0-9]{36}",
        check: Check::Token,
        boundary: true,
    },
    Pattern {
        rule: &rules::PYPI_TOKEN,
        kind: "PyPI token",
        anchors: &["pypi-AgEIcHlwaS5vcmc"],
        back: Back::Fixed(0),
        regex: r"pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_\-]{50,}",
        check: Check::Token,
        boundary: true,
    },
    Pattern {
        rule: &rules::JWT,
        kind: "JSON Web Token",
        anchors: &["eyJ"],
        back: Back::Fixed(0),
        regex: r"eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{16,}",
        check: Check::Jwt,
        boundary: true,
    },
    Pattern {
        rule: &rules::DATABASE_URL,
        kind: "database URL password",
        anchors: &["://"],
        back: Back::Scheme,
        regex: r#"(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|sqlserver)://[^:/@\s"'`]{0,128}:([^@\s"'`/]{1,256})@[A-Za-z0-9._\-\[\]:]+"#,
        check: Check::DatabaseUrl,
        boundary: false,
    },
];

/// Bytes that continue a token (so a match inside a longer token is not this provider's).
pub(crate) fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'+' | b'/')
}
