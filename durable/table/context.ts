/** What every part of a table object shares: database, outbox, schedules, clock, and its configuration. */
import type { EventPayload, EventType } from '../../domain/events';
import { gameRules } from '../../domain/games';
import type { GameRules } from '../../domain/games/types';
import type { Currency } from '../../domain/money';
import { ObjectContext } from '../lib/object-context';
import type { TableConfig } from './config';

export type BetSubject = { round_id: string; player_id?: string | null; jurisdiction?: string | null; currency?: Currency | null };

export class TableContext extends ObjectContext {
  private readonly oneShot: GameRules | null;

  constructor(storage: DurableObjectStorage, readonly table: TableConfig) {
    super(storage);
    this.oneShot = table.game === 'blackjack' ? null : gameRules(table.game);
  }

  /**
   * The rules of a one-shot game (roulette, baccarat: one bet phase, one outcome). Blackjack tables
   * never reach the code that asks (TableDO routes their bets and results to durable/table/blackjack/).
   */
  get rules(): GameRules {
    if (!this.oneShot) throw new Error(`invariant: table ${this.table.table_id} plays ${this.table.game}, not a one-shot game`);
    return this.oneShot;
  }

  emit<T extends EventType>(type: T, payload: EventPayload<T>, subject: BetSubject): void {
    this.outbox.emit(type, payload, { table_id: this.table.table_id, ...subject }, this.now());
  }

  /** Many events of this table in one insert (see Outbox.emitMany). */
  emitMany<T extends EventType>(events: readonly { type: T; payload: EventPayload<T>; subject: BetSubject }[]): void {
    this.outbox.emitMany(events.map((e) => ({ ...e, subject: { table_id: this.table.table_id, ...e.subject } })), this.now());
  }
}
