//! `fnwarden monitor --config FILE`: sensor sizes and per-rule and per-guard modes, in TOML.
//! Reloaded on SIGHUP; a file that does not parse keeps the running settings.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;
use fnwarden_sensor::Mode;
use serde::Deserialize;

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MonitorConfig {
    #[serde(default)]
    pub sensor: SensorSection,
    /// Mode by rule id: off, monitor, dry-run, deny, kill. Overrides the rule's `action`.
    #[serde(default)]
    pub rules: BTreeMap<String, Mode>,
    /// Mode by guard name (escape-file, module, ptrace, bpf, self-kill, self-tamper); applied
    /// after the rules' modes.
    #[serde(default)]
    pub guards: BTreeMap<String, Mode>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SensorSection {
    /// Ring buffer bytes (a power of two).
    pub ring_bytes: Option<u32>,
    /// Records queued between the ring reader and the engine.
    pub queue: Option<usize>,
    /// Unread ring bytes past which low-priority records are shed; 0 never sheds.
    pub shed_bytes: Option<u64>,
}

impl MonitorConfig {
    pub fn load(path: &Path) -> anyhow::Result<MonitorConfig> {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read --config {}", path.display()))?;
        Self::parse(&text).with_context(|| format!("--config {}", path.display()))
    }

    pub fn parse(text: &str) -> anyhow::Result<MonitorConfig> {
        let c: MonitorConfig = toml::from_str(text).map_err(|e| anyhow::anyhow!("{}", e.to_string().trim_end()))?;
        for g in c.guards.keys() {
            if !fnwarden_sensor::Guard::ALL.iter().any(|x| x.name() == g) {
                let names: Vec<&str> = fnwarden_sensor::Guard::ALL.iter().map(|x| x.name()).collect();
                anyhow::bail!("[guards] {g}: no such guard; guards are {}", names.join(", "));
            }
        }
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_parse_and_mistakes_name_the_key() {
        let c =
            MonitorConfig::parse("[sensor]\nqueue = 10\n[rules]\nfnw-escape-mount = \"dry-run\"\n[guards]\nptrace = \"kill\"\n").unwrap();
        assert_eq!(c.sensor.queue, Some(10));
        assert_eq!(c.rules["fnw-escape-mount"], Mode::DryRun);
        assert_eq!(c.guards["ptrace"], Mode::Kill);
        let e = MonitorConfig::parse("[sensor]\nqeue = 10\n").unwrap_err().to_string();
        assert!(e.contains("qeue"), "{e}");
        let e = MonitorConfig::parse("[rules]\nx = \"enforce\"\n").unwrap_err().to_string();
        assert!(e.contains("enforce"), "{e}");
        let e = MonitorConfig::parse("[guards]\nptrac = \"kill\"\n").unwrap_err().to_string();
        assert!(e.contains("ptrac") && e.contains("escape-file"), "{e}");
        assert!(MonitorConfig::parse("not toml [").is_err());
    }

    #[test]
    fn the_example_config_parses() {
        let c = MonitorConfig::parse(include_str!("../../../../examples/monitor/monitor.toml")).unwrap();
        assert_eq!(c.sensor.ring_bytes, Some(65536));
        assert_eq!(c.guards["bpf"], Mode::Monitor);
    }
}
