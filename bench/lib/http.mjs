/**
 * Timed HTTP for the benchmarks: Node's fetch (undici, keep-alive on by default, so sequential
 * requests reuse one connection). A request counts as done when its whole body has been read.
 */

/** Sends one request; returns { ms, status, body } with the body parsed as JSON when it is JSON. */
export async function timedFetch(url, init = {}) {
  const t0 = performance.now();
  const res = await fetch(url, init);
  const text = await res.text();
  const ms = performance.now() - t0;
  let body = text;
  if ((res.headers.get('content-type') ?? '').includes('json')) {
    try { body = JSON.parse(text); } catch { /* keep the text */ }
  }
  return { ms, status: res.status, body };
}

/** Like timedFetch, but a status other than `expect` is an error (with the body in the message). */
export async function expectFetch(url, init = {}, expect = 200) {
  const r = await timedFetch(url, init);
  const ok = Array.isArray(expect) ? expect.includes(r.status) : r.status === expect;
  if (!ok) throw new Error(`${init.method ?? 'GET'} ${url} -> ${r.status}: ${typeof r.body === 'string' ? r.body.slice(0, 2000) : JSON.stringify(r.body).slice(0, 2000)}`);
  return r;
}

/** Runs `fn(i)` for i in [0, n) with at most `width` in flight; the answers in order of i. */
export async function pool(n, width, fn) {
  let next = 0;
  const out = new Array(n);
  await Promise.all(Array.from({ length: Math.min(width, n) }, async () => {
    while (next < n) {
      const i = next++;
      out[i] = await fn(i);
    }
  }));
  return out;
}
