/**
 * The provider seamless wallet inside the player object: bets, wins and rollbacks of third-party
 * game providers, each keyed by the provider's transaction id and applied once. Everything goes
 * through the wallet's existing paths, so nothing about money is decided twice:
 *
 *   bet       a two-phase hold reserved and posted at once (hold id prov:<provider>:<tx_id>): real
 *             money first then bonus, wager and loss limits, exclusions and the session checked in
 *             the same transaction
 *   win       creditWin against the bet's hold (win id prov:<provider>:<tx_id>); 0 closes a round
 *   rollback  the bet voided by compensating entries (Disputes, resolution 'void', actor
 *             provider:<id>; ledger kind 'adjustment'), its RG usage given back; the ledger is never
 *             edited, and the disputes table lets a bet be voided once whoever asks (provider or support)
 *
 * A rollback of a transaction we never saw is recorded (state 'unmatched'): the bet, if it arrives
 * later, is refused. The first result of every transaction is kept and answers its replays; the same
 * id with a different request is a conflict. Refusals are not recorded: they changed nothing.
 */
import { fail, type Failure, type Result } from '../../domain/errors';
import {
  PROVIDER_ID_PATTERN, PROVIDER_REF_PATTERN, providerRef,
  type ProviderBalance, type ProviderBetInput, type ProviderRollbackInput, type ProviderTxKind, type ProviderTxResult, type ProviderWinInput,
} from '../../domain/provider/types';
import { isCurrency, type Currency } from '../../domain/money';
import type { PlayerContext } from './context';
import type { Disputes } from './disputes';
import type { Replayable } from './idempotency';
import type { Profile } from './profile';
import type { Sessions } from './sessions';
import type { Bucket, Wallet } from './wallet';

type TxState = 'applied' | 'rolled_back' | 'unmatched';

type TxRow = {
  provider_id: string;
  tx_id: string;
  kind: ProviderTxKind;
  round_id: string;
  game_id: string;
  currency: Currency;
  amount_minor: number;
  bet_tx_id: string | null;
  hold_id: string | null;
  state: TxState;
  fingerprint: string;
  result: string;
  created_at: number;
};

export type ProviderTxReply = Replayable<{ tx: ProviderTxResult }>;

type Deps = { wallet: Wallet; sessions: Sessions; profile: Profile; disputes: Disputes };

function fingerprint(kind: ProviderTxKind, i: { round_id: string; game_id: string; currency: string }, amount: number | null, betTxId: string | null): string {
  return JSON.stringify([kind, i.round_id, i.game_id, i.currency, amount, betTxId]);
}

/** The object checks what it is given, whoever calls it (the worker has validated already). */
function invalidInput(i: { provider_id: string; tx_id: string; round_id: string; game_id: string; currency: string; amount_minor?: number; bet_tx_id?: string | null }, minAmount: number): Failure | null {
  const bad = (path: string, message: string) => fail('validation_failed', `${path} ${message}`, { issues: [{ path, message }] });
  if (typeof i.provider_id !== 'string' || !PROVIDER_ID_PATTERN.test(i.provider_id)) return bad('provider_id', 'is not a provider id');
  for (const k of ['tx_id', 'round_id', 'game_id'] as const) {
    if (typeof i[k] !== 'string' || !PROVIDER_REF_PATTERN.test(i[k])) return bad(k, 'must be 1-64 characters of A-Z a-z 0-9 _ - : .');
  }
  if (i.bet_tx_id !== undefined && i.bet_tx_id !== null && (typeof i.bet_tx_id !== 'string' || !PROVIDER_REF_PATTERN.test(i.bet_tx_id))) return bad('bet_tx_id', 'must be 1-64 characters of A-Z a-z 0-9 _ - : .');
  if (typeof i.currency !== 'string' || !isCurrency(i.currency)) return bad('currency', 'is not a supported currency');
  if (i.amount_minor !== undefined && (!Number.isSafeInteger(i.amount_minor) || i.amount_minor < minAmount)) return bad('amount_minor', `must be an integer >= ${minAmount} below 2^53`);
  return null;
}

export class ProviderWallet {
  constructor(
    private readonly ctx: PlayerContext,
    private readonly deps: Deps,
  ) {}

  /** Available balance (real + bonus, not held) in a currency. Reads only. */
  balance(currency: Currency): Result<ProviderBalance> {
    const p = this.ctx.profile();
    if (!p) return fail('player_not_found');
    if (!isCurrency(currency)) return fail('unsupported_currency');
    return { ok: true, player_id: p.player_id, currency, balance_minor: this.available(currency) };
  }

  /**
   * A debit. `refusal` is the catalog's verdict on the game, decided by the worker: it answers only
   * new transactions (a replay returns its first result even if the game was disabled since).
   */
  bet(input: ProviderBetInput, refusal: Failure | null): ProviderTxReply {
    const invalid = invalidInput(input, 1);
    if (invalid) return invalid;
    if (!this.ctx.profile()) return fail('player_not_found');
    const seen = this.seen(input.provider_id, input.tx_id, fingerprint('bet', input, input.amount_minor, null));
    if (seen) return seen;
    const tombstone = this.rollbackOf(input.provider_id, input.tx_id);
    if (tombstone) return this.rolledBack(input.tx_id, tombstone.tx_id);
    if (refusal) return refusal;
    const auth = this.deps.sessions.authenticate(input.session_id);
    if (!auth.ok) return auth;
    const blocked = this.deps.profile.blockReason();
    if (blocked) return fail(blocked);

    const holdId = providerRef(input.provider_id, input.tx_id);
    const hold = this.deps.wallet.reserveHold({ hold_id: holdId, currency: input.currency, amount_minor: input.amount_minor, expires_at: null, ref: `${input.provider_id}:${input.round_id}` });
    if (!hold.ok) return hold;
    if (hold.replayed) throw new Error(`invariant: hold ${holdId} exists without its provider transaction`);
    const posted = this.deps.wallet.postHold(holdId);
    if (!posted.ok || posted.replayed) throw new Error(`invariant: hold ${holdId} just reserved could not be posted`);
    const tx = this.record(input, 'bet', { amount: input.amount_minor, betTxId: null, holdId, state: 'applied', fp: fingerprint('bet', input, input.amount_minor, null) });
    this.ctx.emit('provider.bet.debited', {
      provider_id: input.provider_id, game_id: input.game_id, tx_id: input.tx_id, round_id: input.round_id, amount_minor: input.amount_minor,
      hold_id: holdId, real_minor: hold.hold.real_minor, bonus_minor: hold.hold.bonus_minor, balance_after_minor: tx.balance_minor,
    }, input.currency);
    return { ok: true, tx, replayed: false };
  }

  /** A credit against a bet of the round that stands. Accepted whatever the session or exclusions: money owed is paid. */
  win(input: ProviderWinInput): ProviderTxReply {
    const invalid = invalidInput(input, 0);
    if (invalid) return invalid;
    if (!this.ctx.profile()) return fail('player_not_found');
    const fp = fingerprint('win', input, input.amount_minor, input.bet_tx_id);
    const seen = this.seen(input.provider_id, input.tx_id, fp);
    if (seen) return seen;
    const tombstone = this.rollbackOf(input.provider_id, input.tx_id);
    if (tombstone) return this.rolledBack(input.tx_id, tombstone.tx_id);
    const found = this.betFor(input);
    if (!found.ok) return found;
    const bet = found.bet;
    if (input.amount_minor > 0) {
      const h = this.deps.wallet.hold(bet.hold_id!)!;
      // Like table settlements: the win goes to real money unless the stake was entirely bonus.
      const bucket: Bucket = h.real_minor === 0 && h.bonus_minor > 0 ? 'bonus' : 'real';
      const credited = this.deps.wallet.creditWin({ win_id: providerRef(input.provider_id, input.tx_id), hold_id: bet.hold_id, currency: input.currency, amount_minor: input.amount_minor, bucket });
      if (!credited.ok) return credited;
      if (credited.replayed) throw new Error(`invariant: win ${input.tx_id} credited without its provider transaction`);
    }
    const tx = this.record(input, 'win', { amount: input.amount_minor, betTxId: bet.tx_id, holdId: null, state: 'applied', fp });
    this.ctx.emit('provider.win.credited', {
      provider_id: input.provider_id, game_id: input.game_id, tx_id: input.tx_id, round_id: input.round_id, amount_minor: input.amount_minor,
      bet_tx_id: bet.tx_id, balance_after_minor: tx.balance_minor,
    }, input.currency);
    return { ok: true, tx, replayed: false };
  }

  /** Gives a bet's stake back once; a rollback of an unknown bet is recorded so the bet is refused later. */
  rollback(input: ProviderRollbackInput): ProviderTxReply {
    const invalid = invalidInput(input, 0);
    if (invalid) return invalid;
    if (!this.ctx.profile()) return fail('player_not_found');
    const fp = fingerprint('rollback', input, null, input.bet_tx_id);
    const seen = this.seen(input.provider_id, input.tx_id, fp);
    if (seen) return seen;
    const bet = this.row(input.provider_id, input.bet_tx_id);
    const earlier = this.rollbackOf(input.provider_id, input.bet_tx_id);
    if (earlier) return this.rolledBack(input.bet_tx_id, earlier.tx_id);
    if (!bet) return this.recordUnmatched(input, fp);
    if (bet.kind !== 'bet') return fail('rollback_not_allowed', `${input.bet_tx_id} is a ${bet.kind}: only bets can be rolled back`, { bet_tx_id: input.bet_tx_id, kind: bet.kind });
    const mismatch = this.mismatch(bet, input);
    if (mismatch) return mismatch;
    const wins = this.deps.wallet.winsOf(bet.hold_id!);
    if (wins.real + wins.bonus > 0) {
      return fail('rollback_not_allowed', `bet ${bet.tx_id} was already settled with a win; a rollback must come before the win`, { bet_tx_id: bet.tx_id, won_minor: wins.real + wins.bonus });
    }
    // Support may have voided the bet already (a dispute): its stake is back, so this moves nothing.
    const voidedBySupport = this.deps.disputes.ofHold(bet.hold_id!).some((d) => d.resolution === 'void');
    let restored = 0;
    if (!voidedBySupport) {
      const expected = bet.amount_minor - this.deps.disputes.correctionsOf(bet.hold_id!); // back to before the bet
      const voided = this.deps.disputes.resolve({
        dispute_id: providerRef(input.provider_id, input.tx_id), hold_id: bet.hold_id!, resolution: 'void',
        reason: `provider rollback ${input.tx_id} of bet ${bet.tx_id}`, actor: `provider:${input.provider_id}`,
      }, 'provider');
      if (!voided.ok) return voided;
      restored = voided.dispute.amount_minor;
      if (restored !== expected) throw new Error(`invariant: rollback of ${bet.tx_id} restored ${restored}, expected ${expected}`);
    }
    this.ctx.db.run`update provider_txs set state = 'rolled_back' where provider_id = ${bet.provider_id} and tx_id = ${bet.tx_id}`;
    const tx = this.record(input, 'rollback', { amount: restored, betTxId: bet.tx_id, holdId: null, state: 'applied', fp });
    this.ctx.emit('provider.bet.rolled_back', {
      provider_id: input.provider_id, game_id: bet.game_id, tx_id: bet.tx_id, round_id: bet.round_id, amount_minor: restored,
      rollback_tx_id: input.tx_id, balance_after_minor: tx.balance_minor,
    }, input.currency);
    return { ok: true, tx, replayed: false };
  }

  /** Every provider transaction of this player is applied once: for the property test and audits. */
  transactions(limit = 1000): Omit<TxRow, 'result' | 'fingerprint'>[] {
    return this.ctx.db.all<TxRow>`select * from provider_txs order by created_at, rowid limit ${limit}`
      .map(({ result: _r, fingerprint: _f, ...row }) => row);
  }

  // ---- internals -----------------------------------------------------------------------------

  private row(providerId: string, txId: string): TxRow | null {
    return this.ctx.db.first<TxRow>`select * from provider_txs where provider_id = ${providerId} and tx_id = ${txId}`;
  }

  /** A rollback recorded against `txId` (the bet it names), matched or not. */
  private rollbackOf(providerId: string, txId: string): TxRow | null {
    return this.ctx.db.first<TxRow>`select * from provider_txs where provider_id = ${providerId} and bet_tx_id = ${txId} and kind = 'rollback' limit 1`;
  }

  /** A replay (the first result), a conflict, or null for a transaction id never used. */
  private seen(providerId: string, txId: string, fp: string): ProviderTxReply | null {
    const r = this.row(providerId, txId);
    if (!r) return null;
    if (r.fingerprint !== fp) {
      return fail('idempotency_conflict', `transaction ${txId} was used with a different request`, { tx_id: txId, kind: r.kind });
    }
    if (r.kind === 'bet' && r.state === 'rolled_back') return this.rolledBack(txId, this.rollbackOf(providerId, txId)?.tx_id ?? null);
    return { ok: true, tx: JSON.parse(r.result) as ProviderTxResult, replayed: true };
  }

  private rolledBack(txId: string, rollbackTxId: string | null): Failure {
    return fail('transaction_rolled_back', `transaction ${txId} was rolled back${rollbackTxId ? ` by ${rollbackTxId}` : ''}`, { tx_id: txId, rollback_tx_id: rollbackTxId });
  }

  /** The bet a win settles: the one named, or the latest of the round that stands. */
  private betFor(input: ProviderWinInput): Result<{ bet: TxRow }> {
    let bet: TxRow | null;
    if (input.bet_tx_id !== null) {
      bet = this.row(input.provider_id, input.bet_tx_id);
      if (!bet) {
        const tombstone = this.rollbackOf(input.provider_id, input.bet_tx_id);
        return tombstone ? this.rolledBack(input.bet_tx_id, tombstone.tx_id) : fail('transaction_not_found', `no bet ${input.bet_tx_id}`, { bet_tx_id: input.bet_tx_id });
      }
      if (bet.kind !== 'bet') return fail('transaction_not_found', `${input.bet_tx_id} is a ${bet.kind}, not a bet`, { bet_tx_id: input.bet_tx_id });
    } else {
      const bets = this.ctx.db.all<TxRow>`select * from provider_txs where provider_id = ${input.provider_id} and round_id = ${input.round_id} and kind = 'bet'
        order by created_at desc, rowid desc limit 50`;
      bet = bets.find((b) => b.state === 'applied') ?? null;
      if (!bet) {
        return bets.length > 0 ? this.rolledBack(bets[0]!.tx_id, this.rollbackOf(input.provider_id, bets[0]!.tx_id)?.tx_id ?? null)
          : fail('transaction_not_found', `no bet in round ${input.round_id}`, { round_id: input.round_id });
      }
    }
    if (bet.state === 'rolled_back') return this.rolledBack(bet.tx_id, this.rollbackOf(input.provider_id, bet.tx_id)?.tx_id ?? null);
    if (this.deps.disputes.ofHold(bet.hold_id!).some((d) => d.resolution === 'void')) {
      return fail('transaction_rolled_back', `bet ${bet.tx_id} was voided by support`, { tx_id: bet.tx_id, rollback_tx_id: null });
    }
    const mismatch = this.mismatch(bet, input);
    return mismatch ?? { ok: true, bet };
  }

  private mismatch(bet: TxRow, i: { round_id: string; game_id: string; currency: Currency }): Failure | null {
    if (bet.round_id === i.round_id && bet.game_id === i.game_id && bet.currency === i.currency) return null;
    return fail('invalid_state', `bet ${bet.tx_id} was placed in round ${bet.round_id} of ${bet.game_id} in ${bet.currency}`, {
      bet_tx_id: bet.tx_id, round_id: bet.round_id, game_id: bet.game_id, currency: bet.currency,
    });
  }

  private recordUnmatched(input: ProviderRollbackInput, fp: string): ProviderTxReply {
    const tx = this.record(input, 'rollback', { amount: 0, betTxId: input.bet_tx_id, holdId: null, state: 'unmatched', fp });
    this.ctx.emit('provider.rollback.unmatched', {
      provider_id: input.provider_id, game_id: input.game_id, tx_id: input.bet_tx_id, round_id: input.round_id, amount_minor: 0, rollback_tx_id: input.tx_id,
    }, input.currency);
    return { ok: true, tx, replayed: false };
  }

  private record(
    input: { provider_id: string; tx_id: string; round_id: string; game_id: string; currency: Currency },
    kind: ProviderTxKind,
    o: { amount: number; betTxId: string | null; holdId: string | null; state: TxState; fp: string },
  ): ProviderTxResult {
    const now = this.ctx.now();
    const tx: ProviderTxResult = {
      tx_id: input.tx_id, kind, player_id: this.ctx.profile()!.player_id, round_id: input.round_id, game_id: input.game_id, currency: input.currency,
      amount_minor: o.amount, bet_tx_id: o.betTxId, unmatched: o.state === 'unmatched', balance_minor: this.available(input.currency), created_at: now,
    };
    this.ctx.db.run`insert into provider_txs (provider_id, tx_id, kind, round_id, game_id, currency, amount_minor, bet_tx_id, hold_id, state, fingerprint, result, created_at)
      values (${input.provider_id}, ${input.tx_id}, ${kind}, ${input.round_id}, ${input.game_id}, ${input.currency}, ${o.amount}, ${o.betTxId},
      ${o.holdId}, ${o.state}, ${o.fp}, ${JSON.stringify(tx)}, ${now})`;
    return tx;
  }

  private available(currency: Currency): number {
    return this.deps.wallet.availableIn(currency, 'real') + this.deps.wallet.availableIn(currency, 'bonus');
  }
}
