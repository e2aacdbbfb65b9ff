//! The secrets rules. One per provider credential, so baselines and suppressions can name the kind,
//! plus two generic ones found by keyword and entropy.

use fnwarden_project::{Class, ScanRule, Severity};

const CWE: &[u32] = &[798];

macro_rules! secret_rule {
    ($name:ident, $id:literal, $title:literal, $sev:ident, $desc:literal, $fix:literal) => {
        pub static $name: ScanRule = ScanRule {
            id: $id,
            title: $title,
            severity: Severity::$sev,
            class: Class::Secret,
            cwe: CWE,
            description: $desc,
            remediation: $fix,
        };
    };
}

secret_rule!(
    AWS_ACCESS_KEY_ID,
    "fnw-scan-secret-aws-access-key-id",
    "AWS access key id in source",
    High,
    "A long-term (AKIA) or temporary (ASIA) AWS access key id is written in the project. Its secret key is usually next to it; together they act as a user outside the function's own role, and whoever reads the repository or the deployment package holds them.",
    "Deactivate and rotate the key in IAM, remove it from the history, and let the function use its execution role (no keys at all) or read keys from Secrets Manager / SSM at run time."
);
secret_rule!(
    AWS_SECRET_KEY,
    "fnw-scan-secret-aws-secret-key",
    "AWS secret access key in source",
    Critical,
    "A 40-character AWS secret access key assigned to an AWS key name. With its key id it signs any API call the owning user or role may make, from anywhere.",
    "Rotate the key in IAM now, remove it from the history, and use the function's execution role instead of static keys."
);
secret_rule!(
    AWS_SESSION_TOKEN,
    "fnw-scan-secret-aws-session-token",
    "AWS session token in source",
    High,
    "An STS session token is written in the project. Until it expires it grants the session's permissions to whoever reads it; a token captured from a function's environment is exactly what runtime escapes steal.",
    "Remove it; revoke the role's active sessions if it may still be valid, and never persist temporary credentials in code or config."
);
secret_rule!(
    GCP_SERVICE_ACCOUNT_KEY,
    "fnw-scan-secret-gcp-service-account-key",
    "GCP service-account private key in source",
    Critical,
    "A Google service-account JSON key file (its private_key) is part of the project. It authenticates as the service account from anywhere and does not expire.",
    "Delete the key in IAM, remove the file from the history, and use workload identity or the platform's attached service account."
);
secret_rule!(
    GCP_API_KEY,
    "fnw-scan-secret-gcp-api-key",
    "Google API key in source",
    High,
    "A Google API key (AIza…) is written in the project. Unrestricted keys bill the owning project for every call anyone makes with them.",
    "Regenerate the key, restrict it by API and caller, and load it from a secret store at run time."
);
secret_rule!(
    AZURE_STORAGE_KEY,
    "fnw-scan-secret-azure-storage-key",
    "Azure storage or shared access key in a connection string",
    Critical,
    "An Azure connection string carries an AccountKey or SharedAccessKey. The account key gives full control of the storage account; a shared access key of the namespace or hub it names.",
    "Rotate the key in the portal, and use a managed identity or a Key Vault reference instead of the connection string."
);
secret_rule!(
    AZURE_CLIENT_SECRET,
    "fnw-scan-secret-azure-client-secret",
    "Azure AD client secret in source",
    High,
    "An Entra ID (Azure AD) application client secret is written in the project. It signs in as the application with every permission granted to it.",
    "Remove the secret from the app registration, create a new one kept in Key Vault, or switch to a managed identity or certificate credentials."
);
secret_rule!(
    TENCENT_SECRET_ID,
    "fnw-scan-secret-tencent-secret-id",
    "Tencent Cloud SecretId in source",
    High,
    "A Tencent Cloud API SecretId (AKID…) is written in the project; its SecretKey is usually beside it and together they call any API the sub-account may.",
    "Disable and rotate the key pair in CAM and give the function a role (SCF execution role) instead of static keys."
);
secret_rule!(
    TENCENT_SECRET_KEY,
    "fnw-scan-secret-tencent-secret-key",
    "Tencent Cloud SecretKey in source",
    Critical,
    "A Tencent Cloud API SecretKey is assigned to a Tencent key name. With the SecretId it signs any API call of the owning account.",
    "Rotate the key pair in CAM now and use the function's execution role instead."
);
secret_rule!(
    GITHUB_TOKEN,
    "fnw-scan-secret-github-token",
    "GitHub token in source",
    High,
    "A GitHub personal access, OAuth, app or refresh token is written in the project. It reads and often writes the repositories it is scoped to, which opens the supply chain of everything built from them.",
    "Revoke the token in GitHub settings and inject a fine-grained token from a secret store at run time."
);
secret_rule!(
    GITLAB_TOKEN,
    "fnw-scan-secret-gitlab-token",
    "GitLab token in source",
    High,
    "A GitLab personal, deploy, runner or trigger token is written in the project. It acts on the projects it is scoped to.",
    "Revoke the token in GitLab and load a new one from a secret store at run time."
);
secret_rule!(
    SLACK_TOKEN,
    "fnw-scan-secret-slack-token",
    "Slack token in source",
    High,
    "A Slack bot, user or app token is written in the project. It reads channels and posts as the app, a ready phishing channel inside the workspace.",
    "Revoke the token in the Slack app settings and load a new one from a secret store."
);
secret_rule!(
    SLACK_WEBHOOK,
    "fnw-scan-secret-slack-webhook",
    "Slack incoming webhook URL in source",
    Medium,
    "A Slack incoming-webhook URL is written in the project. Anyone holding it can post into the channel as the integration.",
    "Regenerate the webhook and keep its URL in a secret store or an environment value resolved at deploy time."
);
secret_rule!(
    STRIPE_KEY,
    "fnw-scan-secret-stripe-key",
    "Stripe live secret key in source",
    Critical,
    "A live Stripe secret or restricted key (sk_live_/rk_live_) is written in the project. It moves real money: charges, refunds, payouts, customer data.",
    "Roll the key in the Stripe dashboard and load it from a secret store at run time."
);
secret_rule!(
    TWILIO_KEY,
    "fnw-scan-secret-twilio-key",
    "Twilio auth token or API secret in source",
    High,
    "A Twilio auth token or API secret is assigned to a Twilio key name. It sends messages and calls billed to the account, and reads their logs.",
    "Rotate the auth token (or delete the API key) in the Twilio console and load the new one from a secret store."
);
secret_rule!(
    SENDGRID_KEY,
    "fnw-scan-secret-sendgrid-key",
    "SendGrid API key in source",
    High,
    "A SendGrid API key (SG.…) is written in the project. It sends mail from the account's verified domains, a ready spoofing and phishing tool.",
    "Delete the key in SendGrid and create a narrowly scoped one kept in a secret store."
);
secret_rule!(
    NPM_TOKEN,
    "fnw-scan-secret-npm-token",
    "npm access token in source",
    High,
    "An npm access token is written in the project (npm_… or an .npmrc _authToken). A publish-capable token lets anyone release new versions of your packages.",
    "Revoke the token with `npm token revoke`, and give CI a granular token through its secret store."
);
secret_rule!(
    PYPI_TOKEN,
    "fnw-scan-secret-pypi-token",
    "PyPI upload token in source",
    High,
    "A PyPI API token (pypi-…) is written in the project. It uploads releases of the projects it is scoped to.",
    "Remove the token in the PyPI account settings and use trusted publishing or a CI secret."
);
secret_rule!(
    PRIVATE_KEY,
    "fnw-scan-secret-private-key",
    "Private key in source",
    Critical,
    "A PEM or OpenSSH private key block is part of the project. Whatever trusts its public half (servers, TLS clients, signing checks) trusts whoever reads the repository.",
    "Replace the key pair, remove the block from the history, and load keys from a secret store or KMS at run time."
);
secret_rule!(
    JWT,
    "fnw-scan-secret-jwt",
    "JSON Web Token in source",
    Medium,
    "A signed JSON Web Token is written in the project. Until it expires it is a bearer credential for whatever API accepts it; long-lived service tokens often never expire.",
    "Remove the token; revoke it or rotate the signing key if it may still be accepted, and mint tokens at run time."
);
secret_rule!(
    DATABASE_URL,
    "fnw-scan-secret-database-url",
    "Database URL with a password in source",
    High,
    "A database or broker connection URL carries its password (scheme://user:password@host). Anyone who reads it can connect as that user wherever the host is reachable.",
    "Change the database password and build the URL at run time from a secret store (Secrets Manager, SSM SecureString) or use IAM database authentication."
);
secret_rule!(
    GENERIC_PASSWORD,
    "fnw-scan-secret-generic-password",
    "Hard-coded password",
    High,
    "A password-named key is assigned a literal value that is not a placeholder or a reference. A password in code or config ships with every copy of the repository and the deployment package.",
    "Change the password and read it at run time from a secret store (Secrets Manager, SSM SecureString), or resolve it at deploy time."
);
secret_rule!(
    GENERIC_SECRET,
    "fnw-scan-secret-generic-api-key",
    "Hard-coded API key, token or secret",
    High,
    "A key, token or secret-named key is assigned a literal, random-looking value (keyword plus entropy) that matches no provider pattern. It is very likely a live credential for some service.",
    "Rotate the credential with its issuer and read it at run time from a secret store, or resolve it at deploy time."
);

/// Every rule of this crate.
pub fn rules() -> Vec<&'static ScanRule> {
    vec![
        &AWS_ACCESS_KEY_ID,
        &AWS_SECRET_KEY,
        &AWS_SESSION_TOKEN,
        &GCP_SERVICE_ACCOUNT_KEY,
        &GCP_API_KEY,
        &AZURE_STORAGE_KEY,
        &AZURE_CLIENT_SECRET,
        &TENCENT_SECRET_ID,
        &TENCENT_SECRET_KEY,
        &GITHUB_TOKEN,
        &GITLAB_TOKEN,
        &SLACK_TOKEN,
        &SLACK_WEBHOOK,
        &STRIPE_KEY,
        &TWILIO_KEY,
        &SENDGRID_KEY,
        &NPM_TOKEN,
        &PYPI_TOKEN,
        &PRIVATE_KEY,
        &JWT,
        &DATABASE_URL,
        &GENERIC_PASSWORD,
        &GENERIC_SECRET,
    ]
}
