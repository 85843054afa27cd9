/**
 * The Hono application: middleware (request id, body limit, geo), the /v1 routes, the OpenAPI
 * document, and the one error handler.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { requestId } from 'hono/request-id';
import { isDevelopment, type AppEnv } from './http/app-env';
import { ApiError, errorResponse, onError } from './http/errors';
import { resolveGeo } from './http/geo';
import { validationHook } from './http/validation';
import { withoutDevelopmentOperations, withUnsupportedMediaType } from './openapi';
import { dashboards } from './routes/dashboards';
import { dev } from './routes/dev';
import { gameLaunch } from './routes/game-launch';
import { internal } from './routes/internal';
import { games } from './routes/games';
import { opsBrands } from './routes/ops/brands';
import { opsCatalog } from './routes/ops/catalog';
import { opsOperators } from './routes/ops/operators';
import { opsPlayers } from './routes/ops/players';
import { opsSessions } from './routes/ops/sessions';
import { opsSso } from './routes/ops/sso';
import { opsTables } from './routes/ops/tables';
import { opsRewards, RULE_SET_UPLOAD_PATH } from './routes/ops/rewards';
import { opsTournaments } from './routes/ops/tournaments';
import { panel } from './panel';
import { payments } from './routes/payments';
import { players } from './routes/players';
import { provider } from './routes/provider';
import { responsibleGaming } from './routes/responsible-gaming';
import { rewards } from './routes/rewards';
import { sessions } from './routes/sessions';
import { system } from './routes/system';
import { tables } from './routes/tables';
import { tournaments } from './routes/tournaments';
import { blackjack } from './routes/blackjack';
import { wallet } from './routes/wallet';
import { widget } from './widget';

/** Requests bigger than this are refused before parsing (no legitimate body comes close). */
export const BODY_LIMIT_BYTES = 16 * 1024;

export function createApp() {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.use('*', requestId({ headerName: 'X-Request-Id' }));
  const defaultBodyLimit = bodyLimit({ maxSize: BODY_LIMIT_BYTES, onError: () => { throw new ApiError('payload_too_large', `bodies are limited to ${BODY_LIMIT_BYTES} bytes`); } });
  // /internal/ routes set their own limit (a warehouse batch is bigger than any client body), and so does a rule set's upload.
  app.use('*', (c, next) => (c.req.path.startsWith('/internal/') || RULE_SET_UPLOAD_PATH.test(c.req.path) ? next() : defaultBodyLimit(c, next)));
  app.use('*', resolveGeo);

  const v1 = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  v1.route('/', system);
  v1.route('/', players);
  v1.route('/', sessions);
  v1.route('/', wallet);
  v1.route('/', rewards);
  v1.route('/', responsibleGaming);
  v1.route('/', payments);
  v1.route('/', games);
  v1.route('/', gameLaunch);
  v1.route('/', tables);
  v1.route('/', tournaments);
  v1.route('/', blackjack);
  v1.route('/', provider);
  v1.route('/', dev);
  app.route('/v1', v1);

  // The back office: operator sessions, operator management, players, brand-wide views.
  const ops = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  ops.route('/', opsSessions);
  ops.route('/', opsSso);
  ops.route('/', opsOperators);
  ops.route('/', opsPlayers);
  ops.route('/', opsBrands);
  ops.route('/', opsCatalog);
  ops.route('/', opsTables);
  ops.route('/', opsRewards);
  ops.route('/', opsTournaments);
  app.route('/v1/ops', ops);
  app.route('/ops', panel);
  // The player widget (<casino-rewards>) and its demo page: docs/rewards.md "Widget".
  app.route('/widget', widget);
  // The executive dashboards' static builds, behind the back office's session (dashboard.read, per brand).
  app.route('/dashboards', dashboards);
  // Called by our own warehouse with its own secret; not in the OpenAPI document (a plain Hono router).
  app.route('/internal/v1', internal);

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  const documentConfig = {
    openapi: '3.1.0',
    info: {
      title: 'Edge Casino API',
      version: '1.0.0',
      description: 'Player accounts, sessions, wallet and responsible gaming. Amounts are integers in minor units. '
        + 'Errors share one shape: {"error":{"code","message","details"}} with stable codes. Every response carries X-Request-Id.',
    },
    servers: [{ url: '/' }],
  };
  // Development-only routes are described only where they are served; every body may be a 415.
  app.get('/v1/openapi.json', (c) => {
    const doc = withUnsupportedMediaType(app.getOpenAPI31Document(documentConfig), { $ref: '#/components/schemas/Error' });
    return c.json(isDevelopment(c.env) ? doc : withoutDevelopmentOperations(doc));
  });

  app.notFound((c) => errorResponse(c, new ApiError('not_found', `no route ${c.req.method} ${new URL(c.req.url).pathname}`)));
  app.onError(onError);
  return app;
}
