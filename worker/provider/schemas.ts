/** Request and response schemas of the seamless-wallet API, with the examples the OpenAPI document shows. */
import { z } from '@hono/zod-openapi';
import { PROVIDER_REF_PATTERN } from '../../domain/provider/types';
import { CurrencyCode } from '../schemas';

const EXAMPLE_TOKEN = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzaWQiOiIwMTkzYTJiNC0uLi4ifQ.c2lnbmF0dXJl';
const EXAMPLE_PLAYER = '0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b';
/** HMAC of the bet example below (docs/provider-api.md works it out; a test recomputes it). */
export const EXAMPLE_BET_SIGNATURE = '12d740f9c8e1dfdaed2f37a46415996c5edb32c9eec46c7bdc5ff49a0519043e';

const Ref = (description: string, example: string) => z.string().regex(PROVIDER_REF_PATTERN).openapi({ description, example });

const TxId = Ref('Your transaction id: unique per provider across bets, wins and rollbacks; applied once (1-64 of A-Z a-z 0-9 _ - : .)', 'tx-8812731');
const RoundId = Ref('Your round id', 'round-55120');
const GameId = Ref('Game id of the catalog (one of your games)', 'sandbox-starfall-fortune');
const LaunchToken = z.string().min(1).max(4096).openapi({ description: 'The launch token the player\'s game launch gave you', example: EXAMPLE_TOKEN });
const PlayerId = z.uuid().openapi({ description: 'The player (from the balance or bet answer, or the token\'s subject)', example: EXAMPLE_PLAYER });
const Stake = z.number().int().positive().max(Number.MAX_SAFE_INTEGER).openapi({ description: 'Stake in minor units', example: 100 });
const Payout = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).openapi({ description: 'Payout in minor units; 0 closes a losing round', example: 250 });

export const BalanceRequest = z.strictObject({ token: LaunchToken }).openapi('ProviderBalanceRequest', { example: { token: EXAMPLE_TOKEN } });

export const BetRequest = z.strictObject({
  token: LaunchToken, tx_id: TxId, round_id: RoundId, game_id: GameId, currency: CurrencyCode, amount_minor: Stake,
}).openapi('ProviderBetRequest', {
  example: { token: EXAMPLE_TOKEN, tx_id: 'tx-8812731', round_id: 'round-55120', game_id: 'sandbox-starfall-fortune', currency: 'EUR', amount_minor: 100 },
});

export const WinRequest = z.strictObject({
  player_id: PlayerId, token: LaunchToken.optional(), tx_id: TxId, round_id: RoundId, game_id: GameId, currency: CurrencyCode, amount_minor: Payout,
  bet_tx_id: Ref('The bet this win settles; without it, the latest bet of the round that stands', 'tx-8812731').optional(),
}).openapi('ProviderWinRequest', {
  example: { player_id: EXAMPLE_PLAYER, tx_id: 'tx-8812732', round_id: 'round-55120', game_id: 'sandbox-starfall-fortune', currency: 'EUR', amount_minor: 250, bet_tx_id: 'tx-8812731' },
});

export const RollbackRequest = z.strictObject({
  player_id: PlayerId, token: LaunchToken.optional(),
  tx_id: Ref('Your id of this rollback (its own id, not the bet\'s)', 'tx-8812733'),
  bet_tx_id: Ref('The bet to roll back', 'tx-8812731'),
  round_id: RoundId, game_id: GameId, currency: CurrencyCode,
}).openapi('ProviderRollbackRequest', {
  example: { player_id: EXAMPLE_PLAYER, tx_id: 'tx-8812733', bet_tx_id: 'tx-8812731', round_id: 'round-55120', game_id: 'sandbox-starfall-fortune', currency: 'EUR' },
});

export const BalanceResponse = z.object({
  player_id: z.string(),
  currency: z.string(),
  balance_minor: z.number().openapi({ description: 'Available balance (real + bonus, not held) in minor units' }),
}).openapi('ProviderBalance', { example: { player_id: EXAMPLE_PLAYER, currency: 'EUR', balance_minor: 24900 } });

export const TransactionResponse = z.object({
  tx_id: z.string(),
  kind: z.enum(['bet', 'win', 'rollback']),
  player_id: z.string(),
  round_id: z.string(),
  game_id: z.string(),
  currency: z.string(),
  amount_minor: z.number().openapi({ description: 'Money this transaction moved: the stake debited, the win credited, the stake given back (0: none)' }),
  bet_tx_id: z.string().nullable().openapi({ description: 'Win: the bet it settled. Rollback: the bet it names' }),
  unmatched: z.boolean().openapi({ description: 'Rollback of a bet we never received: recorded, and that bet will be refused (409 transaction_rolled_back)' }),
  balance_minor: z.number().openapi({ description: 'Available balance right after this transaction (a replay answers the same figure)' }),
  created_at: z.number().openapi({ description: 'When we applied it (unix ms)' }),
  replayed: z.boolean().openapi({ description: 'true when this answers a repeat of a transaction already applied' }),
}).openapi('ProviderTransaction', {
  example: {
    tx_id: 'tx-8812731', kind: 'bet', player_id: EXAMPLE_PLAYER, round_id: 'round-55120', game_id: 'sandbox-starfall-fortune', currency: 'EUR',
    amount_minor: 100, bet_tx_id: null, unmatched: false, balance_minor: 24800, created_at: 1763722800000, replayed: false,
  },
});

export const SignatureHeaders = z.object({
  'x-timestamp': z.string().openapi({ description: 'Unix time in seconds when you signed; more than 5 minutes from our clock is 401 request_expired', example: '1763722800' }),
  'x-signature': z.string().openapi({
    description: 'sha256=<hex HMAC-SHA256(secret, "<X-Timestamp>.<action>.<raw body>")>, action = the last path segment. The example signs the '
      + 'ProviderBetRequest example (JSON.stringify, keys in that order) at X-Timestamp 1763722800 with the secret "example-secret-for-docs-0123456789abcdef"',
    example: `sha256=${EXAMPLE_BET_SIGNATURE}`,
  }),
});

export const LaunchRequest = z.strictObject({
  currency: CurrencyCode.optional().openapi({ description: 'Currency to play in; default the player\'s home currency' }),
}).openapi('GameLaunchRequest');

export const LaunchResponse = z.object({
  token: z.string().openapi({ description: 'Hand this to the provider\'s game client; it sends it back with balance and bet' }),
  expires_at: z.number().openapi({ description: 'Unix ms; at the latest when the session reaches its maximum length' }),
  player_id: z.string(),
  game_id: z.string(),
  provider_id: z.string(),
  currency: z.string(),
  bet_limit: z.object({ min_minor: z.number(), max_minor: z.number() }),
}).openapi('GameLaunch', {
  example: {
    token: EXAMPLE_TOKEN, expires_at: 1763766000000, player_id: EXAMPLE_PLAYER, game_id: 'sandbox-starfall-fortune', provider_id: 'sandbox-slots',
    currency: 'EUR', bet_limit: { min_minor: 10, max_minor: 10000 },
  },
});
