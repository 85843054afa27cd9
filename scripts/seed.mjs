#!/usr/bin/env node
/**
 * Seeds a demo casino through the real HTTP API (nothing but fetch): players in every
 * jurisdiction, KYC, deposits, a deposit limit, sandbox rounds and a withdrawal.
 *
 *   node scripts/seed.mjs [baseUrl]        (npm run seed -- [baseUrl]; default http://127.0.0.1:8787)
 *   import { seedDemo } from './seed.mjs'  (used by `npm start`)
 *
 * Needs a development instance (sandbox KYC/payment providers, /v1/dev routes, X-Dev-Country).
 * Re-running is harmless: an existing account logs in instead, KYC already decided is left alone,
 * money movements use deterministic Idempotency-Keys and round ids, and a limit already in force
 * is not set again. Any unexpected answer stops the seed with the request and the response body.
 */
import { pathToFileURL } from 'node:url';

export const DEMO_PASSWORD = 'demo-password-123';
export const DEFAULT_BASE_URL = `http://127.0.0.1:${process.env.PORT || 8787}`;

/** Minor-unit exponents of the currencies the demo uses (domain/money.ts is the source of truth). */
const EXPONENT = { EUR: 2, USD: 2, GBP: 2, CAD: 2, SEK: 2, NOK: 2, BRL: 2, JPY: 0, KRW: 0, KWD: 3, BHD: 3, BTC: 8 };

/**
 * The demo players. `country` is the country of residence (it decides the jurisdiction) and is
 * also sent as X-Dev-Country; amounts are integer minor units of `currency`.
 */
export const DEMO_PLAYERS = [
  {
    slug: 'malta', email: 'demo.malta@edge-casino.test', country: 'MT', jurisdiction: 'MT', currency: 'EUR',
    date_of_birth: '1988-05-14', acquisition_source: 'organic', ip: '198.51.100.11', kyc: 'verified',
    deposits: [10000, 2500], // 100.00 + 25.00 EUR
    deposit_limit: { period: 'week', currency: 'EUR', amount_minor: 50000 }, // 500.00 EUR a week
    deposits_after_limit: [5000], // 50.00 EUR, within the limit
    rounds: [[500, 0], [500, 1250], [1000, 0]], // [bet, win]
  },
  {
    slug: 'malta-btc', email: 'demo.bitcoin@edge-casino.test', country: 'IE', jurisdiction: 'MT', currency: 'BTC',
    date_of_birth: '1992-11-02', acquisition_source: 'affiliate.cryptocasinos', ip: '198.51.100.12', kyc: 'verified',
    deposits: [500000, 250000], // 0.005 + 0.0025 BTC
    rounds: [[10000, 25000], [20000, 0]],
  },
  {
    slug: 'uk', email: 'demo.uk@edge-casino.test', country: 'GB', jurisdiction: 'GB', currency: 'GBP',
    date_of_birth: '1979-02-23', acquisition_source: 'ppc.google', ip: '198.51.100.13', kyc: 'verified',
    deposits: [5000, 2000], // 50.00 + 20.00 GBP
    rounds: [[200, 0], [200, 600]],
    withdrawal: 1500, // 15.00 GBP
  },
  {
    slug: 'ontario', email: 'demo.ontario@edge-casino.test', country: 'CA', jurisdiction: 'ON', currency: 'CAD',
    date_of_birth: '2001-07-30', acquisition_source: 'tv.campaign', ip: '198.51.100.14', kyc: 'pending',
    deposits: [7500], // 75.00 CAD
    rounds: [],
  },
  {
    slug: 'greece', email: 'demo.greece@edge-casino.test', country: 'GR', jurisdiction: 'GR', currency: 'EUR',
    date_of_birth: '1996-03-08', acquisition_source: 'referral.friend', ip: '198.51.100.15', kyc: 'verified',
    deposits: [3000, 2000], // 30.00 + 20.00 EUR
    rounds: [[250, 0], [250, 0], [250, 1000]],
  },
  {
    slug: 'japan', email: 'demo.japan@edge-casino.test', country: 'JP', jurisdiction: 'CW', currency: 'JPY',
    date_of_birth: '1990-09-19', acquisition_source: 'affiliate.casinoguide', ip: '198.51.100.16', kyc: 'verified',
    deposits: [10000, 5000], // 10,000 + 5,000 JPY (no decimals)
    rounds: [[500, 1200], [1000, 0]],
  },
  {
    slug: 'kuwait', email: 'demo.kuwait@edge-casino.test', country: 'KW', jurisdiction: 'CW', currency: 'KWD',
    date_of_birth: '1985-12-01', acquisition_source: 'social.instagram', ip: '198.51.100.17', kyc: 'none',
    deposits: [25000, 10500], // 25.000 + 10.500 KWD (3 decimals)
    rounds: [],
  },
  {
    slug: 'brazil', email: 'demo.brazil@edge-casino.test', country: 'BR', jurisdiction: 'CW', currency: 'USD',
    date_of_birth: '1994-06-27', acquisition_source: 'streamer.twitch', ip: '198.51.100.18', kyc: 'verified',
    deposits: [5000, 2500], // 50.00 + 25.00 USD
    rounds: [[100, 0], [100, 350], [300, 0]],
  },
];

export class SeedError extends Error {
  constructor(message, info) {
    super(message);
    this.name = 'SeedError';
    this.info = info;
  }
}

export function formatMinor(amountMinor, currency) {
  const exp = EXPONENT[currency] ?? 2;
  const sign = amountMinor < 0 ? '-' : '';
  const digits = Math.abs(amountMinor).toString().padStart(exp + 1, '0');
  const whole = exp === 0 ? digits : digits.slice(0, -exp);
  return `${sign}${whole}${exp === 0 ? '' : '.' + digits.slice(-exp)} ${currency}`;
}

export function makeClient(baseUrl, log) {
  const root = baseUrl.replace(/\/+$/, '');
  /**
   * One API call as `player` (or a demo operator: anything with email, country and ip). `expect`
   * lists the acceptable statuses; anything else throws a SeedError that carries the request and
   * the raw response body (credentials in the Authorization header redacted).
   */
  return async function api(player, method, path, { token, body, headers = {}, expect = [200] } = {}) {
    const h = {
      'Accept': 'application/json',
      'User-Agent': 'edge-casino-seed/1',
      'X-Dev-Country': player.country,
      'CF-Connecting-IP': player.ip,
      ...headers,
    };
    if (body !== undefined) h['Content-Type'] = 'application/json';
    if (token) h['Authorization'] = `Bearer ${token}`;
    const url = `${root}${path}`;
    let res;
    try {
      res = await fetch(url, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(30_000) });
    } catch (err) {
      throw new SeedError(`${method} ${path} failed: ${err.cause?.message ?? err.message}`, { method, url, body, error: String(err) });
    }
    const text = await res.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { /* not JSON: reported raw below */ }
    if (!expect.includes(res.status)) {
      const shown = { ...h };
      if (shown.Authorization) shown.Authorization = `${shown.Authorization.split(' ')[0]} <redacted>`;
      throw new SeedError(
        `unexpected ${res.status} from ${method} ${path} (expected ${expect.join('/')}) for ${player.email}`,
        { request: { method, url, headers: shown, body }, response: { status: res.status, request_id: res.headers.get('X-Request-Id'), body: json ?? text } },
      );
    }
    log.debug?.(`${method} ${path} -> ${res.status}`);
    return { status: res.status, body: json };
  };
}

/** Registers the player, or logs in when the email is already taken (a re-run). */
async function signIn(api, p) {
  const reg = await api(p, 'POST', '/v1/players', {
    body: {
      email: p.email, password: DEMO_PASSWORD, date_of_birth: p.date_of_birth, country: p.country,
      currency: p.currency, acquisition_source: p.acquisition_source,
    },
    expect: [201, 409],
  });
  if (reg.status === 201) return { created: true, token: reg.body.token, player: reg.body.player };
  if (reg.body?.error?.code !== 'email_taken') {
    throw new SeedError(`registration of ${p.email} answered 409 ${reg.body?.error?.code}`, { response: { status: 409, body: reg.body } });
  }
  const login = await api(p, 'POST', '/v1/sessions', { body: { email: p.email, password: DEMO_PASSWORD }, expect: [201] });
  return { created: false, token: login.body.token, player: login.body.player };
}

async function seedPlayer(api, p, log) {
  const { created, token, player } = await signIn(api, p);
  const notes = [created ? 'registered' : 'logged in (already registered)'];
  if (player.jurisdiction !== p.jurisdiction || player.currency !== p.currency) {
    throw new SeedError(`${p.email} is in ${player.jurisdiction}/${player.currency}, expected ${p.jurisdiction}/${p.currency}`, { player });
  }

  // KYC through the sandbox provider, once: a decided (or pending) KYC is left as it is.
  let kyc = player.kyc_status;
  if (p.kyc !== 'none' && kyc === 'none') {
    const r = await api(p, 'POST', '/v1/players/me/kyc', {
      token,
      body: { provider: 'sandbox', document_type: 'passport', document_number: 'X12345', sandbox_outcome: p.kyc },
    });
    kyc = r.body.player.kyc_status;
    notes.push(`KYC ${kyc}`);
  }

  // Deposits in minor units, with keys derived from the player and the position: a re-run replays.
  let fresh = 0;
  let replayed = 0;
  const deposit = async (amount, key) => {
    const r = await api(p, 'POST', '/v1/wallet/deposits', {
      token, headers: { 'Idempotency-Key': key },
      body: { amount_minor: amount, currency: p.currency, provider: 'sandbox' },
      expect: [200, 201],
    });
    if (r.body.deposit.state !== 'completed') {
      throw new SeedError(`sandbox deposit ${key} of ${p.email} is ${r.body.deposit.state}, expected completed`, { response: r.body });
    }
    if (r.body.replayed) replayed++; else fresh++;
  };
  for (const [i, amount] of p.deposits.entries()) await deposit(amount, `demo-${p.slug}-deposit-${i + 1}`);

  if (p.deposit_limit) {
    const { body } = await api(p, 'GET', '/v1/limits', { token });
    const l = p.deposit_limit;
    const inForce = body.limits.some((x) => x.kind === 'deposit' && x.period === l.period && x.currency === l.currency && x.value === l.amount_minor);
    if (!inForce) {
      await api(p, 'PUT', '/v1/limits/deposit', { token, body: l });
      notes.push(`deposit limit ${formatMinor(l.amount_minor, l.currency)}/${l.period}`);
    }
  }
  for (const [i, amount] of (p.deposits_after_limit ?? []).entries()) await deposit(amount, `demo-${p.slug}-deposit-limited-${i + 1}`);
  if (fresh) notes.push(`${fresh} deposit(s)`);
  if (replayed) notes.push(`${replayed} deposit(s) already made`);

  // Sandbox rounds: the round id makes each one happen once.
  let rounds = 0;
  for (const [i, [bet, win]] of p.rounds.entries()) {
    const r = await api(p, 'POST', '/v1/dev/rounds', {
      token, body: { round_id: `demo-${p.slug}-round-${i + 1}`, currency: p.currency, amount_minor: bet, win_minor: win },
    });
    if (!r.body.replayed) rounds++;
  }
  if (rounds) notes.push(`${rounds} round(s)`);
  if (p.rounds.length > rounds) notes.push(`${p.rounds.length - rounds} round(s) already played`);

  if (p.withdrawal) {
    const r = await api(p, 'POST', '/v1/wallet/withdrawals', {
      token, headers: { 'Idempotency-Key': `demo-${p.slug}-withdrawal-1` },
      body: { amount_minor: p.withdrawal, currency: p.currency },
      expect: [200, 201],
    });
    notes.push(`withdrawal of ${formatMinor(p.withdrawal, p.currency)} ${r.body.replayed ? 'already requested' : 'requested'} (${r.body.withdrawal.state})`);
  }

  const wallet = await api(p, 'GET', '/v1/wallet', { token });
  log.info(`${p.email}: ${notes.join(', ')}`);
  return {
    email: p.email, password: DEMO_PASSWORD, country: p.country, jurisdiction: player.jurisdiction, currency: player.currency,
    acquisition_source: p.acquisition_source, kyc_status: kyc, player_id: player.player_id, balances: wallet.body.balances,
  };
}

/**
 * Seeds the demo casino at `baseUrl` (e.g. http://127.0.0.1:8787). Returns the players with
 * their credentials and balances. Throws a SeedError (with `info.request` / `info.response`) on
 * any unexpected answer.
 */
export async function seedDemo(baseUrl = DEFAULT_BASE_URL, { log = { info: (m) => console.log(`[seed] ${m}`) } } = {}) {
  const api = makeClient(baseUrl, log);
  const health = await api({ email: '(health)', country: 'MT', ip: '198.51.100.10' }, 'GET', '/v1/health');
  if (health.body?.environment !== 'development') {
    throw new SeedError(`the instance at ${baseUrl} runs in '${health.body?.environment}' mode; the demo seed needs ENVIRONMENT=development`, { response: health.body });
  }
  const players = [];
  for (const p of DEMO_PLAYERS) players.push(await seedPlayer(api, p, log));
  return { base_url: baseUrl.replace(/\/+$/, ''), password: DEMO_PASSWORD, seeded_at: new Date().toISOString(), players };
}

/** A plain-text table of the seeded players and their balances. */
export function summaryTable(result) {
  const rows = result.players.map((p) => {
    const b = p.balances.find((x) => x.currency === p.currency) ?? { real_minor: 0, held_minor: 0, available_minor: 0 };
    return [p.email, `${p.jurisdiction}/${p.country}`, p.kyc_status, p.acquisition_source,
      formatMinor(b.real_minor, p.currency), formatMinor(b.held_minor, p.currency), formatMinor(b.available_minor, p.currency)];
  });
  const head = ['email', 'juris/res', 'kyc', 'source', 'balance', 'held', 'available'];
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r) => r.map((c, i) => (i >= 4 ? c.padStart(width[i]) : c.padEnd(width[i]))).join('  ');
  return [line(head), line(width.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function describeError(err) {
  const lines = [`seed failed: ${err.message}`];
  if (err.info?.request) lines.push(`request:  ${JSON.stringify(err.info.request)}`);
  if (err.info?.response) lines.push(`response: ${JSON.stringify(err.info.response)}`);
  if (!err.info && err.stack) lines.push(err.stack);
  return lines.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const baseUrl = process.argv[2] ?? DEFAULT_BASE_URL;
  try {
    const result = await seedDemo(baseUrl);
    console.log(`\nDemo casino at ${result.base_url} (password for every player: ${result.password})\n`);
    console.log(summaryTable(result));
  } catch (err) {
    console.error(describeError(err));
    process.exitCode = 1;
  }
}
