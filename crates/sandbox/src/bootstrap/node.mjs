// fnwarden's built-in Node.js bootstrap: the Lambda runtime loop with Node's standard library
// only. It loads _HANDLER ("file.function") from LAMBDA_TASK_ROOT (CommonJS or ES module), then
// polls the Runtime API for events forever. Async, promise-returning and callback handlers work.
import http from "node:http";
import path from "node:path";
import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [host, port] = process.env.AWS_LAMBDA_RUNTIME_API.split(":");
const base = "/2018-06-01/runtime/";

function request(method, p, body, errorType) {
  return new Promise((resolve, reject) => {
    const headers = { "Content-Type": "application/json" };
    if (errorType) headers["Lambda-Runtime-Function-Error-Type"] = errorType;
    const req = http.request({ host, port, method, path: base + p, headers }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on("error", reject);
    if (body !== undefined) req.write(JSON.stringify(body));
    req.end();
  });
}

const errorBody = (e) => ({
  errorMessage: String(e && e.message !== undefined ? e.message : e),
  errorType: (e && e.name) || "Error",
  stackTrace: e && e.stack ? String(e.stack).split("\n") : [],
});

async function loadHandler() {
  const spec = process.env._HANDLER || "";
  const dot = spec.lastIndexOf(".");
  if (dot < 1) throw Object.assign(new Error(`bad handler ${spec}: expected file.function`), { name: "Runtime.MalformedHandlerName" });
  const root = process.env.LAMBDA_TASK_ROOT || "/var/task";
  const file = spec.slice(0, dot);
  const candidates = [".mjs", ".cjs", ".js"].map((ext) => path.join(root, file + ext));
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw Object.assign(new Error(`cannot find module ${file} in ${root}`), { name: "Runtime.ImportModuleError" });
  const mod = await import(pathToFileURL(found).href);
  const name = spec.slice(dot + 1);
  const fn = mod[name] ?? (mod.default && mod.default[name]);
  if (typeof fn !== "function") throw Object.assign(new Error(`handler ${name} missing in ${file}`), { name: "Runtime.HandlerNotFound" });
  return fn;
}

function invokeHandler(fn, event, context) {
  return new Promise((resolve, reject) => {
    const callback = (err, result) => (err ? reject(err) : resolve(result));
    try {
      const out = fn(event, context, callback);
      if (out && typeof out.then === "function") out.then(resolve, reject);
      else if (fn.length < 3) resolve(out);
    } catch (e) {
      reject(e);
    }
  });
}

let handler;
try {
  handler = await loadHandler();
} catch (e) {
  await request("POST", "init/error", errorBody(e), e.name || "Runtime.ImportModuleError");
  process.exit(1);
}

for (;;) {
  const next = await request("GET", "invocation/next");
  const id = next.headers["lambda-runtime-aws-request-id"];
  const deadline = Number(next.headers["lambda-runtime-deadline-ms"] || 0);
  const context = {
    awsRequestId: id,
    invokedFunctionArn: next.headers["lambda-runtime-invoked-function-arn"] || "",
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME || "",
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION || "$LATEST",
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE || "128",
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME || "",
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME || "",
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  try {
    const result = await invokeHandler(handler, JSON.parse(next.body || "null"), context);
    await request("POST", `invocation/${id}/response`, result === undefined ? null : result);
  } catch (e) {
    await request("POST", `invocation/${id}/error`, errorBody(e), "Unhandled");
  }
}
