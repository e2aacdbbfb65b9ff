//! Every rule with its must-find and must-not-find cases, through the public API. The secrets
//! here are random and fake, in the providers' formats.

use std::path::Path;
use std::sync::OnceLock;

use fnwarden_secrets::{Scanner, check_assignment, rules};

const AKIA: &str = "AKIA3ADGAQE5TLRK73JP";
const AWS_SECRET: &str = "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";
const SESSION: &str = "IQoJb3JpZ2luX2VjA/8ex7AKtWx1DmmXkFZh9olv6/K9FhnrXoVJKSayGZ/ZY6h65qMg7fKdrtmGSfHUQlViOYYOIZDvfXTiKFR08YuLnKuE6mLX6f13C6lcdoZgbchXb0TtCNvky3y4bJ0Ac7ymbdoI4bz8PG3DGhbA8yJGZO78MW6xShpLCvsAP3JkAZF0ZiUr0Gnh842KvxShP0FZTYEeBU0t2jh3h9WAXoX1sT24RpRa";
const AIZA: &str = "AIzagSPpYrJZCZcXVDSv8-hPNV1nDqUTnca_UfC";
const AZ_KEY: &str = "ZVpod1kkFMGRz757vGYgDdNPpoqypPxkYRtB1V+HRvSGdwcRvKEi520zELFyswNy2VKBQrdikbRdzJ7PHlbaaA==";
const AZ_SAS: &str = "sfCW8mUU41dLgLYGv/BUtDxRQUAzXhkYi76mARrOncI=";
const AZ_CLIENT: &str = "yeI0Q~8L_KON7Ns0VN-XeoA_Cef9zz-ckumPuEeX";
const AKID: &str = "AKIDyR5tdHlzMf8LpCAz3hcUrDUd81Cz5DEr";
const TC_KEY: &str = "mIlb5BhzaKcjbhYDRj92U8XrrvWMbTLx";
const GHP: &str = "ghp_I9AC7nX4gsRV3E92SWlqTu9yXwcDZMRevUna";
const PAT: &str = "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";
const GLPAT: &str = "glpat-1S4oZhMEIH1d2LdDxfeE";
const XOXB: &str = "xoxb-22105168112-1427258574064-9jyBpz7NzY7tLTJrfN2JA4YC";
const HOOK: &str = "https://hooks.slack.com/services/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";
const STRIPE: &str = "sk_live_gXy7Xpxpw0TXuiZ0UTpcuQPTbeWgzgMbcIKdMyzf1os3gQF5jRkT";
const TWILIO: &str = "5a8b553207559867a739279fc74a01cb";
const SG: &str = "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";
const NPM: &str = "npm_dYytBVCLhWGIJpQPfcOaTOsveHFKDpHrxDLy";
const PYPI: &str = "pypi-AgEIcHlwaS5vcmctZ8JumKyiSjNUAZUyLOy71Rr5OOnItx-FeeCtcQDzG2Bd6sOprYkhmSpwqHE5BsqXwx_so";
const JWT: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJzdmMtYmlsbGluZyIsImlhdCI6MTczMzAxMTIwMCwicm9sZSI6ImFkbWluIn0.7J-IUQumFJuOoOOKBCqNMj7GDbqfL_2IBO1p_JHgBlO";
const PK_BODY: &str = "U43SiB3xODss2kBTMuaYarWH3alVetiHlwXFm+R0ySQTjvi0frK6Wk852bWGS6eVR6ssl2tMssIjEezK7mbbldIVFPQvAdks27Gy";

fn scanner() -> &'static Scanner {
    static S: OnceLock<Scanner> = OnceLock::new();
    S.get_or_init(Scanner::new)
}

fn scan(path: &str, text: &str) -> Vec<(String, u32, u32)> {
    scanner()
        .scan(Path::new(path), text.as_bytes())
        .into_iter()
        .map(|f| (f.rule.id.to_string(), f.location.line, f.location.column))
        .collect()
}

fn ids(path: &str, text: &str) -> Vec<String> {
    scan(path, text).into_iter().map(|f| f.0).collect()
}

fn finds(path: &str, text: &str, rule: &str) {
    assert_eq!(ids(path, text), [format!("fnw-scan-secret-{rule}")], "in {path}: {text}");
}

fn clean(path: &str, text: &str) {
    assert_eq!(ids(path, text), Vec::<String>::new(), "in {path}: {text}");
}

#[test]
fn aws() {
    finds("app.py", &format!("ACCESS_KEY = \"{AKIA}\"\n"), "aws-access-key-id");
    finds("app.py", "k = 'ASIAZ6YJK2GM3WJUFBWM'", "aws-access-key-id");
    finds(".env", &format!("AWS_SECRET_ACCESS_KEY={AWS_SECRET}\n"), "aws-secret-key");
    finds("config.json", &format!("{{\"secretAccessKey\": \"{AWS_SECRET}\"}}"), "aws-secret-key");
    finds(".env", &format!("AWS_SESSION_TOKEN={SESSION}\n"), "aws-session-token");
    clean("app.py", "ACCESS_KEY = \"AKIAIOSFODNN7EXAMPLE\"");
    clean(".env", "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    clean("app.py", "x = 'AKIA3ADGAQE5TLRK73JPQ'"); // too long: some other token
    clean("app.py", "x = 'XAKIA3ADGAQE5TLRK73JP'");
    clean("app.py", "AWS_SECRET_ACCESS_KEY = os.environ['AWS_SECRET_ACCESS_KEY']");
}

#[test]
fn gcp() {
    let sa = format!(
        "{{\n  \"type\": \"service_account\",\n  \"private_key_id\": \"3f1c\",\n  \"private_key\": \"-----BEGIN PRIVATE KEY-----\\n{PK_BODY}\\n-----END PRIVATE KEY-----\\n\"\n}}\n"
    );
    assert_eq!(scan("sa.json", &sa), [("fnw-scan-secret-gcp-service-account-key".to_string(), 4, 19)]);
    finds("maps.js", &format!("const key = '{AIZA}';"), "gcp-api-key");
    clean("sa.json", "{\"private_key\": \"-----BEGIN PRIVATE KEY-----\\n...\\n-----END PRIVATE KEY-----\\n\"}");
    clean("maps.js", "const key = 'AIzaSyD-short';");
}

#[test]
fn azure() {
    let conn = format!("DefaultEndpointsProtocol=https;AccountName=ordersprod;AccountKey={AZ_KEY};EndpointSuffix=core.windows.net");
    finds("local.settings.json", &format!("{{\"AzureWebJobsStorage\": \"{conn}\"}}"), "azure-storage-key");
    finds(
        "app.py",
        &format!("BUS = 'Endpoint=sb://orders.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey={AZ_SAS}'"),
        "azure-storage-key",
    );
    finds(
        "app.py",
        &format!("cred = ClientSecretCredential(tenant_id=T, client_id=C, client_secret='{AZ_CLIENT}')"),
        "azure-client-secret",
    );
    finds(".env", "AZURE_CLIENT_SECRET=Vq3.Lk8-Zp2_Rt7~Wm4Nx9\n", "azure-client-secret");
    clean("local.settings.json", "{\"AzureWebJobsStorage\": \"UseDevelopmentStorage=true\"}");
    clean("local.settings.json", "{\"c\": \"AccountName=x;AccountKey=<your-account-key>;\"}");
    clean(".env", "AZURE_CLIENT_SECRET=@Microsoft.KeyVault(SecretUri=https://v.vault.azure.net/secrets/s/)\n");
}

#[test]
fn tencent() {
    finds("index.js", &format!("const secretId = '{AKID}';"), "tencent-secret-id");
    finds(".env", &format!("TENCENTCLOUD_SECRET_KEY={TC_KEY}\n"), "tencent-secret-key");
    clean("index.js", "const secretId = 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE';");
    clean(".env", "TENCENTCLOUD_SECRET_KEY=${TENCENT_KEY}\n");
}

#[test]
fn source_hosts() {
    finds("config.js", &format!("module.exports = {{ token: '{GHP}' }};"), "github-token");
    finds("deploy.sh", &format!("export GH={PAT}\n"), "github-token");
    finds("ci.py", &format!("GITLAB = \"{GLPAT}\""), "gitlab-token");
    clean("config.js", "module.exports = { token: 'ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' };");
    clean("config.js", "const prefix = 'ghp_';");
    clean("ci.py", "GITLAB = \"glpat-<token>\"");
}

#[test]
fn chat_and_messaging() {
    finds("notify.py", &format!("SLACK = \"{XOXB}\""), "slack-token");
    finds("notify.py", &format!("WEBHOOK = \"{HOOK}\""), "slack-webhook");
    finds(".env", &format!("TWILIO_AUTH_TOKEN={TWILIO}\n"), "twilio-key");
    finds("mail.js", &format!("sgMail.setApiKey('{SG}');"), "sendgrid-key");
    clean("notify.py", "SLACK = \"xoxb-your-token\"");
    clean("notify.py", "WEBHOOK = \"https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX\"");
    clean(".env", "TWILIO_AUTH_TOKEN=your_auth_token\n");
    clean("mail.js", "sgMail.setApiKey(process.env.SENDGRID_API_KEY);");
}

#[test]
fn payments_and_registries() {
    finds("pay.py", &format!("stripe.api_key = \"{STRIPE}\""), "stripe-key");
    finds("pay.py", "stripe.api_key = \"rk_live_peBKQHtVhndBiyIVYLPhXwqu\"", "stripe-key");
    finds(".npmrc", "//registry.npmjs.org/:_authToken=Zq8vK2mXp4Rt7Wc9Yb3N\n", "npm-token");
    finds("publish.js", &format!("const t = '{NPM}';"), "npm-token");
    finds(".pypirc", &format!("[pypi]\nusername = __token__\npassword = {PYPI}\n"), "pypi-token");
    clean("pay.py", "stripe.api_key = \"sk_test_4eC39HqLyjWDarjtT1zdp7dc\"");
    clean("pay.py", "stripe.api_key = os.environ[\"STRIPE_KEY\"]");
    clean(".npmrc", "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n");
}

#[test]
fn private_keys_and_tokens() {
    let pem = format!("KEY = \"\"\"\n-----BEGIN RSA PRIVATE KEY-----\n{PK_BODY}\n-----END RSA PRIVATE KEY-----\n\"\"\"\n");
    assert_eq!(scan("sign.py", &pem), [("fnw-scan-secret-private-key".to_string(), 2, 1)]);
    finds("id_ed25519", &format!("-----BEGIN OPENSSH PRIVATE KEY-----\n{PK_BODY}\n-----END OPENSSH PRIVATE KEY-----\n"), "private-key");
    finds("auth.js", &format!("const svc = '{JWT}';"), "jwt");
    clean(
        "sign.py",
        "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0\n",
    );
    clean("sign.py", "HEADER = '-----BEGIN PRIVATE KEY-----'\n");
    // Dotted base64 whose header has no alg is not a JWT.
    clean("auth.js", "const x = 'eyJmb28iOiJiYXIifQ.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLXBhcnQtaGVyZQ';");
}

#[test]
fn database_urls() {
    finds(
        "db.py",
        "DSN = \"postgres://billing:x3l9Ah5lvCL30sufH7@orders.cluster-c1x2.eu-west-1.rds.amazonaws.com:5432/orders\"",
        "database-url",
    );
    finds(".env", "MONGO_URI=mongodb+srv://app:Q9vLm2xR7tKp@cluster0.ab1cd.mongodb.net/shop\n", "database-url");
    clean("db.py", "DSN = \"postgres://billing:${DB_PASSWORD}@orders.internal:5432/orders\"");
    clean("db.py", "DSN = \"postgres://postgres:postgres@db:5432/orders\"");
    clean("db.py", "DSN = \"postgres://app:s3cr3tpw@localhost:5432/orders\"");
    clean("db.py", "DSN = f\"postgres://{user}:{password}@{host}/orders\"");
    clean("db.py", "DSN = \"postgres://orders.internal:5432/orders\"");
}

#[test]
fn generic_passwords_and_keys() {
    finds("app.py", "DB_PASSWORD = \"AXfFO#%y940ONX\"", "generic-password");
    finds("settings.yml", "smtp:\n  password: Tr0ub4dor&3\n", "generic-password");
    finds("Main.java", "private static final String API_KEY = \"pslr97mhJAbK3HpoItpK5O8ydbusfBa0\";", "generic-api-key");
    finds(
        "client.go",
        "req.Header.Set(\"Authorization\", \"x\")\nheaders := map[string]string{\"Authorization\": \"Bearer 7hQ2xK9mVr4LpZ8sWc3N\"}",
        "generic-api-key",
    );
    finds("handler.ts", "const apiKey: string = 'pslr97mhJAbK3HpoItpK5O8ydbusfBa0';", "generic-api-key");
    finds("run.sh", "deploy --password Qm7xT2pLv9 --stage prod\n", "generic-password");
    for placeholder in [
        "${env:DB_PASSWORD}",
        "${ssm:/orders/db/password}",
        "!Ref DbPassword",
        "<your-password>",
        "changeme",
        "xxxxxxxx",
        "********",
        "your_api_key_here",
        "example-password-1",
        "",
    ] {
        clean("settings.yml", &format!("db:\n  password: {placeholder}\n"));
        clean("app.py", &format!("DB_PASSWORD = \"{placeholder}\""));
    }
    clean("app.py", "password = os.environ[\"DB_PASSWORD\"]");
    clean("app.js", "const password = process.env.DB_PASSWORD;");
    clean("app.js", "const token = req.headers.authorization;");
    clean("app.py", "api_key = get_secret('orders/api-key')");
    clean("app.py", "SECRET_NAME = \"orders/prod/api-key-v2\"");
    clean("app.py", "password_policy = \"Min8Upper1Digit1\"");
    clean("app.py", "next_token = \"AAMA-EFRSURBS2V5\"");
    clean("app.py", "token_type = \"Bearer\"");
    clean("settings.yml", "auth:\n  token: dbTokenValue\n");
    clean("app.py", "if not password:\n    pass\n");
}

#[test]
fn lock_files_and_integrity_hashes_are_not_secrets() {
    let lock = "{\"packages\": {\"node_modules/a\": {\"integrity\": \"sha512-Xk9mQ2v7Lp4Tz9Wc1Yb6Nd3Hs5Fg0Ja2Ke8Xk9mQ2v7Lp4Tz9Wc1Yb6Nd3Hs5Fg0Ja2Ke8==\", \"resolved\": \"https://registry.npmjs.org/a/-/a-1.0.0.tgz\"}}}";
    clean("package-lock.json", lock);
    clean("other.json", lock);
    clean("app.py", "CHECKSUM_SHA256 = \"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\"");
}

#[test]
fn locations_are_exact_and_messages_redacted() {
    let text = format!("import os\n\n# billing\nclient = Stripe(api_key=\"{STRIPE}\")\n");
    let findings = scanner().scan(Path::new("src/pay.py"), text.as_bytes());
    assert_eq!(findings.len(), 1);
    let f = &findings[0];
    assert_eq!(f.location.to_string(), "src/pay.py:4:26");
    assert!(f.message.contains("Stripe live key"), "{}", f.message);
    assert!(f.message.contains("sk_liv"), "{}", f.message);
    assert!(!f.message.contains(&STRIPE[8..]), "{}", f.message);
    // Columns count characters, not bytes.
    let text = format!("# caf\u{e9} \u{e9}\u{e9}: token=\"{GHP}\"\n");
    assert_eq!(scan("notes.txt", &text), [("fnw-scan-secret-github-token".to_string(), 1, 19)]);
}

#[test]
fn findings_in_test_folders_are_low() {
    let text = format!("TOKEN = \"{GHP}\"\n");
    let f = scanner().scan(Path::new("tests/fixtures/conf.py"), text.as_bytes());
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].severity, fnwarden_project::Severity::Low);
    let f = scanner().scan(Path::new("src/conf.py"), text.as_bytes());
    assert_eq!(f[0].severity, fnwarden_project::Severity::High);
}

#[test]
fn several_secrets_in_one_file_are_each_found_once() {
    let text = format!(".env\nGITHUB_TOKEN={GHP}\nSTRIPE_SECRET_KEY={STRIPE}\nDB_PASSWORD=AXfFO#%y940ONX\nLOG_LEVEL=info\n");
    let found = scan(".env", &text);
    assert_eq!(
        found,
        [
            ("fnw-scan-secret-github-token".to_string(), 2, 14),
            ("fnw-scan-secret-stripe-key".to_string(), 3, 19),
            ("fnw-scan-secret-generic-password".to_string(), 4, 13)
        ]
    );
}

#[test]
fn check_assignment_for_env_blocks() {
    let id = |k: &str, v: &str| check_assignment(k, v).map(|r| r.id);
    assert_eq!(id("STRIPE_KEY", STRIPE), Some("fnw-scan-secret-stripe-key"));
    assert_eq!(id("ANYTHING", GHP), Some("fnw-scan-secret-github-token"));
    assert_eq!(id("DB_PASSWORD", "AXfFO#%y940ONX"), Some("fnw-scan-secret-generic-password"));
    assert_eq!(id("DB_PASSWORD", "\"AXfFO#%y940ONX\""), Some("fnw-scan-secret-generic-password"));
    assert_eq!(id("AWS_SECRET_ACCESS_KEY", AWS_SECRET), Some("fnw-scan-secret-aws-secret-key"));
    assert_eq!(id("API_KEY", "pslr97mhJAbK3HpoItpK5O8ydbusfBa0"), Some("fnw-scan-secret-generic-api-key"));
    assert_eq!(id("DATABASE_URL", "postgres://app:x3l9Ah5lvCL30sufH7@db.prod.internal/app"), Some("fnw-scan-secret-database-url"));
    assert_eq!(id("DB_PASSWORD", "${ssm:/app/db/password}"), None);
    assert_eq!(id("DB_PASSWORD", "changeme"), None);
    assert_eq!(id("DB_PASSWORD", ""), None);
    assert_eq!(id("TABLE_NAME", "orders-prod-7f3k2m9x"), None);
    assert_eq!(id("LOG_LEVEL", "debug"), None);
    assert_eq!(id("API_KEY_SECRET_ARN", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:api-key-AbCdEf"), None);
}

#[test]
fn rule_catalogue() {
    let all = rules();
    assert_eq!(all.len(), 23);
    let mut seen = std::collections::BTreeSet::new();
    for r in &all {
        assert!(r.id.starts_with("fnw-scan-secret-"), "{}", r.id);
        assert!(seen.insert(r.id), "duplicate {}", r.id);
        assert_eq!(r.class, fnwarden_project::Class::Secret);
        assert!(!r.description.is_empty() && !r.remediation.is_empty());
    }
}
