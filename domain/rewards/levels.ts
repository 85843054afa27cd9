/**
 * Levels and tiers: thresholds of lifetime XP, as data. A player's level is the highest whose
 * min_xp their XP reaches; levels only go up (XP is never taken away), and a jump over several
 * levels at once promotes through each, so each level's reward is given once.
 */
import type { Level } from './rule-schema';

export function levelFor(levels: readonly Level[], xp: number): Level | null {
  let found: Level | null = null;
  for (const l of levels) if (xp >= l.min_xp) found = l; else break;
  return found;
}

/** The levels passed when XP goes from `fromXp` to `toXp`, lowest first. */
export function promotions(levels: readonly Level[], fromXp: number, toXp: number): Level[] {
  return levels.filter((l) => l.min_xp > fromXp && l.min_xp <= toXp);
}
