/**
 * A V8 CPU profile of the worker's isolate (its Worker and Durable Objects run in it) through
 * wrangler dev's inspector port (Chrome DevTools Protocol), for finding where a benchmark's
 * runtime CPU goes. `summarize` gives self and inclusive time per function, biggest first.
 * Diagnostic only: sampling adds overhead, so never time a judged figure while it runs.
 */
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function startCpuProfile(inspectorPort, { intervalUs = 500 } = {}) {
  let targets = [];
  for (let i = 0; i < 50 && targets.length === 0; i++) {
    try { targets = await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json(); } catch { /* not yet */ }
    if (targets.length === 0) await sleep(200);
  }
  const target = targets.find((t) => t.webSocketDebuggerUrl) ?? targets[0];
  if (!target) throw new Error(`no inspector target on port ${inspectorPort}`);
  // wrangler's inspector proxy wants a local Origin (undici's WebSocket sends none)
  const ws = new WebSocket(target.webSocketDebuggerUrl, { headers: { origin: 'http://localhost' } });
  await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = reject; });
  let nextId = 1;
  const pending = new Map();
  ws.onmessage = (m) => {
    const msg = JSON.parse(typeof m.data === 'string' ? m.data : Buffer.from(m.data).toString());
    if (msg.id && pending.has(msg.id)) {
      const { resolve, reject } = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.error) reject(new Error(JSON.stringify(msg.error))); else resolve(msg.result);
    }
  };
  const send = (method, params = {}) => new Promise((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve, reject });
    ws.send(JSON.stringify({ id, method, params }));
  });
  await send('Profiler.enable');
  await send('Profiler.setSamplingInterval', { interval: intervalUs });
  await send('Profiler.start');
  return {
    target: target.title ?? target.url,
    async stop() {
      const { profile } = await send('Profiler.stop');
      ws.close();
      return profile;
    },
  };
}

/** Self and inclusive milliseconds per function (name + location), the `top` biggest of each. */
export function summarize(profile, top = 40) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map();
  const deltas = profile.timeDeltas;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = deltas[i + 1] ?? 0;
    selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + dt);
  }
  const key = (n) => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').at(-1)}:${n.callFrame.lineNumber + 1}`;
  const self = new Map();
  const incl = new Map();
  let total = 0;
  for (const [id, us] of selfUs) {
    total += us;
    const n = byId.get(id);
    self.set(key(n), (self.get(key(n)) ?? 0) + us);
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const k = key(byId.get(cur));
      if (seen.has(k)) continue; // recursion counts once
      seen.add(k);
      incl.set(k, (incl.get(k) ?? 0) + us);
    }
  }
  // '(idle)' is the thread waiting (for I/O, timers, the next request): not CPU
  const idleUs = [...self].filter(([k]) => k.startsWith('(idle)')).reduce((a, [, us]) => a + us, 0);
  const topOf = (m) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, us]) => ({ fn: k, ms: Math.round(us / 100) / 10, pct: Math.round((1000 * us) / total) / 10 }));
  return { total_ms: Math.round(total / 1000), busy_ms: Math.round((total - idleUs) / 1000), self: topOf(self), inclusive: topOf(incl) };
}
