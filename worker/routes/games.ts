/** The player lobby: games and categories available in the player's jurisdiction (being built). */
import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../http/app-env';
import { validationHook } from '../http/validation';

export const games = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
