/** Worker entry: the HTTP app plus the Durable Object classes it binds. */
import { createApp } from './app';

export { PlayerDO } from '../durable/player/player-do';
export { DirectoryDO } from '../durable/directory/directory-do';
export { RateLimiterDO } from '../durable/rate-limiter/rate-limiter-do';

const app = createApp();

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
