/** The table games by kind: TableDO, the catalog and the fairness tools look rules up here. */
import { baccarat } from './baccarat';
import { roulette } from './roulette';
import type { GameKind, GameRules } from './types';

export const GAME_KINDS: readonly GameKind[] = ['roulette', 'baccarat'];

const RULES: Record<GameKind, GameRules> = {
  roulette,
  baccarat,
};

export function gameRules(kind: GameKind): GameRules {
  const rules = Object.hasOwn(RULES, kind) ? RULES[kind] : undefined;
  if (!rules) throw new Error(`unknown game kind '${String(kind)}'`);
  return rules;
}

export function isGameKind(value: unknown): value is GameKind {
  return typeof value === 'string' && (GAME_KINDS as readonly string[]).includes(value);
}
