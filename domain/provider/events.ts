/** Payload schemas of the provider seamless-wallet transactions (emitted by PlayerDO). Merged into EVENT_PAYLOADS (domain/events.ts). */
import { z } from 'zod';
import { amount, id } from '../event-fields';

export const PROVIDER_EVENTS = {
} as const satisfies Record<string, z.ZodObject>;
void amount; void id;
