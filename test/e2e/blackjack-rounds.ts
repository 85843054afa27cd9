/**
 * Live blackjack rounds for the dashboards' end-to-end test, played by the simulator's one blackjack
 * generator (simulator/blackjack-history.ts over simulator/blackjack-round.ts, the round player of
 * fast mode; warehouse/blackjack-engine.test.ts checks the models against the same generator): the
 * engine deals from provably-fair shoes, three players play the simulated player's policy with
 * insurance and every side bet, a fourth bets behind at the Seated table, every event validated.
 * Deterministic: the same rounds every run. A fast-mode history with `--tables 7` has blackjack of
 * its own; this batch gives the dashboards' fixed history (`tables: 2`) known blackjack rows.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BATCH_FORMAT, batchObjectKey, decodeBatchObject, encodeBatchObject } from '../../domain/event-batch';
import { CLASSIC_INFINITE, CLASSIC_SEATED } from '../../domain/games/blackjack';
import { blackjackHistory, type HistoryPlayer, type HistoryTable } from '../../simulator/blackjack-history';
import { directorySink } from '../../simulator/sink';

/** The catalog's blackjack tables (config/tables.json: blackjack-1 Seated, infinite-blackjack-1), with their rules' presets. */
export const CATALOG_TABLES: HistoryTable[] = [
  { table_id: 'blackjack-1', game_id: 'live-blackjack-1', format: 'seated', rules: CLASSIC_SEATED },
  { table_id: 'infinite-blackjack-1', game_id: 'infinite-blackjack-1', format: 'infinite', rules: CLASSIC_INFINITE },
];

/**
 * Plays `rounds` rounds a day at the catalog's two blackjack tables on `days`, for four EUR players
 * of the simulator's history in `eventsDir` (players who bet at a table, so they are registered),
 * and writes them there as one more batch object, so one `wh sync --source dir:<eventsDir>` loads
 * both (a later sync would list only objects after its newest one, and prod's incremental models
 * would not reprocess days they have already built). Returns the number of events.
 */
export async function writeBlackjackBatch(opts: { eventsDir: string; days: string[]; rounds: number }): Promise<number> {
  const players = new Map<string, HistoryPlayer>();
  const files = readdirSync(opts.eventsDir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ndjson.gz')).sort();
  for (const file of files) {
    for (const line of await decodeBatchObject(readFileSync(join(opts.eventsDir, file)))) {
      const e = JSON.parse(line) as { event_type: string; player_id: string | null; jurisdiction: string | null; currency: string | null };
      if (e.player_id && e.currency === 'EUR' && e.jurisdiction && e.event_type.startsWith('table.bet.')) players.set(e.player_id, { player_id: e.player_id, jurisdiction: e.jurisdiction, currency: 'EUR' });
    }
    if (players.size >= 4) break;
  }
  const { events } = blackjackHistory({
    tables: CATALOG_TABLES, starts: opts.days.map((d) => Date.parse(`${d}T12:00:00Z`)), rounds: opts.rounds, players: [...players.values()].slice(0, 4), seed: 'dashboards-blackjack',
  });
  await directorySink(opts.eventsDir).put(batchObjectKey(events.at(-1)!.occurred_at + 1_000, 'dashboards-blackjack'), await encodeBatchObject(events.map((e) => JSON.stringify(e))), { customMetadata: { format: BATCH_FORMAT, events: String(events.length) } });
  return events.length;
}
