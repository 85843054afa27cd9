/** Live tables for players: list, state, bets, WebSocket, public round verification data (being built). */
import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../http/app-env';
import { validationHook } from '../http/validation';

export const tables = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
