/** Back-office state of one brand: player index, work queues, anomaly alerts. (being built) */
import { DurableObject } from 'cloudflare:workers';

export class BrandOpsDO extends DurableObject<Env> {}
