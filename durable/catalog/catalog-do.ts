/** CatalogDO: the game catalog (being built). */
import { DurableObject } from 'cloudflare:workers';

export class CatalogDO extends DurableObject<Env> {}
