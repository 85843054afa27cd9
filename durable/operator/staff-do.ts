/** The staff directory: operator emails and SSO subjects to operator ids, and the list of operators. (being built) */
import { DurableObject } from 'cloudflare:workers';

export class StaffDO extends DurableObject<Env> {}
