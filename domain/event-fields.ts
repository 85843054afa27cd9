/** Field schemas shared by every event payload map (domain/events.ts and the per-module maps it merges). */
import { z } from 'zod';
import { CURRENCIES, type Currency } from './money';

export const currency = z.enum(CURRENCIES as [Currency, ...Currency[]]);
export const amount = z.number().int().safe();
export const id = z.string().min(1).max(128);
