/**
 * What the brand's back office reads of a player's events: the one list that both sides derive
 * from, so that they cannot drift apart.
 *
 * - BrandOpsDO's ingest (ingest.ts) has a handler for every type listed here with something it
 *   feeds, and for no other: its handler table is typed by this list (a missing or an extra
 *   handler does not compile).
 * - The player's relay leaves out the types listed as feeding 'nothing' (NOT_FOR_BACK_OFFICE):
 *   a bet's two-phase steps and a deposit's request, most of a player's events by count. None
 *   changes the player snapshot either (every profile change has its own `player.*` or `rg.*`
 *   event). Why leave them out: every relayed transaction costs the player ~9 statements of relay
 *   bookkeeping and the one back-office object of the brand an ingest (bench E3, issue 15), for
 *   events it would only deduplicate. The warehouse still gets every event (the outbox shipper).
 * - A type not listed is relayed and only deduplicated by the back office: its delivery carries
 *   the player's fresh snapshot (search, status, VIP, the KYC queue), which is what the back office
 *   reads of it. So a new event reaches the back office unless it is decided here.
 */
import { EVENT_TYPES, type EventType } from '../../domain/events';

/** What an event type feeds in the back office; 'nothing': it is not relayed at all. */
export type BackOfficeRead =
  | 'kyc_queue' // the KYC queue's pending-since (player-index.ts)
  | 'withdrawal_queue' // queues.ts (a request also feeds the rapid deposit-withdraw rule)
  | 'adjustment_queue' // queues.ts
  | 'anomaly_rules' // anomaly-rules.ts
  | 'game_stats' // game-stats.ts: the provider games' RTP buckets
  | 'nothing';

export const BACK_OFFICE_READS = {
  'player.kyc.changed': 'kyc_queue',
  'player.login.failed': 'anomaly_rules',
  'wallet.deposit.completed': 'anomaly_rules',
  'wallet.withdrawal.requested': 'withdrawal_queue',
  'wallet.withdrawal.approved': 'withdrawal_queue',
  'wallet.withdrawal.rejected': 'withdrawal_queue',
  'wallet.withdrawal.paid': 'withdrawal_queue',
  'wallet.withdrawal.cancelled': 'withdrawal_queue',
  'wallet.win.credited': 'anomaly_rules',
  'backoffice.adjustment.requested': 'adjustment_queue',
  'backoffice.adjustment.applied': 'adjustment_queue',
  'backoffice.adjustment.rejected': 'adjustment_queue',
  'provider.bet.debited': 'game_stats',
  'provider.win.credited': 'game_stats',
  'provider.bet.rolled_back': 'game_stats',
  'wallet.hold.reserved': 'nothing',
  'wallet.hold.posted': 'nothing',
  'wallet.hold.voided': 'nothing',
  'wallet.hold.expired': 'nothing',
  'wallet.deposit.requested': 'nothing',
  // rewards outcomes ride on bets: relaying them would cost every rewarded bet the relay's bookkeeping; the warehouse gets them
  'rewards.granted': 'nothing',
  'rewards.suppressed': 'nothing',
  'rewards.assigned': 'nothing',
  'rewards.level_up': 'nothing',
  'rewards.mission_expired': 'nothing',
  'rewards.break_suggested': 'nothing',
} as const satisfies Partial<Record<EventType, BackOfficeRead>>;

type Reads = typeof BACK_OFFICE_READS;

/** The event types the ingest applies (one handler each in ingest.ts). */
export type IngestedEventType = { [T in keyof Reads]: Reads[T] extends 'nothing' ? never : T }[keyof Reads];

const readOf: Partial<Record<EventType, BackOfficeRead>> = BACK_OFFICE_READS;

/** What the back office reads of an event type; null for a type it only deduplicates. */
export function backOfficeRead(eventType: EventType): BackOfficeRead | null {
  return readOf[eventType] ?? null;
}

/** The event types the relay leaves out. */
export const NOT_FOR_BACK_OFFICE: readonly EventType[] = Object.freeze(EVENT_TYPES.filter((t) => readOf[t] === 'nothing'));

const notForBackOffice: ReadonlySet<string> = new Set(NOT_FOR_BACK_OFFICE);

/** Whether the relay carries events of this type to the brand's back office. */
export function forBackOffice(eventType: string): boolean {
  return !notForBackOffice.has(eventType);
}
