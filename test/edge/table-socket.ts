/** A live table's WebSocket in tests: every message logged, and a way to wait for the next one of a type. */
import { SELF } from 'cloudflare:test';
import { expect } from 'vitest';
import type { Json } from './helpers';

export type TableSocket = { ws: WebSocket; messages: Json[]; log: Json[]; next: (type: string) => Promise<Json> };

/** Connects to a table as a player (token) or a spectator (null); `messages` holds what no `next` took yet. */
export async function connectTable(tableId: string, token: string | null): Promise<TableSocket> {
  const protocols = ['casino.v1', ...(token ? [`bearer.${token}`] : [])].join(', ');
  const res = await SELF.fetch(`https://casino.test/v1/tables/${tableId}/ws`, { headers: { Upgrade: 'websocket', 'Sec-WebSocket-Protocol': protocols }, cf: { country: 'MT' } } as RequestInit);
  expect(res.status).toBe(101);
  const ws = res.webSocket!;
  ws.accept();
  const messages: Json[] = [];
  const log: Json[] = [];
  const waiting: { type: string; resolve: (m: Json) => void }[] = [];
  ws.addEventListener('message', (e) => {
    const m = JSON.parse(e.data as string) as Json;
    log.push(m);
    const i = waiting.findIndex((w) => w.type === m.type);
    if (i >= 0) waiting.splice(i, 1)[0]!.resolve(m);
    else messages.push(m);
  });
  const next = (type: string) => {
    const seen = messages.findIndex((m) => m.type === type);
    if (seen >= 0) return Promise.resolve(messages.splice(seen, 1)[0]!);
    return new Promise<Json>((resolve) => waiting.push({ type, resolve }));
  };
  return { ws, messages, log, next };
}
