//! The environment a Lambda function sees, with honeypot credentials: realistic in form, unique
//! to each run, and worthless anywhere but as evidence. A canary value seen leaving the sandbox
//! proves exfiltration.

use std::io::Read;

/// What the function is told about itself.
#[derive(Clone, Debug)]
pub struct Function {
    pub name: String,
    pub version: String,
    pub region: String,
    pub memory_mb: u32,
    /// `module.function` or `file.function`.
    pub handler: String,
    /// Lambda's runtime name, e.g. `python3.11` or `nodejs20.x`.
    pub runtime: String,
}

/// Honeypot credentials of one run, for the cloud providers whose functions carry them in the
/// environment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Canaries {
    pub aws_access_key_id: String,
    pub aws_secret_access_key: String,
    pub aws_session_token: String,
    pub tencent_secret_id: String,
    pub tencent_secret_key: String,
    pub azure_msi_secret: String,
}

const UPPER_DIGITS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const BASE64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// `n` characters of `alphabet` from the kernel's random source.
fn random(alphabet: &[u8], n: usize) -> std::io::Result<String> {
    let mut bytes = vec![0u8; n];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    // A slight bias for alphabets not dividing 256 does not matter for canaries.
    Ok(bytes.iter().map(|b| char::from(alphabet[usize::from(*b) % alphabet.len()])).collect())
}

impl Canaries {
    /// Fresh values, shaped like the real ones: an `ASIA…` temporary AWS key, a 40-character
    /// secret, a session token; Tencent `AKID…` ids; an Azure MSI secret.
    pub fn new() -> std::io::Result<Canaries> {
        Ok(Canaries {
            aws_access_key_id: format!("ASIA{}", random(UPPER_DIGITS, 16)?),
            aws_secret_access_key: random(BASE64, 40)?,
            aws_session_token: format!("IQoJb3JpZ2luX2VjE{}", random(BASE64, 300)?),
            tencent_secret_id: format!("AKID{}", random(ALNUM, 32)?),
            tencent_secret_key: random(ALNUM, 32)?,
            azure_msi_secret: random(ALNUM, 32)?,
        })
    }

    /// Every canary value with the variable it was handed out as.
    pub fn values(&self) -> [(&'static str, &str); 6] {
        [
            ("AWS_ACCESS_KEY_ID", &self.aws_access_key_id),
            ("AWS_SECRET_ACCESS_KEY", &self.aws_secret_access_key),
            ("AWS_SESSION_TOKEN", &self.aws_session_token),
            ("TENCENTCLOUD_SECRETID", &self.tencent_secret_id),
            ("TENCENTCLOUD_SECRETKEY", &self.tencent_secret_key),
            ("MSI_SECRET", &self.azure_msi_secret),
        ]
    }

    /// The variables whose canary values occur in `data` (as sent: an HTTP body, a DNS name …).
    /// For repeated searches build a [`CanaryFinder`] once.
    pub fn found_in(&self, data: &[u8]) -> Vec<&'static str> {
        self.finder().found_in(data)
    }

    /// A matcher for every canary in the forms exfiltration uses: as is, base64 (standard and
    /// URL-safe, at any alignment), hex and percent-encoded; the session token also by a
    /// 32-character slice, since exfiltration may cut it.
    pub fn finder(&self) -> CanaryFinder {
        let mut needles = Vec::new();
        let mut vars = Vec::new();
        for (var, v) in self.values() {
            let mut forms = encodings(v.as_bytes());
            if var == "AWS_SESSION_TOKEN" && v.len() > 64 {
                forms.push(v[17..49].to_owned());
            }
            for f in forms {
                needles.push(f);
                vars.push(var);
            }
        }
        // Building only fails past size limits that a few hundred short needles cannot reach.
        let ac = aho_corasick::AhoCorasick::new(&needles).ok();
        CanaryFinder { ac, vars }
    }
}

/// `v` as it may look on the wire.
fn encodings(v: &[u8]) -> Vec<String> {
    use base64::Engine;
    use base64::engine::general_purpose::{STANDARD, URL_SAFE};
    let mut out = vec![String::from_utf8_lossy(v).into_owned()];
    out.push(v.iter().map(|b| format!("{b:02x}")).collect());
    out.push(v.iter().map(|b| format!("{b:02X}")).collect());
    let pct: String = v.iter().map(|&b| if b.is_ascii_alphanumeric() { char::from(b).to_string() } else { format!("%{b:02X}") }).collect();
    if pct != out[0] {
        out.push(pct);
    }
    // Base64 of the value after 0, 1 or 2 other bytes: the characters that mix in neighbours
    // (2 or 3 at the start, 3 at the end) are left out.
    for engine in [&STANDARD, &URL_SAFE] {
        for k in 0..3usize {
            let mut buf = vec![0u8; k];
            buf.extend_from_slice(v);
            let enc = engine.encode(&buf);
            let enc = enc.trim_end_matches('=');
            let skip = [0, 2, 3][k];
            if enc.len() > skip + 3 + 16 {
                out.push(enc[skip..enc.len() - 3].to_owned());
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Finds a run's canaries in outgoing data; built once per run.
#[derive(Clone, Debug)]
pub struct CanaryFinder {
    ac: Option<aho_corasick::AhoCorasick>,
    vars: Vec<&'static str>,
}

impl CanaryFinder {
    /// The variables whose canary values occur in `data`, each once, in the order found.
    pub fn found_in(&self, data: &[u8]) -> Vec<&'static str> {
        let mut found: Vec<&'static str> = Vec::new();
        if let Some(ac) = &self.ac {
            for m in ac.find_overlapping_iter(data) {
                let var = self.vars[m.pattern().as_usize()];
                if !found.contains(&var) {
                    found.push(var);
                }
            }
        }
        found
    }
}

/// The environment of a function process, as Lambda sets it (threat catalogue §4), with the
/// run's canary credentials.
pub fn lambda_env(f: &Function, runtime_api: &str, canaries: &Canaries) -> Vec<(String, String)> {
    let stream = "2026/01/01/[$LATEST]fnwarden";
    let mut env: Vec<(String, String)> = [
        ("AWS_LAMBDA_RUNTIME_API", runtime_api.to_owned()),
        ("_HANDLER", f.handler.clone()),
        ("LAMBDA_TASK_ROOT", "/var/task".to_owned()),
        ("LAMBDA_RUNTIME_DIR", "/var/runtime".to_owned()),
        ("AWS_EXECUTION_ENV", format!("AWS_Lambda_{}", f.runtime)),
        ("AWS_LAMBDA_FUNCTION_NAME", f.name.clone()),
        ("AWS_LAMBDA_FUNCTION_VERSION", f.version.clone()),
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", f.memory_mb.to_string()),
        ("AWS_LAMBDA_LOG_GROUP_NAME", format!("/aws/lambda/{}", f.name)),
        ("AWS_LAMBDA_LOG_STREAM_NAME", stream.to_owned()),
        ("AWS_REGION", f.region.clone()),
        ("AWS_DEFAULT_REGION", f.region.clone()),
        ("AWS_XRAY_DAEMON_ADDRESS", "169.254.79.129:2000".to_owned()),
        ("TZ", ":UTC".to_owned()),
        ("LANG", "en_US.UTF-8".to_owned()),
        ("PATH", "/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin".to_owned()),
        ("LD_LIBRARY_PATH", "/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    env.extend(canaries.values().into_iter().map(|(k, v)| (k.to_owned(), v.to_owned())));
    env
}

#[cfg(test)]
mod tests {
    use super::*;

    fn function() -> Function {
        Function {
            name: "thumbnailer".into(),
            version: "$LATEST".into(),
            region: "us-east-1".into(),
            memory_mb: 512,
            handler: "app.handler".into(),
            runtime: "python3.11".into(),
        }
    }

    #[test]
    fn canaries_look_real_and_differ_per_run() {
        let a = Canaries::new().unwrap();
        let b = Canaries::new().unwrap();
        assert_ne!(a, b);
        assert!(a.aws_access_key_id.starts_with("ASIA") && a.aws_access_key_id.len() == 20);
        assert!(a.aws_access_key_id[4..].bytes().all(|c| UPPER_DIGITS.contains(&c)));
        assert_eq!(a.aws_secret_access_key.len(), 40);
        assert!(a.tencent_secret_id.starts_with("AKID"));
    }

    #[test]
    fn canaries_are_found_where_they_leak_and_nowhere_else() {
        let c = Canaries::new().unwrap();
        let body = format!("POST /x HTTP/1.1\r\n\r\nkey={}&s={}", c.aws_access_key_id, c.aws_secret_access_key);
        assert_eq!(c.found_in(body.as_bytes()), ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]);
        let cut = format!("t={}", &c.aws_session_token[10..80]);
        assert_eq!(c.found_in(cut.as_bytes()), ["AWS_SESSION_TOKEN"]);
        assert!(c.found_in(b"GET /latest/meta-data/ HTTP/1.1").is_empty());
    }

    #[test]
    fn encoded_canaries_are_found_at_any_alignment() {
        use base64::Engine;
        use base64::engine::general_purpose::{STANDARD, URL_SAFE};
        let c = Canaries::new().unwrap();
        let f = c.finder();
        for prefix in ["", "a", "ab", "PATH=/usr/bin\0"] {
            let environ = format!("{prefix}AWS_SECRET_ACCESS_KEY={}\0", c.aws_secret_access_key);
            for enc in [STANDARD.encode(&environ), URL_SAFE.encode(&environ)] {
                assert_eq!(f.found_in(enc.as_bytes()), ["AWS_SECRET_ACCESS_KEY"], "{prefix:?} {enc}");
            }
        }
        let hex: String = c.azure_msi_secret.bytes().map(|b| format!("{b:02x}")).collect();
        assert_eq!(f.found_in(format!("q={hex}").as_bytes()), ["MSI_SECRET"]);
        let other = Canaries::new().unwrap();
        assert!(f.found_in(STANDARD.encode(other.aws_secret_access_key.as_bytes()).as_bytes()).is_empty());
    }

    #[test]
    fn the_environment_follows_lambdas_contract() {
        let c = Canaries::new().unwrap();
        let env = lambda_env(&function(), "127.0.0.1:9001", &c);
        let get = |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("AWS_LAMBDA_RUNTIME_API"), Some("127.0.0.1:9001"));
        assert_eq!(get("_HANDLER"), Some("app.handler"));
        assert_eq!(get("AWS_EXECUTION_ENV"), Some("AWS_Lambda_python3.11"));
        assert_eq!(get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"), Some("512"));
        assert_eq!(get("AWS_ACCESS_KEY_ID"), Some(c.aws_access_key_id.as_str()));
        assert_eq!(get("MSI_SECRET"), Some(c.azure_msi_secret.as_str()));
    }
}
