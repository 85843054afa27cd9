/** The game catalog in the back office: providers, games, categories, RTP monitor (being built). */
import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../http/app-env';
import { validationHook } from '../../http/validation';

export const opsCatalog = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
