/** The back-office panel: web pages served by the worker under /ops (being built). */
import { Hono } from 'hono';
import type { AppEnv } from '../http/app-env';

export const panel = new Hono<AppEnv>();
