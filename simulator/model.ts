/**
 * The simulated casino's population and its behaviour, shared by both modes (API and fast): where
 * players come from (country -> jurisdiction -> currency), how they were acquired, what kind of
 * player they are (archetype: how often they come back, for how long, what they stake, how soon they
 * churn), when in the day they play, and which games they may play (config/games.json and
 * config/tables.json, the same data the platform runs on).
 */
import gamesConfig from '../config/games.json';
import tablesConfig from '../config/tables.json';
import type { Rng } from './rng';
import type { BlackjackRules } from '../domain/games/blackjack';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/**
 * Fast mode's default history (`npm run simulate -- --fast` without --players / --days): long enough
 * for the warehouse's 30-day churn and reactivation, its 90-day segment windows and held-out months
 * for the LTV back-test, with enough players for the rare behaviours (structuring, velocity, VIP);
 * ~3.5M events, under a minute to generate. API mode keeps 50 players and 7 days (its timestamps
 * are the platform's real clock, so more days add nothing).
 */
export const FAST_DEFAULTS = { players: 300, days: 120 } as const;

export type Archetype = 'dormant' | 'casual' | 'regular' | 'highroller' | 'at_risk';

/** Country of residence, its jurisdiction, currencies (weighted), UTC offset in hours, and share of sign-ups. */
export type CountryProfile = { country: string; jurisdiction: string; currencies: [string, number][]; utc: number; weight: number; minAge: number };

export const COUNTRIES: CountryProfile[] = [
  { country: 'MT', jurisdiction: 'MT', currencies: [['EUR', 1]], utc: 1, weight: 4, minAge: 18 },
  { country: 'DE', jurisdiction: 'MT', currencies: [['EUR', 0.95], ['BTC', 0.05]], utc: 1, weight: 14, minAge: 18 },
  { country: 'FI', jurisdiction: 'MT', currencies: [['EUR', 1]], utc: 2, weight: 7, minAge: 18 },
  { country: 'IE', jurisdiction: 'MT', currencies: [['EUR', 0.9], ['BTC', 0.1]], utc: 0, weight: 5, minAge: 18 },
  { country: 'AT', jurisdiction: 'MT', currencies: [['EUR', 1]], utc: 1, weight: 4, minAge: 18 },
  { country: 'GB', jurisdiction: 'GB', currencies: [['GBP', 1]], utc: 0, weight: 22, minAge: 18 },
  { country: 'CA', jurisdiction: 'ON', currencies: [['CAD', 1]], utc: -5, weight: 12, minAge: 19 },
  { country: 'GR', jurisdiction: 'GR', currencies: [['EUR', 1]], utc: 2, weight: 6, minAge: 21 },
  { country: 'CY', jurisdiction: 'GR', currencies: [['EUR', 1]], utc: 2, weight: 1, minAge: 21 },
  { country: 'JP', jurisdiction: 'CW', currencies: [['JPY', 1]], utc: 9, weight: 7, minAge: 18 },
  { country: 'BR', jurisdiction: 'CW', currencies: [['BRL', 0.85], ['USD', 0.1], ['BTC', 0.05]], utc: -3, weight: 9, minAge: 18 },
  { country: 'KW', jurisdiction: 'CW', currencies: [['KWD', 0.9], ['USD', 0.1]], utc: 3, weight: 2, minAge: 18 },
  { country: 'CL', jurisdiction: 'CW', currencies: [['USD', 1]], utc: -4, weight: 2, minAge: 18 },
  { country: 'NO', jurisdiction: 'CW', currencies: [['USD', 0.7], ['BTC', 0.3]], utc: 1, weight: 2, minAge: 18 },
  { country: 'SE', jurisdiction: 'CW', currencies: [['USD', 0.8], ['BTC', 0.2]], utc: 1, weight: 3, minAge: 18 },
];

export const ACQUISITION_SOURCES: [string | null, number][] = [
  ['organic', 26], ['ppc.google', 18], ['ppc.bing', 2], ['affiliate.casinoguide', 14], ['affiliate.bonusfinder', 7],
  ['affiliate.cryptocasinos', 3], ['social.instagram', 6], ['social.tiktok', 4], ['streamer.twitch', 4], ['tv.campaign', 5],
  ['referral.friend', 7], ['email.partner', 2], [null, 2],
];

export const BRAND_WEIGHTS: [string, number][] = [['aurora', 0.68], ['sakura', 0.32]];

export type ArchetypeProfile = {
  weight: number;
  /** Mean days between sessions. */
  gapDays: number;
  /** Median session length (minutes) and log-normal shape. */
  sessionMin: number;
  /** Mean days from registration to churn (exponential). */
  lifetimeDays: number;
  /** Median stake per spin / bet, in EUR. */
  stakeEur: number;
  /** Median deposit, in EUR. */
  depositEur: number;
  /** Chance of depositing again in a session after going bust. */
  redeposit: number;
  /** Chance per session of a responsible-gaming action (limit change, cool-off, exclusion). */
  rg: number;
};

export const ARCHETYPES: Record<Archetype, ArchetypeProfile> = {
  dormant: { weight: 18, gapDays: 30, sessionMin: 6, lifetimeDays: 0.01, stakeEur: 0.5, depositEur: 15, redeposit: 0, rg: 0.01 },
  casual: { weight: 50, gapDays: 3.5, sessionMin: 18, lifetimeDays: 25, stakeEur: 0.8, depositEur: 25, redeposit: 0.2, rg: 0.01 },
  regular: { weight: 24, gapDays: 1.2, sessionMin: 30, lifetimeDays: 70, stakeEur: 1.5, depositEur: 50, redeposit: 0.35, rg: 0.01 },
  highroller: { weight: 3, gapDays: 0.8, sessionMin: 45, lifetimeDays: 120, stakeEur: 15, depositEur: 600, redeposit: 0.5, rg: 0.005 },
  at_risk: { weight: 5, gapDays: 0.5, sessionMin: 55, lifetimeDays: 50, stakeEur: 2.5, depositEur: 80, redeposit: 0.7, rg: 0.08 },
};
export const ARCHETYPE_NAMES = Object.keys(ARCHETYPES) as Archetype[];

/** Minor units of each currency worth about one euro (rough FX, good enough for stake sizes). */
export const MINOR_PER_EUR: Record<string, number> = {
  EUR: 100, USD: 108, GBP: 85, CAD: 148, SEK: 1150, NOK: 1170, BRL: 600, JPY: 165, KRW: 1450, KWD: 333, BHD: 410, BTC: 1600,
};

/** A round-looking amount of about `eur` euros in `currency` (minor units, at least `min`). */
export function roundAmount(eur: number, currency: string, min = 1): number {
  const raw = eur * (MINOR_PER_EUR[currency] ?? 100);
  if (raw <= 0) return min;
  const mag = 10 ** Math.max(0, Math.floor(Math.log10(raw)) - 1);
  return Math.max(min, Math.round(raw / mag) * mag);
}

/** Relative activity per local hour of day (0..23), and its maximum (for rejection sampling). */
export type DayShape = { hourly: number[]; max: number };
const dayShape = (hourly: number[]): DayShape => ({ hourly, max: Math.max(...hourly) });

/** Most players: quiet nights, evening peak. */
export const HOURLY: number[] = [3.5, 2.2, 1.4, 0.9, 0.6, 0.5, 0.7, 1.2, 1.9, 2.5, 3.0, 3.4, 3.8, 4.0, 4.0, 4.1, 4.4, 5.0, 5.9, 6.8, 7.6, 8.0, 7.4, 5.4];
export const DAY_SHAPE = dayShape(HOURLY);
/**
 * Night owls: most of their play between 00:00 and 05:00 local time (about 70 % of their sessions
 * start then), a little late in the evening, hardly any in the day. The shape and the share are
 * illustrative, chosen so the warehouse's "night owls" segment has members, not measured.
 */
export const NIGHT_HOURLY: number[] = [8, 8.5, 8, 7, 5, 2, 0.6, 0.3, 0.2, 0.2, 0.2, 0.2, 0.3, 0.3, 0.3, 0.3, 0.3, 0.4, 0.5, 0.6, 0.8, 1.2, 2.5, 4.5];
export const NIGHT_SHAPE = dayShape(NIGHT_HOURLY);
export const NIGHT_OWL_SHARE = 0.1;
/** Relative activity per UTC weekday (0 = Sunday). */
export const WEEKDAY: number[] = [1.15, 0.85, 0.85, 0.9, 0.95, 1.15, 1.25];
export const WEEKDAY_MAX = Math.max(...WEEKDAY);

/** How likely activity is at `ms` for someone at UTC offset `utc` with that day shape, in [0, 1]. */
export function activityWeight(ms: number, utc: number, shape: DayShape = DAY_SHAPE): number {
  const local = ms + utc * HOUR_MS;
  const hour = Math.floor(local / HOUR_MS) % 24;
  const day = (Math.floor(local / DAY_MS) + 4) % 7; // 1970-01-01 was a Thursday
  return (shape.hourly[hour]! / shape.max) * (WEEKDAY[day]! / WEEKDAY_MAX);
}

/** A time in [from, to) drawn with the daily and weekly shape (rejection sampling). */
export function shapedTime(rng: Rng, from: number, to: number, utc: number, shape: DayShape = DAY_SHAPE): number {
  for (let i = 0; i < 64; i++) {
    const t = from + Math.floor(rng.next() * (to - from));
    if (rng.next() < activityWeight(t, utc, shape)) return t;
  }
  return from + Math.floor(rng.next() * (to - from));
}

/** The next time after `after` someone with mean gap `gapMs` comes back, with the daily shape. */
export function nextShapedTime(rng: Rng, after: number, gapMs: number, utc: number, shape: DayShape = DAY_SHAPE): number {
  for (let i = 0; i < 64; i++) {
    const t = after + Math.floor(rng.exp(gapMs));
    if (rng.next() < activityWeight(t, utc, shape)) return t;
  }
  return after + Math.floor(rng.exp(gapMs));
}

// ---- games --------------------------------------------------------------------------------------

export type SlotGame = { game_id: string; provider_id: string; rtp_bp: number; volatility: 'low' | 'medium' | 'high'; jurisdictions: string[]; limits: Record<string, { min_minor: number; max_minor: number }> };

export const SLOTS: SlotGame[] = gamesConfig.games
  .filter((g) => g.provider_id !== 'edge-studio' && g.enabled !== false)
  .map((g) => ({ game_id: g.game_id, provider_id: g.provider_id, rtp_bp: g.rtp_bp, volatility: g.volatility as SlotGame['volatility'], jurisdictions: g.jurisdictions, limits: g.bet_limits as SlotGame['limits'] }));

export function slotsFor(jurisdiction: string, currency: string): SlotGame[] {
  return SLOTS.filter((g) => g.jurisdictions.includes(jurisdiction) && g.limits[currency]);
}

export type TableDef = {
  table_id: string; game: 'roulette' | 'baccarat'; game_id: string; brand: string; mode: 'dealer' | 'auto';
  betting_seconds: number; pause_seconds: number; limits: Record<string, Record<string, { min_minor: number; max_minor: number }>>;
};

/** A configured blackjack table: its format and rules as config/tables.json gives them (domain/games/blackjack/rules.ts). */
export type BlackjackTableDef = Omit<TableDef, 'game'> & {
  game: 'blackjack';
  blackjack: { format: 'seated' | 'infinite'; decision_seconds: number; insurance_seconds: number; rules: BlackjackRules };
};

const CONFIGURED = (tablesConfig.tables as unknown as (Omit<TableDef, 'game'> & { game: string })[])
  .slice().sort((a, b) => (a.mode === b.mode ? 0 : a.mode === 'auto' ? -1 : 1));

/**
 * Configured roulette and baccarat tables, automated ones first (the API mode can only use those:
 * dealer tables need a dealer). Fast mode uses these first, then BLACKJACK_TABLES.
 */
export const TABLES: TableDef[] = CONFIGURED.filter((t): t is TableDef => t.game === 'roulette' || t.game === 'baccarat');

/**
 * Configured blackjack tables, automated ones first: fast mode's tables 5.. (after TABLES, so a
 * history of up to 4 tables is what it was before fast mode played blackjack).
 */
export const BLACKJACK_TABLES: BlackjackTableDef[] = CONFIGURED.filter((t): t is BlackjackTableDef => t.game === 'blackjack');

/** Every configured table, blackjack too, automated ones first: what the API mode can sit at. */
export const LIVE_TABLES: (TableDef | BlackjackTableDef)[] = CONFIGURED.filter((t): t is TableDef | BlackjackTableDef => t.game === 'roulette' || t.game === 'baccarat' || t.game === 'blackjack');

export function tableLimit(t: TableDef, currency: string, betType: string): { min_minor: number; max_minor: number } | null {
  const l = t.limits[currency];
  if (!l) return null;
  return l[betType] ?? l.default ?? null;
}

/**
 * Slot payouts: a discrete multiplier table per volatility, scaled so that the expected return is
 * exactly the game's declared RTP (rtp_bp / 10000). Hit rates: low ~38%, medium ~28%, high ~20%.
 */
const PAYTABLES: Record<SlotGame['volatility'], [number, number][]> = {
  // [probability, multiplier before scaling]
  low: [[0.2, 0.5], [0.1, 1], [0.05, 2], [0.02, 5], [0.008, 10], [0.0015, 25], [0.0002, 100]],
  medium: [[0.12, 0.5], [0.08, 1], [0.045, 2], [0.02, 5], [0.01, 10], [0.003, 25], [0.0008, 100], [0.00008, 500]],
  high: [[0.07, 0.5], [0.055, 1], [0.035, 2], [0.02, 5], [0.01, 10], [0.006, 25], [0.0015, 100], [0.0002, 500], [0.00002, 2500]],
};

export type Paytable = { cum: number[]; mult: number[] };
const paytableCache = new Map<string, Paytable>();

export function paytable(game: SlotGame): Paytable {
  const hit = paytableCache.get(game.game_id);
  if (hit) return hit;
  const rows = PAYTABLES[game.volatility];
  const ev = rows.reduce((s, [p, m]) => s + p * m, 0);
  const scale = game.rtp_bp / 10000 / ev;
  const cum: number[] = [];
  const mult: number[] = [];
  let c = 0;
  for (const [p, m] of rows) {
    c += p;
    cum.push(c);
    mult.push(m * scale);
  }
  const t = { cum, mult };
  paytableCache.set(game.game_id, t);
  return t;
}

/** What one spin returns (0 for a loss). Rounded to the nearest minor unit. */
export function spinReturn(rng: Rng, game: SlotGame, stake: number): number {
  const t = paytable(game);
  const x = rng.next();
  for (let i = 0; i < t.cum.length; i++) if (x < t.cum[i]!) return Math.round(stake * t.mult[i]!);
  return 0;
}

/** Roulette spots a player might choose (weights), built so each is a valid canonical spot. */
export function rouletteSpot(rng: Rng): string {
  const x = rng.next();
  if (x < 0.26) return rng.chance(0.5) ? 'red' : 'black';
  if (x < 0.34) return rng.chance(0.5) ? 'odd' : 'even';
  if (x < 0.41) return rng.chance(0.5) ? 'low' : 'high';
  if (x < 0.53) return `dozen:${rng.range(1, 3)}`;
  if (x < 0.58) return `column:${rng.range(1, 3)}`;
  if (x < 0.82) return `straight:${rng.range(0, 36)}`;
  if (x < 0.9) {
    const n = rng.range(1, 33);
    return `split:${n}-${n + 3}`;
  }
  if (x < 0.95) {
    let n = rng.range(1, 32);
    if (n % 3 === 0) n -= 1;
    return `corner:${n}-${n + 1}-${n + 3}-${n + 4}`;
  }
  if (x < 0.98) return `street:${1 + 3 * rng.range(0, 11)}`;
  return `sixline:${1 + 3 * rng.range(0, 10)}`;
}

export function baccaratSpot(rng: Rng): string {
  const x = rng.next();
  if (x < 0.47) return 'banker';
  if (x < 0.87) return 'player';
  if (x < 0.94) return 'tie';
  return rng.chance(0.5) ? 'player_pair' : 'banker_pair';
}

export function pickCountry(rng: Rng): CountryProfile {
  return rng.weighted(COUNTRIES, COUNTRIES.map((c) => c.weight));
}

export function pickCurrency(rng: Rng, c: CountryProfile): string {
  return rng.weighted(c.currencies.map((x) => x[0]), c.currencies.map((x) => x[1]));
}

export function pickSource(rng: Rng): string | null {
  return rng.weighted(ACQUISITION_SOURCES.map((x) => x[0]), ACQUISITION_SOURCES.map((x) => x[1]));
}

export function pickArchetype(rng: Rng): Archetype {
  return rng.weighted(ARCHETYPE_NAMES, ARCHETYPE_NAMES.map((a) => ARCHETYPES[a].weight));
}

/** A birth date making the player between minAge+1 and 70 at `atMs` (skewed young). */
export function birthDate(rng: Rng, minAge: number, atMs: number): string {
  const age = minAge + 1 + Math.floor(Math.abs(rng.normal()) * 14);
  const year = new Date(atMs).getUTCFullYear() - Math.min(age, 70);
  const month = rng.range(1, 12);
  const day = rng.range(1, 28);
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

// ---- devices and habits -------------------------------------------------------------------------

/** The devices a simulated player logs in from (the edge's `unknown` is for bots and tools). */
export type SimDevice = 'mobile' | 'desktop' | 'tablet' | 'app';

/**
 * Each player's main device. Illustrative shares, not a measured source: in the range operators and
 * regulators report for online casino play (a majority on phones, about a third on computers, a few
 * per cent on tablets), with our own app a small newcomer.
 */
export const DEVICE_WEIGHTS: [SimDevice, number][] = [['mobile', 60], ['desktop', 30], ['tablet', 7], ['app', 3]];
/** Share of players who also use a second device, and share of their later logins made from it. */
export const MULTI_DEVICE_SHARE = 0.2;
export const SECOND_DEVICE_LOGIN_SHARE = 0.3;

/**
 * Real User-Agents per device (current browsers), and for the app the header our apps send
 * (`X-Client: app/<platform>/<version>`, domain/device.ts) beside their web view's User-Agent.
 */
const CLIENTS: Record<SimDevice, Record<string, string>[]> = {
  mobile: [
    { 'User-Agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1' },
    { 'User-Agent': 'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36' },
    { 'User-Agent': 'Mozilla/5.0 (Linux; Android 14; SM-S921B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36' },
  ],
  desktop: [
    { 'User-Agent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36' },
    { 'User-Agent': 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15' },
    { 'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0' },
  ],
  tablet: [
    { 'User-Agent': 'Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1' },
    { 'User-Agent': 'Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36' },
  ],
  app: [
    { 'User-Agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148', 'X-Client': 'app/ios/4.12.0' },
    { 'User-Agent': 'Mozilla/5.0 (Linux; Android 14; Pixel 8; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/126.0.0.0 Mobile Safari/537.36', 'X-Client': 'app/android/4.12.0' },
  ],
};

/** A device and the headers its requests carry (the same on every request from it). */
export type DeviceClient = { device: SimDevice; headers: Record<string, string> };
export type Habits = { nightOwl: boolean; shape: DayShape; primary: DeviceClient; second: DeviceClient | null };

function client(rng: Rng, device: SimDevice): DeviceClient {
  return { device, headers: rng.pick(CLIENTS[device]) };
}

/** A player's habits: when in the day they play, and their device(s). Draw from an Rng of its own. */
export function pickHabits(rng: Rng): Habits {
  const nightOwl = rng.chance(NIGHT_OWL_SHARE);
  const main = rng.weighted(DEVICE_WEIGHTS.map((d) => d[0]), DEVICE_WEIGHTS.map((d) => d[1]));
  let second: DeviceClient | null = null;
  if (rng.chance(MULTI_DEVICE_SHARE)) {
    const others = DEVICE_WEIGHTS.filter((d) => d[0] !== main);
    second = client(rng, rng.weighted(others.map((d) => d[0]), others.map((d) => d[1])));
  }
  return { nightOwl, shape: nightOwl ? NIGHT_SHAPE : DAY_SHAPE, primary: client(rng, main), second };
}

/** The device of one login: registration on the main device, later logins sometimes on the second. */
export function loginClient(rng: Rng, h: Habits, first: boolean): DeviceClient {
  if (first || !h.second) return h.primary;
  return rng.chance(SECOND_DEVICE_LOGIN_SHARE) ? h.second : h.primary;
}

// ---- lifecycle, loss chasing, structuring -------------------------------------------------------

/**
 * Lifecycle: a player who reaches the end of their lifetime (the archetype's churn) either churns
 * for good or, for REACTIVATION_SHARE of them (not dormant sign-ups), lapses for weeks
 * (REACTIVATION_LAPSE_DAYS) and comes back once, for a new lifetime. Illustrative share, not measured.
 */
export const REACTIVATION_SHARE = 0.3;
export const REACTIVATION_LAPSE_DAYS: [number, number] = [21, 70];

/**
 * Loss chasing: a share of players (more among the at-risk archetype) who, after a loss, raise their
 * stake (x CHASE_STAKE_STEP per losing spin, up to CHASE_STAKE_MAX x their usual stake) and, when
 * bust, deposit again within minutes, up to CHASE_MAX_REDEPOSITS times a session. Illustrative shares.
 */
export const LOSS_CHASER_SHARE: Record<Archetype, number> = { dormant: 0, casual: 0.04, regular: 0.08, highroller: 0.1, at_risk: 0.6 };
export const CHASE_STAKE_STEP = 1.5;
export const CHASE_STAKE_MAX = 4;
export const CHASE_MAX_REDEPOSITS = 5;

/**
 * The AML reporting threshold the structurers stay under: deposits of about this much in EUR
 * (converted with MINOR_PER_EUR) within a day. It mirrors the warehouse's seeds.aml_thresholds
 * (structuring threshold, EUR-equivalent per day); keep the two equal if either changes.
 */
export const STRUCTURING_THRESHOLD_EUR = 2000;
/** Each structuring deposit is this share of the threshold (just under it), 3 to 5 in a day, so their sum is above it. */
export const STRUCTURING_DEPOSIT_SHARE: [number, number] = [0.8, 0.97];
export const STRUCTURING_DEPOSITS: [number, number] = [3, 5];
/** Share of players who structure (not dormant sign-ups), and per session, the chance they do it. Illustrative. */
export const STRUCTURER_SHARE = 0.02;
export const STRUCTURING_SESSION_CHANCE = 0.5;
/**
 * Deposit-then-withdraw with little play: a share of players who deposit, play a few spins (a few
 * per cent of the deposit) and ask for most of it back within the hour (the platform's
 * rapid_deposit_withdraw alert fires on it). Illustrative.
 */
export const QUICK_CASHOUT_SHARE = 0.04;
export const QUICK_CASHOUT_SESSION_CHANCE = 0.6;
/** High rollers flagged VIP by an operator after a few sessions. */
export const VIP_SHARE_OF_HIGHROLLERS = 0.6;

export type Behaviour = {
  /** Comes back once after lapsing for weeks, instead of churning for good. */
  reactivates: boolean;
  lapseDays: number;
  chaser: boolean;
  structurer: boolean;
  quickCashout: boolean;
  vip: boolean;
};

/** A player's lifecycle and risk behaviours. Draw from an Rng of its own (a fixed number of draws). */
export function pickBehaviour(rng: Rng, archetype: Archetype): Behaviour {
  const dormant = archetype === 'dormant';
  const reactivates = rng.chance(REACTIVATION_SHARE) && !dormant;
  const lapseDays = REACTIVATION_LAPSE_DAYS[0] + rng.next() * (REACTIVATION_LAPSE_DAYS[1] - REACTIVATION_LAPSE_DAYS[0]);
  const chaser = rng.chance(LOSS_CHASER_SHARE[archetype]);
  const structurer = rng.chance(STRUCTURER_SHARE) && !dormant;
  const quickCashout = rng.chance(QUICK_CASHOUT_SHARE) && !dormant;
  const vip = rng.chance(VIP_SHARE_OF_HIGHROLLERS) && archetype === 'highroller';
  return { reactivates, lapseDays, chaser, structurer, quickCashout, vip };
}

/** The amounts (minor units of `currency`) of one day's structuring: each just under the threshold. */
export function structuringAmounts(rng: Rng, currency: string): number[] {
  const n = rng.range(STRUCTURING_DEPOSITS[0], STRUCTURING_DEPOSITS[1]);
  const perEur = MINOR_PER_EUR[currency] ?? 100;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const share = STRUCTURING_DEPOSIT_SHARE[0] + rng.next() * (STRUCTURING_DEPOSIT_SHARE[1] - STRUCTURING_DEPOSIT_SHARE[0]);
    // an uneven amount (people structuring rarely pick round numbers), in whole major units where the currency has them
    const minor = Math.floor(STRUCTURING_THRESHOLD_EUR * share * perEur);
    const unit = perEur >= 100 && currency !== 'JPY' ? 100 : 1;
    out.push(Math.max(unit, Math.floor(minor / unit) * unit));
  }
  return out;
}
