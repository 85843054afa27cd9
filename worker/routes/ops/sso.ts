/** Operator sign-in through the company's OpenID Connect provider (being built). */
import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../http/app-env';
import { validationHook } from '../../http/validation';

export const opsSso = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
