//! JavaScript and TypeScript flows, sinks and sanitizers.

mod support;
use support::scan;

fn js(src: &str) -> Vec<String> {
    scan(&[("index.js", src)])
}

#[test]
fn exec_from_api_event_and_destructured_require() {
    let src = r#"const { exec, execSync } = require('child_process');
exports.handler = async (event, context) => {
  const body = JSON.parse(event.body);
  const file = body.file;
  exec(`tar -czf /tmp/out.tgz ${file}`, () => {});
  execSync('ls ' + encodeURIComponent(file));
  execSync('ls /tmp');
};
"#;
    assert_eq!(js(src), ["fnw-scan-inj-command index.js:5"]);
}

#[test]
fn spawn_with_and_without_shell_and_shell_quote() {
    let src = r#"const cp = require('node:child_process');
const { quote } = require('shell-quote');
module.exports.handler = async (event) => {
  const name = event.queryStringParameters.name;
  cp.spawn('convert', [name, 'out.png']);
  cp.spawn('sh', ['-c', 'convert ' + name]);
  cp.spawn(`convert ${name}`, { shell: true });
  cp.exec('echo ' + quote([name]));
};
"#;
    assert_eq!(js(src), ["fnw-scan-inj-command index.js:6", "fnw-scan-inj-command index.js:7"]);
}

#[test]
fn eval_function_vm_settimeout() {
    let src = r#"const vm = require('vm');
exports.handler = async (event) => {
  const code = event.body;
  eval(code);
  new Function('a', code);
  vm.runInNewContext(code, {});
  setTimeout(code, 10);
  setTimeout(() => console.log('tick'), 10);
  eval('1 + ' + '2');
};
"#;
    assert_eq!(
        js(src),
        ["fnw-scan-inj-eval index.js:4", "fnw-scan-inj-eval index.js:5", "fnw-scan-inj-eval index.js:6", "fnw-scan-inj-eval index.js:7"]
    );
}

#[test]
fn express_routes_sql_html_path() {
    let src = r#"const express = require('express');
const serverless = require('serverless-http');
const mysql = require('mysql');
const fs = require('fs');
const escapeHtml = require('escape-html');
const app = express();
const db = mysql.createConnection({});
app.get('/users/:id', (req, res) => {
  db.query('SELECT * FROM users WHERE id = ' + req.params.id, (err, rows) => res.json(rows));
  db.query('SELECT * FROM users WHERE id = ?', [req.params.id], (err, rows) => res.json(rows));
});
app.get('/hello', (req, res) => {
  res.send('<h1>Hello ' + req.query.name + '</h1>');
  res.send('<h1>Hello ' + escapeHtml(req.query.name) + '</h1>');
  res.json({ name: req.query.name });
});
app.get('/files', (req, res) => {
  fs.readFile('/srv/' + req.query.f, (e, d) => res.end(d));
  res.sendFile(req.query.f, { root: '/srv' });
});
module.exports.handler = serverless(app);
"#;
    assert_eq!(
        js(src),
        ["fnw-scan-inj-sql index.js:9", "fnw-scan-inj-html index.js:13", "fnw-scan-inj-path index.js:18", "fnw-scan-inj-path index.js:19"]
    );
}

#[test]
fn dynamodb_query_object_is_not_sql() {
    let src = r#"const AWS = require('aws-sdk');
const doc = new AWS.DynamoDB.DocumentClient();
exports.handler = async (event) => {
  const id = event.pathParameters.id;
  return doc.query({ TableName: 'T', KeyConditionExpression: 'id = :id', ExpressionAttributeValues: { ':id': id } }).promise();
};
"#;
    assert_eq!(js(src), Vec::<String>::new());
}

#[test]
fn ssrf_fetch_axios_and_allowlist() {
    let src = r#"const axios = require('axios');
const ALLOWED = ['api.example.com'];
exports.handler = async (event) => {
  const url = event.queryStringParameters.url;
  await fetch(url);
  await axios.get(url);
  const u = new URL(event.queryStringParameters.target);
  if (!ALLOWED.includes(u.hostname)) {
    return { statusCode: 400 };
  }
  await axios.get(u.toString());
};
"#;
    assert_eq!(js(src), ["fnw-scan-inj-ssrf index.js:5", "fnw-scan-inj-ssrf index.js:6"]);
}

#[test]
fn node_serialize_and_records_foreach() {
    let src = r#"const serialize = require('node-serialize');
exports.handler = async (event) => {
  event.Records.forEach((record) => {
    const payload = Buffer.from(record.kinesis.data, 'base64').toString();
    serialize.unserialize(payload);
  });
  for (const r of event.Records) {
    serialize.unserialize(r.body);
  }
};
"#;
    assert_eq!(js(src), ["fnw-scan-inj-deserialize index.js:5", "fnw-scan-inj-deserialize index.js:8"]);
}

#[test]
fn esm_cross_file_import() {
    let files = [
        (
            "src/handler.mjs",
            "import { run } from './lib/run.mjs';\nimport * as store from './lib/store.mjs';\nexport const handler = async (event) => {\n  await run(event.detail.cmd);\n  await store.get(event.detail.key);\n  await run('uptime');\n};\n",
        ),
        ("src/lib/run.mjs", "import { execSync } from 'child_process';\nexport function run(cmd) {\n  return execSync(cmd);\n}\n"),
        ("src/lib/store.mjs", "import { readFileSync } from 'fs';\nexport const get = (k) => readFileSync(`/data/${k}`);\n"),
    ];
    assert_eq!(scan(&files), ["fnw-scan-inj-command src/lib/run.mjs:3", "fnw-scan-inj-path src/lib/store.mjs:2"]);
}

#[test]
fn typescript_handler_with_types_and_parseint() {
    let src = r#"import { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { Client } from 'pg';
const client = new Client();
export const handler = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  const id = event.pathParameters?.id as string;
  await client.query(`SELECT * FROM orders WHERE id = ${id}`);
  const n = parseInt(id, 10);
  await client.query(`SELECT * FROM orders WHERE id = ${n}`);
  await client.query('SELECT * FROM orders WHERE id = $1', [id]);
  return { statusCode: 200, body: '' };
};
"#;
    assert_eq!(scan(&[("src/handler.ts", src)]), ["fnw-scan-inj-sql src/handler.ts:6"]);
}

#[test]
fn innerhtml_and_require_path() {
    let src = r#"exports.handler = async (event) => {
  const plugin = require('./plugins/' + event.plugin);
  const el = {};
  el.innerHTML = event.html;
};
"#;
    assert_eq!(js(src), ["fnw-scan-inj-eval index.js:2", "fnw-scan-inj-html index.js:4"]);
}

#[test]
fn promisified_exec() {
    let src = r#"const util = require('util');
const exec = util.promisify(require('child_process').exec);
exports.handler = async ({ body }) => {
  const { stdout } = await exec('ping -c 1 ' + JSON.parse(body).host);
  return stdout;
};
"#;
    assert_eq!(js(src), ["fnw-scan-inj-command index.js:4"]);
}

#[test]
fn ordinary_node_code_has_no_findings() {
    let src = r#"const { S3Client, GetObjectCommand } = require('@aws-sdk/client-s3');
const s3 = new S3Client({});
exports.handler = async (event) => {
  const key = event.Records[0].s3.object.key;
  console.log(`<b>${key}</b>`);
  const obj = await s3.send(new GetObjectCommand({ Bucket: process.env.BUCKET, Key: key }));
  await fetch(process.env.WEBHOOK, { method: 'POST', body: JSON.stringify({ key }) });
  return { statusCode: 200, body: JSON.stringify({ key, size: obj.ContentLength }) };
};
"#;
    assert_eq!(js(src), Vec::<String>::new());
}
