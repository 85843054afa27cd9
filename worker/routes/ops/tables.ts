/** Live tables in the back office: dealer actions, voids, rounds, observed RTP (being built). */
import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../http/app-env';
import { validationHook } from '../../http/validation';

export const opsTables = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
