/**
 * Applying one RelayBatch: the snapshot to the player index (newest updated_at wins), then each
 * event not seen before to the queues, the anomaly rules and the provider games' RTP buckets. The relay is trusted code, so a
 * malformed batch, a snapshot of another brand or an event of another player is a programming
 * error and throws (nothing is applied); the relay's retry will fail the same way, loudly.
 */
import { z } from 'zod';
import { validateEvent, type CasinoEvent } from '../../domain/events';
import type { AnomalyDetector } from './anomaly-rules';
import type { OpsContext, Subject } from './context';
import type { IngestedEventType } from './event-reads';
import type { GameStats } from './game-stats';
import type { PlayerIndex } from './player-index';
import type { WorkQueues } from './queues';
import { RELAY_BATCH_EVENTS_MAX, type IngestResult, type PlayerSnapshot, type RelayBatch } from './types';

const text = (max: number) => z.string().min(1).max(max);
const time = z.number().int().nonnegative().safe();

const PlayerSnapshotSchema = z.object({
  player_id: text(128),
  brand: text(64),
  email: text(320),
  country: text(8),
  jurisdiction: text(16),
  currency: text(8),
  status: z.enum(['active', 'locked', 'self_excluded', 'closed']),
  kyc_status: z.enum(['none', 'pending', 'verified', 'rejected']),
  vip: z.boolean(),
  created_at: time,
  updated_at: time,
});

/** Checks the whole batch before anything is written; throws on the first problem. */
export function checkBatch(batch: RelayBatch): { player: PlayerSnapshot; events: CasinoEvent[] } {
  const player = PlayerSnapshotSchema.safeParse(batch?.player);
  if (!player.success) throw new TypeError(`relay batch: bad player snapshot: ${z.prettifyError(player.error)}`);
  if (!Array.isArray(batch.events)) throw new TypeError('relay batch: events must be an array');
  if (batch.events.length > RELAY_BATCH_EVENTS_MAX) throw new RangeError(`relay batch: ${batch.events.length} events, at most ${RELAY_BATCH_EVENTS_MAX}`);
  const events = batch.events.map((raw, i) => {
    const v = validateEvent(raw);
    if (!v.ok) throw new TypeError(`relay batch: event ${i} is invalid: ${v.reason}`);
    if (v.event.player_id !== player.data.player_id) {
      throw new TypeError(`relay batch: event ${v.event.event_id} is of player ${v.event.player_id}, not ${player.data.player_id}`);
    }
    return v.event;
  });
  return { player: player.data, events };
}

/** What an event's handler may feed. */
type Targets = { index: PlayerIndex; queues: WorkQueues; rules: AnomalyDetector; gameStats: GameStats };
type Handler = (e: CasinoEvent, subj: Subject, to: Targets) => void;

/**
 * One handler per event type the back office reads, and for no other: typed by event-reads.ts, the
 * list the player's relay derives what it leaves out from (a handler missing, or one for a type the
 * relay never sends, does not compile).
 */
const HANDLER_TABLE: { readonly [T in IngestedEventType]: Handler } = {
  'player.kyc.changed': (e, subj, to) => to.index.noteKycChange(subj.player_id, e.occurred_at, String(e.payload.to)),
  'player.login.failed': (e, subj, to) => to.rules.onLoginFailed(e, subj),
  'wallet.deposit.completed': (e, subj, to) => to.rules.onDepositCompleted(e, subj),
  'wallet.withdrawal.requested': (e, subj, to) => {
    to.queues.onWithdrawal('wallet.withdrawal.requested', e, subj);
    to.rules.onWithdrawalRequested(e, subj);
  },
  'wallet.withdrawal.approved': (e, subj, to) => to.queues.onWithdrawal('wallet.withdrawal.approved', e, subj),
  'wallet.withdrawal.rejected': (e, subj, to) => to.queues.onWithdrawal('wallet.withdrawal.rejected', e, subj),
  'wallet.withdrawal.paid': (e, subj, to) => to.queues.onWithdrawal('wallet.withdrawal.paid', e, subj),
  'wallet.withdrawal.cancelled': (e, subj, to) => to.queues.onWithdrawal('wallet.withdrawal.cancelled', e, subj),
  'wallet.win.credited': (e, subj, to) => to.rules.onWinCredited(e, subj),
  'backoffice.adjustment.requested': (e, subj, to) => to.queues.onAdjustment('backoffice.adjustment.requested', e, subj),
  'backoffice.adjustment.applied': (e, subj, to) => to.queues.onAdjustment('backoffice.adjustment.applied', e, subj),
  'backoffice.adjustment.rejected': (e, subj, to) => to.queues.onAdjustment('backoffice.adjustment.rejected', e, subj),
  'provider.bet.debited': (e, subj, to) => to.gameStats.apply(e, subj.currency),
  'provider.win.credited': (e, subj, to) => to.gameStats.apply(e, subj.currency),
  'provider.bet.rolled_back': (e, subj, to) => to.gameStats.apply(e, subj.currency),
};
const HANDLERS: ReadonlyMap<string, Handler> = new Map(Object.entries(HANDLER_TABLE));

/** The event types the ingest applies, as its handler table has them (for the test that both lists agree). */
export const INGESTED_TYPES: readonly string[] = Object.freeze([...HANDLERS.keys()]);

export class Ingest {
  private readonly targets: Targets;

  constructor(
    private readonly ctx: OpsContext,
    index: PlayerIndex,
    queues: WorkQueues,
    rules: AnomalyDetector,
    gameStats: GameStats,
  ) {
    this.targets = { index, queues, rules, gameStats };
  }

  /** Runs inside the caller's transaction. */
  apply(player: PlayerSnapshot, events: CasinoEvent[]): IngestResult {
    this.claimBrand(player);
    this.targets.index.upsert(player);
    const subj: Subject = { player_id: player.player_id, jurisdiction: player.jurisdiction, currency: player.currency };
    let accepted = 0;
    for (const e of events) {
      const fresh = this.ctx.db.all<{ event_id: string }>`insert into seen (event_id, seen_at) values (${e.event_id}, ${this.ctx.now()})
        on conflict (event_id) do nothing returning event_id`;
      if (fresh.length === 0) continue;
      accepted++;
      this.route(e, subj);
    }
    return { ok: true, accepted, duplicates: events.length - accepted };
  }

  /** The object serves one brand: the one in its name, or else the first it was sent. */
  private claimBrand(player: PlayerSnapshot): void {
    const brand = this.ctx.brand();
    if (brand === null) this.ctx.setBrand(player.brand);
    else if (brand !== player.brand) throw new Error(`relay batch: player ${player.player_id} is of brand ${player.brand}, this object serves ${brand}`);
  }

  /** The event's handler, if the back office reads it (event-reads.ts); the rest is for the warehouse, only deduplicated here. */
  private route(e: CasinoEvent, subj: Subject): void {
    HANDLERS.get(e.event_type)?.(e, subj, this.targets);
  }
}
