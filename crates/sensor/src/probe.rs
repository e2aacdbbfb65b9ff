//! Loading the clang-built object, attaching the hooks a plan needs, and the maps userspace
//! writes (selections, prefilters, guard modes) and reads (counters). Dropping `Probes`
//! detaches every program and frees every map.

use std::path::{Path, PathBuf};

use aya::maps::{Array, HashMap, LpmTrie, MapData, PerCpuArray, RingBuf, lpm_trie::Key};
use aya::programs::{BtfTracePoint, Lsm, TracePoint};
use aya::{Btf, Ebpf, EbpfLoader};

use crate::SensorError;
use crate::guard::{Guard, Mode};
use crate::hook::{Attach, LSM_PROGRAMS, Program};
use crate::plan::Plan;
use crate::stats::KernelCounters;
use crate::wire::{self, NameKey, PathKey};

static OBJECT: &[u8] = aya::include_bytes_aligned!(concat!(env!("OUT_DIR"), "/sensor.bpf.o"));

const BTF_SYSFS: &str = "/sys/kernel/btf/vmlinux";
const TRACEFS: &str = "/sys/kernel/tracing";
const SECURITYFS: &str = "/sys/kernel/security";

#[derive(Clone, Debug)]
pub struct LoadOptions {
    /// Ring buffer size in bytes (a power of two, at least one page).
    pub ring_bytes: u32,
    /// Kernel BTF to relocate against; `None` reads /sys/kernel/btf/vmlinux.
    pub btf: Option<PathBuf>,
    /// Try the BPF LSM programs (deny with -EPERM).
    pub lsm: bool,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions { ring_bytes: 16 << 20, btf: None, lsm: true }
    }
}

/// How one program fared.
#[derive(Clone, Debug, serde::Serialize)]
pub struct HookStatus {
    pub hook: String,
    pub program: &'static str,
    pub target: String,
    /// `None` when attached; else why not.
    pub error: Option<String>,
}

/// Whether the BPF LSM programs run.
#[derive(Clone, Debug, serde::Serialize)]
pub struct LsmStatus {
    pub attached: bool,
    /// Why not, for people.
    pub reason: Option<String>,
}

pub struct Probes {
    ebpf: Ebpf,
    pub hooks: Vec<HookStatus>,
    pub lsm: LsmStatus,
}

impl Probes {
    /// Loads the object and attaches what `plan` needs. A hook the kernel lacks is recorded
    /// in `hooks` and skipped; only a kernel that can run none of the probes is an error.
    pub fn load(opts: &LoadOptions, plan: &Plan) -> Result<Probes, SensorError> {
        if !opts.ring_bytes.is_power_of_two() || opts.ring_bytes < 4096 {
            return Err(SensorError::Config(format!("ring buffer size {} is not a power of two of at least 4096 bytes", opts.ring_bytes)));
        }
        let btf = match &opts.btf {
            Some(p) => Btf::parse_file(p, aya::Endianness::default()).map_err(|e| SensorError::Btf(format!("{}: {e}", p.display())))?,
            None => {
                if !Path::new(BTF_SYSFS).exists() {
                    return Err(SensorError::Btf(format!(
                        "this kernel has no BTF ({BTF_SYSFS} is missing): the CO-RE probes cannot be relocated. Use a kernel built with CONFIG_DEBUG_INFO_BTF=y, or pass --btf with the kernel's BTF file"
                    )));
                }
                Btf::from_sys_fs().map_err(|e| SensorError::Btf(format!("{BTF_SYSFS}: {e}")))?
            }
        };
        ensure_mounted(TRACEFS, "tracefs", "events")?;
        let mut ebpf = EbpfLoader::new()
            .btf(Some(&btf))
            .map_max_entries("fnw_events", opts.ring_bytes)
            .load(OBJECT)
            .map_err(|e| SensorError::Load(e.to_string()))?;
        let mut hooks = Vec::new();
        for hook in &plan.hooks {
            for prog in hook.programs() {
                let error = attach(&mut ebpf, &prog, &btf).err();
                hooks.push(HookStatus { hook: hook.name().to_owned(), program: prog.name, target: target(&prog.attach), error });
            }
        }
        if hooks.iter().all(|h| h.error.is_some()) {
            let why = hooks.iter().filter_map(|h| h.error.as_deref()).next().unwrap_or("no hooks planned").to_owned();
            return Err(SensorError::Load(format!("no probe could be attached: {why}")));
        }
        let lsm = if opts.lsm {
            attach_lsm(&mut ebpf, &btf)
        } else {
            LsmStatus { attached: false, reason: Some("turned off (--no-lsm)".into()) }
        };
        let mut probes = Probes { ebpf, hooks, lsm };
        probes.set_config(wire::config::LSM, u64::from(probes.lsm.attached))?;
        probes.set_config(wire::config::SELF_TGID, u64::from(std::process::id()))?;
        probes.apply_plan(plan)?;
        Ok(probes)
    }

    fn apply_plan(&mut self, plan: &Plan) -> Result<(), SensorError> {
        self.extend_plan(plan)?;
        for n in crate::guard::ESCAPE_FILE_NAMES {
            self.set_name(n, Some(Guard::EscapeFile), 0)?;
        }
        Ok(())
    }

    /// Lets through what `plan` needs, on top of what already passes (a reload only widens the
    /// prefilters: narrowing while running could drop what a still-open window waits for).
    pub fn extend_plan(&mut self, plan: &Plan) -> Result<(), SensorError> {
        if plan.open_all {
            self.set_config(wire::config::OPEN_ALL, 1)?;
        }
        if plan.connect_all {
            self.set_config(wire::config::CONNECT_ALL, 1)?;
        }
        for p in &plan.open_prefixes {
            self.add_prefix(&p.path, p.exact, wire::prefix::ANY)?;
        }
        for n in &plan.open_names {
            self.set_name(n, None, wire::prefix::ANY)?;
        }
        if !plan.open_names.is_empty() {
            self.set_config(wire::config::NAMES, 1)?;
        }
        for x in &plan.open_suffixes {
            self.add_suffix(x, wire::prefix::ANY)?;
        }
        if !plan.open_suffixes.is_empty() {
            self.set_config(wire::config::SUFFIXES, 1)?;
        }
        for c in &plan.open_components {
            let b = c.as_bytes();
            let mut key = NameKey { name: [0; wire::NAME] };
            key.name[..b.len().min(wire::NAME - 1)].copy_from_slice(&b[..b.len().min(wire::NAME - 1)]);
            let mut m: HashMap<_, NameKey, u32> = self.map("fnw_components")?;
            m.insert(key, wire::prefix::ANY, 0).map_err(map_err("fnw_components"))?;
        }
        if !plan.open_components.is_empty() {
            self.set_config(wire::config::COMPONENTS, 1)?;
        }
        for port in &plan.connect_ports {
            let mut m: HashMap<_, u16, u8> = self.map("fnw_ports")?;
            m.insert(port, 1, 0).map_err(map_err("fnw_ports"))?;
        }
        Ok(())
    }

    fn map<K: aya::Pod, V: aya::Pod>(&mut self, name: &str) -> Result<HashMap<&mut MapData, K, V>, SensorError> {
        let m = self.ebpf.map_mut(name).ok_or_else(|| SensorError::Load(format!("the object has no map {name}")))?;
        HashMap::try_from(m).map_err(map_err(name))
    }

    pub fn set_config(&mut self, slot: u32, value: u64) -> Result<(), SensorError> {
        let m = self.ebpf.map_mut("fnw_config").ok_or_else(|| SensorError::Load("the object has no map fnw_config".into()))?;
        let mut a: Array<_, u64> = Array::try_from(m).map_err(map_err("fnw_config"))?;
        a.set(slot, value, 0).map_err(map_err("fnw_config"))
    }

    pub fn set_mode(&mut self, guard: Guard, mode: Mode) -> Result<(), SensorError> {
        let m = self.ebpf.map_mut("fnw_modes").ok_or_else(|| SensorError::Load("the object has no map fnw_modes".into()))?;
        let mut a: Array<_, u32> = Array::try_from(m).map_err(map_err("fnw_modes"))?;
        a.set(guard as u32, mode as u32, 0).map_err(map_err("fnw_modes"))
    }

    /// Selects a cgroup (v2 id): its processes, and their children, are monitored.
    pub fn select_cgroup(&mut self, id: u64, selection: u32) -> Result<(), SensorError> {
        let mut m: HashMap<_, u64, u32> = self.map("fnw_cgroups")?;
        m.insert(id, selection, 0).map_err(map_err("fnw_cgroups"))
    }

    /// Monitors a process and, from now on, its children.
    pub fn track(&mut self, tgid: u32, selection: u32) -> Result<(), SensorError> {
        let mut m: HashMap<_, u32, u32> = self.map("fnw_tracked")?;
        m.insert(tgid, selection, 0).map_err(map_err("fnw_tracked"))
    }

    /// Protects a process from ptrace and signals by monitored processes.
    pub fn protect(&mut self, tgid: u32, why: u32) -> Result<(), SensorError> {
        let mut m: HashMap<_, u32, u32> = self.map("fnw_protected")?;
        m.insert(tgid, why, 0).map_err(map_err("fnw_protected"))
    }

    /// Adds a path prefix (or, `exact`, a whole path) with `P_*` bits, merging with what is
    /// there.
    pub fn add_prefix(&mut self, path: &str, exact: bool, bits: u32) -> Result<(), SensorError> {
        let mut data = [0u8; wire::LPM_DATA];
        let bytes = path.as_bytes();
        // An exact path includes its NUL; a prefix too long for the key is cut, which only
        // lets more through.
        let len = if exact && bytes.len() < wire::LPM_DATA { bytes.len() + 1 } else { bytes.len().min(wire::LPM_DATA) };
        let n = bytes.len().min(wire::LPM_DATA);
        data[..n].copy_from_slice(&bytes[..n]);
        let key = Key::new((len * 8) as u32, PathKey { data });
        let m = self.ebpf.map_mut("fnw_prefixes").ok_or_else(|| SensorError::Load("the object has no map fnw_prefixes".into()))?;
        let mut t: LpmTrie<_, PathKey, u32> = LpmTrie::try_from(m).map_err(map_err("fnw_prefixes"))?;
        // Only an entry of exactly this prefix merges; a lookup would return the longest match.
        let old = t
            .iter()
            .filter_map(Result::ok)
            .find(|(k, _)| k.prefix_len() == key.prefix_len() && k.data().data == data)
            .map_or(0, |(_, v)| v);
        t.insert(&key, old | bits, 0).map_err(map_err("fnw_prefixes"))
    }

    /// Adds a path suffix: stored reversed, so that the trie's longest prefix is the longest
    /// matching suffix.
    pub fn add_suffix(&mut self, suffix: &str, bits: u32) -> Result<(), SensorError> {
        let mut data = [0u8; wire::LPM_DATA];
        let rev: Vec<u8> = suffix.bytes().rev().take(wire::LPM_DATA).collect();
        data[..rev.len()].copy_from_slice(&rev);
        let key = Key::new((rev.len() * 8) as u32, PathKey { data });
        let m = self.ebpf.map_mut("fnw_suffixes").ok_or_else(|| SensorError::Load("the object has no map fnw_suffixes".into()))?;
        let mut t: LpmTrie<_, PathKey, u32> = LpmTrie::try_from(m).map_err(map_err("fnw_suffixes"))?;
        t.insert(&key, bits, 0).map_err(map_err("fnw_suffixes"))
    }

    fn set_name(&mut self, name: &str, guard: Option<Guard>, bits: u32) -> Result<(), SensorError> {
        let b = name.as_bytes();
        if b.is_empty() || b.len() >= wire::NAME {
            return Ok(());
        }
        let mut key = NameKey { name: [0; wire::NAME] };
        key.name[..b.len()].copy_from_slice(b);
        let mut m: HashMap<_, NameKey, u32> = self.map("fnw_names")?;
        let old = m.get(&key, 0).unwrap_or(0);
        let g = guard.map_or(old & 0xff, |g| g as u32);
        m.insert(key, g | ((bits | (old >> 8)) << 8), 0).map_err(map_err("fnw_names"))
    }

    /// The kernel ids of this sensor's loaded programs and of the maps they use: what must be
    /// gone once it is dropped.
    pub fn object_ids(&self) -> (Vec<u32>, Vec<u32>) {
        let mut progs = Vec::new();
        let mut maps = Vec::new();
        for (_, p) in self.ebpf.programs() {
            if let Ok(info) = p.info() {
                progs.push(info.id());
                maps.extend(info.map_ids().ok().flatten().unwrap_or_default());
            }
        }
        maps.sort_unstable();
        maps.dedup();
        (progs, maps)
    }

    /// Takes the ring buffer, for the reader thread.
    pub fn take_ring(&mut self) -> Result<RingBuf<MapData>, SensorError> {
        let m = self.ebpf.take_map("fnw_events").ok_or_else(|| SensorError::Load("the ring buffer is already taken".into()))?;
        RingBuf::try_from(m).map_err(map_err("fnw_events"))
    }

    /// The programs' counters, summed over CPUs.
    pub fn counters(&self) -> Result<KernelCounters, SensorError> {
        let m = self.ebpf.map("fnw_stats").ok_or_else(|| SensorError::Load("the object has no map fnw_stats".into()))?;
        let a: PerCpuArray<_, [u64; wire::STATS.len()]> = PerCpuArray::try_from(m).map_err(map_err("fnw_stats"))?;
        let mut c = KernelCounters::default();
        for (hook, row) in c.rows.iter_mut().enumerate() {
            let per_cpu = a.get(&(hook as u32), 0).map_err(map_err("fnw_stats"))?;
            for cpu in per_cpu.iter() {
                for (s, v) in cpu.iter().enumerate() {
                    row[s] += v;
                }
            }
        }
        Ok(c)
    }
}

fn map_err(name: &str) -> impl Fn(aya::maps::MapError) -> SensorError + '_ {
    move |e| SensorError::Map(format!("{name}: {e}"))
}

fn target(a: &Attach) -> String {
    match a {
        Attach::BtfTracepoint(t) => format!("tp_btf/{t}"),
        Attach::SyscallEnter(s) => format!("syscalls:sys_enter_{s}"),
        Attach::Lsm(h) => format!("lsm/{h}"),
    }
}

fn attach(ebpf: &mut Ebpf, prog: &Program, btf: &Btf) -> Result<(), String> {
    let p = ebpf.program_mut(prog.name).ok_or_else(|| format!("the object has no program {}", prog.name))?;
    match prog.attach {
        Attach::BtfTracepoint(tp) => {
            let p: &mut BtfTracePoint = p.try_into().map_err(|e| format!("{e}"))?;
            p.load(tp, btf).map_err(|e| describe(&e))?;
            p.attach().map_err(|e| describe(&e))?;
        }
        Attach::SyscallEnter(s) => {
            let name = format!("sys_enter_{s}");
            if !Path::new(TRACEFS).join("events/syscalls").join(&name).exists() {
                return Err(format!("this kernel has no tracepoint syscalls:{name}"));
            }
            let p: &mut TracePoint = p.try_into().map_err(|e| format!("{e}"))?;
            p.load().map_err(|e| describe(&e))?;
            p.attach("syscalls", &name).map_err(|e| describe(&e))?;
        }
        Attach::Lsm(hook) => {
            let p: &mut Lsm = p.try_into().map_err(|e| format!("{e}"))?;
            p.load(hook, btf).map_err(|e| describe(&e))?;
            p.attach().map_err(|e| describe(&e))?;
        }
    }
    Ok(())
}

/// The program error, with the verifier's last lines rather than its whole log.
fn describe(e: &aya::programs::ProgramError) -> String {
    let s = e.to_string();
    match s.find("Verifier output:") {
        Some(i) if s[i + 16..].trim().is_empty() => s[..i].trim_end().trim_end_matches('.').to_owned(),
        Some(i) => {
            let log: Vec<&str> = s[i..].lines().rev().take(4).collect();
            format!("{} … {}", &s[..i], log.into_iter().rev().collect::<Vec<_>>().join(" | "))
        }
        None => s,
    }
}

fn attach_lsm(ebpf: &mut Ebpf, btf: &Btf) -> LsmStatus {
    let _ = ensure_mounted(SECURITYFS, "securityfs", "lsm");
    match std::fs::read_to_string(Path::new(SECURITYFS).join("lsm")) {
        Ok(list) if list.trim().split(',').any(|l| l == "bpf") => {}
        Ok(list) => {
            return LsmStatus {
                attached: false,
                reason: Some(format!("the BPF LSM is not active (lsm={}); boot with bpf in lsm= to deny with -EPERM", list.trim())),
            };
        }
        Err(e) => return LsmStatus { attached: false, reason: Some(format!("cannot read the active LSMs: {e}")) },
    }
    for prog in LSM_PROGRAMS {
        if let Err(e) = attach(ebpf, prog, btf) {
            let hint = if e.contains("Operation not permitted") {
                " (the kernel refuses BPF trampoline programs here, e.g. under lockdown)"
            } else {
                ""
            };
            // All or none: a partial set would deny some guards and not others.
            for other in LSM_PROGRAMS {
                if let Some(p) = ebpf.program_mut(other.name)
                    && let Ok(p) = <&mut Lsm>::try_from(p)
                {
                    let _ = p.unload();
                }
            }
            return LsmStatus { attached: false, reason: Some(format!("BPF LSM program {} not loaded: {e}{hint}", prog.name)) };
        }
    }
    LsmStatus { attached: true, reason: None }
}

/// Mounts a pseudo filesystem where the kernel exposes it, if nothing is there yet.
fn ensure_mounted(dir: &str, fstype: &str, probe: &str) -> Result<(), SensorError> {
    if Path::new(dir).join(probe).exists() {
        return Ok(());
    }
    let c = |s: &str| std::ffi::CString::new(s).map_err(|_| SensorError::Config(format!("bad path {s}")));
    let (src, target, ty) = (c(fstype)?, c(dir)?, c(fstype)?);
    // SAFETY: NUL-terminated strings that outlive the call; no data argument.
    let rc = unsafe { libc::mount(src.as_ptr(), target.as_ptr(), ty.as_ptr(), 0, std::ptr::null()) };
    if rc != 0 {
        return Err(SensorError::Load(format!(
            "{fstype} is not mounted at {dir} and mounting it failed: {}",
            std::io::Error::last_os_error()
        )));
    }
    tracing::info!("mounted {fstype} at {dir}");
    Ok(())
}
