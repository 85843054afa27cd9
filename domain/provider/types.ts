/**
 * The provider seamless wallet's shapes, shared by the worker (routes, signature and launch token)
 * and the player object (durable/player/provider-wallet.ts). A transaction is identified by the
 * provider's own id, unique per provider: (provider_id, tx_id) applies once, whatever its kind.
 */
import type { Currency } from '../money';

export type ProviderTxKind = 'bet' | 'win' | 'rollback';

/** Bounds on provider-chosen ids (tx, round, game): they end up in hold/win ids and events (<= 128). */
export const PROVIDER_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,31}$/;
export const PROVIDER_REF_PATTERN = /^[A-Za-z0-9_\-:.]{1,64}$/;

/** Hold and win ids of provider transactions: one namespace per provider. */
export function providerRef(providerId: string, txId: string): string {
  return `prov:${providerId}:${txId}`;
}

export type ProviderBetInput = {
  provider_id: string;
  /** The player's session the launch token was issued for: a bet needs it to be open. */
  session_id: string;
  tx_id: string;
  round_id: string;
  game_id: string;
  currency: Currency;
  amount_minor: number;
};

export type ProviderWinInput = {
  provider_id: string;
  tx_id: string;
  round_id: string;
  game_id: string;
  currency: Currency;
  /** 0 closes a round without a payout (recorded, no ledger entry). */
  amount_minor: number;
  /** The bet this win settles; null: the latest bet of the round that stands. */
  bet_tx_id: string | null;
};

export type ProviderRollbackInput = {
  provider_id: string;
  tx_id: string;
  bet_tx_id: string;
  round_id: string;
  game_id: string;
  currency: Currency;
};

/** What every transaction answers (and a replay answers again, unchanged). */
export type ProviderTxResult = {
  tx_id: string;
  kind: ProviderTxKind;
  player_id: string;
  round_id: string;
  game_id: string;
  currency: Currency;
  /** The money this transaction moved: stake debited, win credited, stake given back (0: none). */
  amount_minor: number;
  /** Win and rollback: the bet they refer to (for a win, the bet it was settled against). */
  bet_tx_id: string | null;
  /** Rollback of a bet we never saw: recorded, so that the bet is refused if it arrives later. */
  unmatched: boolean;
  /** Available balance (real + bonus, not held) in `currency` right after the transaction. */
  balance_minor: number;
  created_at: number;
};

export type ProviderBalance = { player_id: string; currency: Currency; balance_minor: number };
