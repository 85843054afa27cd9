/**
 * Where the CPU goes during a series of requests: user and system CPU time of every process in a
 * wrangler process group (the wrangler Node process, the proxy workerd that owns the dev port, the
 * runtime workerd that runs the worker and its objects) and of this client process, read from
 * /proc before and after. Divided by the request count it gives CPU microseconds per request per
 * process; wall time minus the busiest path shows time spent waiting (scheduling, wake-ups).
 * Linux only (returns null elsewhere); resolution is one clock tick (10 ms), so use long series.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICK_MS = 10; // USER_HZ is 100 on Linux

function stat(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    // fields after "(comm) ": state(0) ppid(1) pgrp(2) ... utime(11) stime(12)
    return { pgrp: Number(f[2]), user_ms: Number(f[11]) * TICK_MS, sys_ms: Number(f[12]) * TICK_MS };
  } catch {
    return null;
  }
}

function role(pid, port) {
  const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  if (!args.some((a) => a.endsWith('/workerd') || a === 'workerd')) return 'wrangler_node';
  return args.some((a) => a.endsWith(`entry=127.0.0.1:${port}`)) ? 'proxy_workerd' : 'runtime_workerd';
}

/** Sampler for the process group led by `leaderPid` (a wrangler dev started by lib/proc.mjs). */
export function cpuSampler(leaderPid, port) {
  if (process.platform !== 'linux') return null;
  const members = () => {
    const out = [];
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      const s = stat(name);
      if (s && s.pgrp === leaderPid) {
        try { out.push({ pid: Number(name), role: role(name, port), ...s }); } catch { /* exited */ }
      }
    }
    return out;
  };
  const snapshot = () => {
    const u = process.cpuUsage();
    const by = { client: { user_ms: u.user / 1000, sys_ms: u.system / 1000 } };
    for (const m of members()) {
      const cur = by[m.role] ?? { user_ms: 0, sys_ms: 0 };
      by[m.role] = { user_ms: cur.user_ms + m.user_ms, sys_ms: cur.sys_ms + m.sys_ms };
    }
    return by;
  };
  /** CPU us per request by role between two snapshots: { role: { user, sys, total } }. */
  const perRequest = (a, b, count) => {
    const out = {};
    for (const k of Object.keys(b)) {
      const user = ((b[k].user_ms - (a[k]?.user_ms ?? 0)) * 1000) / count;
      const sys = ((b[k].sys_ms - (a[k]?.sys_ms ?? 0)) * 1000) / count;
      out[k] = { user: Math.round(user), sys: Math.round(sys), total: Math.round(user + sys) };
    }
    return out;
  };
  return { snapshot, perRequest };
}
