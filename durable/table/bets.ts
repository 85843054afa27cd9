/**
 * Bets at a table: validation against the table's rules (spot, per-type stake limits, per-player
 * exposure in the round) and their lifecycle on this side. The money is a hold in the player's
 * object; a bet row is written as 'reserving' before the hold is asked for, so a crash between the
 * two leaves a trace that settlement or a void cleans up.
 */
import { fail, type Result } from '../../domain/errors';
import { hourStartMs } from '../../domain/fairness/rtp-monitor';
import type { Currency } from '../../domain/money';
import { betLimit } from './config';
import type { TableContext } from './context';
import type { BetRow, BetView, PlaceBetInput, RoundRow } from './types';

/**
 * A round must have its result this soon after it opened, or the table voids it (every stake back).
 * A bet's hold outlives its round by far (HOLD_TTL_MAX_MS, 24 h, in the player's object), so a
 * round is either settled as bets or voided in full before any of its holds can expire: a result
 * can never arrive to find some winners' holds already given back (the hold's life is tied to its
 * round). The hold's own expiry stays as the last resort if the table object itself is lost.
 */
export const ROUND_RESULT_DEADLINE_MS = 3_600_000;

export function holdIdOf(tableId: string, betId: string): string {
  return `table:${tableId}:${betId}`;
}

export function betView(b: BetRow): BetView {
  return {
    bet_id: b.bet_id, round_id: b.round_id, currency: b.currency, spot: b.spot, bet_type: b.bet_type, amount_minor: b.amount_minor,
    state: b.state, refusal: b.refusal, result: b.result, returned_minor: b.returned_minor, created_at: b.created_at, settled_at: b.settled_at,
    free_bet_id: b.free_bet_id,
  };
}

export class Bets {
  constructor(private readonly c: TableContext) {}

  get(betId: string): BetRow | null {
    return this.c.db.first<BetRow>`select * from bets where bet_id = ${betId}`;
  }

  inState(roundId: string, state: BetRow['state']): BetRow[] {
    return this.c.db.all<BetRow>`select * from bets where round_id = ${roundId} and state = ${state} order by created_at`;
  }

  ofPlayer(roundId: string, playerId: string): BetRow[] {
    return this.c.db.all<BetRow>`select * from bets where round_id = ${roundId} and player_id = ${playerId} order by created_at`;
  }

  ofRound(roundId: string, limit: number): BetRow[] {
    return this.c.db.all<BetRow>`select * from bets where round_id = ${roundId} order by created_at limit ${limit}`;
  }

  /**
   * Per currency, the bets whose stakes were played: settled ones, and while the round takes bets
   * (no result or void yet) the accepted ones. Once the result is in, a bet still 'accepted' (being
   * settled, or stuck in a parked round) has its stake held, not taken: counting it as wagered with
   * nothing returned would show the house winning money that never left the player's balance.
   */
  totals(roundId: string): { currency: Currency; bets: number; wagered_minor: number; returned_minor: number }[] {
    return this.c.db.all`select currency, count(*) as bets, sum(amount_minor) as wagered_minor, coalesce(sum(returned_minor), 0) as returned_minor
      from bets where round_id = ${roundId} and (state = 'settled' or (state = 'accepted'
        and exists (select 1 from rounds r where r.round_id = ${roundId} and r.state in ('betting_open', 'betting_closed'))))
      group by currency order by currency`;
  }

  /** A replay of the same bet returns it; the same bet id for anything else is a conflict. */
  replay(input: PlaceBetInput): Result<{ bet: BetRow }> | null {
    const b = this.get(input.bet_id);
    if (!b) return null;
    const same = b.player_id === input.player_id && b.round_id === input.round_id && b.currency === input.currency && b.amount_minor === input.amount_minor
      && b.free_bet_id === (input.free_bet_id ?? null)
      && this.c.rules.parseSpot(input.spot).ok && b.spot === (this.c.rules.parseSpot(input.spot) as { spot: string }).spot;
    return same ? { ok: true, bet: b } : fail('idempotency_conflict', 'this bet id was used for another bet', { bet_id: input.bet_id });
  }

  /** Checks a new bet against the round and the table's rules and records it as 'reserving'. */
  begin(round: RoundRow | null, input: PlaceBetInput): Result<{ bet: BetRow }> {
    if (!round) return fail('round_not_found');
    const now = this.c.now();
    if (round.state !== 'betting_open' || now >= round.closes_at) {
      return fail('betting_closed', `betting on round ${round.round_no} is closed`, { round_id: round.round_id, state: round.state });
    }
    const spot = this.c.rules.parseSpot(input.spot);
    if (!spot.ok) return fail('unknown_bet_spot', spot.reason, { spot: input.spot, bet_types: this.c.rules.betTypes.map((t) => t.bet_type) });
    const limit = betLimit(this.c.table, input.currency, spot.bet_type);
    if (!limit) return fail('unsupported_currency', `table ${this.c.table.table_id} does not take ${input.currency}`, { currencies: Object.keys(this.c.table.limits) });
    if (input.amount_minor < limit.min_minor || input.amount_minor > limit.max_minor) {
      return fail('bet_out_of_limits', `a ${spot.bet_type} bet must be between ${limit.min_minor} and ${limit.max_minor}`, { bet_type: spot.bet_type, currency: input.currency, ...limit });
    }
    const maxReturn = this.c.rules.maxReturn(spot.spot, input.amount_minor);
    const cap = this.c.table.max_exposure_minor[input.currency];
    const current = this.c.db.first<{ e: number | null }>`select sum(max_return_minor) as e from bets
      where round_id = ${round.round_id} and player_id = ${input.player_id} and currency = ${input.currency} and state in ('reserving', 'accepted')`!.e ?? 0;
    if (cap !== undefined && current + maxReturn > cap) {
      return fail('exposure_exceeded', 'these bets could return more than the table allows one player per round', { currency: input.currency, max_exposure_minor: cap, current_exposure_minor: current, bet_max_return_minor: maxReturn });
    }
    this.c.db.run`insert into bets (bet_id, round_id, player_id, session_id, currency, spot, bet_type, amount_minor, max_return_minor, hold_id, state, created_at, free_bet_id)
      values (${input.bet_id}, ${round.round_id}, ${input.player_id}, ${input.session_id}, ${input.currency}, ${spot.spot}, ${spot.bet_type},
        ${input.amount_minor}, ${maxReturn}, ${holdIdOf(this.c.table.table_id, input.bet_id)}, 'reserving', ${now}, ${input.free_bet_id ?? null})`;
    return { ok: true, bet: this.get(input.bet_id)! };
  }

  accept(b: BetRow, jurisdiction: string): BetRow {
    this.c.db.run`update bets set state = 'accepted', jurisdiction = ${jurisdiction} where bet_id = ${b.bet_id} and state = 'reserving'`;
    this.c.emit('table.bet.placed', {
      bet_id: b.bet_id, game: this.c.table.game, game_id: this.c.table.game_id, spot: b.spot, bet_type: b.bet_type, amount_minor: b.amount_minor, hold_id: b.hold_id,
      ...(b.free_bet_id !== null ? { free_bet_id: b.free_bet_id } : {}),
    }, { round_id: b.round_id, player_id: b.player_id, jurisdiction, currency: b.currency });
    return this.get(b.bet_id)!;
  }

  refuse(betId: string, code: string): void {
    this.c.db.run`update bets set state = 'refused', refusal = ${code} where bet_id = ${betId} and state = 'reserving'`;
  }

  /** Bets of a round still open in the table's eyes ('reserving' or 'accepted'): one indexed count. */
  openCount(roundId: string): number {
    return this.c.db.first<{ n: number }>`select count(*) as n from bets where round_id = ${roundId} and state in ('reserving', 'accepted')`!.n;
  }

  /**
   * Records the end of a wave of bets (settled with a result, or their stakes given back), each with
   * its event and RTP sample, in three statements whatever the wave's size: one guarded update of
   * every bet (`where state = 'accepted'`, RETURNING the rows it changed), one outbox insert and one
   * RTP upsert for exactly those rows. A bet an earlier attempt finished is not in RETURNING, so a
   * repeated wave (a restart, the alarm's retry) records no event or sample twice. Returns the bets
   * finished now, as stored.
   */
  finishMany(ends: readonly BetEnd[]): BetRow[] {
    if (ends.length === 0) return [];
    const now = this.c.now();
    const wave = JSON.stringify(ends.map((e) => [e.bet_id, e.to, e.result, e.returned_minor]));
    const done = this.c.db.all<BetRow>`update bets set state = w.to_state, result = w.to_result, returned_minor = w.to_returned, settled_at = ${now}
      from (select json_extract(value, '$[0]') as wave_bet_id, json_extract(value, '$[1]') as to_state, json_extract(value, '$[2]') as to_result,
              json_extract(value, '$[3]') as to_returned from json_each(${wave})) as w
      where bets.bet_id = w.wave_bet_id and bets.state = 'accepted'
      returning *`;
    if (done.length === 0) return [];
    this.c.emitMany(done.map((b) => ({
      type: 'table.bet.settled' as const,
      payload: {
        bet_id: b.bet_id, game: this.c.table.game, game_id: this.c.table.game_id, spot: b.spot, bet_type: b.bet_type,
        amount_minor: b.amount_minor, returned_minor: b.returned_minor ?? 0, result: b.result!,
        ...(b.free_bet_id !== null ? { free_bet_id: b.free_bet_id } : {}),
      },
      subject: { round_id: b.round_id, player_id: b.player_id, jurisdiction: b.jurisdiction, currency: b.currency },
    })));
    // observed RTP: settled bets only (a voided or expired stake was not played), summed per bucket here
    const buckets = new Map<string, [string, string, number, number, number]>();
    for (const b of done) {
      if (b.state !== 'settled') continue;
      const key = `${b.bet_type}\u0000${b.currency}`;
      const sum = buckets.get(key) ?? [b.bet_type, b.currency, 0, 0, 0];
      sum[2] += b.amount_minor;
      sum[3] += b.returned_minor ?? 0;
      sum[4] += 1;
      buckets.set(key, sum);
    }
    if (buckets.size > 0) {
      // `where true`: SQLite's upsert after INSERT ... SELECT needs it to parse the ON CONFLICT
      this.c.db.run`insert into rtp_hours (hour_start, bet_type, currency, wagered_minor, returned_minor, bets)
        select ${hourStartMs(now)}, json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'), json_extract(value, '$[3]'), json_extract(value, '$[4]')
        from json_each(${JSON.stringify([...buckets.values()])}) where true
        on conflict (hour_start, bet_type, currency) do update set wagered_minor = wagered_minor + excluded.wagered_minor,
          returned_minor = returned_minor + excluded.returned_minor, bets = bets + excluded.bets`;
    }
    return done;
  }
}

/** How one bet ended: settled with its result and return, or its stake given back (voided, or expired in the player's object). */
export type BetEnd = { bet_id: string; to: 'settled' | 'voided' | 'expired'; result: NonNullable<BetRow['result']>; returned_minor: number };
