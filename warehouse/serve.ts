/**
 * `wh serve`: a read-only HTTP endpoint over the warehouse (node:http) so notebooks, BI tools and
 * the dashboards read marts as Arrow IPC streams (or JSON, CSV) without copying the database file.
 *
 *   POST /query  {"sql": "...", "format"?: "arrow"|"json"|"csv", "env"?: "prod"}
 *   GET  /query?sql=...&format=...&env=...      (Accept: application/vnd.apache.arrow.stream -> Arrow)
 *   GET  /tables?env=...                          schemas, tables and columns of an environment
 *   GET  /health                                  {"ok": true}; the only route without the token
 *
 * Every other answer needs `Authorization: Bearer <WH_SERVE_TOKEN>`. Bounded: rows and bytes per
 * answer (more is a 413, never a cut answer), a time per query (then DuckDB is interrupted: 408),
 * one query at a time per client (token + address: 429), a few queries at a time in all (503),
 * request bodies. Writes are impossible three times over: the file is opened READ_ONLY, DuckDB's
 * own parser admits one SELECT only, and the instance has no external access, locked.
 *
 * The warehouse loop writes the same file, and DuckDB refuses a read-only open while a writer
 * holds it (and a writer's open while a reader does). So queries share one read-only instance that
 * is opened on demand and closed as soon as no query runs; while a writer holds (or waits for) the
 * writer lock, new queries wait for it up to `openWaitMs`, then get a 503 with Retry-After. The
 * writer thus waits at most for the queries already running (each bounded by the time limit).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { WarehousePaths } from './config';
import { isLockConflict } from './db';
import { ARROW_STREAM_TYPE, RowLimitError, arrowStream, csvPieces, jsonPieces, rowBudget } from './formats';
import { Refusal, checkSelect, listTables, openHardenedReader, useEnv } from './reader';
import { PROD } from './runner/names';
import { currentWriter } from './writer';

export type ServeOptions = {
  paths: Pick<WarehousePaths, 'db'>;
  port?: number;
  host?: string;
  /** The bearer token; null only with insecureLocal on a loopback host. */
  token: string | null;
  insecureLocal?: boolean;
  env?: string;
  maxRows?: number;
  maxAnswerBytes?: number;
  timeoutMs?: number;
  maxBodyBytes?: number;
  maxConcurrent?: number;
  openWaitMs?: number;
  log?: (line: string) => void;
};

const DEFAULTS = { maxRows: 1_000_000, maxAnswerBytes: 256 * 1024 * 1024, timeoutMs: 30_000, maxBodyBytes: 64 * 1024, maxConcurrent: 4, openWaitMs: 5_000 };
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
const RETRY_AFTER_S = 5;

class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}

const REFUSAL_STATUS: Record<string, number> = { unknown_env: 404 };

function sendError(res: ServerResponse, err: HttpError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(err.status, { 'content-type': 'application/json', ...err.headers });
  res.end(`${JSON.stringify({ error: { code: err.code, message: err.message } })}\n`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * One read-only instance shared by the queries running now; closed when the last one ends so the
 * writer can open the file. New queries do not start while a writer holds or waits for the lock.
 */
class ReadWindow {
  private instance: DuckDBInstance | null = null;
  private opening: Promise<DuckDBInstance> | null = null;
  private users = 0;
  openMs: number[] = [];

  constructor(private readonly paths: Pick<WarehousePaths, 'db'>) {}

  async connect(waitMs: number): Promise<{ con: DuckDBConnection; done: () => void }> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const writer = currentWriter(this.paths);
      if (!writer) {
        // Counted before the first await, so a query ending meanwhile cannot close the instance under us.
        this.users++;
        try {
          const con = await (await this.open()).connect();
          let closed = false;
          return { con, done: () => { if (!closed) { closed = true; con.closeSync(); this.leave(); } } };
        } catch (err) {
          this.leave();
          if (!isLockConflict(err)) throw err;
        }
      }
      if (Date.now() >= deadline) {
        throw new HttpError(503, 'warehouse_busy', `the warehouse is being written${writer ? ` (pid ${writer.pid}, "${writer.label}", since ${writer.started})` : ''}; retry in a few seconds`, { 'retry-after': String(RETRY_AFTER_S) });
      }
      await sleep(100);
    }
  }

  private async open(): Promise<DuckDBInstance> {
    if (this.instance) return this.instance;
    this.opening ??= (async () => {
      const t0 = performance.now();
      try {
        this.instance = await openHardenedReader(this.paths.db);
        this.openMs.push(performance.now() - t0);
        if (this.openMs.length > 100) this.openMs.shift();
        return this.instance;
      } finally {
        this.opening = null;
      }
    })();
    return this.opening;
  }

  private leave(): void {
    if (--this.users === 0 && this.instance) {
      this.instance.closeSync();
      this.instance = null;
    }
  }
}

type QueryRequest = { sql: string; format: 'arrow' | 'json' | 'csv'; env: string };

async function readBody(req: IncomingMessage, max: number): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > max) throw new HttpError(413, 'body_too_large', `the request body is larger than ${max} bytes`);
  const parts: Buffer[] = [];
  let size = 0;
  for await (const part of req) {
    size += (part as Buffer).length;
    if (size > max) throw new HttpError(413, 'body_too_large', `the request body is larger than ${max} bytes`);
    parts.push(part as Buffer);
  }
  return Buffer.concat(parts).toString('utf8');
}

function formatOf(asked: unknown, accept: string | undefined): QueryRequest['format'] {
  if (asked !== undefined && asked !== null && asked !== '') {
    if (asked === 'arrow' || asked === 'json' || asked === 'csv') return asked;
    throw new HttpError(400, 'bad_format', `format must be arrow, json or csv, not ${JSON.stringify(asked)}`);
  }
  if (accept?.includes(ARROW_STREAM_TYPE)) return 'arrow';
  if (accept?.includes('text/csv')) return 'csv';
  return 'json';
}

async function parseQuery(req: IncomingMessage, url: URL, opts: Required<Pick<ServeOptions, 'maxBodyBytes' | 'env'>>): Promise<QueryRequest> {
  let fields: Record<string, unknown>;
  if (req.method === 'GET') fields = Object.fromEntries(url.searchParams);
  else {
    const text = await readBody(req, opts.maxBodyBytes);
    try {
      fields = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new HttpError(400, 'bad_json', 'the body must be a JSON object: {"sql": "...", "format"?: "arrow"|"json"|"csv", "env"?: "..."}');
    }
    if (!fields || typeof fields !== 'object' || Array.isArray(fields)) throw new HttpError(400, 'bad_json', 'the body must be a JSON object');
  }
  const sql = fields.sql;
  if (typeof sql !== 'string' || sql.trim() === '') throw new HttpError(400, 'missing_sql', 'give the SQL as "sql"');
  const env = fields.env ?? opts.env;
  if (typeof env !== 'string') throw new HttpError(400, 'bad_env', 'env must be a string');
  return { sql, env, format: formatOf(fields.format, req.headers.accept) };
}

export type RunningServer = { server: Server; url: string; openMs: () => number[]; close: () => Promise<void> };

export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const o = { ...DEFAULTS, env: PROD, host: '127.0.0.1', port: 8788, ...Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) } as Required<ServeOptions>;
  if (!o.token && !(o.insecureLocal && LOOPBACK.has(o.host))) {
    throw new Error('set WH_SERVE_TOKEN (the bearer token clients send); --insecure-local serves without one, on 127.0.0.1 only');
  }
  if (o.token && o.token.length < 16) throw new Error('WH_SERVE_TOKEN must be at least 16 characters');
  if (!existsSync(o.paths.db)) throw new Error(`no warehouse at ${o.paths.db}: run \`npm run wh -- sync\` first`);
  const tokenDigest = o.token ? digest(o.token) : null;
  const window = new ReadWindow(o.paths);
  const busyClients = new Set<string>();
  let running = 0;

  const authorize = (req: IncomingMessage): string => {
    if (!tokenDigest) return 'insecure-local';
    const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
    if (!m || !timingSafeEqual(digest(m[1]!.trim()), tokenDigest)) {
      throw new HttpError(401, 'unauthorized', 'send Authorization: Bearer <WH_SERVE_TOKEN>', { 'www-authenticate': 'Bearer' });
    }
    return digest(m[1]!.trim()).toString('hex').slice(0, 16);
  };

  async function query(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const q = await parseQuery(req, url, o);
    if (running >= o.maxConcurrent) throw new HttpError(503, 'server_busy', `${o.maxConcurrent} queries are running; retry shortly`, { 'retry-after': '1' });
    running++;
    let lease: Awaited<ReturnType<ReadWindow['connect']>> | null = null;
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    const onGone = () => { if (!res.writableFinished) lease?.con.interrupt(); };
    res.on('close', onGone);
    try {
      lease = await window.connect(o.openWaitMs);
      await useEnv(lease.con, q.env);
      await checkSelect(lease.con, q.sql);
      const con = lease.con;
      timer = setTimeout(() => { timedOut = true; con.interrupt(); }, o.timeoutMs);
      const started = performance.now();
      const result = await con.stream(q.sql);
      const budget = rowBudget(o.maxRows, 'fail');
      const pieces: Uint8Array[] = [];
      let bytes = 0;
      const source = q.format === 'arrow' ? arrowStream(result, budget) : q.format === 'csv' ? csvPieces(result, budget) : jsonPieces(result, budget);
      for await (const piece of source) {
        const b = typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece;
        bytes += b.byteLength;
        if (bytes > o.maxAnswerBytes) throw new HttpError(413, 'answer_too_large', `the answer is larger than ${o.maxAnswerBytes} bytes; select fewer columns or rows, or aggregate`);
        pieces.push(b);
      }
      clearTimeout(timer);
      res.writeHead(200, {
        'content-type': q.format === 'arrow' ? ARROW_STREAM_TYPE : q.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json',
        'content-length': String(bytes),
        'x-row-count': String(budget.rows),
        'x-query-ms': String(Math.round(performance.now() - started)),
      });
      for (const p of pieces) res.write(p);
      res.end();
    } catch (err) {
      if (err instanceof HttpError) throw err;
      if (err instanceof Refusal) throw new HttpError(REFUSAL_STATUS[err.code] ?? 400, err.code, err.message);
      if (err instanceof RowLimitError) throw new HttpError(413, 'too_many_rows', `${err.message} (the limit is WH_SERVE_MAX_ROWS = ${o.maxRows}); nothing was sent: add a LIMIT, filter or aggregate`);
      if (timedOut) throw new HttpError(408, 'query_timeout', `the query ran longer than ${o.timeoutMs} ms and was interrupted`);
      throw new HttpError(400, 'query_failed', (err as Error).message);
    } finally {
      clearTimeout(timer);
      res.off('close', onGone);
      lease?.done();
      running--;
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://wh');
    const route = ({ '/health': ['GET'], '/tables': ['GET'], '/query': ['GET', 'POST'] } as Record<string, string[]>)[url.pathname];
    if (!route) throw new HttpError(404, 'not_found', `no route ${url.pathname} (POST /query, GET /query, GET /tables, GET /health)`);
    if (!route.includes(req.method ?? '')) throw new HttpError(405, 'method_not_allowed', `${req.method} ${url.pathname} is not allowed`, { allow: route.join(', ') });
    if (url.pathname === '/health') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}\n');
      return;
    }
    const client = `${authorize(req)}@${req.socket.remoteAddress}`;
    if (busyClients.has(client)) throw new HttpError(429, 'too_many_requests', 'one query at a time per client: wait for the previous answer', { 'retry-after': '1' });
    busyClients.add(client);
    try {
      if (url.pathname === '/tables') {
        const lease = await window.connect(o.openWaitMs);
        try {
          const listing = await listTables(lease.con, url.searchParams.get('env') ?? o.env).catch((err) => {
            throw err instanceof Refusal ? new HttpError(REFUSAL_STATUS[err.code] ?? 400, err.code, err.message) : err;
          });
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(`${JSON.stringify(listing)}\n`);
        } finally {
          lease.done();
        }
        return;
      }
      await query(req, res, url);
    } finally {
      busyClients.delete(client);
    }
  }

  const server = createServer((req, res) => {
    const t0 = performance.now();
    handle(req, res).catch((err) => {
      const e = err instanceof HttpError ? err : new HttpError(500, 'internal', 'internal error');
      if (!(err instanceof HttpError)) o.log?.(`[wh serve] ${req.method} ${req.url}: ${(err as Error)?.stack ?? err}`);
      sendError(res, e);
    }).finally(() => {
      o.log?.(`[wh serve] ${req.method} ${(req.url ?? '').slice(0, 80)} ${res.statusCode} ${Math.round(performance.now() - t0)} ms`);
    });
  });
  server.requestTimeout = o.timeoutMs + o.openWaitMs + 30_000;
  server.headersTimeout = 10_000;
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(o.port, o.host, () => ok());
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    server,
    url: `http://${host}:${addr.port}`,
    openMs: () => [...window.openMs],
    close: () => new Promise<void>((ok) => { server.closeAllConnections(); server.close(() => ok()); }),
  };
}
