#!/usr/bin/env node
/**
 * Seeds the back office through the real HTTP API (nothing but fetch), after the player seed:
 *
 *   1. bootstraps the first admin (POST /v1/ops/bootstrap with OPS_BOOTSTRAP_TOKEN) and enrols
 *      its TOTP; creates the demo operators (one per role, a Malta-only compliance officer, a
 *      support agent of brand sakura) and logs each in once to enrol TOTP;
 *   2. keeps every demo operator's email, password, roles, TOTP secret and recovery codes in
 *      demo-operators.json (mode 0600, next to the player seed marker; `npm run ops:code` reads it),
 *      written after every step, since a TOTP secret is shown only once;
 *   3. makes back-office work through the API: a manual adjustment under the four-eyes threshold
 *      (applied) and one over it (pending approval), a large sandbox win and a deposit withdrawn
 *      again at once (both raise anomaly alerts); the Ontario player's pending KYC and the UK
 *      player's withdrawal come from the player seed. Then checks that the queues and alerts show
 *      them.
 *
 *   node scripts/seed-ops.mjs [baseUrl]          (OPS_BOOTSTRAP_TOKEN from the environment or .dev.vars)
 *   import { seedBackOffice } from './seed-ops.mjs'   (used by `npm start`)
 *
 * Idempotent: when operators exist already (bootstrap answers 409) it reads demo-operators.json;
 * a complete file means nothing to do, an incomplete one is resumed (missing operators created,
 * money movements replayed by their Idempotency-Keys and round ids). Without the file it leaves
 * the existing operators alone. A step whose API is not there yet is skipped with a warning and
 * retried by the next run.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DEFAULT_BASE_URL, DEMO_PASSWORD, DEMO_PLAYERS, SeedError, describeError, formatMinor, makeClient } from './seed.mjs';
import { demoOperatorsFile, TOTP_PERIOD_S, totpCode, totpStep } from './ops-code.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const OPS_DEMO_PASSWORD = 'demo-operator-password-123';
const DOMAIN = 'ops.edge-casino.test';
/** How long the seed waits for the relayed events to show in the brand's queues and alerts. */
const BRAND_OPS_WAIT_MS = 20_000;

/** The demo operators; the first one is the bootstrap admin. Each logs in from its own address. */
export const DEMO_OPERATORS = [
  { key: 'admin', email: `admin@${DOMAIN}`, display_name: 'Alex Admin', roles: ['admin'], brands: ['*'], jurisdictions: ['*'], vip_clearance: true, scope: 'first admin (bootstrap): every brand' },
  { key: 'compliance-mt', email: `compliance.malta@${DOMAIN}`, display_name: 'Maria Borg', roles: ['compliance_officer'], brands: ['aurora'], jurisdictions: ['MT'], vip_clearance: false, scope: 'aurora, Malta only' },
  { key: 'compliance', email: `compliance@${DOMAIN}`, display_name: 'Chris Compliance', roles: ['compliance_officer'], brands: ['*'], jurisdictions: ['*'], vip_clearance: true, scope: 'every brand and jurisdiction, VIP clearance' },
  { key: 'operator', email: `operator@${DOMAIN}`, display_name: 'Olga Operator', roles: ['operator'], brands: ['aurora'], jurisdictions: ['*'], vip_clearance: false, scope: 'aurora' },
  { key: 'support', email: `support@${DOMAIN}`, display_name: 'Sam Support', roles: ['support_agent'], brands: ['aurora'], jurisdictions: ['*'], vip_clearance: false, scope: 'aurora' },
  { key: 'marketer', email: `marketing@${DOMAIN}`, display_name: 'Mia Marketing', roles: ['marketer'], brands: ['aurora'], jurisdictions: ['*'], vip_clearance: true, scope: 'aurora, VIP clearance' },
  { key: 'analyst', email: `analyst@${DOMAIN}`, display_name: 'Ana Analyst', roles: ['analyst'], brands: ['aurora'], jurisdictions: ['*'], vip_clearance: false, scope: 'aurora' },
  { key: 'dealer', email: `dealer@${DOMAIN}`, display_name: 'Dan Dealer', roles: ['dealer'], brands: ['aurora'], jurisdictions: ['*'], vip_clearance: false, scope: 'aurora' },
  { key: 'support-sakura', email: `support.sakura@${DOMAIN}`, display_name: 'Sora Support', roles: ['support_agent'], brands: ['sakura'], jurisdictions: ['*'], vip_clearance: false, scope: 'sakura only' },
].map((o, i) => ({ ...o, country: 'MT', ip: `203.0.113.${10 + i}` }));

const player = (slug) => DEMO_PLAYERS.find((p) => p.slug === slug);

/** The back-office demo data (amounts in minor units); keys and round ids make each happen once. */
export const DEMO_WORK = {
  small_adjustment: { player: 'greece', key: 'demo-ops-adjustment-goodwill', currency: 'EUR', amount_minor: 2000, reason: 'Goodwill credit: game disconnected mid-round (demo ticket 1001)' },
  large_adjustment: { player: 'malta', key: 'demo-ops-adjustment-retention', currency: 'EUR', amount_minor: 75000, reason: 'Retention offer agreed by phone (demo ticket 1002): needs a second approver' },
  large_win: { player: 'malta', round_id: 'demo-ops-large-win', currency: 'EUR', amount_minor: 5000, win_minor: 625000 },
  table: {
    table_id: 'roulette-1', number: 17,
    bets: [
      { player: 'malta', bet_id: '019a0000-0000-7000-8000-00000000d001', spot: 'straight:17', amount_minor: 500 },
      { player: 'greece', bet_id: '019a0000-0000-7000-8000-00000000d002', spot: 'red', amount_minor: 1000 },
    ],
  },
  rapid: { player: 'malta-btc', deposit_key: 'demo-ops-rapid-deposit', withdrawal_key: 'demo-ops-rapid-withdrawal', currency: 'BTC', deposit_minor: 1000000, withdrawal_minor: 900000 },
};

// ---- .dev.vars and the state file --------------------------------------------------------------

/** KEY=VALUE lines of a .dev.vars file (comments and blank lines ignored, quotes stripped). */
export function readDevVars(path = join(ROOT, '.dev.vars')) {
  const vars = {};
  if (!existsSync(path)) return vars;
  for (const line of readFileSync(path, 'utf8').split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (m && !line.trimStart().startsWith('#')) vars[m[1]] = m[2].replace(/^(['"])(.*)\1$/, '$2');
  }
  return vars;
}

function readState(file) {
  if (!existsSync(file)) return null;
  try {
    const s = JSON.parse(readFileSync(file, 'utf8'));
    return Array.isArray(s.operators) ? s : null;
  } catch {
    return null;
  }
}

/** Written whole, owner-only, by rename: a crash never leaves half a file of secrets. */
function saveState(file, state) {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- operators ----------------------------------------------------------------------------------

/**
 * The seed's session with the API: the admin's and other operators' bearer tokens (in memory
 * only), and the TOTP step each operator last used, so that a second login waits for a new code.
 */
class OpsSession {
  constructor(api, file, state, log) {
    this.api = api;
    this.file = file;
    this.state = state;
    this.log = log;
    this.tokens = new Map();
    this.usedStep = new Map();
  }

  save() {
    this.state.updated_at = new Date().toISOString();
    saveState(this.file, this.state);
  }

  entry(spec) {
    return this.state.operators.find((o) => o.email === spec.email);
  }

  remember(spec, fields) {
    let e = this.entry(spec);
    if (!e) {
      e = {
        key: spec.key, email: spec.email, password: OPS_DEMO_PASSWORD, display_name: spec.display_name, roles: spec.roles, brands: spec.brands,
        jurisdictions: spec.jurisdictions, vip_clearance: spec.vip_clearance, scope: spec.scope, operator_id: null, totp_secret: null, recovery_codes: [], enrolled: false,
        last_seed_totp_step: null,
      };
      this.state.operators.push(e);
      // Keep the file in the order of DEMO_OPERATORS, whatever order a resumed run fills it in.
      this.state.operators.sort((a, b) => DEMO_OPERATORS.findIndex((o) => o.email === a.email) - DEMO_OPERATORS.findIndex((o) => o.email === b.email));
    }
    Object.assign(e, fields);
    this.save();
    return e;
  }

  /** A code of a step this seed has not used for this operator (waits for the next step if needed). */
  async freshCode(spec, secret) {
    const last = Math.max(this.usedStep.get(spec.email) ?? -1, this.entry(spec)?.last_seed_totp_step ?? -1);
    while (totpStep() <= last) {
      const waitMs = (totpStep() + 1) * TOTP_PERIOD_S * 1000 - Date.now() + 250;
      this.log.info(`${spec.email}: waiting ${Math.ceil(waitMs / 1000)} s for the next TOTP step (each code works once)`);
      await sleep(waitMs);
    }
    const now = Date.now();
    return { code: totpCode(secret, now), step: totpStep(now) };
  }

  /** Answers a login challenge with a TOTP code; true when it opened a session. */
  async answer(spec, challengeToken, secret, { retryable }) {
    const { code, step } = await this.freshCode(spec, secret);
    const r = await this.api(spec, 'POST', '/v1/ops/sessions/mfa', { body: { challenge_token: challengeToken, code }, expect: retryable ? [201, 401] : [201] });
    this.usedStep.set(spec.email, step);
    if (r.status === 201) {
      this.tokens.set(spec.email, r.body.token);
      if (this.entry(spec)) this.remember(spec, { last_seed_totp_step: step });
      return r.body;
    }
    return null;
  }

  /**
   * Logs an operator in: password, then TOTP (enrolling it if the challenge carries an enrolment).
   * A code refused once (another login used it, e.g. `npm run ops:code` moments ago) is retried
   * with the next step's code.
   */
  async login(spec) {
    if (this.tokens.has(spec.email)) return this.tokens.get(spec.email);
    for (let attempt = 0; attempt < 2; attempt++) {
      const s1 = await this.api(spec, 'POST', '/v1/ops/sessions', { body: { email: spec.email, password: OPS_DEMO_PASSWORD } });
      const enrolment = s1.body.enrolment;
      let secret = this.entry(spec)?.totp_secret;
      if (enrolment) {
        secret = enrolment.secret;
      } else if (!secret) {
        // Enrolled, but not by this seed (its secret is unknown): an admin resets the factor.
        await this.resetMfa(spec);
        continue;
      }
      const done = await this.answer(spec, s1.body.challenge_token, secret, { retryable: attempt === 0 });
      if (!done) {
        this.log.info(`${spec.email}: TOTP code refused (used already?); trying the next one`);
        continue;
      }
      if (enrolment) {
        this.remember(spec, { operator_id: done.operator.operator_id, totp_secret: secret, recovery_codes: enrolment.recovery_codes, enrolled: true });
        this.log.info(`${spec.email}: TOTP enrolled`);
      } else if (!this.entry(spec)?.enrolled) {
        this.remember(spec, { enrolled: true });
      }
      return done.token;
    }
    throw new SeedError(`could not log ${spec.email} in with TOTP`, {});
  }

  async resetMfa(spec) {
    const admin = DEMO_OPERATORS[0];
    if (spec.email === admin.email) throw new SeedError(`${spec.email} has a second factor this seed does not know (demo-operators.json lost?); cannot log in`, {});
    const id = this.entry(spec)?.operator_id ?? (await this.findOperator(spec))?.operator_id;
    if (!id) throw new SeedError(`${spec.email} not found among the operators`, {});
    await this.api(admin, 'POST', `/v1/ops/operators/${id}/reset-mfa`, { token: await this.login(admin), body: { reason: 'demo seed: TOTP secret unknown to demo-operators.json, enrolling again' } });
    this.remember(spec, { operator_id: id, totp_secret: null, recovery_codes: [], enrolled: false });
    this.log.info(`${spec.email}: second factor reset by the admin (its secret was not in demo-operators.json)`);
  }

  async findOperator(spec) {
    const admin = DEMO_OPERATORS[0];
    const r = await this.api(admin, 'GET', '/v1/ops/operators', { token: await this.login(admin) });
    return r.body.operators.find((o) => o.email === spec.email) ?? null;
  }

  /** Creates the operator (or finds it, after a run that stopped half-way) and enrols its TOTP. */
  async ensureOperator(spec) {
    let e = this.entry(spec);
    if (!e) {
      const admin = DEMO_OPERATORS[0];
      const r = await this.api(admin, 'POST', '/v1/ops/operators', {
        token: await this.login(admin),
        body: { email: spec.email, display_name: spec.display_name, password: OPS_DEMO_PASSWORD, roles: spec.roles, brands: spec.brands, jurisdictions: spec.jurisdictions, vip_clearance: spec.vip_clearance },
        expect: [201, 409],
      });
      const id = r.status === 201 ? r.body.operator.operator_id : (await this.findOperator(spec))?.operator_id;
      if (!id) throw new SeedError(`creating ${spec.email} answered 409, but no such operator is listed`, { response: r.body });
      e = this.remember(spec, { operator_id: id });
      this.log.info(`${spec.email}: ${r.status === 201 ? 'created' : 'exists already'} (${spec.roles.join(', ')}; ${spec.scope})`);
    }
    if (!e.enrolled) await this.login(spec);
  }
}

// ---- demo work ----------------------------------------------------------------------------------

async function playerLogin(api, p) {
  const r = await api(p, 'POST', '/v1/sessions', { body: { email: p.email, password: DEMO_PASSWORD }, expect: [201] });
  return { token: r.body.token, id: r.body.player.player_id };
}

/**
 * The back-office work items. Returns what was done (for the banner) and warnings for what could
 * not be (an API not there yet), so the caller knows whether the seed is complete.
 */
async function seedWork(s, api, log) {
  const admin = DEMO_OPERATORS[0];
  const operator = DEMO_OPERATORS.find((o) => o.key === 'operator');
  const adminToken = await s.login(admin);
  const warnings = [];
  const items = [];
  const players = {};
  for (const slug of ['malta', 'malta-btc', 'greece', 'uk', 'ontario']) players[slug] = { ...player(slug), ...(await playerLogin(api, player(slug))) };

  // Manual adjustments: are they there? (PlayerDO adjustments list in the operator's player view.)
  const view = await api(admin, 'GET', `/v1/ops/players/${players.malta.id}`, { token: adminToken, expect: [200, 500, 501] });
  let pendingAdjustmentId = null;
  if (view.status === 200 && Array.isArray(view.body?.adjustments)) {
    const opToken = await s.login(operator);
    for (const [name, want] of [['small_adjustment', 'applied'], ['large_adjustment', 'pending']]) {
      const a = DEMO_WORK[name];
      const p = players[a.player];
      const r = await api(operator, 'POST', `/v1/ops/players/${p.id}/adjustments`, {
        token: opToken, headers: { 'Idempotency-Key': a.key }, body: { currency: a.currency, bucket: 'real', amount_minor: a.amount_minor, reason: a.reason }, expect: [201],
      });
      const adj = r.body.adjustment;
      if (adj?.state !== want && !(r.body.replayed && adj?.state)) throw new SeedError(`adjustment ${a.key} is ${adj?.state}, expected ${want}`, { response: r.body });
      if (adj.state === 'pending') pendingAdjustmentId = adj.adjustment_id;
      const line = `adjustment ${formatMinor(a.amount_minor, a.currency)} to ${p.email} by ${operator.email}: ${adj.state}${adj.state === 'pending' ? ' (over the four-eyes threshold, waiting for a compliance officer)' : ''}`;
      items.push(line);
      log.info(`${line}${r.body.replayed ? ' (already requested)' : ''}`);
    }
  } else {
    warnings.push(`manual adjustments skipped: GET /v1/ops/players/{id} answered ${view.status} without an adjustments list (PlayerDO adjustments not landed yet?)`);
  }

  // A large win (anomaly rule large_win) and a deposit withdrawn again at once (rapid_deposit_withdraw).
  const w = DEMO_WORK.large_win;
  const pw = players[w.player];
  const round = await api(pw, 'POST', '/v1/dev/rounds', { token: pw.token, body: { round_id: w.round_id, currency: w.currency, amount_minor: w.amount_minor, win_minor: w.win_minor } });
  items.push(`large win: ${pw.email} bet ${formatMinor(w.amount_minor, w.currency)} and won ${formatMinor(w.win_minor, w.currency)}`);
  log.info(`${items.at(-1)}${round.body.replayed ? ' (already played)' : ''}`);

  const rd = DEMO_WORK.rapid;
  const pr = players[rd.player];
  const dep = await api(pr, 'POST', '/v1/wallet/deposits', {
    token: pr.token, headers: { 'Idempotency-Key': rd.deposit_key }, body: { amount_minor: rd.deposit_minor, currency: rd.currency, provider: 'sandbox' }, expect: [200, 201],
  });
  if (dep.body.deposit.state !== 'completed') throw new SeedError(`sandbox deposit ${rd.deposit_key} is ${dep.body.deposit.state}, expected completed`, { response: dep.body });
  const wd = await api(pr, 'POST', '/v1/wallet/withdrawals', {
    token: pr.token, headers: { 'Idempotency-Key': rd.withdrawal_key }, body: { amount_minor: rd.withdrawal_minor, currency: rd.currency }, expect: [200, 201],
  });
  items.push(`rapid deposit-withdraw: ${pr.email} deposited ${formatMinor(rd.deposit_minor, rd.currency)} and asked to withdraw ${formatMinor(rd.withdrawal_minor, rd.currency)} (${wd.body.withdrawal.state})`);
  log.info(`${items.at(-1)}${wd.body.replayed ? ' (already requested)' : ''}`);

  // A live-table round at roulette-1: the dealer opens betting, two players bet, the dealer enters 17.
  const t = DEMO_WORK.table;
  const tableNow = await api(admin, 'GET', `/v1/tables/${t.table_id}`, { expect: [200, 404] });
  if (tableNow.status !== 200) {
    warnings.push(`live table skipped: GET /v1/tables/${t.table_id} answered ${tableNow.status}`);
  } else if (tableNow.body.round) {
    items.push(`live table ${t.table_id}: already has rounds (round ${tableNow.body.round.round_no} is ${tableNow.body.round.state})`);
  } else {
    const dealer = DEMO_OPERATORS.find((o) => o.key === 'dealer');
    const dealerToken = await s.login(dealer);
    const opened = await api(dealer, 'POST', `/v1/ops/tables/${t.table_id}/rounds`, { token: dealerToken, expect: [201] });
    const roundId = opened.body.round.round_id;
    for (const b of t.bets) {
      const p = players[b.player];
      await api(p, 'POST', `/v1/tables/${t.table_id}/bets`, { token: p.token, body: { bet_id: b.bet_id, round_id: roundId, spot: b.spot, amount_minor: b.amount_minor, currency: 'EUR' }, expect: [201] });
    }
    const settled = await api(dealer, 'POST', `/v1/ops/tables/${t.table_id}/rounds/${roundId}/result`, { token: dealerToken, body: { outcome: { number: t.number } }, expect: [200] });
    items.push(`live table ${t.table_id}: round ${settled.body.round.round_no} by ${dealer.email}, ${t.bets.length} bets, result ${t.number}: ${settled.body.round.state}`);
    log.info(items.at(-1));
  }

  // The brand's queues and alerts (BrandOpsDO), fed by the players' relayed events.
  const probe = await api(admin, 'GET', '/v1/ops/brands/aurora/queues/kyc', { token: adminToken, expect: [200, 404, 500, 501] });
  if (probe.status !== 200) {
    warnings.push(`queues and alerts not checked: GET /v1/ops/brands/aurora/queues/kyc answered ${probe.status} (BrandOpsDO queues not landed yet?)`);
    return { items, warnings };
  }
  const expected = {
    'KYC queue: demo.ontario (pending)': (q) => q.kyc.some((i) => i.player_id === players.ontario.id),
    'withdrawal queue: demo.uk': (q) => q.withdrawals.some((i) => i.player_id === players.uk.id),
    [`withdrawal queue: ${pr.email}`]: (q) => q.withdrawals.some((i) => i.player_id === pr.id && i.amount_minor === rd.withdrawal_minor),
    'alert large_win': (q) => q.alerts.some((a) => a.rule === 'large_win' && a.player_id === pw.id),
    'alert rapid_deposit_withdraw': (q) => q.alerts.some((a) => a.rule === 'rapid_deposit_withdraw' && a.player_id === pr.id),
  };
  if (pendingAdjustmentId) expected['adjustment queue: the pending adjustment'] = (q) => q.adjustments.some((i) => i.adjustment_id === pendingAdjustmentId);
  const deadline = Date.now() + BRAND_OPS_WAIT_MS;
  let missing;
  let q;
  for (;;) {
    const get = async (path) => (await api(admin, 'GET', `/v1/ops/brands/aurora/${path}`, { token: adminToken })).body;
    q = {
      kyc: (await get('queues/kyc?limit=200')).items, withdrawals: (await get('queues/withdrawals?limit=200')).items,
      adjustments: (await get('queues/adjustments?limit=200')).items, alerts: (await get('alerts?limit=200')).alerts,
    };
    missing = Object.entries(expected).filter(([, ok]) => !ok(q)).map(([name]) => name);
    if (!missing.length || Date.now() > deadline) break;
    await sleep(1000);
  }
  const line = `brand aurora: KYC queue ${q.kyc.length}, withdrawal queue ${q.withdrawals.length}, adjustment queue ${q.adjustments.length}, open alerts ${q.alerts.length} (${[...new Set(q.alerts.map((a) => a.rule))].join(', ') || 'none'})`;
  items.push(line);
  log.info(line);
  if (missing.length) warnings.push(`not in the brand's queues/alerts after ${BRAND_OPS_WAIT_MS / 1000} s: ${missing.join('; ')}`);
  return { items, warnings };
}

// ---- the seed -----------------------------------------------------------------------------------

/**
 * Seeds the back office at `baseUrl`. Returns `{status, state, warnings}`: status 'seeded' (just
 * now), 'resumed' (a previous run's file completed), 'skipped' (complete already) or 'foreign'
 * (operators exist that this seed did not make: left alone); `state` is the demo-operators.json
 * content. Throws a SeedError on an unexpected answer.
 */
export async function seedBackOffice(baseUrl = DEFAULT_BASE_URL, {
  bootstrapToken = process.env.OPS_BOOTSTRAP_TOKEN ?? readDevVars().OPS_BOOTSTRAP_TOKEN,
  file = demoOperatorsFile(),
  log = { info: (m) => console.log(`[seed-ops] ${m}`) },
} = {}) {
  if (!bootstrapToken || bootstrapToken.length < 16) throw new SeedError('OPS_BOOTSTRAP_TOKEN (16+ characters) is missing from .dev.vars', {});
  const api = makeClient(baseUrl, log);
  const admin = DEMO_OPERATORS[0];
  const saved = readState(file);
  const boot = await api(admin, 'POST', '/v1/ops/bootstrap', {
    headers: { Authorization: `Bootstrap ${bootstrapToken}` },
    body: { email: admin.email, display_name: admin.display_name, password: OPS_DEMO_PASSWORD },
    expect: [201, 409],
  });

  let status;
  let s;
  if (boot.status === 201) {
    status = 'seeded';
    const state = { seeded_at: new Date().toISOString(), updated_at: null, base_url: baseUrl.replace(/\/+$/, ''), password: OPS_DEMO_PASSWORD, complete: false, operators: [], work: [], warnings: [] };
    s = new OpsSession(api, file, state, log);
    const enrolment = boot.body.challenge.enrolment;
    s.remember(admin, { operator_id: boot.body.operator.operator_id, totp_secret: enrolment.secret, recovery_codes: enrolment.recovery_codes, enrolled: false });
    if (!(await s.answer(admin, boot.body.challenge.challenge_token, enrolment.secret, { retryable: false }))) throw new SeedError('bootstrap enrolment failed', {});
    s.remember(admin, { enrolled: true });
    log.info(`${admin.email}: bootstrapped (admin, every brand), TOTP enrolled`);
  } else {
    if (!saved?.operators?.some((o) => o.email === admin.email)) {
      return { status: 'foreign', state: saved, warnings: [`operators exist already, but ${file} does not list this seed's admin: the back office is left as it is`] };
    }
    if (saved.complete) return { status: 'skipped', state: saved, warnings: [] };
    status = 'resumed';
    log.info(`operators exist already; completing the back-office seed recorded in ${file}`);
    s = new OpsSession(api, file, saved, log);
  }

  for (const spec of DEMO_OPERATORS.slice(1)) await s.ensureOperator(spec);

  const { items, warnings } = await seedWork(s, api, log);
  s.state.work = items;
  s.state.warnings = warnings;
  s.state.complete = warnings.length === 0;
  s.save();
  return { status, state: s.state, warnings };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const baseUrl = process.argv[2] ?? DEFAULT_BASE_URL;
  try {
    const r = await seedBackOffice(baseUrl);
    console.log(`\nBack office at ${baseUrl.replace(/\/+$/, '')}/ops: ${r.status} (${demoOperatorsFile()})`);
    for (const o of r.state?.operators ?? []) console.log(`  ${o.email.padEnd(40)} ${o.roles.join(', ')}  (${o.scope})`);
    for (const w of r.warnings) console.log(`  warning: ${w}`);
  } catch (err) {
    console.error(describeError(err));
    process.exitCode = 1;
  }
}
