/**
 * The relay to the brand's back office: this player's new outbox events, with a snapshot of the
 * profile, go to `BrandOpsDO('ops:<brand>').ingest`, at least once and in outbox order.
 *
 * Why this shape: a transaction that emits events also schedules `ops.relay` a few seconds out
 * (in that same transaction, so a delivery can never be forgotten), and right after it commits the
 * object kicks a delivery without awaiting it (the player's call does not wait for the back
 * office). The cursor moves only after an ingest succeeded; a failed one is retried by the alarm
 * with backoff. One delivery runs at a time per object; BrandOpsDO deduplicates on event_id.
 *
 * Only what the back office reads is relayed (brand-ops/types.ts NOT_FOR_BACK_OFFICE leaves out a
 * bet's hold steps and a deposit's request): a transaction that emitted nothing else arms and
 * kicks nothing, and a delivery moves the cursor past the left-out events with the rest.
 */
import { NOT_FOR_BACK_OFFICE, type PlayerSnapshot, type RelayBatch } from '../brand-ops/types';
import { backoffMs } from '../lib/backoff';
import type { PlayerContext, ProfileRow } from './context';

export const RELAY_JOB = 'ops.relay';
const RELAY_REF = 'brand';
/** Events per ingest call at most. */
export const RELAY_BATCH_MAX = 200;
/** First retry after this long; doubles per consecutive failure up to RELAY_RETRY_MAX_MS. */
export const RELAY_RETRY_MS = 5_000;
export const RELAY_RETRY_MAX_MS = 5 * 60_000;
/** Batches one delivery sends at most before leaving the rest to the alarm (bounds one run). */
const DRAIN_BATCHES_MAX = 50;
const ERROR_TEXT_MAX = 500;

/** The receiving side, as the relay needs it (BrandOpsDO's stub, or a stand-in in tests). */
export type IngestTarget = { ingest(batch: RelayBatch): Promise<unknown> };

export type RelayStatus = { after_seq: number; failures: number; last_error: string | null; last_attempt_at: number | null };

export function playerSnapshot(p: ProfileRow): PlayerSnapshot {
  return {
    player_id: p.player_id, brand: p.brand, email: p.email, country: p.country, jurisdiction: p.jurisdiction, currency: p.currency,
    status: p.status, kyc_status: p.kyc_status, vip: p.vip === 1, created_at: p.created_at, updated_at: p.updated_at,
  };
}

export function retryDelayMs(failures: number): number {
  return backoffMs(failures, RELAY_RETRY_MS, RELAY_RETRY_MAX_MS);
}

export class Relay {
  private inflight: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly ctx: PlayerContext,
    /** Runs `fn` in one storage transaction (without the object's own after-commit hooks). */
    private readonly tx: <T>(fn: () => T) => T,
    /** Where a brand's batches go; replaced in tests. */
    public targetOf: (brand: string) => IngestTarget,
  ) {}

  status(): RelayStatus {
    return this.ctx.db.first<RelayStatus>`select after_seq, failures, last_error, last_attempt_at from relay_state where id = 1`!;
  }

  /**
   * Inside a transaction that emitted events (or the alarm's): make sure a delivery is retried
   * even if the kick after commit fails or the object is evicted first.
   */
  arm(): void {
    this.ctx.schedules.at(RELAY_JOB, RELAY_REF, this.ctx.now() + retryDelayMs(this.status().failures + 1));
  }

  /** For deliveries left to the alarm (no kick): due within the retry delay, however busy the player is. */
  armNoLater(): void {
    this.ctx.schedules.noLaterThan(RELAY_JOB, RELAY_REF, this.ctx.now() + retryDelayMs(this.status().failures + 1));
  }

  /** On start-up: events nobody scheduled a delivery for (emitted before the relay existed) get one. */
  armIfBehind(): void {
    if (this.pending(this.status().after_seq, 1).length > 0 && this.ctx.profile()) this.arm();
  }

  /** Events for the back office after `afterSeq`, in outbox order. */
  private pending(afterSeq: number, limit: number) {
    return this.ctx.outbox.listExcept(afterSeq, limit, NOT_FOR_BACK_OFFICE);
  }

  /** Resolves when no delivery is running (tests, and anyone who must know the relay went quiet). */
  async settled(): Promise<void> {
    while (this.inflight) await this.inflight;
  }

  /** After a transaction that emitted events commits. While backing off from failures, the alarm retries instead. */
  afterCommit(): void {
    const s = this.status();
    if (s.failures > 0 && s.last_attempt_at !== null && this.ctx.now() < s.last_attempt_at + retryDelayMs(s.failures)) return;
    void this.kick();
  }

  /** Delivers what is pending, unless a delivery is running (that one then goes round once more). */
  kick(): Promise<void> {
    if (this.inflight) {
      this.again = true;
      return this.inflight;
    }
    this.again = false;
    this.inflight = this.drain().then((healthy) => {
      this.inflight = null;
      // Events that arrived while the last batch was in flight go now; after a failure, the alarm retries.
      if (healthy && this.again) void this.kick();
    });
    return this.inflight;
  }

  /** Sends batches until nothing is pending; false when a delivery failed. Never throws. */
  private async drain(): Promise<boolean> {
    try {
      for (let i = 0; i < DRAIN_BATCHES_MAX; i++) {
        const next = this.tx(() => this.nextBatch());
        if (!next) return true;
        const outcome = await this.send(next.batch);
        if (outcome !== null) {
          this.tx(() => this.failed(outcome));
          return false;
        }
        this.tx(() => this.acknowledged(next.last_seq));
      }
      return true; // more may be pending: the armed alarm continues
    } catch (err) {
      // Storage failed under us: the schedule armed with the events retries.
      console.error('relay: delivery aborted', err);
      return false;
    }
  }

  /** null on success, else why it failed. */
  private async send(batch: RelayBatch): Promise<string | null> {
    try {
      const res = await this.targetOf(batch.player.brand).ingest(batch);
      if (res && typeof res === 'object' && 'ok' in res && res.ok === false) return `refused: ${JSON.stringify(res).slice(0, ERROR_TEXT_MAX)}`;
      return null;
    } catch (err) {
      return String((err as Error)?.message ?? err).slice(0, ERROR_TEXT_MAX) || 'ingest failed';
    }
  }

  private nextBatch(): { batch: RelayBatch; last_seq: number } | null {
    const p = this.ctx.profile();
    const rows = p ? this.pending(this.status().after_seq, RELAY_BATCH_MAX) : [];
    if (!p || rows.length === 0) {
      // Caught up (in this transaction, so no event can slip in between): no retry needed, and the
      // alarm armed for it moves to what else is due (left armed, it woke the object for nothing a
      // few seconds after every relayed call: issue 15).
      this.ctx.schedules.cancel(RELAY_JOB, RELAY_REF);
      this.ctx.schedules.rearm();
      return null;
    }
    // A last batch also covers the left-out events up to the outbox's end (read in this
    // transaction): the cursor passes them, so later reads start after them.
    const last = rows.length < RELAY_BATCH_MAX ? this.ctx.outbox.lastSeq() : rows.at(-1)!.seq;
    return { batch: { player: playerSnapshot(p), events: rows.map((r) => r.event) }, last_seq: last };
  }

  private acknowledged(lastSeq: number): void {
    this.ctx.db.run`update relay_state set after_seq = max(after_seq, ${lastSeq}), failures = 0, last_error = null, last_attempt_at = ${this.ctx.now()} where id = 1`;
  }

  private failed(error: string): void {
    this.ctx.db.run`update relay_state set failures = failures + 1, last_error = ${error}, last_attempt_at = ${this.ctx.now()} where id = 1`;
    this.ctx.schedules.at(RELAY_JOB, RELAY_REF, this.ctx.now() + retryDelayMs(this.status().failures));
  }
}
