//! Builds the kernel probes (bpf/sensor.bpf.c) with clang into a BPF object that the crate
//! embeds. CO-RE: the object carries BTF relocations, resolved against the running kernel's
//! BTF at load time, so one build runs on any kernel with BTF.

use std::env;
use std::path::PathBuf;
use std::process::Command;

fn main() {
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let obj = out.join("sensor.bpf.o");
    for f in ["bpf/sensor.bpf.c", "bpf/sensor.h", "bpf/vmlinux_min.h"] {
        println!("cargo:rerun-if-changed={f}");
    }
    println!("cargo:rerun-if-env-changed=FNWARDEN_CLANG");
    let clang = env::var("FNWARDEN_CLANG").unwrap_or_else(|_| "clang".to_owned());
    let arch = match env::var("CARGO_CFG_TARGET_ARCH").as_deref() {
        Ok("x86_64") => "x86",
        Ok("aarch64") => "arm64",
        Ok(other) => panic!("the eBPF sensor has no probes for {other} yet"),
        Err(_) => "x86",
    };
    let status = Command::new(&clang)
        .args(["-O2", "-g", "-Wall", "-Werror", "-target", "bpf"])
        .arg(format!("-D__TARGET_ARCH_{arch}"))
        .args(["-Ibpf", "-c", "bpf/sensor.bpf.c", "-o"])
        .arg(&obj)
        .status();
    match status {
        Ok(s) if s.success() => {}
        Ok(s) => panic!("clang failed to build the eBPF probes ({s}); see its messages above"),
        Err(e) => panic!(
            "cannot run {clang} to build the eBPF probes: {e}. Install clang and libbpf-dev (bash .ci/setup does), or point FNWARDEN_CLANG at a clang"
        ),
    }
}
