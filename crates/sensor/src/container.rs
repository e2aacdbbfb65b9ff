//! Container metadata from the runtime's own files, for attribution: containerd's OCI bundles
//! (`config.json`: CRI annotations, environment) and Docker's container configs (labels,
//! environment). Read once per container; a runtime that is not there gives nothing.

use std::path::{Path, PathBuf};

use serde_json::Value;

/// Where runtimes keep per-container state on a host.
pub struct Roots {
    /// containerd's v2 task bundles: `<root>/<namespace>/<id>/config.json`.
    pub containerd: PathBuf,
    /// Docker: `<root>/<id>/config.v2.json`.
    pub docker: PathBuf,
}

impl Default for Roots {
    fn default() -> Self {
        Roots { containerd: "/run/containerd/io.containerd.runtime.v2.task".into(), docker: "/var/lib/docker/containers".into() }
    }
}

/// What the runtime says of a container.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Meta {
    /// The container's name (CRI container name, Docker name).
    pub name: String,
    /// The Kubernetes pod, when CRI made it.
    pub pod: String,
    /// The Kubernetes namespace, or containerd's namespace.
    pub namespace: String,
    /// The image.
    pub image: String,
    /// Labels and annotations by key.
    pub labels: Vec<(String, String)>,
    /// The container's configured environment (`KEY=value`).
    pub env: Vec<String>,
}

/// At most this much of a runtime's file is read.
const MAX: u64 = 4 << 20;

impl Meta {
    pub fn label(&self, key: &str) -> Option<&str> {
        self.labels.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    pub fn env_var(&self, key: &str) -> Option<&str> {
        self.env.iter().find_map(|e| e.strip_prefix(key)?.strip_prefix('='))
    }

    /// The metadata of container `id` (full id), from whichever runtime has it.
    pub fn read(roots: &Roots, id: &str) -> Option<Meta> {
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        containerd(&roots.containerd, id).or_else(|| docker(&roots.docker, id))
    }
}

fn read_json(p: &Path) -> Option<Value> {
    use std::io::Read;
    let mut s = String::new();
    std::fs::File::open(p).ok()?.take(MAX).read_to_string(&mut s).ok()?;
    serde_json::from_str(&s).ok()
}

fn strings(v: &Value) -> Vec<(String, String)> {
    v.as_object().map(|m| m.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned()))).collect()).unwrap_or_default()
}

fn containerd(root: &Path, id: &str) -> Option<Meta> {
    for ns in std::fs::read_dir(root).ok()?.flatten() {
        let Some(cfg) = read_json(&ns.path().join(id).join("config.json")) else { continue };
        let labels = strings(&cfg["annotations"]);
        let get = |k: &str| labels.iter().find(|(x, _)| x == k).map(|(_, v)| v.clone()).unwrap_or_default();
        let env =
            cfg["process"]["env"].as_array().map(|a| a.iter().filter_map(|e| e.as_str().map(str::to_owned)).collect()).unwrap_or_default();
        let namespace = match get("io.kubernetes.cri.sandbox-namespace") {
            n if n.is_empty() => ns.file_name().to_string_lossy().into_owned(),
            n => n,
        };
        return Some(Meta {
            name: get("io.kubernetes.cri.container-name"),
            pod: get("io.kubernetes.cri.sandbox-name"),
            namespace,
            image: get("io.kubernetes.cri.image-name"),
            labels,
            env,
        });
    }
    None
}

fn docker(root: &Path, id: &str) -> Option<Meta> {
    let cfg = read_json(&root.join(id).join("config.v2.json"))?;
    let c = &cfg["Config"];
    let labels = strings(&c["Labels"]);
    let env = c["Env"].as_array().map(|a| a.iter().filter_map(|e| e.as_str().map(str::to_owned)).collect()).unwrap_or_default();
    let get = |k: &str| labels.iter().find(|(x, _)| x == k).map(|(_, v)| v.clone()).unwrap_or_default();
    Some(Meta {
        name: cfg["Name"].as_str().unwrap_or_default().trim_start_matches('/').to_owned(),
        pod: get("io.kubernetes.pod.name"),
        namespace: get("io.kubernetes.pod.namespace"),
        image: c["Image"].as_str().unwrap_or_default().to_owned(),
        labels,
        env,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "4f3c2a9b8e71d2c3a4b5c6d7e8f90123456789abcdef0123456789abcdef0123";

    #[test]
    fn containerd_bundles_and_docker_configs_are_read() {
        let t = tempfile::tempdir().unwrap();
        let roots = Roots { containerd: t.path().join("ctd"), docker: t.path().join("docker") };
        let bundle = roots.containerd.join("k8s.io").join(ID);
        std::fs::create_dir_all(&bundle).unwrap();
        std::fs::write(
            bundle.join("config.json"),
            r#"{"process":{"env":["fprocess=python index.py","PATH=/bin"]},"annotations":{"io.kubernetes.cri.container-name":"figlet","io.kubernetes.cri.sandbox-name":"figlet-7d9c6b5f4-x2k8p","io.kubernetes.cri.sandbox-namespace":"openfaas-fn","io.kubernetes.cri.image-name":"ghcr.io/openfaas/figlet:latest"}}"#,
        )
        .unwrap();
        let m = Meta::read(&roots, ID).unwrap();
        assert_eq!((m.name.as_str(), m.namespace.as_str(), m.pod.as_str()), ("figlet", "openfaas-fn", "figlet-7d9c6b5f4-x2k8p"));
        assert_eq!(m.env_var("fprocess"), Some("python index.py"));
        let other = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        let d = roots.docker.join(other);
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join("config.v2.json"), r#"{"Name":"/hello","Config":{"Image":"knative/hello","Env":["K_SERVICE=hello"],"Labels":{"serving.knative.dev/service":"hello"}}}"#).unwrap();
        let m = Meta::read(&roots, other).unwrap();
        assert_eq!(m.label("serving.knative.dev/service"), Some("hello"));
        assert_eq!(m.name, "hello");
        // Bad ids, missing runtimes and junk files give nothing.
        assert!(Meta::read(&roots, "../../etc").is_none());
        std::fs::write(bundle.join("config.json"), "not json").unwrap();
        assert!(Meta::read(&roots, ID).is_none());
    }
}
