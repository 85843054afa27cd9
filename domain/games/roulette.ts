/**
 * European roulette: one zero, numbers 0..36, no la partage (zero loses every even-money bet).
 *
 * Spot syntax (case-insensitive; numbers are plain decimals without leading zeros). Every spot is
 * reduced to the set of numbers it covers; it wins when the ball lands on one of them, and what it
 * then returns comes from its row of ROULETTE_BET_TYPES (settlement has no per-type branches).
 *
 *   straight:N        N in 0..36                                         35:1
 *   split:A-B         two numbers next to each other on the layout        17:1
 *                     (same row side by side, same column one row apart, or 0-1 / 0-2 / 0-3)
 *   street:N          a row N, N+1, N+2 given by its first number N in 1, 4, .., 34;        11:1
 *                     `street:13-14-15` is accepted too. The trios `street:0-1-2` and
 *                     `street:0-2-3` are streets as well (same 11:1, same three-number coverage).
 *   corner:A-B-C-D    four numbers meeting at a corner, e.g. corner:17-18-20-21;              8:1
 *                     `corner:N` (N = the corner's lowest number) is accepted as a shorthand.
 *                     `corner:0-1-2-3` (the "first four", `corner:0`) is a corner too.
 *   sixline:N         two rows from N to N+5, N in 1, 4, .., 31                                5:1
 *   dozen:D           D in 1..3: 1-12, 13-24, 25-36                                            2:1
 *   column:C          C in 1..3: column 1 is 1, 4, .., 34; column 3 is 3, 6, .., 36             2:1
 *   red | black | odd | even | low (1-18) | high (19-36)                                       1:1
 *
 * Canonical form: lower case, the numbers sorted ascending, shorthands expanded for corners
 * (`corner:20-17-21-18` and `corner:17` -> `corner:17-18-20-21`) and contracted for streets
 * (`street:15-14-13` -> `street:13`).
 */
import { settlementFor } from './payout';
import type { BetTypeDef, GameRules, Scalar, Settlement, SpotParse, UniformSource } from './types';

export type RouletteOutcome = { number: number };

export const ROULETTE_POCKETS = 37;
const MAX_SPOT_LENGTH = 40;

/** The red numbers of the standard single-zero wheel; every other non-zero number is black. */
export const RED_NUMBERS: ReadonlySet<number> = new Set([
  1, 3, 5, 7, 9, 12, 14, 16, 18, 19, 21, 23, 25, 27, 30, 32, 34, 36,
]);

/** The payout table. `covers` is how many of the 37 numbers a spot of the type wins on. */
export const ROULETTE_BET_TYPES: readonly BetTypeDef[] = [
  row('straight', 'One number', 35, 1, ['straight:17', 'straight:0']),
  row('split', 'Two adjacent numbers', 17, 2, ['split:17-20', 'split:0-2', 'split:1-2']),
  row('street', 'A row of three numbers, or a zero trio', 11, 3, ['street:13', 'street:0-1-2', 'street:0-2-3']),
  row('corner', 'Four numbers meeting at a corner', 8, 4, ['corner:17-18-20-21', 'corner:0-1-2-3']),
  row('sixline', 'Two adjacent rows', 5, 6, ['sixline:13', 'sixline:31']),
  row('dozen', '1-12, 13-24 or 25-36', 2, 12, ['dozen:1', 'dozen:3']),
  row('column', 'One of the three columns', 2, 12, ['column:1', 'column:3']),
  row('red', 'The 18 red numbers', 1, 18, ['red']),
  row('black', 'The 18 black numbers', 1, 18, ['black']),
  row('odd', 'The 18 odd numbers (zero is neither)', 1, 18, ['odd']),
  row('even', 'The 18 even numbers (zero is neither)', 1, 18, ['even']),
  row('low', '1 to 18', 1, 18, ['low']),
  row('high', '19 to 36', 1, 18, ['high']),
];

function row(bet_type: string, description: string, pays: number, covers: number, examples: string[]): BetTypeDef {
  return { bet_type, description, pays, commission_bp: 0, covers, examples };
}

/** A parsed spot: its canonical text and the numbers it wins on. */
type Coverage = { spot: string; numbers: readonly number[] };

/** Each bet type's grammar: from the text after `type:` (null when there is none) to a coverage or a reason. */
const GRAMMAR: Record<string, (arg: string | null) => Coverage | string> = {
  straight: (arg) => withNumbers(arg, 1, (ns) => ({ spot: `straight:${ns.join('')}`, numbers: ns })),
  split: (arg) => withNumbers(arg, 2, ([a = -1, b = -1]) =>
    isAdjacentPair(a, b) ? { spot: `split:${a}-${b}`, numbers: [a, b] } : `${a} and ${b} are not adjacent on the layout`),
  street: (arg) => withNumbers(arg, [1, 3], parseStreet),
  corner: (arg) => withNumbers(arg, [1, 4], parseCorner),
  sixline: (arg) => withNumbers(arg, 1, ([n = -1]) =>
    isRowStart(n) && n <= 31 ? { spot: `sixline:${n}`, numbers: range(n, n + 5) } : 'a six line starts a row: 1, 4, .., 31'),
  dozen: (arg) => withOrdinal(arg, (d) => ({ spot: `dozen:${d}`, numbers: range(12 * d - 11, 12 * d) })),
  column: (arg) => withOrdinal(arg, (c) => ({ spot: `column:${c}`, numbers: range(1, 36).filter((n) => columnOf(n) === c) })),
  red: (arg) => fixed('red', arg, (n) => RED_NUMBERS.has(n)),
  black: (arg) => fixed('black', arg, (n) => n > 0 && !RED_NUMBERS.has(n)),
  odd: (arg) => fixed('odd', arg, (n) => n % 2 === 1),
  even: (arg) => fixed('even', arg, (n) => n > 0 && n % 2 === 0),
  low: (arg) => fixed('low', arg, (n) => n >= 1 && n <= 18),
  high: (arg) => fixed('high', arg, (n) => n >= 19),
};

const DEFS: ReadonlyMap<string, BetTypeDef> = new Map(ROULETTE_BET_TYPES.map((d) => [d.bet_type, d]));

export function parseRouletteSpot(input: string): SpotParse {
  const coverage = coverageOf(input);
  if (typeof coverage === 'string') return { ok: false, reason: coverage };
  return { ok: true, spot: coverage.spot, bet_type: betTypeOf(coverage.spot) };
}

function coverageOf(input: string): Coverage | string {
  if (typeof input !== 'string' || input.length === 0 || input.length > MAX_SPOT_LENGTH) {
    return `a spot is a string of 1 to ${MAX_SPOT_LENGTH} characters`;
  }
  const text = input.trim().toLowerCase();
  const colon = text.indexOf(':');
  const type = colon === -1 ? text : text.slice(0, colon);
  const arg = colon === -1 ? null : text.slice(colon + 1);
  const grammar = Object.hasOwn(GRAMMAR, type) ? GRAMMAR[type] : undefined;
  if (!grammar) return `unknown roulette bet type '${type}'`;
  return grammar(arg);
}

/** Canonical spots are few (a few hundred), so their coverages are cached for settlement. */
const CANONICAL: Map<string, readonly number[]> = new Map();

function numbersOfCanonical(spot: string): readonly number[] {
  const cached = CANONICAL.get(spot);
  if (cached) return cached;
  const coverage = coverageOf(spot);
  if (typeof coverage === 'string') throw new Error(`not a roulette spot: '${spot}' (${coverage})`);
  if (coverage.spot === spot) CANONICAL.set(spot, coverage.numbers);
  return coverage.numbers;
}

function betTypeOf(spot: string): string {
  const colon = spot.indexOf(':');
  return colon === -1 ? spot : spot.slice(0, colon);
}

function defOf(spot: string): BetTypeDef {
  const def = DEFS.get(betTypeOf(spot.trim().toLowerCase()));
  if (!def) throw new Error(`not a roulette spot: '${spot}'`);
  return def;
}

export function settleRoulette(spot: string, stakeMinor: number, outcome: RouletteOutcome): Settlement {
  const won = numbersOfCanonical(spot).includes(outcome.number);
  return settlementFor(defOf(spot), stakeMinor, won ? 'win' : 'lose');
}

export function rouletteMaxReturn(spot: string, stakeMinor: number): number {
  numbersOfCanonical(spot); // refuses an unknown spot
  return settlementFor(defOf(spot), stakeMinor, 'win').returned_minor;
}

export function drawRoulette(rng: UniformSource): RouletteOutcome {
  return { number: rng.int(ROULETTE_POCKETS) };
}

export function parseRouletteOutcome(input: unknown): { ok: true; outcome: RouletteOutcome } | { ok: false; reason: string } {
  if (typeof input !== 'object' || input === null) return { ok: false, reason: 'an outcome is an object { number }' };
  const n = (input as { number?: unknown }).number;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n >= ROULETTE_POCKETS) {
    return { ok: false, reason: 'number must be an integer from 0 to 36' };
  }
  return { ok: true, outcome: { number: n } };
}

export function summarizeRoulette(outcome: RouletteOutcome): Record<string, Scalar> {
  const n = outcome.number;
  if (n === 0) return { number: 0, color: 'green', parity: null, dozen: null, column: null };
  return {
    number: n,
    color: RED_NUMBERS.has(n) ? 'red' : 'black',
    parity: n % 2 === 0 ? 'even' : 'odd',
    dozen: Math.ceil(n / 12),
    column: columnOf(n),
  };
}

/** Every canonical spot of every bet type, in payout-table order (the whole betting layout). */
export function rouletteSpots(): string[] {
  const spots: string[] = [];
  const add = (s: string) => { if (!spots.includes(s)) spots.push(s); };
  for (let n = 0; n <= 36; n++) add(`straight:${n}`);
  for (let a = 0; a <= 36; a++) for (let b = a + 1; b <= 36; b++) if (isAdjacentPair(a, b)) add(`split:${a}-${b}`);
  for (const arg of ['0-1-2', '0-2-3', ...range(0, 11).map((r) => `${3 * r + 1}`)]) add(canonicalOrThrow(`street:${arg}`));
  for (let n = 0; n <= 32; n++) { const c = GRAMMAR.corner?.(`${n}`); if (typeof c === 'object') add(c.spot); }
  for (let r = 0; r < 11; r++) add(`sixline:${3 * r + 1}`);
  for (const d of [1, 2, 3]) { add(`dozen:${d}`); }
  for (const c of [1, 2, 3]) { add(`column:${c}`); }
  for (const s of ['red', 'black', 'odd', 'even', 'low', 'high']) add(s);
  return spots;
}

function canonicalOrThrow(spot: string): string {
  const parsed = parseRouletteSpot(spot);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.spot;
}

export const roulette: GameRules<RouletteOutcome> = {
  kind: 'roulette',
  betTypes: ROULETTE_BET_TYPES,
  parseSpot: parseRouletteSpot,
  draw: drawRoulette,
  parseOutcome: parseRouletteOutcome,
  settle: settleRoulette,
  maxReturn: rouletteMaxReturn,
  summarize: summarizeRoulette,
};

// --- The layout: 12 rows of three (1-2-3, 4-5-6, ..), three columns, zero above the first row.

function columnOf(n: number): number {
  return ((n - 1) % 3) + 1;
}

function isRowStart(n: number): boolean {
  return n >= 1 && n <= 34 && n % 3 === 1;
}

/** Side by side in a row, one above the other in a column, or zero next to 1, 2 or 3. */
function isAdjacentPair(a: number, b: number): boolean {
  if (a > b) return isAdjacentPair(b, a);
  if (a === 0) return b >= 1 && b <= 3;
  return (b === a + 1 && columnOf(a) !== 3) || b === a + 3;
}

function parseStreet(numbers: number[]): Coverage | string {
  const [first] = numbers;
  if (numbers.length === 1 && first !== undefined) {
    return isRowStart(first) ? { spot: `street:${first}`, numbers: range(first, first + 2) } : 'a street is named by the first number of its row: 1, 4, .., 34';
  }
  const key = numbers.join('-');
  if (key === '0-1-2' || key === '0-2-3') return { spot: `street:${key}`, numbers };
  if (first !== undefined && isRowStart(first) && key === range(first, first + 2).join('-')) {
    return { spot: `street:${first}`, numbers };
  }
  return `${key} is not a row of the layout or a zero trio`;
}

function parseCorner(numbers: number[]): Coverage | string {
  const [low] = numbers;
  if (low === undefined) return 'a corner needs numbers';
  const square = low === 0 ? [0, 1, 2, 3] : [low, low + 1, low + 3, low + 4];
  const isCorner = (low === 0 || (columnOf(low) !== 3 && low <= 32)) &&
    (numbers.length === 1 || numbers.join('-') === square.join('-'));
  if (!isCorner) return `${numbers.join('-')} is not a corner of the layout`;
  return { spot: `corner:${square.join('-')}`, numbers: square };
}

// --- Argument parsing shared by the grammars.

const NUMBER = /^(0|[1-9][0-9]?)$/;

/** Parses `A-B-..` into distinct layout numbers, sorted, then hands them to `build`. */
function withNumbers(
  arg: string | null,
  count: number | readonly number[],
  build: (numbers: number[]) => Coverage | string,
): Coverage | string {
  if (arg === null) return 'this bet needs numbers after a colon';
  const parts = arg.split('-');
  const allowed = typeof count === 'number' ? [count] : count;
  if (!allowed.includes(parts.length)) return `expected ${allowed.join(' or ')} number(s), got ${parts.length}`;
  const numbers: number[] = [];
  for (const part of parts) {
    if (!NUMBER.test(part)) return `'${part}' is not a number`;
    const n = Number(part);
    if (n > 36) return `${n} is not on the layout (0..36)`;
    if (numbers.includes(n)) return `${n} is repeated`;
    numbers.push(n);
  }
  return build(numbers.sort((x, y) => x - y));
}

function withOrdinal(arg: string | null, build: (k: number) => Coverage): Coverage | string {
  if (arg !== '1' && arg !== '2' && arg !== '3') return 'expected 1, 2 or 3';
  return build(Number(arg));
}

function fixed(name: string, arg: string | null, wins: (n: number) => boolean): Coverage | string {
  if (arg !== null) return `'${name}' takes no numbers`;
  return { spot: name, numbers: range(0, 36).filter(wins) };
}

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let n = from; n <= to; n++) out.push(n);
  return out;
}
