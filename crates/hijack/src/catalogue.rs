//! The rules this crate raises.

use fnwarden_project::{Class, ScanRule, Severity};

pub static RUNTIME_API: ScanRule = ScanRule {
    id: "fnw-scan-hijack-runtime-api",
    title: "Function code talks to the Lambda Runtime API",
    severity: Severity::High,
    class: Class::Hijack,
    cwe: &[506, 923],
    description: "The code builds requests to the Lambda Runtime, Extensions, Logs or Telemetry API (the \
        `/2018-06-01/runtime/invocation/...`, `/2020-01-01/extension/...`, `/2020-08-15/logs` or `/2022-07-01/telemetry` \
        routes, or the `AWS_LAMBDA_RUNTIME_API` address), or rewrites `AWS_LAMBDA_RUNTIME_API`. The runtime already \
        polls for events and posts responses; a handler that does so itself can steal the next invocations' events, \
        forge responses or keep a hijacked runtime loop alive in a warm environment. Published Lambda persistence \
        techniques do exactly this.",
    remediation: "Remove the Runtime API calls from the handler and let the managed runtime (or the official runtime \
        client of a custom runtime) own the event loop. If this is a deliberate custom runtime or extension, keep it in \
        its own reviewed component and suppress the finding there.",
};

pub static PROC_ENVIRON: ScanRule = ScanRule {
    id: "fnw-scan-hijack-proc-environ",
    title: "Reads process environments or memory through /proc",
    severity: Severity::High,
    class: Class::Hijack,
    cwe: &[526, 200],
    description: "The code reads `/proc/<pid>/environ` (of itself, PID 1 or any process) or the `mem`/`maps` of \
        another process. On Lambda the function's temporary credentials live in the environment, and PID 1 is the \
        runtime's supervisor; reading these files is how credential harvesting and Runtime API hijacking \
        (overwriting the runtime's memory) start. A handler that needs its configuration reads `os.environ` or \
        `process.env` instead.",
    remediation: "Read the variables you need through the language's environment API, and never open \
        `/proc/*/environ`, `/proc/*/mem` or `/proc/*/maps` of other processes from function code.",
};

pub static TMP_EXECUTABLE: ScanRule = ScanRule {
    id: "fnw-scan-hijack-tmp-executable",
    title: "Writes an executable file to /tmp",
    severity: Severity::Medium,
    class: Class::Hijack,
    cwe: &[379, 732],
    description: "The code makes a file under `/tmp` executable (`chmod +x`, `os.chmod(..., 0o755)`, \
        `fs.chmodSync`, a write with an executable mode). `/tmp` is the only writable folder of a Lambda \
        environment and survives warm reuse, so a dropped binary keeps running, or can be swapped by whoever controls \
        a later invocation. Droppers, miners and runtime-replacement payloads are staged this way.",
    remediation: "Ship binaries in the deployment package or a layer (`/var/task`, `/opt`, read-only and executable) \
        instead of writing them to /tmp at run time.",
};

pub static TMP_TRUSTED: ScanRule = ScanRule {
    id: "fnw-scan-hijack-tmp-trusted",
    title: "Runs or loads code from /tmp",
    severity: Severity::High,
    class: Class::Hijack,
    cwe: &[829, 426, 427],
    description: "The code executes, imports, requires, dlopens, unpickles or sources a file under `/tmp`, or puts \
        `/tmp` on a search path (`sys.path`, `NODE_PATH`, `PATH`, `LD_PRELOAD`). Warm environments keep `/tmp` between \
        invocations, so a file planted there by an earlier, compromised invocation runs with every later one. \
        Code written to /tmp and loaded in the same function, without checking whether it is already there, is not \
        reported.",
    remediation: "Load code only from the deployment package or layers. If a file must be produced at run time, write \
        it fresh in the same invocation (never reuse one found on disk) and verify it before loading.",
};

pub static BACKGROUND_PROCESS: ScanRule = ScanRule {
    id: "fnw-scan-hijack-background-process",
    title: "Starts a process that outlives the handler",
    severity: Severity::Medium,
    class: Class::Hijack,
    cwe: &[404, 506],
    description: "The code starts a child process it never waits for, or detaches one on purpose (`nohup`, `setsid`, \
        a background `&`, `start_new_session`, `detached: true` with `unref()`, `os.fork`, `P_NOWAIT`, a `Start()` or \
        `start()` with no `Wait`/`waitFor`), or starts a looping daemon thread at module scope. Such processes are \
        frozen with the environment and resume on the next invocation: the classic way to persist in a warm \
        environment, and a cost leak even when benign.",
    remediation: "Wait for every child process before the handler returns (`subprocess.run`, `communicate()`, \
        `cmd.Wait()`, `waitFor()`), and do background work through a queue or another function instead of detached \
        processes.",
};

pub static RUNTIME_PATCH: ScanRule = ScanRule {
    id: "fnw-scan-hijack-runtime-patch",
    title: "Patches globals of the runtime",
    severity: Severity::Medium,
    class: Class::Hijack,
    cwe: &[913, 506],
    description: "The code replaces built-ins or modules the runtime and every later invocation share: `builtins`, \
        `sys.modules`, `socket`, `http.client`, the Lambda runtime client, `console.log`, `process.stdout.write`, \
        `Module._load`, `require.cache`, `global.fetch`, `http.request`, `Object.defineProperty(globalThis, ...)`, \
        trace and audit hooks, Java agents and reflective access to runtime internals. A patch made once survives in \
        the warm environment and sees the events, responses and credentials of all later invocations. Test doubles \
        (`Mock()`, `jest.fn()`, `unittest.mock.patch`) and test files are not reported.",
    remediation: "Do not reassign runtime globals from function code. Wrap the function you need in your own module, \
        pass clients explicitly, and use the runtime's supported hooks (structured logging, extensions) instead.",
};

pub(crate) fn all() -> Vec<&'static ScanRule> {
    vec![&RUNTIME_API, &PROC_ENVIRON, &TMP_EXECUTABLE, &TMP_TRUSTED, &BACKGROUND_PROCESS, &RUNTIME_PATCH]
}
