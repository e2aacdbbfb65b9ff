//! Function attribution: pid → cgroup → container or sandbox → function. Resolvers read the
//! process's cgroup path and environment from /proc; a process whose own facts name nothing
//! inherits its parent's attribution (a child that cleared its environment stays attributed).

use std::fs;
use std::io::Read;

use fnwarden_event::{Container, FunctionId};

use crate::container::Meta;

/// What /proc says about one process, as the resolvers need it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProcFacts {
    /// The cgroup v2 path (`0::/…` line), else the first v1 path.
    pub cgroup: String,
    /// Every hierarchy's path (v1 controllers too: a sandbox may join only those).
    pub cgroups: Vec<String>,
    /// Environment entries the resolvers look at.
    pub env: Vec<(String, String)>,
}

/// The environment variables any resolver reads; the rest is never kept.
const ENV_KEYS: &[&str] = &[
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_RUNTIME_API",
    "AWS_EXECUTION_ENV",
    "AWS_REGION",
    "_HANDLER",
    "TENCENTCLOUD_RUNENV",
    "SCF_FUNCTIONNAME",
    "SCF_FUNCTIONVERSION",
    "TENCENTCLOUD_REGION",
    "FUNCTIONS_WORKER_RUNTIME",
    "WEBSITE_SITE_NAME",
    "FUNCTION_TARGET",
    "FUNCTION_NAME",
    "FUNCTION_REGION",
    "GOOGLE_FUNCTION_TARGET",
    "K_SERVICE",
    "K_REVISION",
    "K_CONFIGURATION",
    "fprocess",
    "HOSTNAME",
    "__OW_ACTION_NAME",
    "__OW_API_HOST",
    "FNWARDEN_SANDBOX",
];

/// At most this much of an environment is read: a function can make its own huge.
const ENV_MAX: u64 = 256 << 10;

impl ProcFacts {
    pub fn read(pid: u32) -> ProcFacts {
        let text = fs::read_to_string(format!("/proc/{pid}/cgroup")).unwrap_or_default();
        let mut raw = Vec::new();
        if let Ok(f) = fs::File::open(format!("/proc/{pid}/environ")) {
            let _ = f.take(ENV_MAX).read_to_end(&mut raw);
        }
        ProcFacts { cgroup: cgroup_path(&text), cgroups: all_paths(&text), env: parse_env(&raw) }
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.env.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str()).filter(|v| !v.is_empty())
    }
}

/// The cgroup v2 path of a /proc/PID/cgroup file, else the first v1 one.
pub fn cgroup_path(s: &str) -> String {
    let mut first = None;
    for line in s.lines() {
        let mut parts = line.splitn(3, ':');
        let (Some(id), Some(_), Some(path)) = (parts.next(), parts.next(), parts.next()) else { continue };
        if id == "0" {
            return path.to_owned();
        }
        first.get_or_insert(path);
    }
    first.unwrap_or_default().to_owned()
}

fn all_paths(s: &str) -> Vec<String> {
    let mut v: Vec<String> = s.lines().filter_map(|l| l.splitn(3, ':').nth(2)).filter(|p| *p != "/").map(str::to_owned).collect();
    v.sort();
    v.dedup();
    v
}

pub fn parse_env(raw: &[u8]) -> Vec<(String, String)> {
    raw.split(|b| *b == 0)
        .filter_map(|e| {
            let e = String::from_utf8_lossy(e);
            let (k, v) = e.split_once('=')?;
            ENV_KEYS.contains(&k).then(|| (k.to_owned(), v.to_owned()))
        })
        .collect()
}

/// Whom a process belongs to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Attribution {
    pub function: FunctionId,
    pub container: Option<Container>,
}

impl Attribution {
    pub fn is_empty(&self) -> bool {
        self.function.is_empty() && self.container.is_none()
    }
}

/// Runs the resolvers over a process's facts and its container's metadata. `selection` names
/// what selected it (a cgroup path or a command), the instance of last resort.
pub fn resolve(facts: &ProcFacts, meta: Option<&Meta>, selection: &str) -> Attribution {
    let paths = || std::iter::once(facts.cgroup.as_str()).chain(facts.cgroups.iter().map(String::as_str));
    let mut container = paths().find_map(container_of);
    // The container's configured environment stands in for what the process cleared.
    let mut merged;
    let facts = match meta {
        Some(m) => {
            merged = facts.clone();
            for e in parse_env(m.env.join("\0").as_bytes()) {
                if !merged.env.iter().any(|(k, _)| *k == e.0) {
                    merged.env.push(e);
                }
            }
            if let Some(c) = container.as_mut() {
                c.name = m.name.clone();
                c.image = m.image.clone();
            }
            &merged
        }
        None => facts,
    };
    let mut f = FunctionId::default();
    let sandbox = paths().find_map(sandbox_of).or_else(|| facts.get("FNWARDEN_SANDBOX").map(str::to_owned));
    if let Some(name) = facts.get("AWS_LAMBDA_FUNCTION_NAME") {
        f.provider = "aws".into();
        f.name = name.into();
        f.version = facts.get("AWS_LAMBDA_FUNCTION_VERSION").unwrap_or_default().into();
        f.region = facts.get("AWS_REGION").unwrap_or_default().into();
        f.runtime = facts.get("AWS_EXECUTION_ENV").map(|r| r.trim_start_matches("AWS_Lambda_").to_owned()).unwrap_or_default();
    } else if facts.get("TENCENTCLOUD_RUNENV").is_some() || facts.get("SCF_FUNCTIONNAME").is_some() {
        f.provider = "tencent".into();
        f.name = facts.get("SCF_FUNCTIONNAME").unwrap_or_default().into();
        f.version = facts.get("SCF_FUNCTIONVERSION").unwrap_or_default().into();
        f.region = facts.get("TENCENTCLOUD_REGION").unwrap_or_default().into();
    } else if let Some(rt) = facts.get("FUNCTIONS_WORKER_RUNTIME") {
        f.provider = "azure".into();
        f.name = facts.get("WEBSITE_SITE_NAME").unwrap_or_default().into();
        f.runtime = rt.into();
    } else if facts.get("FUNCTION_TARGET").is_some() || facts.get("GOOGLE_FUNCTION_TARGET").is_some() {
        f.provider = "gcp".into();
        f.name = facts.get("K_SERVICE").or_else(|| facts.get("FUNCTION_NAME")).unwrap_or_default().into();
        f.version = facts.get("K_REVISION").unwrap_or_default().into();
        f.region = facts.get("FUNCTION_REGION").unwrap_or_default().into();
    } else if let Some(svc) = facts.get("K_SERVICE").or_else(|| meta.and_then(|m| m.label("serving.knative.dev/service"))) {
        f.provider = "knative".into();
        f.name = svc.into();
        f.version =
            facts.get("K_REVISION").or_else(|| meta.and_then(|m| m.label("serving.knative.dev/revision"))).unwrap_or_default().into();
    } else if let Some(name) = paths().find_map(faasd_name).or_else(|| openfaas_meta(meta)).or_else(|| openfaas_name(facts)) {
        f.provider = "openfaas".into();
        f.name = name;
    } else if facts.get("__OW_API_HOST").is_some() || facts.get("__OW_ACTION_NAME").is_some() {
        f.provider = "openwhisk".into();
        f.name = facts.get("__OW_ACTION_NAME").unwrap_or_default().into();
    }
    if let Some(id) = &sandbox {
        if f.provider.is_empty() {
            f.provider = "fnwarden-sandbox".into();
        }
        f.instance = id.clone();
    } else if let Some(c) = &container {
        f.instance = c.id.clone();
    } else if f.provider.is_empty() && !selection.is_empty() {
        f.instance = selection.to_owned();
    }
    if f.instance.is_empty() && !f.provider.is_empty() {
        f.instance = selection.to_owned();
    }
    Attribution { function: f, container }
}

/// faasd runs functions in the `openfaas-fn` containerd namespace: cgroup `/openfaas-fn/NAME`.
fn faasd_name(cgroup: &str) -> Option<String> {
    let segs: Vec<&str> = cgroup.split('/').collect();
    let i = segs.iter().position(|s| *s == "openfaas-fn")?;
    segs.get(i + 1).filter(|s| !s.is_empty()).map(|s| (*s).to_owned())
}

/// OpenFaaS on Kubernetes: function pods live in the `openfaas-fn` namespace and the container
/// is named after the function (also `faas_function` among Docker labels).
fn openfaas_meta(meta: Option<&Meta>) -> Option<String> {
    let m = meta?;
    if let Some(f) = m.label("faas_function").or_else(|| m.label("com.openfaas.function")) {
        return Some(f.to_owned());
    }
    (m.namespace == "openfaas-fn" && !m.name.is_empty()).then(|| m.name.clone())
}

/// OpenFaaS on Kubernetes: the watchdog has `fprocess`, and the pod's host name is
/// `NAME-<replicaset>-<pod>`.
fn openfaas_name(facts: &ProcFacts) -> Option<String> {
    facts.get("fprocess")?;
    let host = facts.get("HOSTNAME").unwrap_or_default();
    let mut parts: Vec<&str> = host.rsplitn(3, '-').collect();
    if parts.len() == 3 {
        return parts.pop().map(str::to_owned);
    }
    Some(host.to_owned())
}

/// fnwarden's own sandboxes live in `/fnwarden/ID` cgroups.
fn sandbox_of(cgroup: &str) -> Option<String> {
    let segs: Vec<&str> = cgroup.split('/').collect();
    let i = segs.iter().position(|s| *s == "fnwarden")?;
    segs.get(i + 1).filter(|s| !s.is_empty()).map(|s| (*s).to_owned())
}

/// A container id in a cgroup path: `docker-ID.scope`, `/docker/ID`, `cri-containerd-ID.scope`,
/// `crio-ID.scope`, `/kubepods/…/ID`, `libpod-ID.scope`; shortened to 12 digits as `docker ps`
/// shows it.
pub fn container_of(cgroup: &str) -> Option<Container> {
    full_container_id(cgroup).map(|id| Container { id: id[..12].to_owned(), ..Container::default() })
}

/// The whole container id in a cgroup path (what the runtimes' files are named by).
pub fn full_container_id(cgroup: &str) -> Option<&str> {
    for seg in cgroup.rsplit('/') {
        let s = seg.strip_suffix(".scope").unwrap_or(seg);
        let id = ["docker-", "cri-containerd-", "crio-", "libpod-", "containerd-"].iter().find_map(|p| s.strip_prefix(p)).unwrap_or(s);
        if id.len() >= 32 && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Some(id);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(cgroup: &str, env: &[(&str, &str)]) -> ProcFacts {
        ProcFacts { cgroup: cgroup.into(), cgroups: Vec::new(), env: env.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect() }
    }

    #[test]
    fn lambda_environment_names_the_function() {
        let a = resolve(
            &facts(
                "/fnwarden/42-1-ab",
                &[("AWS_LAMBDA_FUNCTION_NAME", "orders"), ("AWS_EXECUTION_ENV", "AWS_Lambda_python3.12"), ("AWS_REGION", "eu-west-1")],
            ),
            None,
            "cmd",
        );
        assert_eq!(a.function.provider, "aws");
        assert_eq!(a.function.name, "orders");
        assert_eq!(a.function.runtime, "python3.12");
        assert_eq!(a.function.instance, "42-1-ab");
    }

    #[test]
    fn providers_by_environment() {
        let p = |env: &[(&str, &str)]| resolve(&facts("/", env), None, "s").function;
        assert_eq!(p(&[("TENCENTCLOUD_RUNENV", "SCF"), ("SCF_FUNCTIONNAME", "thumb")]).provider, "tencent");
        assert_eq!(p(&[("FUNCTIONS_WORKER_RUNTIME", "node"), ("WEBSITE_SITE_NAME", "app1")]).name, "app1");
        let g = p(&[("FUNCTION_TARGET", "handler"), ("K_SERVICE", "resize")]);
        assert_eq!((g.provider.as_str(), g.name.as_str()), ("gcp", "resize"));
        let k = p(&[("K_SERVICE", "hello"), ("K_REVISION", "hello-00001")]);
        assert_eq!((k.provider.as_str(), k.version.as_str()), ("knative", "hello-00001"));
        let o = p(&[("fprocess", "python index.py"), ("HOSTNAME", "figlet-7d9c6b5f4-x2k8p")]);
        assert_eq!((o.provider.as_str(), o.name.as_str()), ("openfaas", "figlet"));
        assert_eq!(p(&[("__OW_API_HOST", "https://ow")]).provider, "openwhisk");
        // Nothing known: the selection is the instance, no provider is made up.
        let n = p(&[]);
        assert_eq!((n.provider.as_str(), n.instance.as_str()), ("", "s"));
    }

    #[test]
    fn cgroup_paths_give_containers_and_faasd_functions() {
        let id = "4f3c2a9b8e71d2c3a4b5c6d7e8f90123456789abcdef0123456789abcdef0123";
        assert_eq!(container_of(&format!("/system.slice/docker-{id}.scope")).map(|c| c.id), Some("4f3c2a9b8e71".into()));
        assert_eq!(container_of(&format!("/kubepods/burstable/pod1234/{id}")).map(|c| c.id), Some("4f3c2a9b8e71".into()));
        assert_eq!(container_of("/user.slice/user-0.slice/session-1.scope"), None);
        let a = resolve(&facts("/openfaas-fn/figlet", &[]), None, "s");
        assert_eq!((a.function.provider.as_str(), a.function.name.as_str()), ("openfaas", "figlet"));
        assert_eq!(cgroup_path("12:pids:/a\n0::/fnwarden/x\n"), "/fnwarden/x");
        assert_eq!(cgroup_path("3:cpu:/v1only\n"), "/v1only");
        assert_eq!(cgroup_path("garbage"), "");
        // A sandbox that joined only v1 controllers is still found.
        let v1 =
            ProcFacts { cgroup: "/user.slice".into(), cgroups: all_paths("4:memory:/fnwarden/7-1-aa\n0::/user.slice\n"), env: Vec::new() };
        assert_eq!(resolve(&v1, None, "s").function.instance, "7-1-aa");
    }

    #[test]
    fn container_metadata_names_openfaas_and_knative_functions() {
        let id = "4f3c2a9b8e71d2c3a4b5c6d7e8f90123456789abcdef0123456789abcdef0123";
        let cg = format!("/kubepods/burstable/pod1/{id}");
        let of = Meta { name: "figlet".into(), namespace: "openfaas-fn".into(), image: "figlet:1".into(), ..Meta::default() };
        let a = resolve(&facts(&cg, &[]), Some(&of), "s");
        assert_eq!((a.function.provider.as_str(), a.function.name.as_str()), ("openfaas", "figlet"));
        assert_eq!(a.container.as_ref().map(|c| c.image.as_str()), Some("figlet:1"));
        let kn = Meta {
            labels: vec![("serving.knative.dev/service".into(), "hello".into())],
            env: vec!["K_REVISION=hello-00002".into()],
            ..Meta::default()
        };
        let a = resolve(&facts(&cg, &[]), Some(&kn), "s");
        assert_eq!(
            (a.function.provider.as_str(), a.function.name.as_str(), a.function.version.as_str()),
            ("knative", "hello", "hello-00002")
        );
        // The process's own environment wins over the container's.
        let lam = Meta { env: vec!["AWS_LAMBDA_FUNCTION_NAME=from-image".into()], ..Meta::default() };
        let a = resolve(&facts(&cg, &[("AWS_LAMBDA_FUNCTION_NAME", "live")]), Some(&lam), "s");
        assert_eq!(a.function.name, "live");
        assert_eq!(full_container_id(&cg), Some(id));
    }

    #[test]
    fn environment_parsing_keeps_only_known_keys_and_survives_junk() {
        let env = parse_env(b"PATH=/bin\0AWS_LAMBDA_FUNCTION_NAME=f\0\xff\xfe\0noequals\0K_SERVICE=\0");
        assert_eq!(env, vec![("AWS_LAMBDA_FUNCTION_NAME".to_owned(), "f".to_owned()), ("K_SERVICE".to_owned(), String::new())]);
    }
}
