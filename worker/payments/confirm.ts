/** Applies a verified payment notification to the player's wallet (webhook and sandbox share this). */
import { isUuid } from '../../domain/ids';
import { ApiError, unwrap } from '../http/errors';
import { playerStub } from '../http/stubs';
import type { PaymentNotification } from './providers';

export async function applyPaymentNotification(env: Env, n: PaymentNotification) {
  if (!isUuid(n.player_id) || !isUuid(n.deposit_id)) throw new ApiError('deposit_not_found');
  return unwrap(await playerStub(env, n.player_id).confirmPayment(n));
}
