/**
 * API mode: realistic traffic through the real HTTP API of a running platform (`npm start`, or any
 * development instance), nothing else: players register across jurisdictions and acquisition
 * sources, pass KYC (sandbox), deposit (sandbox payments; a share of deposits also gets the payment
 * provider's signed webhook, which the platform answers as a replay), play provider slot rounds
 * through the signed seamless-wallet API, bet at the automated live tables (a spectator WebSocket
 * keeps each table cycling), request withdrawals (approved and paid, or rejected, by a back-office
 * operator when one can log in; loss chasers out of money cancel one still waiting and play it),
 * change limits, cool off or self-exclude, and churn.
 *
 * `days` shapes each player's lifecycle (how many sessions they come back for before churning, from
 * the same archetypes as fast mode), but sessions run back to back: the platform stamps events with
 * its real clock, so everything API mode produces carries today's timestamps. Use fast mode for history.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  ARCHETYPES, CHASE_MAX_REDEPOSITS, CHASE_STAKE_MAX, CHASE_STAKE_STEP, DAY_MS, QUICK_CASHOUT_SESSION_CHANCE, STRUCTURING_SESSION_CHANCE, baccaratSpot, pickBehaviour, structuringAmounts, birthDate, loginClient, nextShapedTime, pickArchetype, pickCountry, pickCurrency, pickHabits, pickSource, rouletteSpot, roundAmount,
  LIVE_TABLES, slotsFor, spinReturn, type Archetype, type BlackjackTableDef, type CountryProfile, type SlotGame,
} from './model';
import { randomPlayerProfile } from '../domain/games/blackjack';
import { blackjackStint, type BlackjackCounts } from './api-blackjack';
import { PaymentInstruments } from './instruments';
import { Rng } from './rng';

export const REPO_ROOT = resolve(import.meta.dirname, '..');

export type OpsCredentials = { token: string } | { email: string; password: string; totp_secret: string };

export type ApiOptions = {
  baseUrl: string;
  players: number;
  days: number;
  tables: number;
  /** Only tables of these games (default: every automated table, roulette and baccarat first, then blackjack). */
  tableGames?: ('roulette' | 'baccarat' | 'blackjack')[];
  seed?: string;
  concurrency?: number;
  /** Sessions per player at most (the lifecycle may give fewer). Default 4. */
  maxSessions?: number;
  /** Slot spins per slot stint (default 12) and table rounds per table stint (default 2). */
  spins?: number;
  rounds?: number;
  /** Secrets of the platform (default: read from .dev.vars). */
  providerSecret?: string;
  webhookSecret?: string;
  /** A back-office operator with withdrawal.review (default: the demo admin of demo-operators.json, when present). */
  ops?: OpsCredentials | null;
  /** Progress lines; default none. */
  onProgress?: (s: ApiSummary) => void;
  log?: (line: string) => void;
};

export type ApiSummary = {
  players: number;
  players_done: number;
  registrations: number;
  logins: number;
  kyc_verified: number;
  kyc_other: number;
  deposits: number;
  deposit_webhooks: number;
  table_bets: number;
  /** Blackjack (included in table_bets: main bets): side bets, decisions, insurance answers, rounds followed to settlement. */
  blackjack: BlackjackCounts;
  slot_rounds: number;
  slot_rollbacks: number;
  withdrawals: number;
  withdrawals_paid: number;
  withdrawals_rejected: number;
  /** Cancelled by the player (a loss chaser out of money) before the operator decided. */
  withdrawals_cancelled: number;
  limit_changes: number;
  cool_offs: number;
  self_exclusions: number;
  churned: number;
  /** Lifecycle and risk behaviours (docs/simulator.md): loss-chasing redeposits, structuring deposits, quick cash-outs; operator adjustments and VIP flags. */
  chase_redeposits: number;
  structuring_deposits: number;
  quick_cashouts: number;
  adjustments: number;
  vip_flags: number;
  requests: number;
  /** Refusals the API gives by design (limits, 451, 409 ...), counted by "status code". */
  refusals: Record<string, number>;
  /** Anything else: transport errors, 5xx, unexpected answers. */
  errors: Record<string, number>;
  elapsed_ms: number;
  notes: string[];
};

/** KEY=VALUE lines of a .dev.vars file (as scripts/seed-ops.mjs reads it). */
export function readDevVars(path = join(REPO_ROOT, '.dev.vars')): Record<string, string> {
  const vars: Record<string, string> = {};
  if (!existsSync(path)) return vars;
  for (const line of readFileSync(path, 'utf8').split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (m && !line.trimStart().startsWith('#')) vars[m[1]!] = m[2]!.replace(/^(['"])(.*)\1$/, '$2');
  }
  return vars;
}

/** The demo admin written by `npm start` (scripts/seed-ops.mjs), if any. */
export function demoAdmin(env = process.env): OpsCredentials | null {
  const file = env.OPS_DEMO_FILE ? resolve(env.OPS_DEMO_FILE)
    : env.CASINO_STATE_DIR ? join(resolve(env.CASINO_STATE_DIR), 'demo-operators.json') : join(REPO_ROOT, '.wrangler', 'demo-operators.json');
  if (!existsSync(file)) return null;
  try {
    const s = JSON.parse(readFileSync(file, 'utf8')) as { operators?: { roles: string[]; email: string; password: string; totp_secret: string | null }[] };
    const admin = s.operators?.find((o) => o.roles.includes('admin') && o.totp_secret);
    return admin ? { email: admin.email, password: admin.password, totp_secret: admin.totp_secret! } : null;
  } catch {
    return null;
  }
}

/** RFC 6238 TOTP (HMAC-SHA1, 30 s, 6 digits), as durable/operator/mfa.ts and scripts/ops-code.mjs. */
export function totp(secretBase32: string, atMs = Date.now()): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const bytes: number[] = [];
  for (const ch of secretBase32.toUpperCase().replace(/[\s=]/g, '')) {
    value = (value << 5) | alphabet.indexOf(ch);
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(atMs / 30_000)));
  const mac = createHmac('sha1', Buffer.from(bytes)).update(counter).digest();
  const o = mac[mac.length - 1]! & 0x0f;
  const code = ((mac[o]! & 0x7f) << 24) | (mac[o + 1]! << 16) | (mac[o + 2]! << 8) | mac[o + 3]!;
  return String(code % 1_000_000).padStart(6, '0');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Answer = { status: number; body: any; ok: boolean; code: string | null };

/** Statuses the API answers by design for a realistic player (counted as refusals, never fatal). */
const REFUSAL_STATUSES = new Set([401, 403, 404, 409, 422, 429, 451]);

type TableInfo = { table_id: string; game: 'roulette' | 'baccarat' | 'blackjack'; limits: Record<string, Record<string, { min_minor: number; max_minor: number }>>; blackjack: BlackjackTableDef | null };

class Driver {
  readonly summary: ApiSummary;
  private readonly root: string;
  private readonly seed: string;
  private readonly started = Date.now();
  private readonly runId: string;
  private opsToken: string | null = null;
  private readonly withdrawals: { player_id: string; withdrawal_id: string; rng: Rng }[] = [];
  /** Back-office work done at the end as the operator: adjustments and VIP flags. */
  private readonly opsTasks: { player_id: string; key: string; kind: 'adjustment' | 'vip'; currency: string; amount_minor: number; reason: string }[] = [];
  tables: TableInfo[] = [];
  private readonly sockets: WebSocket[] = [];

  constructor(private readonly o: Omit<ApiOptions, "webhookSecret"> & { providerSecret: string; webhookSecret: string | null }) {
    this.root = o.baseUrl.replace(/\/+$/, '');
    this.seed = o.seed ?? 'casino';
    // emails must be new on every run (the seed decides everything else)
    this.runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
    this.summary = {
      players: o.players, players_done: 0, registrations: 0, logins: 0, kyc_verified: 0, kyc_other: 0, deposits: 0, deposit_webhooks: 0, table_bets: 0,
      blackjack: { bets: 0, side_bets: 0, decisions: 0, insurance_answers: 0, rounds_settled: 0 },
      slot_rounds: 0, slot_rollbacks: 0, withdrawals: 0, withdrawals_paid: 0, withdrawals_rejected: 0, withdrawals_cancelled: 0, limit_changes: 0, cool_offs: 0, self_exclusions: 0,
      churned: 0, chase_redeposits: 0, structuring_deposits: 0, quick_cashouts: 0, adjustments: 0, vip_flags: 0, requests: 0, refusals: {}, errors: {}, elapsed_ms: 0, notes: [],
    };
  }

  private count(map: Record<string, number>, key: string): void {
    map[key] = (map[key] ?? 0) + 1;
  }

  async call(method: string, path: string, opts: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string>; country?: string } = {}): Promise<Answer> {
    const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': 'edge-casino-simulator/1', ...(opts.headers ?? {}) };
    if (opts.country) headers['X-Dev-Country'] = opts.country;
    const payload = opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
    if (payload !== undefined) headers['Content-Type'] = 'application/json';
    if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
    this.summary.requests++;
    let res: Response;
    try {
      res = await fetch(`${this.root}${path}`, { method, headers, body: payload, signal: AbortSignal.timeout(30_000) });
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      this.count(this.summary.errors, `transport ${e.cause?.code ?? e.name}`);
      return { status: 0, body: null, ok: false, code: 'transport' };
    }
    const text = await res.text();
    let body: any = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = text;
    }
    const ok = res.status >= 200 && res.status < 300;
    const code = ok ? null : (body?.error?.code ?? `http_${res.status}`);
    if (!ok) this.count(REFUSAL_STATUSES.has(res.status) ? this.summary.refusals : this.summary.errors, `${res.status} ${code}`);
    return { status: res.status, body, ok, code };
  }

  /** A signed seamless-wallet call, as the provider's server would make it (docs/provider-api.md). */
  provider(providerId: string, action: 'balance' | 'bet' | 'win' | 'rollback', body: Record<string, unknown>): Promise<Answer> {
    const raw = JSON.stringify(body);
    const ts = String(Math.floor(Date.now() / 1000));
    const sig = createHmac('sha256', this.o.providerSecret).update(`${ts}.${action}.${raw}`).digest('hex');
    return this.call('POST', `/v1/provider/${providerId}/${action}`, { raw, headers: { 'X-Timestamp': ts, 'X-Signature': `sha256=${sig}` } });
  }

  /** The payment provider's signed notification for a deposit (the sandbox confirmed it already: a replay). */
  webhook(n: { deposit_id: string; player_id: string; amount_minor: number; currency: string; payment_instrument: string }): Promise<Answer> {
    const raw = JSON.stringify({ ...n, status: 'completed', provider_ref: `sandbox-${n.deposit_id}`, reason: null });
    const t = Math.floor(Date.now() / 1000);
    const sig = createHmac('sha256', this.o.webhookSecret!).update(`${t}.${raw}`).digest('hex');
    return this.call('POST', '/v1/payments/webhook/sandbox', { raw, headers: { 'X-Signature': `t=${t},v1=${sig}` } });
  }

  async start(): Promise<void> {
    const health = await this.call('GET', '/v1/health');
    if (!health.ok) throw new Error(`no platform at ${this.root} (GET /v1/health: ${health.status || 'unreachable'})`);
    if (health.body?.environment !== 'development') throw new Error(`the platform at ${this.root} runs in '${health.body?.environment}' mode; the simulator needs development (sandbox KYC and payments, X-Dev-Country)`);
    const t = await this.call('GET', '/v1/tables');
    // the automated tables the simulator knows (LIVE_TABLES: roulette, baccarat, blackjack), one-shot games first
    const known = (x: { table_id: string; mode: string; game: string }) => x.mode === 'auto' && LIVE_TABLES.some((c) => c.table_id === x.table_id)
      && (!this.o.tableGames || this.o.tableGames.includes(x.game as TableInfo['game']));
    const auto = ((t.body?.tables ?? []) as (TableInfo & { mode: string })[]).filter(known)
      .sort((a, b) => Number(a.game === 'blackjack') - Number(b.game === 'blackjack'));
    this.tables = auto.slice(0, Math.max(0, this.o.tables)).map((x) => {
      const def = LIVE_TABLES.find((c) => c.table_id === x.table_id)!;
      return { table_id: x.table_id, game: x.game, limits: def.limits, blackjack: def.game === 'blackjack' ? def : null };
    });
    if (this.o.tables > this.tables.length) this.summary.notes.push(`--tables ${this.o.tables}: only ${this.tables.length} automated table(s) can be used (dealer tables need a dealer)`);
    // A spectator on each table: automated tables cycle only while someone watches.
    for (const table of this.tables) {
      // Node's WebSocket (undici) takes headers too: the dev country, like every other request here.
      const init = { protocols: ['casino.v1'], headers: { 'X-Dev-Country': 'MT', 'User-Agent': 'edge-casino-simulator/1' } };
      const ws = new WebSocket(`${this.root.replace(/^http/, 'ws')}/v1/tables/${table.table_id}/ws`, init as unknown as string[]);
      ws.addEventListener('error', () => this.count(this.summary.errors, `websocket ${table.table_id}`));
      this.sockets.push(ws);
    }
    if (this.o.ops !== null) {
      const creds = this.o.ops ?? demoAdmin();
      if (!creds) this.summary.notes.push('no back-office operator (demo-operators.json not found): withdrawals stay requested');
      else this.opsToken = await this.opsLogin(creds);
    }
  }

  async stop(): Promise<void> {
    for (const ws of this.sockets) {
      try {
        ws.close();
      } catch {
        // already closed
      }
    }
  }

  private async opsLogin(c: OpsCredentials): Promise<string | null> {
    if ('token' in c) return c.token;
    for (let attempt = 0; attempt < 2; attempt++) {
      const s1 = await this.call('POST', '/v1/ops/sessions', { body: { email: c.email, password: c.password }, country: 'MT' });
      if (!s1.ok) break;
      const s2 = await this.call('POST', '/v1/ops/sessions/mfa', { body: { challenge_token: s1.body.challenge_token, code: totp(c.totp_secret) }, country: 'MT' });
      if (s2.ok) return s2.body.token as string;
      // a code works once per step: wait for the next one
      await sleep(30_000 - (Date.now() % 30_000) + 300);
    }
    this.summary.notes.push(`operator ${c.email} could not log in: withdrawals stay requested`);
    return null;
  }

  /** Works the withdrawal queue as an operator: most approved and paid, some rejected, a few left waiting. */
  async decideWithdrawals(): Promise<void> {
    if (!this.opsToken) return;
    for (const w of this.withdrawals) {
      const x = w.rng.next();
      if (x > 0.9) continue;
      const decision = x < 0.8 ? 'approve' : 'reject';
      const d = await this.call('POST', `/v1/ops/players/${w.player_id}/withdrawals/${w.withdrawal_id}/decision`, {
        token: this.opsToken, country: 'MT', body: { decision, reason: decision === 'approve' ? 'simulator: checks passed' : 'simulator: payment method mismatch' },
      });
      if (!d.ok) continue;
      if (decision === 'reject') {
        this.summary.withdrawals_rejected++;
        continue;
      }
      const p = await this.call('POST', `/v1/ops/players/${w.player_id}/withdrawals/${w.withdrawal_id}/paid`, { token: this.opsToken, country: 'MT', body: { reason: 'simulator: paid out by bank transfer' } });
      if (p.ok) this.summary.withdrawals_paid++;
    }
  }

  /** Adjustments (applied at once up to the four-eyes threshold; above it they wait for a second operator, which the simulator does not have) and VIP flags. */
  async operatorTasks(): Promise<void> {
    if (!this.opsToken) return;
    for (const t of this.opsTasks) {
      if (t.kind === 'vip') {
        const r = await this.call('PUT', `/v1/ops/players/${t.player_id}/vip`, { token: this.opsToken, country: 'MT', body: { vip: true, reason: t.reason } });
        if (r.ok) this.summary.vip_flags++;
      } else {
        const r = await this.call('POST', `/v1/ops/players/${t.player_id}/adjustments`, {
          token: this.opsToken, country: 'MT', headers: { 'Idempotency-Key': t.key }, body: { currency: t.currency, bucket: 'real', amount_minor: t.amount_minor, reason: t.reason },
        });
        if (r.ok) this.summary.adjustments++;
      }
    }
  }

  // ---- one player --------------------------------------------------------------------------------

  async player(i: number): Promise<void> {
    const rng = Rng.derive(this.seed, `api-player:${i}`);
    const c: CountryProfile = pickCountry(rng);
    const currency = pickCurrency(rng, c);
    const archetype: Archetype = pickArchetype(rng);
    const a = ARCHETYPES[archetype];
    const slots = slotsFor(c.jurisdiction, currency);
    const tables = this.tables.filter((t) => t.limits[currency]);
    const stake = roundAmount(Math.max(0.1, rng.logNormal(a.stakeEur, 0.5)), currency);
    const depositSize = roundAmount(Math.max(10, rng.logNormal(a.depositEur, 0.4)), currency);
    // the lifecycle over `days`: how many sessions before churn (or the end of the period)
    const horizon = this.o.days * DAY_MS;
    const churnAt = rng.exp(a.lifetimeDays * DAY_MS);
    // Devices (a stable User-Agent per device, some players on two) and hours of play, from an Rng of
    // their own. The platform stamps events with its real clock, so hours shape only the lifecycle here.
    const hrng = Rng.derive(this.seed, `api-habits:${i}`);
    const habits = pickHabits(hrng);
    // Loss chasing, structuring, quick cash-outs, VIP and operator adjustments, from an Rng of their own.
    // Reactivation after weeks is not possible here: the platform stamps events with its real clock.
    const brng = Rng.derive(this.seed, `api-behaviour:${i}`);
    const beh = pickBehaviour(brng, archetype);
    // Cards and accounts (instruments.ts), sent as payment_instrument: the platform hashes them. A stream of their own.
    const pay = new PaymentInstruments(Rng.derive(this.seed, `api-instruments:${i}`), beh.structurer || beh.quickCashout);
    let device = loginClient(hrng, habits, true);
    let sessions = 1;
    for (let t = nextShapedTime(rng, 0, a.gapDays * DAY_MS, c.utc, habits.shape); t < Math.min(horizon, churnAt); t = nextShapedTime(rng, t, a.gapDays * DAY_MS, c.utc, habits.shape)) sessions++;
    const churned = churnAt < horizon;
    sessions = Math.min(sessions, this.o.maxSessions ?? 4);

    const email = `sim.${this.runId}.${i}@players.edge-casino.test`;
    const password = `sim-password-${rng.hex64().slice(0, 12)}`;
    const source = pickSource(rng);
    const reg = await this.call('POST', '/v1/players', {
      country: c.country, headers: device.headers,
      body: { email, password, date_of_birth: birthDate(rng, c.minAge, Date.now()), country: c.country, currency, ...(source ? { acquisition_source: source } : {}), brand: rng.chance(0.68) ? 'aurora' : 'sakura' },
    });
    if (!reg.ok) return;
    this.summary.registrations++;
    const playerId = reg.body.player.player_id as string;
    let token = reg.body.token as string;
    let kyc = 'none';
    let blocked = false;
    /** This player's withdrawals the operator has not decided yet (the operator works the queue after the run). */
    const undecided: string[] = [];

    for (let s = 0; s < sessions && !blocked; s++) {
      if (s > 0) {
        device = loginClient(hrng, habits, false);
        const login = await this.call('POST', '/v1/sessions', { country: c.country, headers: device.headers, body: { email, password } });
        if (!login.ok) break;
        token = login.body.token as string;
        this.summary.logins++;
      }
      const api = (method: string, path: string, o: { body?: unknown; headers?: Record<string, string> } = {}) => this.call(method, path, { ...o, headers: { ...device.headers, ...o.headers }, token, country: c.country });

      if (s === 0 && rng.chance(archetype === 'dormant' ? 0.3 : 0.85)) {
        const outcome = rng.weighted(['verified', 'rejected', 'pending'] as const, [86, 6, 8]);
        const k = await api('POST', '/v1/players/me/kyc', { body: { provider: 'sandbox', document_type: 'passport', document_number: `P${rng.range(1e6, 9e6)}`, sandbox_outcome: outcome } });
        if (k.ok) {
          kyc = k.body.player.kyc_status;
          if (kyc === 'verified') this.summary.kyc_verified++;
          else this.summary.kyc_other++;
        }
      }
      if (s === 0 && rng.chance(archetype === 'at_risk' ? 0.3 : 0.1)) {
        const r = await api('PUT', '/v1/limits/deposit', { body: { period: rng.pick(['day', 'week', 'month']), currency, amount_minor: depositSize * 4 } });
        if (r.ok) this.summary.limit_changes++;
      }
      if (archetype === 'dormant' && !rng.chance(0.25)) {
        await api('DELETE', '/v1/sessions/current');
        continue;
      }

      // money in
      const bal = await api('GET', '/v1/wallet');
      const available = (bal.body?.balances ?? []).find((b: { currency: string }) => b.currency === currency)?.available_minor ?? 0;
      if (available < stake * 8) {
        const amount = s === 0 ? depositSize : roundAmount((depositSize / roundAmount(1, currency)) * (0.5 + rng.next()), currency);
        const instrument = pay.forDeposit();
        const d = await api('POST', '/v1/wallet/deposits', { headers: { 'Idempotency-Key': `sim-${this.runId}-${i}-${s}` }, body: { amount_minor: amount, currency, provider: 'sandbox', payment_instrument: instrument } });
        if (d.ok) {
          this.summary.deposits++;
          if (this.o.webhookSecret && rng.chance(0.3)) {
            const w = await this.webhook({ deposit_id: d.body.deposit.deposit_id, player_id: playerId, amount_minor: amount, currency, payment_instrument: instrument });
            if (w.ok) this.summary.deposit_webhooks++;
          }
        }
      }

      const availableNow = async (): Promise<number> => {
        const w = await api('GET', '/v1/wallet');
        return (w.body?.balances ?? []).find((b: { currency: string }) => b.currency === currency)?.available_minor ?? 0;
      };
      const depositOnly = async (amount: number, key: string): Promise<boolean> => {
        const d = await api('POST', '/v1/wallet/deposits', { headers: { 'Idempotency-Key': `sim-${this.runId}-${i}-${s}-${key}` }, body: { amount_minor: amount, currency, provider: 'sandbox', payment_instrument: pay.forDeposit() } });
        if (d.ok) this.summary.deposits++;
        return d.ok;
      };

      // structuring: several deposits just under the AML threshold in the session, a few spins between
      if (beh.structurer && brng.chance(STRUCTURING_SESSION_CHANCE)) {
        let k = 0;
        for (const amount of structuringAmounts(brng, currency)) {
          if (await depositOnly(amount, `st${k++}`)) this.summary.structuring_deposits++;
          if (slots.length > 0 && brng.chance(0.5)) await this.slotStint(brng, token, playerId, c.country, currency, stake, brng.pick(slots), 3);
        }
      }
      // deposit then withdraw with little play (the platform's rapid_deposit_withdraw alert fires on it)
      if (beh.quickCashout && kyc === 'verified' && brng.chance(QUICK_CASHOUT_SESSION_CHANCE)) {
        const amount = roundAmount((depositSize / roundAmount(1, currency)) * brng.range(3, 10), currency);
        if (await depositOnly(amount, 'qc')) {
          if (slots.length > 0) await this.slotStint(brng, token, playerId, c.country, currency, stake, brng.pick(slots), 3);
          const avail = await availableNow();
          const out = Math.min(avail, Math.floor(amount * (0.85 + 0.1 * brng.next())));
          if (out > 0) {
            const r = await api('POST', '/v1/wallet/withdrawals', { headers: { 'Idempotency-Key': `sim-${this.runId}-${i}-${s}-qc-wd` }, body: { amount_minor: out, currency, payment_instrument: pay.forWithdrawal(true) } });
            if (r.ok) {
              this.summary.withdrawals++;
              this.summary.quick_cashouts++;
              undecided.push(r.body.withdrawal.withdrawal_id);
              this.withdrawals.push({ player_id: playerId, withdrawal_id: r.body.withdrawal.withdrawal_id, rng: Rng.derive(this.seed, `wd:${i}:${s}:qc`) });
            }
          }
        }
      }

      // play: slots and tables
      const stints = rng.range(1, 3);
      for (let st = 0; st < stints; st++) {
        const atTable = tables.length > 0 && (slots.length === 0 || rng.chance(0.4));
        if (atTable) await this.tableStint(rng, token, c.country, currency, stake, rng.pick(tables), i);
        else if (slots.length > 0) await this.slotStint(rng, token, playerId, c.country, currency, stake, rng.pick(slots), undefined, beh.chaser);
      }
      // loss chasing: bust, take back a withdrawal still waiting for the operator (a reversed
      // withdrawal) or deposit again at once (more each time), and play on at raised stakes
      if (beh.chaser && slots.length > 0) {
        for (let n = 1; n <= CHASE_MAX_REDEPOSITS && (await availableNow()) < stake; n++) {
          if (!brng.chance(0.85)) break;
          const waiting = undecided.shift();
          if (waiting === undefined || !(await this.cancelWithdrawal(api, waiting))) {
            const amount = roundAmount((depositSize / roundAmount(1, currency)) * (1 + 0.5 * n), currency);
            if (!(await depositOnly(amount, `chase${n}`))) break;
            this.summary.chase_redeposits++;
          }
          await this.slotStint(brng, token, playerId, c.country, currency, stake, brng.pick(slots), undefined, true);
        }
      }

      // money out
      if (kyc === 'verified' && rng.chance(0.35)) {
        const w = await api('GET', '/v1/wallet');
        const avail = (w.body?.balances ?? []).find((b: { currency: string }) => b.currency === currency)?.available_minor ?? 0;
        if (avail > stake * 4) {
          const amount = Math.floor(avail * (0.3 + 0.5 * rng.next()));
          const r = await api('POST', '/v1/wallet/withdrawals', { headers: { 'Idempotency-Key': `sim-${this.runId}-${i}-${s}-wd` }, body: { amount_minor: amount, currency, payment_instrument: pay.forWithdrawal() } });
          if (r.ok) {
            this.summary.withdrawals++;
            undecided.push(r.body.withdrawal.withdrawal_id);
            this.withdrawals.push({ player_id: playerId, withdrawal_id: r.body.withdrawal.withdrawal_id, rng: Rng.derive(this.seed, `wd:${i}:${s}`) });
          }
        }
      }

      // responsible gaming
      if (rng.chance(Math.max(a.rg, 0.03))) {
        const x = rng.next();
        if (x < 0.4) {
          const r = await api('PUT', '/v1/limits/deposit', { body: { period: 'week', currency, amount_minor: depositSize * (rng.chance(0.7) ? 2 : 10) } });
          if (r.ok) this.summary.limit_changes++;
        } else if (x < 0.6) {
          const r = await api('PUT', `/v1/limits/${rng.chance(0.5) ? 'session_time' : 'reality_check'}`, { body: { minutes: rng.pick([30, 60, 120]) } });
          if (r.ok) this.summary.limit_changes++;
        } else if (x < 0.88) {
          const r = await api('POST', '/v1/cool-off', { body: { hours: rng.pick([24, 72, 168]) } });
          if (r.ok) {
            this.summary.cool_offs++;
            blocked = true; // every later login is refused until the break ends (after this run)
            // one tries anyway: the API refuses it (403 cooling_off), counted as a refusal
            if (rng.chance(0.5)) await this.call('POST', '/v1/sessions', { country: c.country, body: { email, password } });
            continue;
          }
        } else {
          const r = await api('POST', '/v1/self-exclusion', { body: rng.chance(0.2) ? { permanent: true } : { months: rng.pick([6, 12]) } });
          if (r.ok) {
            this.summary.self_exclusions++;
            blocked = true;
            continue;
          }
        }
      }
      if (rng.chance(0.75)) await api('DELETE', '/v1/sessions/current'); // the rest walk away: idle timeout
      // the back office: VIP flag for high rollers after a few sessions; now and then an adjustment
      if (beh.vip && s === 2) this.opsTasks.push({ player_id: playerId, key: '', kind: 'vip', currency, amount_minor: 0, reason: 'simulator: high roller flagged VIP' });
      if (brng.chance(archetype === 'highroller' ? 0.1 : 0.03)) {
        const big = brng.chance(archetype === 'highroller' ? 0.5 : 0.25);
        this.opsTasks.push({
          player_id: playerId, key: `sim-${this.runId}-${i}-${s}-adj`, kind: 'adjustment', currency,
          amount_minor: roundAmount(big ? brng.range(600, 2_000) : brng.range(5, 60), currency), reason: big ? 'simulator: compensation for a game malfunction' : 'simulator: goodwill after a support complaint',
        });
      }
    }
    if (churned) this.summary.churned++;
  }

  /** The player cancels a withdrawal of theirs still waiting; it leaves the operator's queue. True if cancelled. */
  private async cancelWithdrawal(api: (method: string, path: string) => Promise<Answer>, withdrawalId: string): Promise<boolean> {
    const r = await api('POST', `/v1/wallet/withdrawals/${encodeURIComponent(withdrawalId)}/cancel`);
    if (!r.ok) return false;
    this.summary.withdrawals_cancelled++;
    const k = this.withdrawals.findIndex((w) => w.withdrawal_id === withdrawalId);
    if (k >= 0) this.withdrawals.splice(k, 1);
    return true;
  }

  private async slotStint(rng: Rng, token: string, playerId: string, country: string, currency: string, stake: number, game: SlotGame, spinsMax?: number, chaser = false): Promise<void> {
    const launch = await this.call('POST', `/v1/games/${game.game_id}/launch`, { token, country, body: { currency } });
    if (!launch.ok) return;
    const lt = launch.body.token as string;
    const lim = game.limits[currency]!;
    let amount = Math.min(lim.max_minor, Math.max(lim.min_minor, stake));
    let spins = Math.max(1, Math.floor((this.o.spins ?? 12) * (0.5 + rng.next())));
    if (spinsMax !== undefined) spins = Math.min(spins, spinsMax);
    let mult = 1;
    for (let n = 0; n < spins; n++) {
      // a loss chaser raises the stake after each loss (up to CHASE_STAKE_MAX x) and drops back after a win
      if (chaser) amount = Math.min(lim.max_minor, Math.max(lim.min_minor, Math.round(stake * mult)));
      const txId = rng.uuidv7(Date.now());
      const roundId = `r-${txId}`;
      const bet = await this.provider(game.provider_id, 'bet', { token: lt, tx_id: txId, round_id: roundId, game_id: game.game_id, currency, amount_minor: amount });
      if (!bet.ok) return; // funds, limits, session: the provider ends the game
      this.summary.slot_rounds++;
      if (rng.chance(0.01)) {
        const rb = await this.provider(game.provider_id, 'rollback', { player_id: playerId, tx_id: `rb-${txId}`, bet_tx_id: txId, round_id: roundId, game_id: game.game_id, currency });
        if (rb.ok) this.summary.slot_rollbacks++;
        continue;
      }
      const won = spinReturn(rng, game, amount);
      await this.provider(game.provider_id, 'win', { player_id: playerId, tx_id: `w-${txId}`, round_id: roundId, game_id: game.game_id, currency, amount_minor: won, bet_tx_id: txId });
      mult = won < amount ? Math.min(CHASE_STAKE_MAX, mult * CHASE_STAKE_STEP) : 1;
    }
  }

  /** Each player's blackjack: a stream and a profile of their own (the decisions a round takes depend on its cards). */
  private readonly blackjackPlayers = new Map<number, { rng: Rng; profile: ReturnType<typeof randomPlayerProfile> }>();

  private async tableStint(rng: Rng, token: string, country: string, currency: string, stake: number, table: TableInfo, player: number): Promise<void> {
    const rounds = Math.max(1, this.o.rounds ?? 2);
    if (table.blackjack) {
      let bj = this.blackjackPlayers.get(player);
      if (!bj) {
        const brng = Rng.derive(this.seed, `api-blackjack:${player}`);
        bj = { rng: brng, profile: randomPlayerProfile(() => brng.next()) };
        this.blackjackPlayers.set(player, bj);
      }
      // read after the await: `table_bets += await ...` would add to a value read before other players' bets
      const placed = await blackjackStint({
        call: (method, path, opts) => this.call(method, path, opts), rng: bj.rng, profile: bj.profile, token, country, currency, stake, rounds,
        table: table.blackjack, counts: this.summary.blackjack, onError: (key) => this.count(this.summary.errors, key),
      });
      this.summary.table_bets += placed;
      return;
    }
    let lastRound: string | null = null;
    for (let n = 0; n < rounds; n++) {
      // wait for a round open for betting (with at least ~1.5 s left), other than the last one we bet in
      let round: { round_id: string; state: string; closes_at: number } | null = null;
      const deadline = Date.now() + 40_000;
      while (Date.now() < deadline) {
        const v = await this.call('GET', `/v1/tables/${table.table_id}`);
        const r = v.body?.round;
        if (r && r.state === 'betting_open' && r.round_id !== lastRound && r.closes_at - Date.now() > 1_500) {
          round = r;
          break;
        }
        await sleep(700);
      }
      if (!round) {
        this.count(this.summary.errors, `no open round at ${table.table_id} within 40 s`);
        return;
      }
      lastRound = round.round_id;
      const bets = rng.chance(0.7) ? 1 : 2;
      for (let b = 0; b < bets; b++) {
        const spot = table.game === 'roulette' ? rouletteSpot(rng) : baccaratSpot(rng);
        const type = spot.split(':')[0]!;
        const lim = table.limits[currency]?.[type] ?? table.limits[currency]?.default;
        if (!lim) return;
        const amount = Math.min(lim.max_minor, Math.max(lim.min_minor, stake));
        const r = await this.call('POST', `/v1/tables/${table.table_id}/bets`, {
          token, country, body: { bet_id: rng.uuidv7(Date.now()), round_id: round.round_id, spot, amount_minor: amount, currency },
        });
        if (r.ok) this.summary.table_bets++;
        else if (r.code !== 'betting_closed') return;
      }
    }
  }
}

/** Runs the simulation against a running platform; resolves with the summary (never throws on refusals). */
export async function simulateApi(opts: ApiOptions): Promise<ApiSummary> {
  const vars = readDevVars();
  const providerSecret = opts.providerSecret ?? process.env.PROVIDER_SECRET_SANDBOX_SLOTS ?? vars.PROVIDER_SECRET_SANDBOX_SLOTS;
  if (!providerSecret) throw new Error('PROVIDER_SECRET_SANDBOX_SLOTS is needed to sign slot rounds (in .dev.vars after `npm start`, or in the environment)');
  const webhookSecret = opts.webhookSecret ?? process.env.PAYMENT_WEBHOOK_SECRET_SANDBOX ?? vars.PAYMENT_WEBHOOK_SECRET_SANDBOX ?? null;
  const d = new Driver({ ...opts, providerSecret, webhookSecret });
  await d.start();
  if (!webhookSecret) d.summary.notes.push('no PAYMENT_WEBHOOK_SECRET_SANDBOX: deposits are confirmed by the sandbox only, no webhook replays');
  const started = Date.now();
  let next = 0;
  const timer = opts.onProgress ? setInterval(() => opts.onProgress!({ ...d.summary, elapsed_ms: Date.now() - started }), 2_000) : null;
  try {
    const worker = async () => {
      for (;;) {
        const i = next++;
        if (i >= opts.players) return;
        try {
          await d.player(i);
        } catch (err) {
          d.summary.errors[`exception ${(err as Error).message.slice(0, 80)}`] = (d.summary.errors[`exception ${(err as Error).message.slice(0, 80)}`] ?? 0) + 1;
        }
        d.summary.players_done++;
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 8) }, worker));
    await d.decideWithdrawals();
    await d.operatorTasks();
  } finally {
    if (timer) clearInterval(timer);
    await d.stop();
  }
  d.summary.elapsed_ms = Date.now() - started;
  return d.summary;
}
