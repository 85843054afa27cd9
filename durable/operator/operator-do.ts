/** One back-office operator: credentials, TOTP, recovery codes, sessions, lockout. (being built) */
import { DurableObject } from 'cloudflare:workers';

export class OperatorDO extends DurableObject<Env> {}
