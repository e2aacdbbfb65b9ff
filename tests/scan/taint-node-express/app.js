// Document service: Express on Lambda through serverless-http.
const express = require('express');
const serverless = require('serverless-http');
const path = require('path');
const fs = require('fs');
const { execFile, exec } = require('child_process');
const mysql = require('mysql');
const escapeHtml = require('escape-html');

const app = express();
app.use(express.json());
const pool = mysql.createPool({ host: process.env.DB_HOST, user: process.env.DB_USER });
const DOCS = '/var/task/docs';

app.get('/docs/:name', (req, res) => {
  res.sendFile(path.join(DOCS, req.params.name));
});

app.get('/docs/safe/:name', (req, res) => {
  res.sendFile(path.join(DOCS, path.basename(req.params.name)));
});

app.post('/convert', (req, res) => {
  const { format, file } = req.body;
  exec(`pandoc /tmp/in.md -t ${format} -o /tmp/${file}`, (err, stdout) => {
    res.json({ ok: !err });
  });
});

app.post('/convert/safe', (req, res) => {
  execFile('pandoc', ['/tmp/in.md', '-t', req.body.format], (err) => res.json({ ok: !err }));
});

app.get('/owners', (req, res) => {
  const sql = "SELECT * FROM owners WHERE team = '" + req.query.team + "'";
  pool.query(sql, (err, rows) => res.json(rows));
});

app.get('/owners/safe', (req, res) => {
  pool.query('SELECT * FROM owners WHERE team = ?', [req.query.team], (err, rows) => res.json(rows));
});

app.get('/hello', (req, res) => {
  res.send(`<p>Hello ${req.query.name}</p>`);
});

app.get('/hello/safe', (req, res) => {
  res.send(`<p>Hello ${escapeHtml(req.query.name)}</p>`);
});

app.get('/readme', (req, res) => {
  fs.readFile(path.join(DOCS, 'README.md'), 'utf8', (err, text) => res.type('text/plain').send(text));
});

module.exports.handler = serverless(app);
