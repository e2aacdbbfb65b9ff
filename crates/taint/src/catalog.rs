//! What each language calls a sink, a sanitizer or an attacker-controlled global, by the
//! canonical path of the callee (`subprocess.run`, `child_process.exec`, `os/exec.Command`,
//! `Runtime.getRuntime().exec`). `*.m` matches any receiver; `*.a().m` a receiver ending so.

use std::sync::OnceLock;

use fnwarden_code::Lang;
use rustc_hash::FxHashMap;

use crate::value::{ALL_SINKS, Sink};

/// Which arguments of a sink call matter, and when the call is dangerous at all.
#[derive(Clone, Copy, Debug)]
pub enum Arg {
    /// The n-th positional argument (or the keyword of that name, Python).
    N(usize, &'static str),
    /// Every argument from the n-th on.
    From(usize),
    /// The object the method is called on (`ois.readObject()`, `Path(p).read_text()`).
    Receiver,
    /// Python `subprocess.*`: any argument with `shell=True`, else the program (see `Process`).
    PyShell,
    /// A process started without a shell: dangerous when the program itself is attacker data,
    /// or when the argument list is `sh -c …`.
    Process(usize),
    /// Node `spawn(cmd, args, {shell: true})`.
    Spawn,
    /// `yaml.load` without a safe loader.
    Yaml,
    /// Output written to a response: only when the value is HTML (built with markup).
    Markup(usize),
    /// A query method name shared with non-SQL APIs (`query`, `execute`): only when the
    /// argument was built as a string.
    Built(usize),
}

pub struct SinkSpec {
    pub pat: &'static str,
    pub sink: Sink,
    pub arg: Arg,
}

const fn s(pat: &'static str, sink: Sink, arg: Arg) -> SinkSpec {
    SinkSpec { pat, sink, arg }
}

use Arg::*;
use Sink::*;

const A0: Arg = N(0, "");

static PYTHON_SINKS: &[SinkSpec] = &[
    s("os.system", Command, A0),
    s("os.popen", Command, A0),
    s("subprocess.run", Command, PyShell),
    s("subprocess.call", Command, PyShell),
    s("subprocess.check_call", Command, PyShell),
    s("subprocess.check_output", Command, PyShell),
    s("subprocess.Popen", Command, PyShell),
    s("subprocess.getoutput", Command, A0),
    s("subprocess.getstatusoutput", Command, A0),
    s("commands.getoutput", Command, A0),
    s("asyncio.create_subprocess_shell", Command, A0),
    s("asyncio.create_subprocess_exec", Command, Process(0)),
    s("pty.spawn", Command, A0),
    s("os.execl", Command, Process(0)),
    s("os.execv", Command, Process(0)),
    s("os.execvp", Command, Process(0)),
    s("os.spawnl", Command, Process(1)),
    s("eval", Eval, A0),
    s("exec", Eval, A0),
    s("compile", Eval, A0),
    s("builtins.eval", Eval, A0),
    s("builtins.exec", Eval, A0),
    s("importlib.import_module", Eval, A0),
    s("__import__", Eval, A0),
    s("runpy.run_path", Eval, A0),
    s("runpy.run_module", Eval, A0),
    s("*.execute", Sql, N(0, "operation")),
    s("*.executemany", Sql, A0),
    s("*.executescript", Sql, A0),
    s("*.raw", Sql, A0),
    s("sqlalchemy.text", Sql, A0),
    s("*.read_sql", Sql, A0),
    s("*.read_sql_query", Sql, A0),
    s("pickle.loads", Deserialize, A0),
    s("pickle.load", Deserialize, A0),
    s("cPickle.loads", Deserialize, A0),
    s("_pickle.loads", Deserialize, A0),
    s("dill.loads", Deserialize, A0),
    s("marshal.loads", Deserialize, A0),
    s("marshal.load", Deserialize, A0),
    s("jsonpickle.decode", Deserialize, A0),
    s("yaml.load", Deserialize, Yaml),
    s("yaml.load_all", Deserialize, Yaml),
    s("yaml.unsafe_load", Deserialize, A0),
    s("yaml.unsafe_load_all", Deserialize, A0),
    s("pandas.read_pickle", Deserialize, A0),
    s("open", Path, N(0, "file")),
    s("io.open", Path, N(0, "file")),
    s("codecs.open", Path, A0),
    s("os.open", Path, A0),
    s("os.remove", Path, A0),
    s("os.unlink", Path, A0),
    s("os.rmdir", Path, A0),
    s("os.listdir", Path, A0),
    s("shutil.rmtree", Path, A0),
    s("shutil.copy", Path, From(0)),
    s("shutil.copyfile", Path, From(0)),
    s("shutil.move", Path, From(0)),
    s("flask.send_file", Path, A0),
    s("*.download_file", Path, N(2, "Filename")),
    s("*.upload_file", Path, N(0, "Filename")),
    s("*.read_text", Path, Receiver),
    s("*.read_bytes", Path, Receiver),
    s("*.write_text", Path, Receiver),
    s("*.write_bytes", Path, Receiver),
    s("requests.get", Ssrf, N(0, "url")),
    s("requests.post", Ssrf, N(0, "url")),
    s("requests.put", Ssrf, N(0, "url")),
    s("requests.delete", Ssrf, N(0, "url")),
    s("requests.patch", Ssrf, N(0, "url")),
    s("requests.head", Ssrf, N(0, "url")),
    s("requests.request", Ssrf, N(1, "url")),
    s("httpx.get", Ssrf, N(0, "url")),
    s("httpx.post", Ssrf, N(0, "url")),
    s("httpx.request", Ssrf, N(1, "url")),
    s("urllib.request.urlopen", Ssrf, N(0, "url")),
    s("urllib.request.Request", Ssrf, N(0, "url")),
    s("urllib2.urlopen", Ssrf, A0),
    s("*.urlopen", Ssrf, A0),
    s("http.client.HTTPConnection", Ssrf, A0),
    s("http.client.HTTPSConnection", Ssrf, A0),
    s("urllib3.PoolManager().request", Ssrf, N(1, "url")),
    s("flask.render_template_string", Html, A0),
    s("jinja2.Template", Html, A0),
    s("*.from_string", Html, A0),
    s("markupsafe.Markup", Html, A0),
    s("flask.Markup", Html, A0),
    s("flask.make_response", Html, Markup(0)),
    s("django.http.HttpResponse", Html, Markup(0)),
];

static JS_SINKS: &[SinkSpec] = &[
    s("child_process.exec", Command, A0),
    s("child_process.execSync", Command, A0),
    s("child_process.spawn", Command, Spawn),
    s("child_process.spawnSync", Command, Spawn),
    s("child_process.execFile", Command, Process(0)),
    s("child_process.execFileSync", Command, Process(0)),
    s("shelljs.exec", Command, A0),
    s("execa.command", Command, A0),
    s("execa.commandSync", Command, A0),
    s("eval", Eval, A0),
    s("Function", Eval, From(0)),
    s("new Function", Eval, From(0)),
    s("vm.runInNewContext", Eval, A0),
    s("vm.runInThisContext", Eval, A0),
    s("vm.runInContext", Eval, A0),
    s("vm.compileFunction", Eval, A0),
    s("new vm.Script", Eval, A0),
    s("setTimeout", Eval, A0),
    s("setInterval", Eval, A0),
    s("require", Eval, A0),
    s("import", Eval, A0),
    s("*.query", Sql, Built(0)),
    s("*.execute", Sql, Built(0)),
    s("*.raw", Sql, A0),
    s("*.$queryRawUnsafe", Sql, A0),
    s("*.$executeRawUnsafe", Sql, A0),
    s("node-serialize.unserialize", Deserialize, A0),
    s("serialize-to-js.deserialize", Deserialize, A0),
    s("funcster.deepDeserialize", Deserialize, A0),
    s("fs.readFile", Path, A0),
    s("fs.readFileSync", Path, A0),
    s("fs.writeFile", Path, A0),
    s("fs.writeFileSync", Path, A0),
    s("fs.appendFile", Path, A0),
    s("fs.appendFileSync", Path, A0),
    s("fs.createReadStream", Path, A0),
    s("fs.createWriteStream", Path, A0),
    s("fs.unlink", Path, A0),
    s("fs.unlinkSync", Path, A0),
    s("fs.rm", Path, A0),
    s("fs.rmSync", Path, A0),
    s("fs.readdir", Path, A0),
    s("fs.readdirSync", Path, A0),
    s("fs.open", Path, A0),
    s("fs.openSync", Path, A0),
    s("*.sendFile", Path, A0),
    s("*.download", Path, A0),
    s("fetch", Ssrf, A0),
    s("node-fetch", Ssrf, A0),
    s("axios", Ssrf, A0),
    s("axios.get", Ssrf, A0),
    s("axios.post", Ssrf, A0),
    s("axios.put", Ssrf, A0),
    s("axios.delete", Ssrf, A0),
    s("axios.patch", Ssrf, A0),
    s("axios.head", Ssrf, A0),
    s("axios.request", Ssrf, A0),
    s("got", Ssrf, A0),
    s("got.get", Ssrf, A0),
    s("got.post", Ssrf, A0),
    s("http.get", Ssrf, A0),
    s("http.request", Ssrf, A0),
    s("https.get", Ssrf, A0),
    s("https.request", Ssrf, A0),
    s("request", Ssrf, A0),
    s("superagent.get", Ssrf, A0),
    s("needle.get", Ssrf, A0),
    s("*.send", Html, Markup(0)),
    s("*.write", Html, Markup(0)),
    s("*.end", Html, Markup(0)),
    s("document.write", Html, A0),
    s("*.insertAdjacentHTML", Html, N(1, "")),
    s("ejs.render", Html, A0),
    s("pug.render", Html, A0),
    s("handlebars.compile", Html, A0),
];

static GO_SINKS: &[SinkSpec] = &[
    s("os/exec.Command", Command, Process(0)),
    s("os/exec.CommandContext", Command, Process(1)),
    s("syscall.Exec", Command, A0),
    s("*.Query", Sql, A0),
    s("*.QueryRow", Sql, A0),
    s("*.Exec", Sql, A0),
    s("*.Prepare", Sql, A0),
    s("*.QueryContext", Sql, N(1, "")),
    s("*.QueryRowContext", Sql, N(1, "")),
    s("*.ExecContext", Sql, N(1, "")),
    s("*.PrepareContext", Sql, N(1, "")),
    s("*.Raw", Sql, A0),
    s("encoding/gob.NewDecoder().Decode", Deserialize, Receiver),
    s("os.Open", Path, A0),
    s("os.OpenFile", Path, A0),
    s("os.ReadFile", Path, A0),
    s("os.WriteFile", Path, A0),
    s("os.Create", Path, A0),
    s("os.Remove", Path, A0),
    s("os.RemoveAll", Path, A0),
    s("io/ioutil.ReadFile", Path, A0),
    s("io/ioutil.WriteFile", Path, A0),
    s("net/http.ServeFile", Path, N(2, "")),
    s("net/http.Get", Ssrf, A0),
    s("net/http.Post", Ssrf, A0),
    s("net/http.Head", Ssrf, A0),
    s("net/http.NewRequest", Ssrf, N(1, "")),
    s("net/http.NewRequestWithContext", Ssrf, N(2, "")),
    s("html/template.HTML", Html, A0),
    s("text/template.New().Parse", Html, A0),
    s("*.Write", Html, Markup(0)),
    s("fmt.Fprintf", Html, Markup(1)),
    s("fmt.Fprint", Html, Markup(1)),
    s("fmt.Fprintln", Html, Markup(1)),
    s("io.WriteString", Html, Markup(1)),
];

static JAVA_SINKS: &[SinkSpec] = &[
    s("Runtime.getRuntime().exec", Command, Process(0)),
    s("*.exec", Command, Process(0)),
    s("new ProcessBuilder", Command, Process(0)),
    s("*.command", Command, Process(0)),
    s("*.eval", Eval, A0),
    s("*.parseExpression", Eval, A0),
    s("*.executeQuery", Sql, A0),
    s("*.executeUpdate", Sql, A0),
    s("*.executeLargeUpdate", Sql, A0),
    s("*.addBatch", Sql, A0),
    s("*.prepareStatement", Sql, A0),
    s("*.prepareCall", Sql, A0),
    s("*.createQuery", Sql, A0),
    s("*.createNativeQuery", Sql, A0),
    s("*.execute", Sql, Built(0)),
    s("*.query", Sql, Built(0)),
    s("*.queryForObject", Sql, Built(0)),
    s("*.queryForList", Sql, Built(0)),
    s("*.update", Sql, Built(0)),
    s("*.readObject", Deserialize, Receiver),
    s("*.readUnshared", Deserialize, Receiver),
    s("new Yaml().load", Deserialize, A0),
    s("new File", Path, From(0)),
    s("new FileInputStream", Path, A0),
    s("new FileReader", Path, A0),
    s("new FileOutputStream", Path, A0),
    s("new FileWriter", Path, A0),
    s("new RandomAccessFile", Path, A0),
    s("Files.readAllBytes", Path, A0),
    s("Files.readAllLines", Path, A0),
    s("Files.readString", Path, A0),
    s("Files.lines", Path, A0),
    s("Files.newInputStream", Path, A0),
    s("Files.newBufferedReader", Path, A0),
    s("Files.write", Path, A0),
    s("Files.writeString", Path, A0),
    s("Files.delete", Path, A0),
    s("Files.copy", Path, From(0)),
    s("*.openConnection", Ssrf, Receiver),
    s("*.openStream", Ssrf, Receiver),
    s("HttpRequest.newBuilder", Ssrf, A0),
    s("*.uri", Ssrf, A0),
    s("new HttpGet", Ssrf, A0),
    s("new HttpPost", Ssrf, A0),
    s("*.getForObject", Ssrf, A0),
    s("*.getForEntity", Ssrf, A0),
    s("*.postForObject", Ssrf, A0),
    s("*.exchange", Ssrf, A0),
    s("*.withBody", Html, Markup(0)),
    s("*.setBody", Html, Markup(0)),
    s("*.getWriter().write", Html, Markup(0)),
    s("*.getWriter().print", Html, Markup(0)),
    s("*.getWriter().println", Html, Markup(0)),
];

/// Calls whose result is clean for some sink classes whatever their input.
pub struct Sanitizer {
    pub pat: &'static str,
    pub clears: u8,
}

const fn z(pat: &'static str, clears: u8) -> Sanitizer {
    Sanitizer { pat, clears }
}

const CMD: u8 = Command as u8;
const HTML: u8 = Html as u8;
const PATH: u8 = Path as u8;
const SQL: u8 = Sql as u8;
const ALL: u8 = ALL_SINKS;

static PYTHON_SANITIZERS: &[Sanitizer] = &[
    z("shlex.quote", CMD),
    z("pipes.quote", CMD),
    z("int", ALL),
    z("float", ALL),
    z("bool", ALL),
    z("len", ALL),
    z("abs", ALL),
    z("round", ALL),
    z("ord", ALL),
    z("hash", ALL),
    z("id", ALL),
    z("isinstance", ALL),
    z("uuid.UUID", ALL),
    z("uuid.uuid4", ALL),
    z("*.hexdigest", ALL),
    z("*.isdigit", ALL),
    z("*.isalnum", ALL),
    z("*.count", ALL),
    z("html.escape", HTML),
    z("markupsafe.escape", HTML),
    z("flask.escape", HTML),
    z("cgi.escape", HTML),
    z("bleach.clean", HTML),
    z("os.path.basename", PATH),
    z("werkzeug.utils.secure_filename", PATH | CMD),
    z("urllib.parse.quote", HTML),
    z("urllib.parse.quote_plus", HTML | CMD | PATH),
];

static JS_SANITIZERS: &[Sanitizer] = &[
    z("parseInt", ALL),
    z("parseFloat", ALL),
    z("Number", ALL),
    z("Boolean", ALL),
    z("Number.parseInt", ALL),
    z("Number.parseFloat", ALL),
    z("Math.floor", ALL),
    z("Math.round", ALL),
    z("*.digest", ALL),
    z("uuid.v4", ALL),
    z("crypto.randomUUID", ALL),
    z("shell-quote.quote", CMD),
    z("shell-escape", CMD),
    z("shescape.quote", CMD),
    z("escape-html", HTML),
    z("he.encode", HTML),
    z("he.escape", HTML),
    z("*.escape", HTML | SQL),
    z("mysql.escape", SQL),
    z("sqlstring.escape", SQL),
    z("*.escapeId", SQL),
    z("encodeURIComponent", HTML | PATH | CMD),
    z("path.basename", PATH),
    z("sanitize-filename", PATH | CMD),
    z("DOMPurify.sanitize", HTML),
    z("sanitize-html", HTML),
    z("xss", HTML),
];

static GO_SANITIZERS: &[Sanitizer] = &[
    z("strconv.Atoi", ALL),
    z("strconv.ParseInt", ALL),
    z("strconv.ParseUint", ALL),
    z("strconv.ParseFloat", ALL),
    z("strconv.ParseBool", ALL),
    z("len", ALL),
    z("github.com/google/uuid.Parse", ALL),
    z("github.com/google/uuid.New", ALL),
    z("path/filepath.Base", PATH),
    z("path.Base", PATH),
    z("html.EscapeString", HTML),
    z("html/template.HTMLEscapeString", HTML),
    z("text/template.HTMLEscapeString", HTML),
    z("net/url.QueryEscape", HTML | PATH | CMD),
    z("net/url.PathEscape", HTML | PATH),
    z("github.com/alessio/shellescape.Quote", CMD),
];

static JAVA_SANITIZERS: &[Sanitizer] = &[
    z("Integer.parseInt", ALL),
    z("Integer.valueOf", ALL),
    z("Long.parseLong", ALL),
    z("Long.valueOf", ALL),
    z("Double.parseDouble", ALL),
    z("Boolean.parseBoolean", ALL),
    z("UUID.fromString", ALL),
    z("UUID.randomUUID", ALL),
    z("*.length", ALL),
    z("*.size", ALL),
    z("*.hashCode", ALL),
    z("StringEscapeUtils.escapeHtml4", HTML),
    z("StringEscapeUtils.escapeHtml", HTML),
    z("HtmlUtils.htmlEscape", HTML),
    z("Encode.forHtml", HTML),
    z("*.encodeForHTML", HTML),
    z("FilenameUtils.getName", PATH),
    z("*.getFileName", PATH),
    z("URLEncoder.encode", HTML | PATH),
];

/// Names whose value is the web framework's request: attacker data wherever it is read.
pub fn source_global(lang: Lang, canonical: &str) -> bool {
    match lang {
        Lang::Python => matches!(canonical, "flask.request" | "bottle.request" | "quart.request" | "werkzeug.request"),
        _ => false,
    }
}

/// Methods that fold their arguments into the object they are called on.
pub fn mutates_receiver(method: &str) -> bool {
    matches!(
        method,
        "append"
            | "extend"
            | "insert"
            | "add"
            | "addAll"
            | "push"
            | "unshift"
            | "update"
            | "put"
            | "putAll"
            | "set"
            | "setdefault"
            | "write"
            | "writeString"
            | "WriteString"
            | "concat"
            | "appendChild"
            | "setString"
            | "Set"
            | "Add"
    )
}

/// Methods and functions that format or join strings: their result is a built string.
pub fn builds_string(method: &str) -> bool {
    matches!(method, "format" | "Sprintf" | "join" | "Join" | "concat" | "toString" | "String" | "formatted" | "replace" | "Sprint")
}

struct Table<T: 'static> {
    by_last: FxHashMap<&'static str, Vec<&'static T>>,
}

impl<T> Table<T> {
    fn new(items: &'static [T], pat: impl Fn(&T) -> &'static str) -> Table<T> {
        let mut by_last: FxHashMap<&'static str, Vec<&'static T>> = FxHashMap::default();
        for item in items {
            by_last.entry(last_segment(pat(item))).or_default().push(item);
        }
        Table { by_last }
    }

    fn find(&self, path: &str, pat: impl Fn(&T) -> &'static str) -> Option<&'static T> {
        self.by_last.get(last_segment(path))?.iter().copied().find(|item| matches(pat(item), path))
    }
}

fn last_segment(path: &str) -> &str {
    let p = path.strip_suffix("()").unwrap_or(path);
    p.rsplit('.').next().unwrap_or(p)
}

fn matches(pat: &str, path: &str) -> bool {
    match pat.strip_prefix('*') {
        Some(suffix) => path.ends_with(suffix),
        None => pat == path,
    }
}

struct Catalog {
    sinks: Table<SinkSpec>,
    sanitizers: Table<Sanitizer>,
}

fn catalog(lang: Lang) -> &'static Catalog {
    static PY: OnceLock<Catalog> = OnceLock::new();
    static JS: OnceLock<Catalog> = OnceLock::new();
    static GO: OnceLock<Catalog> = OnceLock::new();
    static JAVA: OnceLock<Catalog> = OnceLock::new();
    let (cell, sinks, sanitizers) = match lang {
        Lang::Python => (&PY, PYTHON_SINKS, PYTHON_SANITIZERS),
        Lang::Go => (&GO, GO_SINKS, GO_SANITIZERS),
        Lang::Java => (&JAVA, JAVA_SINKS, JAVA_SANITIZERS),
        _ => (&JS, JS_SINKS, JS_SANITIZERS),
    };
    cell.get_or_init(|| Catalog { sinks: Table::new(sinks, |s| s.pat), sanitizers: Table::new(sanitizers, |s| s.pat) })
}

pub fn sink(lang: Lang, path: &str) -> Option<&'static SinkSpec> {
    catalog(lang).sinks.find(path, |s| s.pat)
}

pub fn sanitizer(lang: Lang, path: &str) -> Option<&'static Sanitizer> {
    catalog(lang).sanitizers.find(path, |s| s.pat)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_by_suffix_or_exactly() {
        assert!(sink(Lang::Python, "os.system").is_some());
        assert!(sink(Lang::Python, "conn.cursor().execute").is_some());
        assert!(sink(Lang::Python, "system").is_none());
        assert!(sink(Lang::Java, "response.getWriter().println").is_some());
        assert!(sink(Lang::Java, "System.out.println").is_none());
        assert!(sanitizer(Lang::Python, "hashlib.sha256().hexdigest").is_some());
        assert!(sanitizer(Lang::Go, "strconv.Atoi").is_some());
    }
}
