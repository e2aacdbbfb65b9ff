//! fnwarden's eBPF sensor for FaaS hosts.
//!
//! C probes (`bpf/`) built by clang with CO-RE attach to the `sched_process_*` tracepoints and
//! to the enter tracepoints of the syscalls the loaded rules need ([`plan`]). Only processes of
//! monitored functions (selected cgroups, tracked processes and their children) produce
//! records, and per-rule prefilters drop what no rule can match in the kernel. Records reach
//! userspace through a BPF ring buffer ([`sensor`]), become core events ([`normalize`]) with
//! function attribution ([`attribution`], from /proc and the runtimes' [`container`]
//! metadata), and every stage counts what it lost ([`stats`]).
//! Guards ([`guard`]) kill the caller of an escape primitive at syscall entry, and BPF LSM
//! programs fail it with -EPERM where the kernel accepts them.

pub mod attribution;
pub mod container;
pub mod guard;
pub mod hook;
pub mod normalize;
pub mod plan;
pub mod probe;
pub mod process;
pub mod select;
pub mod sensor;
pub mod stats;
pub mod wire;

pub use guard::{Guard, Mode};
pub use plan::Plan;
pub use probe::{HookStatus, LoadOptions, LsmStatus, Probes};
pub use sensor::{Sensor, SensorConfig};

#[derive(Debug, thiserror::Error)]
pub enum SensorError {
    #[error("kernel BTF: {0}")]
    Btf(String),
    #[error("loading the eBPF probes: {0}")]
    Load(String),
    #[error("eBPF map {0}")]
    Map(String),
    #[error("sensor configuration: {0}")]
    Config(String),
}
