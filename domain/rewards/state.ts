/**
 * A player's rewards state: plain JSON (the player's object stores it as one row and keeps it in
 * memory), never mutated by the engine, and bounded: counters by the rule set's limits (counters.ts),
 * rule uses and assignments by the rules that exist, badges by BADGES_MAX, remembered events by
 * SEEN_EVENTS_MAX.
 *
 * Idempotency horizon: the ids of the last SEEN_EVENTS_MAX events evaluated are remembered; when one
 * is forgotten, `low_water_ms` rises to its occurred_at, and any event at or before the low-water mark
 * is refused (`beyond_horizon`) unseen. An event id always comes with the same occurred_at, so a
 * duplicate is either remembered or refused: it never grants twice, at any distance. The price: an
 * event arriving later than SEEN_EVENTS_MAX newer events is not evaluated (at a table, ~1,000 events
 * are an hour or more of play).
 */
import type { Counters } from './counters';

export const SEEN_EVENTS_MAX = 1_024;
export const BADGES_MAX = 500;

export type RuleUse = { day: string; today: number; session: string; this_session: number; total: number; last_at: number };
export type MissionState = { step: number; progress: number; started_at: number; expires_at: number | null; completed_at: number | null; completions: number };

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
  seen: { ids: string[]; ats: number[]; low_water_ms: number };
};

export function initialState(): RewardsState {
  return {
    v: 1, day: '', session: '', daily: { points: 0, xp: 0, cash_minor: 0 }, xp: 0, points_granted: 0, level: null,
    counters: {}, rules: {}, assignments: {}, missions: {}, badges: [], last_break_at: null,
    seen: { ids: [], ats: [], low_water_ms: 0 },
  };
}

export type SeenCheck = 'new' | 'duplicate' | 'beyond_horizon';

export function checkSeen(state: RewardsState, eventId: string, occurredAt: number): SeenCheck {
  if (occurredAt <= state.seen.low_water_ms) return 'beyond_horizon';
  return state.seen.ids.includes(eventId) ? 'duplicate' : 'new';
}

export function remember(seen: RewardsState['seen'], eventId: string, occurredAt: number): RewardsState['seen'] {
  const ids = [...seen.ids, eventId];
  const ats = [...seen.ats, occurredAt];
  let low = seen.low_water_ms;
  while (ids.length > SEEN_EVENTS_MAX) {
    ids.shift();
    low = Math.max(low, ats.shift() ?? 0);
  }
  return { ids, ats, low_water_ms: low };
}
