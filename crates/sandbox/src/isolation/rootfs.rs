//! The sandbox's root file system, built by the init in its private mount namespace: a tmpfs
//! holding read-only binds of the system's `/usr` (and the `/bin`, `/lib*` links or binds), a
//! synthesized `/etc` with a few read-only binds (TLS roots, the loader cache), the function at
//! `/var/task`, the layers at `/opt`, the spec's files, a size-limited `/tmp`, a new `/proc` and a
//! minimal `/dev`. Then pivot_root, and the root turns read-only: only `/tmp` is writable.

use std::fs;
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Component, Path, PathBuf};

use nix::fcntl::{OFlag, open};
use nix::mount::{MntFlags, MsFlags, mount, umount2};
use nix::sys::stat::Mode;
use nix::unistd::{chdir, pivot_root};

use super::init::{At, Failure};
use super::protocol::InitConfig;

/// Where the new root is built. The init's mounts are private, so this hides nothing outside.
const STAGING: &str = "/tmp";
/// Top-level host entries the runtimes need: links are copied, directories bound read-only.
const SYSTEM: [&str; 7] = ["usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32"];
/// Host `/etc` entries worth seeing: TLS roots, the loader's cache and configuration, the zone.
const SYSTEM_ETC: [&str; 8] = ["ssl", "pki", "ca-certificates", "alternatives", "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime"];
const DEVICES: [&str; 5] = ["null", "zero", "full", "random", "urandom"];
/// The sandbox network's resolver.
const NAMESERVER: &str = "169.254.169.253";
/// Lambda's name for the function's user.
const USER: &str = "sbx_user1051";

/// What a host entry becomes in the sandbox.
enum Source {
    /// A bind of the file or directory, held open by an O_PATH descriptor.
    Bind {
        fd: OwnedFd,
        dir: bool,
    },
    Link(PathBuf),
}

/// Whether `path` (absolute, inside the sandbox) lies on a mount of its own, where a spec file
/// could not be written.
pub(super) fn is_mounted_over(path: &Path) -> bool {
    let top = ["var/task", "opt", "tmp", "proc", "dev"].iter().map(PathBuf::from);
    let etc = SYSTEM_ETC.iter().map(|e| Path::new("etc").join(e));
    let rel = path.strip_prefix("/").unwrap_or(path);
    top.chain(SYSTEM.iter().map(PathBuf::from)).chain(etc).any(|m| rel.starts_with(m))
}

pub(super) fn build(cfg: &InitConfig) -> Result<(), Failure> {
    let none = None::<&str>;
    mount(none, "/", none, MsFlags::MS_REC | MsFlags::MS_PRIVATE, none).at("making the mounts private")?;
    // Every source is opened before anything is mounted over it (the function may live under
    // STAGING) and bound through its descriptor.
    let task = open_dir(&cfg.task_dir).at(format_args!("function directory {}", cfg.task_dir.display()))?;
    let opt = match &cfg.opt_dir {
        Some(dir) => Some(open_dir(dir).at(format_args!("layers directory {}", dir.display()))?),
        None => None,
    };
    let system = host_entries(Path::new("/"), &SYSTEM)?;
    let system_etc = host_entries(Path::new("/etc"), &SYSTEM_ETC)?;
    let mut devices = Vec::new();
    for name in DEVICES {
        let path = Path::new("/dev").join(name);
        devices.push((name, open(&path, OFlag::O_PATH | OFlag::O_CLOEXEC, Mode::empty()).at(format_args!("opening {}", path.display()))?));
    }

    let root = Path::new(STAGING);
    mount(Some("tmpfs"), root, Some("tmpfs"), MsFlags::MS_NOSUID | MsFlags::MS_NODEV, Some("mode=0755")).at("mounting the root")?;
    write_etc(root, cfg)?;
    // Spec files go in before any bind, so that they can only land in the root's tmpfs.
    for (path, content, mode) in &cfg.files {
        write_file(root, path, content, *mode).at(format_args!("writing {}", path.display()))?;
    }
    let read_only = MsFlags::MS_RDONLY | MsFlags::MS_NOSUID | MsFlags::MS_NODEV;
    for (name, source) in &system {
        place(&root.join(name), source, read_only)?;
    }
    for (name, source) in &system_etc {
        place(&root.join("etc").join(name), source, read_only)?;
    }
    let var_task = root.join("var/task");
    fs::create_dir_all(&var_task).at("creating /var/task")?;
    bind(&task, &var_task, read_only)?;
    let opt_dir = root.join("opt");
    fs::create_dir(&opt_dir).at("creating /opt")?;
    if let Some(opt) = &opt {
        bind(opt, &opt_dir, read_only)?;
    }
    let tmp = root.join("tmp");
    fs::create_dir(&tmp).at("creating /tmp")?;
    let tmp_options = format!("mode=1777,size={}m", cfg.limits.tmp_mb);
    mount(Some("tmpfs"), &tmp, Some("tmpfs"), MsFlags::MS_NOSUID | MsFlags::MS_NODEV, Some(tmp_options.as_str())).at("mounting /tmp")?;
    let proc = root.join("proc");
    fs::create_dir(&proc).at("creating /proc")?;
    let proc_flags = MsFlags::MS_NOSUID | MsFlags::MS_NODEV | MsFlags::MS_NOEXEC;
    mount(Some("proc"), &proc, Some("proc"), proc_flags, none).at("mounting /proc")?;
    build_dev(&root.join("dev"), &devices)?;
    drop((task, opt, system, system_etc, devices));

    chdir(root).at("entering the new root")?;
    pivot_root(".", ".").at("pivot_root")?;
    umount2(".", MntFlags::MNT_DETACH).at("detaching the host's root")?;
    chdir("/").at("entering /")?;
    let remount = MsFlags::MS_BIND | MsFlags::MS_REMOUNT;
    mount(none, "/dev", none, remount | MsFlags::MS_RDONLY | MsFlags::MS_NOSUID | MsFlags::MS_NOEXEC, none).at("making /dev read-only")?;
    mount(none, "/", none, remount | read_only, none).at("making the root read-only")
}

fn open_dir(path: &Path) -> nix::Result<OwnedFd> {
    open(path, OFlag::O_PATH | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC, Mode::empty())
}

/// The entries of `dir` named in `names` that exist on the host.
fn host_entries<'n>(dir: &Path, names: &[&'n str]) -> Result<Vec<(&'n str, Source)>, Failure> {
    let mut found = Vec::new();
    for name in names {
        let path = dir.join(name);
        let meta = match fs::symlink_metadata(&path) {
            Ok(meta) => meta,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e).at(format_args!("inspecting {}", path.display())),
        };
        let source = if meta.is_symlink() {
            Source::Link(fs::read_link(&path).at(format_args!("reading the link {}", path.display()))?)
        } else {
            let fd = open(&path, OFlag::O_PATH | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC, Mode::empty())
                .at(format_args!("opening {}", path.display()))?;
            Source::Bind { fd, dir: meta.is_dir() }
        };
        found.push((*name, source));
    }
    Ok(found)
}

fn place(target: &Path, source: &Source, flags: MsFlags) -> Result<(), Failure> {
    match source {
        Source::Link(to) => symlink(to, target).at(format_args!("linking {}", target.display())),
        Source::Bind { fd, dir } => {
            if *dir {
                fs::create_dir(target).at(format_args!("creating {}", target.display()))?;
            } else {
                fs::File::create(target).at(format_args!("creating {}", target.display()))?;
            }
            bind(fd, target, flags)
        }
    }
}

/// Binds what `source` refers to at `target`, then applies `flags` to the new mount.
fn bind(source: &OwnedFd, target: &Path, flags: MsFlags) -> Result<(), Failure> {
    let none = None::<&str>;
    let from = format!("/proc/self/fd/{}", source.as_raw_fd());
    mount(Some(from.as_str()), target, none, MsFlags::MS_BIND, none).at(format_args!("binding {}", target.display()))?;
    mount(none, target, none, MsFlags::MS_BIND | MsFlags::MS_REMOUNT | flags, none).at(format_args!("restricting {}", target.display()))
}

/// A `/etc` of the sandbox's own: its user, name and resolver, nothing of the host's.
fn write_etc(root: &Path, cfg: &InitConfig) -> Result<(), Failure> {
    let etc = root.join("etc");
    fs::create_dir(&etc).at("creating /etc")?;
    let (uid, gid, host) = (cfg.uid, cfg.gid, &cfg.hostname);
    let files = [
        (
            "passwd",
            format!(
                "root:x:0:0:root:/root:/sbin/nologin\n{USER}:x:{uid}:{gid}::/home/{USER}:/sbin/nologin\nnobody:x:65534:65534:nobody:/:/sbin/nologin\n"
            ),
        ),
        ("group", format!("root:x:0:\n{USER}:x:{gid}:\nnobody:x:65534:\n")),
        ("hosts", format!("127.0.0.1 localhost {host}\n::1 localhost\n")),
        ("hostname", format!("{host}\n")),
        ("resolv.conf", format!("nameserver {NAMESERVER}\n")),
        ("nsswitch.conf", "passwd: files\ngroup: files\nhosts: files dns\n".to_owned()),
    ];
    for (name, content) in files {
        fs::write(etc.join(name), content).at(format_args!("writing /etc/{name}"))?;
    }
    Ok(())
}

fn write_file(root: &Path, path: &Path, content: &[u8], mode: u32) -> std::io::Result<()> {
    let rel: PathBuf = path.components().filter(|c| matches!(c, Component::Normal(_))).collect();
    let dest = root.join(rel);
    if let Some(parent) = dest.parent() {
        fs::create_dir_all(parent)?;
    }
    fs::write(&dest, content)?;
    fs::set_permissions(&dest, fs::Permissions::from_mode(mode))
}

/// A read-only tmpfs with binds of the harmless devices and the usual links into `/proc`.
fn build_dev(dev: &Path, devices: &[(&str, OwnedFd)]) -> Result<(), Failure> {
    fs::create_dir(dev).at("creating /dev")?;
    mount(Some("tmpfs"), dev, Some("tmpfs"), MsFlags::MS_NOSUID | MsFlags::MS_NOEXEC, Some("mode=0755,size=64k")).at("mounting /dev")?;
    for (name, fd) in devices {
        let target = dev.join(name);
        fs::File::create(&target).at(format_args!("creating /dev/{name}"))?;
        bind(fd, &target, MsFlags::MS_NOSUID | MsFlags::MS_NOEXEC)?;
    }
    for (name, to) in [("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2")]
    {
        symlink(to, dev.join(name)).at(format_args!("linking /dev/{name}"))?;
    }
    Ok(())
}
