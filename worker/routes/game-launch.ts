/** Game launch: a player opens a provider game and gets a launch token for the provider (being built). */
import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../http/app-env';
import { validationHook } from '../http/validation';

export const gameLaunch = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
