/** The audit log of one brand and UTC day (hash-chained, append-only). (being built) */
import { DurableObject } from 'cloudflare:workers';

export class AuditDO extends DurableObject<Env> {}
