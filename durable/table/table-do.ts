/** TableDO: one Durable Object per live table (being built). */
import { DurableObject } from 'cloudflare:workers';

export class TableDO extends DurableObject<Env> {}
