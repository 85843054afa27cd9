/**
 * A blackjack round's engine state in the table's SQLite: the round-wide part as one JSON row
 * (bj_rounds.core) and one row per box with its hands, its stakes and the bets behind it
 * (bj_boxes.data). The engine's transitions are immutable and copy only what they change, so the
 * boxes a step changed are the ones that are no longer the same objects: `save` writes those rows
 * and the core, in two statements whatever the table's size (an Infinite decision rewrites one box).
 *
 * The current round is kept in memory between calls; a transaction that fails must `forget` it
 * (the rows it wrote are rolled back, the memory is not).
 */
import type { BehindBet, Box, RoundState, Stake } from '../../../domain/games/blackjack';
import type { TableContext } from '../context';

type Core = Omit<RoundState, 'boxes' | 'behind' | 'stakes'>;
type BoxData = { box: Box; stakes: Stake[]; behind: BehindBet[] };

/** Stakes in the order the engine added them (k0, k1, ...): settlement and events follow it. */
function stakeNo(s: Stake): number {
  return Number(s.stake_id.slice(1));
}

function byBox<T extends { box_id: string }>(items: readonly T[]): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const x of items) {
    const list = m.get(x.box_id);
    if (list) list.push(x);
    else m.set(x.box_id, [x]);
  }
  return m;
}

function sameItems<T>(a: readonly T[] | undefined, b: readonly T[] | undefined): boolean {
  const x = a ?? [];
  const y = b ?? [];
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

export class RoundStore {
  private cached: { round_id: string; state: RoundState } | null = null;

  constructor(private readonly c: TableContext) {}

  create(roundId: string, state: RoundState): void {
    const { boxes: _b, behind: _h, stakes: _s, ...core } = state;
    this.c.db.run`insert into bj_rounds (round_id, core) values (${roundId}, ${JSON.stringify(core)})`;
    this.cached = { round_id: roundId, state };
  }

  load(roundId: string): RoundState | null {
    if (this.cached?.round_id === roundId) return this.cached.state;
    const row = this.c.db.first<{ core: string }>`select core from bj_rounds where round_id = ${roundId}`;
    if (!row) return null;
    const core = JSON.parse(row.core) as Core;
    const boxes: Box[] = [];
    const behind: BehindBet[] = [];
    const stakes: Stake[] = [];
    // Seats in seat order (the engine keeps them so); Infinite boxes in the order they were placed.
    for (const r of this.c.db.all<{ data: string }>`select data from bj_boxes where round_id = ${roundId} order by seat, rowid`) {
      const d = JSON.parse(r.data) as BoxData;
      boxes.push(d.box);
      behind.push(...d.behind);
      stakes.push(...d.stakes);
    }
    stakes.sort((a, b) => stakeNo(a) - stakeNo(b));
    const state: RoundState = { ...core, boxes, behind, stakes };
    this.cached = { round_id: roundId, state };
    return state;
  }

  /** Writes what `next` changed since `prev` (the state loaded or saved last for this round). */
  save(roundId: string, prev: RoundState, next: RoundState, seeds: ReadonlyMap<string, string> = new Map()): void {
    const { boxes: _b, behind: _h, stakes: _s, ...core } = next;
    this.c.db.run`update bj_rounds set core = ${JSON.stringify(core)} where round_id = ${roundId}`;
    if (prev.boxes !== next.boxes || prev.stakes !== next.stakes || prev.behind !== next.behind) {
      const before = new Map(prev.boxes.map((b) => [b.box_id, b]));
      const [stakesBefore, stakesAfter] = [byBox(prev.stakes), byBox(next.stakes)];
      const [behindBefore, behindAfter] = [byBox(prev.behind), byBox(next.behind)];
      const changed = next.boxes.filter((b) => before.get(b.box_id) !== b
        || !sameItems(stakesBefore.get(b.box_id), stakesAfter.get(b.box_id)) || !sameItems(behindBefore.get(b.box_id), behindAfter.get(b.box_id)));
      if (changed.length > 0) {
        const rows = changed.map((box) => [box.box_id, box.player_id, box.seat, seeds.get(box.box_id) ?? null,
          JSON.stringify({ box, stakes: stakesAfter.get(box.box_id) ?? [], behind: behindAfter.get(box.box_id) ?? [] } satisfies BoxData)]);
        // one statement for every changed box; a player's seed, once given, is kept
        this.c.db.run`insert into bj_boxes (round_id, box_id, player_id, seat, client_seed, data)
          select ${roundId}, json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'), json_extract(value, '$[3]'), json_extract(value, '$[4]')
          from json_each(${JSON.stringify(rows)}) where true
          on conflict (round_id, box_id) do update set data = excluded.data, client_seed = coalesce(bj_boxes.client_seed, excluded.client_seed)`;
      }
      const kept = new Set(next.boxes.map((b) => b.box_id));
      const gone = prev.boxes.filter((b) => !kept.has(b.box_id)).map((b) => b.box_id);
      if (gone.length > 0) this.c.db.run`delete from bj_boxes where round_id = ${roundId} and box_id in (select value from json_each(${JSON.stringify(gone)}))`;
    }
    this.cached = { round_id: roundId, state: next };
  }

  /** The players' seeds in box order (the shoe's client seed is derived from them). */
  seeds(roundId: string): string[] {
    return this.c.db.all<{ client_seed: string }>`select client_seed from bj_boxes where round_id = ${roundId} and client_seed is not null order by seat, rowid`
      .map((r) => r.client_seed);
  }

  timer(roundId: string): { client_seed: string | null; timer_key: string | null; timer_due: number | null } | null {
    return this.c.db.first`select client_seed, timer_key, timer_due from bj_rounds where round_id = ${roundId}`;
  }

  setClientSeed(roundId: string, seed: string): void {
    this.c.db.run`update bj_rounds set client_seed = ${seed} where round_id = ${roundId} and client_seed is null`;
  }

  setTimer(roundId: string, key: string | null, due: number | null): void {
    this.c.db.run`update bj_rounds set timer_key = ${key}, timer_due = ${due} where round_id = ${roundId}`;
  }

  forget(): void {
    this.cached = null;
  }
}
