//! Cloud metadata services, as a function that goes looking for credentials expects them: AWS
//! IMDS (v1 and v2 sessions), ECS/Lambda container credentials, Azure IMDS and the App Service
//! identity endpoint, GCP's metadata server (`metadata.google.internal`) and Tencent Cloud's.
//! Every credential they hand out is one of the run's canaries, so any later use or exfiltration
//! of it is evidence. Every request is recorded as an `http` event.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::Read;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use fnwarden_event::{EventKind, HttpRequest, L4Proto, Timestamp};
use serde_json::{Value, json};
use tokio::net::TcpListener;

use super::sniff::FIRST_BYTES;
use super::{METADATA_SOURCE, Shared, bump, host_name, net_event, percent_decode};
use crate::environment::Canaries;

/// Largest request body accepted (metadata requests have none).
const MAX_BODY: usize = 64 * 1024;
/// IMDSv2 session tokens kept at once; a client minting more only evicts its own.
const MAX_SESSIONS: usize = 1024;

const AWS_ACCOUNT: &str = "491632780355";
const AWS_REGION: &str = "us-east-1";
const AWS_ROLE: &str = "app-server-role";
const AWS_INSTANCE: &str = "i-0b3e7c41f2a98d615";
const AWS_LOCAL_IP: &str = "172.31.24.117";
const GCP_PROJECT: &str = "billing-etl-prod";
const GCP_PROJECT_NUMBER: &str = "731029384756";
const GCP_ZONE: &str = "us-central1-a";
const GCP_SERVICE_ACCOUNT: &str = "731029384756-compute@developer.gserviceaccount.com";
const AZURE_TENANT: &str = "4a3b1f0e-7c52-4d9e-9b1a-2f6c8d7e5a31";
const AZURE_SUBSCRIPTION: &str = "9e2d4c71-3b8a-4f05-a6d2-71c0e5b93f48";
const AZURE_CLIENT: &str = "c1f7a2d9-58e3-4b60-8d14-e9a3b7c50f26";
const AZURE_OBJECT: &str = "6d8e0b42-1f97-4c3a-b5e8-0a2c4f6d9e17";
const TENCENT_ROLE: &str = "CVM_QcsRole";
const TENCENT_REGION: &str = "ap-guangzhou";

/// Which service a listener plays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Service {
    /// 169.254.169.254: AWS IMDS, Azure IMDS and GCP, told apart by path and Host.
    InstanceMetadata,
    /// 169.254.170.2: ECS task / Lambda container credentials.
    ContainerCredentials,
    /// 169.254.0.23: Tencent Cloud.
    Tencent,
    /// Azure App Service / Functions managed identity (`IDENTITY_ENDPOINT`).
    AppServiceIdentity,
}

/// Tokens the metadata services issue besides the environment's canaries, derived from them so
/// that the same run always hands out (and recognises) the same values.
#[derive(Clone, Debug)]
pub struct IssuedTokens {
    gcp: String,
    azure_signature: String,
    tencent: String,
}

/// How much of an issued token must appear for it to count as leaked.
const TOKEN_EVIDENCE: usize = 48;
/// What every GCP user access token starts with (not evidence of anything).
const GCP_TOKEN_PREFIX: &str = "ya29.c.c0ASRK0Gb";

impl IssuedTokens {
    pub fn new(c: &Canaries) -> IssuedTokens {
        const URLSAFE: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        const BASE64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let derive = |label: &str, alphabet: &[u8], n: usize| -> String {
            (0..n)
                .map(|i| {
                    let mut h = DefaultHasher::new();
                    (label, i, &c.aws_secret_access_key, &c.tencent_secret_key, &c.azure_msi_secret).hash(&mut h);
                    char::from(alphabet[(h.finish() % alphabet.len() as u64) as usize])
                })
                .collect()
        };
        IssuedTokens {
            gcp: format!("{GCP_TOKEN_PREFIX}{}", derive("gcp", URLSAFE, 220)),
            azure_signature: derive("azure", URLSAFE, 342),
            tencent: derive("tencent", BASE64, 184),
        }
    }

    /// GCP's OAuth access token for the default service account.
    pub fn gcp_access_token(&self) -> &str {
        &self.gcp
    }

    /// Tencent's temporary-credential session token.
    pub fn tencent_token(&self) -> &str {
        &self.tencent
    }

    /// An Azure managed-identity access token (a JWT) for `resource`; its signature is the canary.
    pub fn azure_access_token(&self, resource: &str, now: i64) -> String {
        let claims = json!({
            "aud": resource, "iss": format!("https://sts.windows.net/{AZURE_TENANT}/"), "iat": now, "nbf": now,
            "exp": now + 86399, "appid": AZURE_CLIENT, "appidacr": "2", "idtyp": "app", "oid": AZURE_OBJECT,
            "sub": AZURE_OBJECT, "tid": AZURE_TENANT, "ver": "1.0",
            "xms_mirid": format!("/subscriptions/{AZURE_SUBSCRIPTION}/resourcegroups/prod-rg/providers/Microsoft.Compute/virtualMachines/app-vm-01"),
        });
        jwt(&claims, &self.azure_signature)
    }

    /// The part of each token that identifies it, by name.
    fn evidence(&self) -> [(&'static str, &str); 3] {
        fn prefix(s: &str) -> &str {
            s.get(..TOKEN_EVIDENCE).unwrap_or(s)
        }
        [
            ("GCP_ACCESS_TOKEN", prefix(self.gcp.get(GCP_TOKEN_PREFIX.len()..).unwrap_or(&self.gcp))),
            ("AZURE_ACCESS_TOKEN", prefix(&self.azure_signature)),
            ("TENCENT_SESSION_TOKEN", prefix(&self.tencent)),
        ]
    }

    /// The tokens whose identifying part occurs in `data`.
    pub fn found_in(&self, data: &[u8]) -> Vec<&'static str> {
        self.evidence()
            .into_iter()
            .filter(|(_, v)| !v.is_empty() && data.windows(v.len()).any(|w| w == v.as_bytes()))
            .map(|(name, _)| name)
            .collect()
    }
}

/// A JWT with `claims` and the given (fake) RS256 signature.
fn jwt(claims: &Value, signature: &str) -> String {
    let head = json!({"typ": "JWT", "alg": "RS256", "kid": "fnw-3Kx9"});
    format!("{}.{}.{signature}", base64url(head.to_string().as_bytes()), base64url(claims.to_string().as_bytes()))
}

fn base64url(data: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = |i: usize| u32::from(chunk.get(i).copied().unwrap_or(0));
        let n = (b(0) << 16) | (b(1) << 8) | b(2);
        for i in 0..=chunk.len() {
            out.push(char::from(A[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

struct Ctx {
    service: Service,
    server: SocketAddr,
    shared: Arc<Shared>,
    /// IMDSv2 session tokens and when they expire.
    sessions: Mutex<HashMap<String, Instant>>,
}

impl Ctx {
    fn open_session(&self, token: &str, ttl: u64) {
        let mut s = self.sessions.lock().unwrap_or_else(PoisonError::into_inner);
        if s.len() >= MAX_SESSIONS {
            let now = Instant::now();
            s.retain(|_, until| *until > now);
            if s.len() >= MAX_SESSIONS {
                s.clear();
            }
        }
        s.insert(token.to_owned(), Instant::now() + Duration::from_secs(ttl));
    }

    fn session_valid(&self, token: &str) -> bool {
        self.sessions.lock().unwrap_or_else(PoisonError::into_inner).get(token).is_some_and(|until| *until > Instant::now())
    }
}

pub async fn serve(listener: TcpListener, server: SocketAddr, service: Service, shared: Arc<Shared>) {
    let ctx = Arc::new(Ctx { service, server, shared, sessions: Mutex::new(HashMap::new()) });
    let app = Router::new().fallback(handle).layer(DefaultBodyLimit::max(MAX_BODY)).with_state(ctx);
    if let Err(e) = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await {
        tracing::warn!(%server, "metadata service stopped: {e}");
    }
}

/// The parts of a request the services look at.
struct Req<'a> {
    method: &'a Method,
    path: &'a str,
    query: &'a str,
    headers: &'a HeaderMap,
}

impl Req<'_> {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    fn param(&self, name: &str) -> Option<String> {
        self.query.split('&').find_map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (percent_decode(k) == name).then(|| percent_decode(v))
        })
    }

    fn host(&self) -> &str {
        self.header("host").unwrap_or("")
    }
}

async fn handle(
    State(ctx): State<Arc<Ctx>>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    bump(&ctx.shared.counters.metadata_requests, 1);
    let req = Req { method: &method, path: uri.path(), query: uri.query().unwrap_or(""), headers: &headers };
    record(&ctx, client, &req, &uri, body.as_ref().ok());
    if let Err(rejection) = body {
        return rejection.into_response();
    }
    let now = Timestamp::now().0 / 1_000_000_000;
    match ctx.service {
        Service::InstanceMetadata => {
            let host = host_name(req.host()).unwrap_or_default().to_ascii_lowercase();
            if req.path.starts_with("/computeMetadata") || host.starts_with("metadata.google.internal") || host == "metadata" {
                gcp(&ctx, &req, now)
            } else if req.path.starts_with("/metadata") {
                azure(&ctx, &req, now)
            } else {
                aws(&ctx, &req, now)
            }
        }
        Service::ContainerCredentials => container_credentials(&ctx, &req, now),
        Service::Tencent => tencent(&ctx, &req, now),
        Service::AppServiceIdentity => app_service_identity(&ctx, &req, now),
    }
}

/// The `http` event for one request, as the client sent it.
fn record(ctx: &Ctx, client: SocketAddr, req: &Req, uri: &Uri, body: Option<&Bytes>) {
    let mut ev = net_event(EventKind::Http, METADATA_SOURCE, L4Proto::Tcp, client, ctx.server);
    let host = req.header("host").map(str::to_owned).or_else(|| uri.authority().map(ToString::to_string)).unwrap_or_default();
    if let Some(net) = ev.net.as_mut() {
        net.remote_host = host_name(&host);
        net.http = Some(HttpRequest {
            method: req.method.to_string(),
            host,
            path: uri.path_and_query().map_or(req.path, |p| p.as_str()).to_owned(),
            user_agent: req.header("user-agent").unwrap_or("").to_owned(),
            headers: req.headers.iter().map(|(k, v)| format!("{k}: {}", String::from_utf8_lossy(v.as_bytes()))).collect(),
        });
        if let Some(b) = body.filter(|b| !b.is_empty()) {
            net.payload = Some(String::from_utf8_lossy(&b[..b.len().min(FIRST_BYTES)]).into_owned());
        }
    }
    ctx.shared.emit(ev);
}

fn reply(status: StatusCode, content_type: &'static str, extra: &[(&'static str, &str)], body: String) -> Response {
    let mut r = (status, body).into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    for (name, value) in extra {
        if let Ok(v) = HeaderValue::from_str(value) {
            h.insert(HeaderName::from_static(name), v);
        }
    }
    r
}

fn iso(secs: i64) -> String {
    Timestamp::from_secs(secs).to_string()
}

fn aws_credentials(c: &Canaries, now: i64) -> Value {
    json!({
        "Code": "Success", "LastUpdated": iso(now - 420), "Type": "AWS-HMAC",
        "AccessKeyId": c.aws_access_key_id, "SecretAccessKey": c.aws_secret_access_key,
        "Token": c.aws_session_token, "Expiration": iso(now + 6 * 3600),
    })
}

// ---- AWS IMDS ----

fn imds_error(status: StatusCode) -> Response {
    let title = format!("{} - {}", status.as_u16(), status.canonical_reason().unwrap_or(""));
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>\n<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\"\n\t\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">\n<html xmlns=\"http://www.w3.org/1999/xhtml\" xml:lang=\"en\" lang=\"en\">\n <head>\n  <title>{title}</title>\n </head>\n <body>\n  <h1>{title}</h1>\n </body>\n</html>\n"
    );
    reply(status, "text/html", &[("server", "EC2ws")], body)
}

fn random_token() -> std::io::Result<String> {
    let mut raw = [0u8; 42];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut raw)?;
    Ok(format!("AQAEA{}", base64url(&raw)))
}

fn aws(ctx: &Ctx, req: &Req, now: i64) -> Response {
    if req.path == "/latest/api/token" {
        if *req.method != Method::PUT {
            return imds_error(StatusCode::METHOD_NOT_ALLOWED);
        }
        // IMDS refuses token requests that went through a proxy.
        if req.header("x-forwarded-for").is_some() {
            return imds_error(StatusCode::FORBIDDEN);
        }
        let ttl = req
            .header("x-aws-ec2-metadata-token-ttl-seconds")
            .and_then(|v| v.trim().parse::<u64>().ok())
            .filter(|t| (1..=21600).contains(t));
        let Some(ttl) = ttl else { return imds_error(StatusCode::BAD_REQUEST) };
        let Ok(token) = random_token() else { return imds_error(StatusCode::INTERNAL_SERVER_ERROR) };
        ctx.open_session(&token, ttl);
        return reply(
            StatusCode::OK,
            "text/plain",
            &[("server", "EC2ws"), ("x-aws-ec2-metadata-token-ttl-seconds", &ttl.to_string())],
            token,
        );
    }
    if !matches!(*req.method, Method::GET | Method::HEAD) {
        return imds_error(StatusCode::METHOD_NOT_ALLOWED);
    }
    // IMDSv1 requests carry no token; a v2 request with a bad or expired one is refused.
    if req.header("x-aws-ec2-metadata-token").is_some_and(|t| !ctx.session_valid(t)) {
        return imds_error(StatusCode::UNAUTHORIZED);
    }
    match aws_document(&ctx.shared.canaries, req.path, now) {
        Some(body) => reply(StatusCode::OK, "text/plain", &[("server", "EC2ws")], body),
        None => imds_error(StatusCode::NOT_FOUND),
    }
}

fn aws_document(c: &Canaries, path: &str, now: i64) -> Option<String> {
    let p = path.trim_start_matches('/');
    if p.is_empty() {
        return Some("1.0\n2007-01-19\n2009-04-04\n2016-09-02\n2021-07-15\nlatest".into());
    }
    let (version, rest) = p.split_once('/').unwrap_or((p, ""));
    if version != "latest" && !version.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let rest = rest.trim_end_matches('/');
    let body = match rest {
        "" => "dynamic\nmeta-data\nuser-data".into(),
        "user-data" => format!(
            "#!/bin/bash\n# app server bootstrap\nexport AWS_ACCESS_KEY_ID={}\nexport AWS_SECRET_ACCESS_KEY={}\nexport AWS_DEFAULT_REGION={AWS_REGION}\naws s3 cp s3://app-server-config-{AWS_ACCOUNT}/app.env /etc/app.env\nsystemctl restart app\n",
            c.aws_access_key_id, c.aws_secret_access_key
        ),
        "dynamic" => "instance-identity/".into(),
        "dynamic/instance-identity" => "document\npkcs7\nrsa2048\nsignature".into(),
        "dynamic/instance-identity/document" => serde_json::to_string_pretty(&json!({
            "accountId": AWS_ACCOUNT, "architecture": "x86_64", "availabilityZone": "us-east-1a",
            "billingProducts": null, "devpayProductCodes": null, "marketplaceProductCodes": null,
            "imageId": "ami-0c7217cdde317cfec", "instanceId": AWS_INSTANCE, "instanceType": "m5.large",
            "kernelId": null, "pendingTime": iso(now - 86400 * 41), "privateIp": AWS_LOCAL_IP,
            "ramdiskId": null, "region": AWS_REGION, "version": "2017-09-30",
        }))
        .ok()?,
        "meta-data" => "ami-id\nami-launch-index\nami-manifest-path\nblock-device-mapping/\nevents/\nhostname\niam/\nidentity-credentials/\ninstance-action\ninstance-id\ninstance-life-cycle\ninstance-type\nlocal-hostname\nlocal-ipv4\nmac\nmetrics/\nnetwork/\nplacement/\nprofile\npublic-hostname\npublic-ipv4\nreservation-id\nsecurity-groups\nservices/".into(),
        m => aws_meta_data(c, m.strip_prefix("meta-data/")?, now)?,
    };
    Some(body)
}

fn aws_meta_data(c: &Canaries, item: &str, now: i64) -> Option<String> {
    let creds = || serde_json::to_string_pretty(&aws_credentials(c, now)).ok();
    let body = match item {
        "ami-id" => "ami-0c7217cdde317cfec".into(),
        "ami-launch-index" => "0".into(),
        "ami-manifest-path" => "(unknown)".into(),
        "hostname" | "local-hostname" => "ip-172-31-24-117.ec2.internal".into(),
        "instance-action" => "none".into(),
        "instance-id" => AWS_INSTANCE.into(),
        "instance-life-cycle" => "on-demand".into(),
        "instance-type" => "m5.large".into(),
        "local-ipv4" => AWS_LOCAL_IP.into(),
        "mac" => "0e:4f:1a:b2:c3:d4".into(),
        "profile" => "default-hvm".into(),
        "public-hostname" => "ec2-3-80-17-201.compute-1.amazonaws.com".into(),
        "public-ipv4" => "3.80.17.201".into(),
        "reservation-id" => "r-07d2c9a1e4b35f608".into(),
        "security-groups" => "app-server-sg".into(),
        "iam" => "info\nsecurity-credentials/".into(),
        "iam/info" => serde_json::to_string_pretty(&json!({
            "Code": "Success", "LastUpdated": iso(now - 420),
            "InstanceProfileArn": format!("arn:aws:iam::{AWS_ACCOUNT}:instance-profile/{AWS_ROLE}"),
            "InstanceProfileId": "AIPAXG7Q2LRM4N5K3JT6B",
        }))
        .ok()?,
        "iam/security-credentials" => AWS_ROLE.into(),
        "identity-credentials" => "ec2/".into(),
        "identity-credentials/ec2" => "info\nsecurity-credentials/".into(),
        "identity-credentials/ec2/security-credentials" => "ec2-instance".into(),
        "identity-credentials/ec2/security-credentials/ec2-instance" => creds()?,
        "placement" => "availability-zone\navailability-zone-id\nregion".into(),
        "placement/availability-zone" => "us-east-1a".into(),
        "placement/availability-zone-id" => "use1-az4".into(),
        "placement/region" => AWS_REGION.into(),
        "services" => "domain\npartition".into(),
        "services/domain" => "amazonaws.com".into(),
        "services/partition" => "aws".into(),
        role if role.strip_prefix("iam/security-credentials/") == Some(AWS_ROLE) => creds()?,
        _ => return None,
    };
    Some(body)
}

// ---- ECS / Lambda container credentials ----

fn container_credentials(ctx: &Ctx, req: &Req, now: i64) -> Response {
    let c = &ctx.shared.canaries;
    if req.path.starts_with("/v2/credentials") || req.path.starts_with("/v1/credentials") {
        let body = json!({
            "RoleArn": format!("arn:aws:iam::{AWS_ACCOUNT}:role/app-task-role"),
            "AccessKeyId": c.aws_access_key_id, "SecretAccessKey": c.aws_secret_access_key,
            "Token": c.aws_session_token, "Expiration": iso(now + 6 * 3600),
        });
        return reply(StatusCode::OK, "application/json", &[], body.to_string());
    }
    if req.path.trim_end_matches('/') == "/v2/metadata" {
        let body = json!({
            "Cluster": "default", "TaskARN": format!("arn:aws:ecs:{AWS_REGION}:{AWS_ACCOUNT}:task/default/3f1c9b2e7d4a4c85a0e6b91d2f7c8e43"),
            "Family": "app", "Revision": "14", "DesiredStatus": "RUNNING", "KnownStatus": "RUNNING",
            "AvailabilityZone": "us-east-1a", "LaunchType": "FARGATE",
        });
        return reply(StatusCode::OK, "application/json", &[], body.to_string());
    }
    reply(StatusCode::NOT_FOUND, "text/plain; charset=utf-8", &[], "404 page not found\n".into())
}

// ---- GCP ----

fn gcp_reply(status: StatusCode, content_type: &'static str, body: String) -> Response {
    reply(status, content_type, &[("metadata-flavor", "Google"), ("server", "Metadata Server for VM")], body)
}

fn gcp_error(status: StatusCode, path: &str, why: &str) -> Response {
    let code = status.as_u16();
    let reason = status.canonical_reason().unwrap_or("");
    let body = format!(
        "<!DOCTYPE html>\n<html lang=en>\n  <meta charset=utf-8>\n  <title>Error {code} ({reason})!!1</title>\n  <p><b>{code}.</b> <ins>That's an error.</ins>\n  <p>Your client does not have permission to get URL <code>{path}</code> from this server. {why} <ins>That's all we know.</ins>\n"
    );
    reply(status, "text/html; charset=UTF-8", &[("server", "Metadata Server for VM")], body)
}

fn gcp(ctx: &Ctx, req: &Req, now: i64) -> Response {
    let text = |body: String| gcp_reply(StatusCode::OK, "application/text", body);
    if req.path == "/" {
        return text("computeMetadata/\n".into());
    }
    let Some(rest) = req.path.strip_prefix("/computeMetadata/v1").filter(|r| r.is_empty() || r.starts_with('/')) else {
        return gcp_reply(StatusCode::NOT_FOUND, "text/html; charset=UTF-8", "Not Found\n".into());
    };
    if req.header("x-forwarded-for").is_some() {
        return gcp_error(StatusCode::FORBIDDEN, req.path, "Request had X-Forwarded-For header.");
    }
    if !req.header("metadata-flavor").is_some_and(|v| v.eq_ignore_ascii_case("google")) {
        return gcp_error(StatusCode::FORBIDDEN, req.path, "Missing Metadata-Flavor:Google header.");
    }
    let segs: Vec<&str> = rest.trim_matches('/').split('/').collect();
    let is_account = |sa: &str| sa == "default" || sa == GCP_SERVICE_ACCOUNT;
    let tokens = &ctx.shared.tokens;
    match segs.as_slice() {
        [""] => text("instance/\noauth/\nproject/\n".into()),
        ["project"] => text("attributes/\nnumeric-project-id\nproject-id\n".into()),
        ["project", "project-id"] => text(GCP_PROJECT.into()),
        ["project", "numeric-project-id"] => text(GCP_PROJECT_NUMBER.into()),
        ["project" | "instance", "attributes"] => text(String::new()),
        ["instance"] => text("attributes/\ncpu-platform\ndescription\ndisks/\nhostname\nid\nimage\nmachine-type\nname\nnetwork-interfaces/\nservice-accounts/\ntags\nzone\n".into()),
        ["instance", "hostname"] => text(format!("etl-worker-1.{GCP_ZONE}.c.{GCP_PROJECT}.internal")),
        ["instance", "id"] => text("4520081935127740113".into()),
        ["instance", "name"] => text("etl-worker-1".into()),
        ["instance", "zone"] => text(format!("projects/{GCP_PROJECT_NUMBER}/zones/{GCP_ZONE}")),
        ["instance", "machine-type"] => text(format!("projects/{GCP_PROJECT_NUMBER}/machineTypes/e2-standard-4")),
        ["instance", "service-accounts"] => text(format!("default/\n{GCP_SERVICE_ACCOUNT}/\n")),
        ["instance", "service-accounts", sa] if is_account(sa) => text("aliases\nemail\nidentity\nscopes\ntoken\n".into()),
        ["instance", "service-accounts", sa, "email"] if is_account(sa) => text(GCP_SERVICE_ACCOUNT.into()),
        ["instance", "service-accounts", sa, "aliases"] if is_account(sa) => text("default\n".into()),
        ["instance", "service-accounts", sa, "scopes"] if is_account(sa) => text("https://www.googleapis.com/auth/cloud-platform\n".into()),
        ["instance", "service-accounts", sa, "token"] if is_account(sa) => {
            let body = json!({"access_token": tokens.gcp_access_token(), "expires_in": 3599, "token_type": "Bearer"});
            gcp_reply(StatusCode::OK, "application/json", body.to_string())
        }
        ["instance", "service-accounts", sa, "identity"] if is_account(sa) => match req.param("audience").filter(|a| !a.is_empty()) {
            None => gcp_reply(StatusCode::BAD_REQUEST, "text/html; charset=UTF-8", "non-empty audience parameter required\n".into()),
            Some(aud) => {
                let claims = json!({
                    "aud": aud, "azp": "108359278011203847291", "email": GCP_SERVICE_ACCOUNT, "email_verified": true,
                    "exp": now + 3600, "iat": now, "iss": "https://accounts.google.com", "sub": "108359278011203847291",
                });
                let core = tokens.gcp_access_token().get(GCP_TOKEN_PREFIX.len()..).unwrap_or_default();
                text(jwt(&claims, core))
            }
        },
        _ => gcp_reply(StatusCode::NOT_FOUND, "text/html; charset=UTF-8", "Not Found\n".into()),
    }
}

// ---- Azure ----

fn azure_json(status: StatusCode, body: Value) -> Response {
    reply(status, "application/json; charset=utf-8", &[("server", "IMDS/150.870.65.1854")], body.to_string())
}

fn azure_token(ctx: &Ctx, resource: &str, now: i64) -> Value {
    json!({
        "access_token": ctx.shared.tokens.azure_access_token(resource, now), "client_id": AZURE_CLIENT,
        "expires_in": "86399", "expires_on": (now + 86399).to_string(), "ext_expires_in": "86399",
        "not_before": now.to_string(), "resource": resource, "token_type": "Bearer",
    })
}

fn azure(ctx: &Ctx, req: &Req, now: i64) -> Response {
    let bad = |msg: &str| azure_json(StatusCode::BAD_REQUEST, json!({"error": msg}));
    if !req.header("metadata").is_some_and(|v| v.eq_ignore_ascii_case("true")) {
        return bad("Bad request. Required metadata header not specified");
    }
    if req.header("x-forwarded-for").is_some() {
        return bad("Bad request. Request contains X-Forwarded-For header");
    }
    if req.param("api-version").is_none_or(|v| v.is_empty()) {
        return azure_json(
            StatusCode::BAD_REQUEST,
            json!({
                "error": "Bad request. api-version was not specified in the request. For more information refer to aka.ms/azureimds",
                "newest-versions": ["2023-07-01", "2023-05-01", "2023-04-01"],
            }),
        );
    }
    let compute = json!({
        "azEnvironment": "AzurePublicCloud", "location": "westeurope", "name": "app-vm-01", "osType": "Linux",
        "resourceGroupName": "prod-rg", "subscriptionId": AZURE_SUBSCRIPTION, "vmId": "0f6a2c8e-94d1-4b37-8e5a-1c3d7b9f2e60",
        "vmSize": "Standard_D2s_v5", "zone": "1",
        "resourceId": format!("/subscriptions/{AZURE_SUBSCRIPTION}/resourceGroups/prod-rg/providers/Microsoft.Compute/virtualMachines/app-vm-01"),
    });
    match req.path.trim_end_matches('/') {
        "/metadata/instance" => azure_json(
            StatusCode::OK,
            json!({"compute": compute, "network": {"interface": [{"ipv4": {"ipAddress": [{"privateIpAddress": "10.1.0.4", "publicIpAddress": ""}],
                   "subnet": [{"address": "10.1.0.0", "prefix": "24"}]}, "macAddress": "000D3A2B4C5D"}]}}),
        ),
        "/metadata/instance/compute" => azure_json(StatusCode::OK, compute),
        "/metadata/identity/info" => azure_json(StatusCode::OK, json!({"tenantId": AZURE_TENANT})),
        "/metadata/identity/oauth2/token" => match req.param("resource").filter(|r| !r.is_empty()) {
            Some(resource) => azure_json(StatusCode::OK, azure_token(ctx, &resource, now)),
            None => azure_json(
                StatusCode::BAD_REQUEST,
                json!({"error": "invalid_request", "error_description": "Required query variable 'resource' is missing"}),
            ),
        },
        _ => azure_json(StatusCode::NOT_FOUND, json!({"error": "Not found"})),
    }
}

/// App Service / Functions: `GET $IDENTITY_ENDPOINT?resource=…&api-version=2019-08-01` with
/// `X-IDENTITY-HEADER: $IDENTITY_HEADER` (or the older `Secret: $MSI_SECRET`).
fn app_service_identity(ctx: &Ctx, req: &Req, now: i64) -> Response {
    if req.path.trim_end_matches('/') != "/msi/token" {
        return azure_json(StatusCode::NOT_FOUND, json!({"error": "Not found"}));
    }
    let secret = req.header("x-identity-header").or_else(|| req.header("secret"));
    if secret != Some(ctx.shared.canaries.azure_msi_secret.as_str()) {
        return azure_json(
            StatusCode::UNAUTHORIZED,
            json!({"statusCode": 401, "message": "Unauthorized: missing or invalid identity header"}),
        );
    }
    let Some(resource) = req.param("resource").filter(|r| !r.is_empty()) else {
        return azure_json(
            StatusCode::BAD_REQUEST,
            json!({"statusCode": 400, "message": "Required query parameter 'resource' is missing"}),
        );
    };
    let mut token = azure_token(ctx, &resource, now);
    if let Value::Object(fields) = &mut token {
        fields.retain(|k, _| matches!(k.as_str(), "access_token" | "expires_on" | "resource" | "token_type" | "client_id"));
    }
    azure_json(StatusCode::OK, token)
}

// ---- Tencent Cloud ----

fn tencent(ctx: &Ctx, req: &Req, now: i64) -> Response {
    let c = &ctx.shared.canaries;
    let ok = |body: String| reply(StatusCode::OK, "text/plain", &[], body);
    if !matches!(*req.method, Method::GET | Method::HEAD) {
        return reply(StatusCode::METHOD_NOT_ALLOWED, "text/plain", &[], "Method Not Allowed".into());
    }
    let p = req.path.trim_matches('/');
    let body = match p {
        "" => "latest".into(),
        "latest" => "meta-data\nuser-data".into(),
        "latest/user-data" => String::new(),
        "latest/meta-data" => "app-id\ncam/\ninstance/\ninstance-id\ninstance-name\nlocal-ipv4\nmac\nplacement/\npublic-ipv4\nuuid".into(),
        "latest/meta-data/app-id" => "1312458760".into(),
        "latest/meta-data/instance-id" => "ins-8kx2rq1d".into(),
        "latest/meta-data/instance-name" => "order-service-01".into(),
        "latest/meta-data/local-ipv4" => "10.206.0.17".into(),
        "latest/meta-data/mac" => "52:54:00:8a:3c:e1".into(),
        "latest/meta-data/public-ipv4" => "43.139.52.18".into(),
        "latest/meta-data/uuid" => "b7e2d94a-61c3-4f08-9a5e-3d1f7c2b8e60".into(),
        "latest/meta-data/placement" => "region\nzone".into(),
        "latest/meta-data/placement/region" => TENCENT_REGION.into(),
        "latest/meta-data/placement/zone" => format!("{TENCENT_REGION}-3"),
        "latest/meta-data/cam" => "security-credentials/".into(),
        "latest/meta-data/cam/security-credentials" => TENCENT_ROLE.into(),
        role if role.strip_prefix("latest/meta-data/cam/security-credentials/") == Some(TENCENT_ROLE) => {
            let body = json!({
                "TmpSecretId": c.tencent_secret_id, "TmpSecretKey": c.tencent_secret_key,
                "ExpiredTime": now + 7200, "Expiration": iso(now + 7200),
                "Token": ctx.shared.tokens.tencent_token(), "Code": "Success",
            });
            return reply(StatusCode::OK, "application/json", &[], body.to_string());
        }
        _ => {
            return reply(
                StatusCode::NOT_FOUND,
                "text/html",
                &[],
                "<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1></body></html>\n".into(),
            );
        }
    };
    ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canaries() -> Canaries {
        Canaries::new().unwrap()
    }

    #[test]
    fn base64url_matches_the_rfc_vectors() {
        for (plain, enc) in
            [("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"), ("foobar", "Zm9vYmFy")]
        {
            assert_eq!(base64url(plain.as_bytes()), enc);
        }
        assert_eq!(base64url(&[0xfb, 0xff]), "-_8");
    }

    #[test]
    fn issued_tokens_are_stable_per_run_and_recognised_when_leaked() {
        let c = canaries();
        let (a, b) = (IssuedTokens::new(&c), IssuedTokens::new(&c));
        assert_eq!(a.gcp_access_token(), b.gcp_access_token());
        assert_ne!(a.gcp_access_token(), IssuedTokens::new(&canaries()).gcp_access_token());
        let leak = format!("GET /?t={} HTTP/1.1", a.azure_access_token("https://vault.azure.net", 1_700_000_000));
        assert_eq!(a.found_in(leak.as_bytes()), ["AZURE_ACCESS_TOKEN"]);
        assert_eq!(a.found_in(a.tencent_token().as_bytes()), ["TENCENT_SESSION_TOKEN"]);
        assert_eq!(a.found_in(&a.gcp_access_token().as_bytes()[..80]), ["GCP_ACCESS_TOKEN"]);
        assert!(a.found_in(GCP_TOKEN_PREFIX.as_bytes()).is_empty());
    }

    #[test]
    fn imds_paths_give_listings_and_role_credentials() {
        let c = canaries();
        assert_eq!(aws_document(&c, "/latest/meta-data/iam/security-credentials/", 0).as_deref(), Some(AWS_ROLE));
        let creds = aws_document(&c, "/2021-07-15/meta-data/iam/security-credentials/app-server-role", 0).unwrap();
        let v: Value = serde_json::from_str(&creds).unwrap();
        assert_eq!(v["AccessKeyId"], c.aws_access_key_id.as_str());
        assert_eq!(v["Expiration"], "1970-01-01T06:00:00Z");
        assert!(aws_document(&c, "/latest/meta-data/iam/security-credentials/other-role", 0).is_none());
        assert!(aws_document(&c, "/computeMetadata/v1/", 0).is_none());
        assert!(aws_document(&c, "/latest/meta-data/", 0).unwrap().contains("iam/\n"));
    }
}
