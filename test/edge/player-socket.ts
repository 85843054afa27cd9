/** The player channel (GET /v1/players/me/ws) in tests: every message logged, and a way to wait for the next one that matches. */
import { SELF } from 'cloudflare:test';
import { expect } from 'vitest';
import type { Json } from './helpers';

export type PlayerSocket = {
  ws: WebSocket; log: Json[];
  /** The next message (not taken yet) that `match` accepts; rejects after `ms`. */
  next: (match: string | ((m: Json) => boolean), ms?: number) => Promise<Json>;
  /** Everything sent before this call has arrived: a `time` round trip (the socket keeps order). */
  drain: () => Promise<void>;
};

/** The upgrade request as a browser sends it: the token as the subprotocol `bearer.<token>`. */
export function upgrade(token: string | null, opts: { upgrade?: boolean; country?: string } = {}): Promise<Response> {
  const headers: Record<string, string> = { 'Sec-WebSocket-Protocol': ['casino.v1', ...(token ? [`bearer.${token}`] : [])].join(', ') };
  if (opts.upgrade !== false) headers.Upgrade = 'websocket';
  return SELF.fetch('https://casino.test/v1/players/me/ws', { headers, cf: { country: opts.country ?? 'MT' } } as RequestInit);
}

export async function connectPlayer(token: string): Promise<PlayerSocket> {
  const res = await upgrade(token);
  expect(res.status, res.status === 101 ? '' : await res.text()).toBe(101);
  expect(res.headers.get('Sec-WebSocket-Protocol')).toBe('casino.v1');
  const ws = res.webSocket!;
  ws.accept();
  const log: Json[] = [];
  const unread: Json[] = [];
  const waiting: { match: (m: Json) => boolean; resolve: (m: Json) => void }[] = [];
  ws.addEventListener('message', (e) => {
    const m = JSON.parse(e.data as string) as Json;
    log.push(m);
    const i = waiting.findIndex((w) => w.match(m));
    if (i >= 0) waiting.splice(i, 1)[0]!.resolve(m);
    else unread.push(m);
  });
  const next = (match: string | ((m: Json) => boolean), ms = 10_000) => {
    const test = typeof match === 'string' ? (m: Json) => m.type === match : match;
    const seen = unread.findIndex(test);
    if (seen >= 0) return Promise.resolve(unread.splice(seen, 1)[0]!);
    return new Promise<Json>((resolve, reject) => {
      const w = { match: test, resolve: (m: Json) => { clearTimeout(timer); resolve(m); } };
      const timer = setTimeout(() => { waiting.splice(waiting.indexOf(w), 1); reject(new Error(`no message matching ${String(match)} within ${ms} ms; log: ${JSON.stringify(log).slice(-2000)}`)); }, ms);
      waiting.push(w);
    });
  };
  const drain = async () => {
    ws.send(JSON.stringify({ type: 'time' }));
    await next('time');
  };
  return { ws, log, next, drain };
}
