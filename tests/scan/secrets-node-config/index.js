'use strict';

const https = require('https');
const config = require('./config');

async function post(url, payload) {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: 'POST', headers: { 'Content-Type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    req.end(JSON.stringify(payload));
  });
}

exports.handler = async () => {
  const status = await post(config.slack.webhookUrl, { text: `Release notes for ${config.github.repo} are out.` });
  return { statusCode: status === 200 ? 200 : 502 };
};
