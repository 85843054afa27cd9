/** The provider seamless-wallet API: balance, bet, win, rollback (HMAC-signed) (being built). */
import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../http/app-env';
import { validationHook } from '../http/validation';

export const provider = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
