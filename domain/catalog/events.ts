/** Payload schemas of the game catalog events: every configuration change (emitted by CatalogDO). Merged into EVENT_PAYLOADS (domain/events.ts). */
import { z } from 'zod';
import { amount, id } from '../event-fields';

export const CATALOG_EVENTS = {
} as const satisfies Record<string, z.ZodObject>;
void amount; void id;
