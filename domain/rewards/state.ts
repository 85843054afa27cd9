/**
 * A player's rewards state: plain JSON (the player's object keeps it in memory and stores it as one
 * row, its memory's full chunks and its distinct counters' values as rows of their own:
 * durable/player/rewards-pure.ts toStored, counters.ts DistinctValues), never
 * mutated by the engine, and bounded: counters by the rule set's limits (counters.ts) and the
 * counters it declares, rule uses and assignments by the rules that exist, badges by BADGES_MAX,
 * remembered events by SEEN_EVENTS_MAX.
 *
 * Idempotency horizon: the ids of the last 960 to 1,024 events evaluated are remembered, in chunks of
 * SEEN_CHUNK (the newest chunk filling, up to SEEN_CHUNKS_MAX full ones behind it); when the oldest
 * chunk is forgotten, `low_water_ms` rises to its latest occurred_at, and any event at or before the
 * low-water mark is refused (`beyond_horizon`) unseen. An event id always comes with the same
 * occurred_at, so a duplicate is either remembered or refused: it never grants twice, at any
 * distance. The price: an event arriving later than ~1,000 newer events is not evaluated (at a
 * table, that is an hour or more of play). Full chunks never change, so each is indexed once (a Set
 * kept beside it, outside the state) and a lookup is a few hash probes, not a scan.
 */
import type { Counters } from './counters';

export const SEEN_CHUNK = 64;
export const SEEN_CHUNKS_MAX = 16;
export const SEEN_EVENTS_MAX = SEEN_CHUNK * SEEN_CHUNKS_MAX;
export const BADGES_MAX = 500;

export type RuleUse = { day: string; today: number; session: string; this_session: number; total: number; last_at: number };
export type MissionState = { step: number; progress: number; started_at: number; expires_at: number | null; completed_at: number | null; completions: number };

export type SeenChunk = { ids: string[]; max_at: number };
export type Seen = { recent: string[]; recent_max_at: number; chunks: SeenChunk[]; low_water_ms: number };

export type RewardsState = {
  v: 1;
  /** The UTC day `daily` counts, and the session `this_session` counts belong to. */
  day: string;
  session: string;
  daily: { points: number; xp: number; cash_minor: number };
  xp: number;
  points_granted: number;
  level: number | null;
  counters: Counters;
  rules: Record<string, RuleUse>;
  assignments: Record<string, string>;
  missions: Record<string, MissionState>;
  badges: string[];
  last_break_at: number | null;
  seen: Seen;
};

export function initialState(): RewardsState {
  return {
    v: 1, day: '', session: '', daily: { points: 0, xp: 0, cash_minor: 0 }, xp: 0, points_granted: 0, level: null,
    counters: {}, rules: {}, assignments: {}, missions: {}, badges: [], last_break_at: null,
    seen: { recent: [], recent_max_at: 0, chunks: [], low_water_ms: 0 },
  };
}

export type SeenCheck = 'new' | 'duplicate' | 'beyond_horizon';

/** Full chunks are immutable: their index lives as long as the chunk. */
const chunkIndex = new WeakMap<string[], Set<string>>();
function indexOf(chunk: SeenChunk): Set<string> {
  let set = chunkIndex.get(chunk.ids);
  if (!set) { set = new Set(chunk.ids); chunkIndex.set(chunk.ids, set); }
  return set;
}

export function checkSeen(state: RewardsState, eventId: string, occurredAt: number): SeenCheck {
  const seen = state.seen;
  if (occurredAt <= seen.low_water_ms) return 'beyond_horizon';
  if (seen.recent.includes(eventId)) return 'duplicate';
  for (const chunk of seen.chunks) if (occurredAt <= chunk.max_at && indexOf(chunk).has(eventId)) return 'duplicate';
  return 'new';
}

export function remember(seen: Seen, eventId: string, occurredAt: number): Seen {
  const recent = [...seen.recent, eventId];
  const recentMax = Math.max(seen.recent_max_at, occurredAt);
  if (recent.length < SEEN_CHUNK) return { ...seen, recent, recent_max_at: recentMax };
  const chunks = [...seen.chunks, { ids: recent, max_at: recentMax }];
  let low = seen.low_water_ms;
  while (chunks.length > SEEN_CHUNKS_MAX) low = Math.max(low, chunks.shift()?.max_at ?? 0);
  return { recent: [], recent_max_at: 0, chunks, low_water_ms: low };
}
