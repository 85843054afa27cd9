/** Registration, login, sessions, geo-blocking and login throttling through real HTTP and RPC. */
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BRAND } from '../../domain/brands';
import { IDLE_TIMEOUT_MS, SESSION_MAX_MS } from '../../durable/player/sessions';
import { validateEvent } from '../../domain/events';
import type { PlayerDO } from '../../durable/player/player-do';
import { call, expectError, internals, player, register, uniqueEmail, advance } from './helpers';


async function eventTypes(playerId: string): Promise<string[]> {
  return (await player(playerId).outbox(0, 1000)).map((r) => r.event.event_type);
}

describe('registration', () => {
  it('registers into the jurisdiction of residence and returns a working session token', async () => {
    const p = await register({ country: 'FI', acquisition_source: 'affiliate.x' });
    expect(p.body.player).toMatchObject({ jurisdiction: 'MT', currency: 'EUR', status: 'active', kyc_status: 'none', country: 'FI' });
    expect(p.body.token.split('.')).toHaveLength(3);
    const me = await call('GET', '/v1/players/me', undefined, { token: p.token });
    expect(me.status).toBe(200);
    expect(me.body.player.email).toBe(p.email.toLowerCase());
    expect(await eventTypes(p.playerId)).toEqual(['player.registered', 'player.login.succeeded']);
  });

  it('refuses a duplicate email, case-insensitively, without creating anything', async () => {
    const p = await register();
    const again = await call('POST', '/v1/players', { email: p.email.toUpperCase(), password: 'another password', date_of_birth: '1985-02-02', country: 'MT' });
    expectError(again, 409, 'email_taken');
    const login = await call('POST', '/v1/sessions', { email: p.email, password: p.password });
    expect(login.status).toBe(201);
    expect(login.body.player.player_id).toBe(p.playerId);
  });

  it('applies the age gate per jurisdiction (18 in Malta, 21 in Greece)', async () => {
    const dob20 = `${new Date().getUTCFullYear() - 20}-01-01`;
    expect((await register({ date_of_birth: dob20 })).body.player.jurisdiction).toBe('MT');
    const email = uniqueEmail();
    const gr = await call('POST', '/v1/players', { email, password: 'long enough pw', date_of_birth: dob20, country: 'GR' }, { country: 'GR' });
    expectError(gr, 422, 'underage');
    expect(gr.body.error.details.min_age).toBe(21);
    const dob17 = `${new Date().getUTCFullYear() - 17}-01-01`;
    expectError(await call('POST', '/v1/players', { email: uniqueEmail(), password: 'long enough pw', date_of_birth: dob17, country: 'MT' }), 422, 'underage');
    // the refused email is still free
    expect((await register({ email, date_of_birth: '1980-01-01', country: 'GR' }, { country: 'GR' })).body.player.jurisdiction).toBe('GR');
  });

  it('refuses currencies the jurisdiction does not offer, and unlicensed residence', async () => {
    expectError(await call('POST', '/v1/players', { email: uniqueEmail(), password: 'long enough pw', date_of_birth: '1990-01-01', country: 'MT', currency: 'JPY' }), 422, 'unsupported_currency');
    expectError(await call('POST', '/v1/players', { email: uniqueEmail(), password: 'long enough pw', date_of_birth: '1990-01-01', country: 'ZA' }), 451, 'jurisdiction_unavailable');
    const jp = await register({ country: 'JP', currency: 'JPY' }, { country: 'JP' });
    expect(jp.body.player).toMatchObject({ jurisdiction: 'CW', currency: 'JPY' });
  });
});

describe('device of a login', () => {
  const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
  const WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

  async function logins(playerId: string) {
    const events = (await player(playerId).outbox(0, 1000)).map((r) => r.event).filter((e) => e.event_type === 'player.login.succeeded');
    for (const e of events) expect(validateEvent(e)).toMatchObject({ ok: true });
    return events;
  }

  async function sessionDevices(playerId: string) {
    return runInDurableObject(player(playerId), (o: PlayerDO) => internals(o).c.db.all<{ device: string }>`select device from sessions order by created_at, session_id`.map((r) => r.device));
  }

  it('a login with a phone\'s User-Agent emits device mobile, and its session keeps it', async () => {
    const p = await register({}, { headers: { 'User-Agent': WINDOWS } });
    const login = await call('POST', '/v1/sessions', { email: p.email, password: p.password }, { headers: { 'User-Agent': IPHONE } });
    expect(login.status).toBe(201);
    const events = await logins(p.playerId);
    expect(events.map((e) => e.payload.device)).toEqual(['desktop', 'mobile']); // registration opened the first session, on the desktop
    expect(events[1]!.payload.session_id).toBe(login.body.session.session_id);
    expect(await sessionDevices(p.playerId)).toEqual(['desktop', 'mobile']);
  });

  it('no User-Agent is unknown; our app\'s X-Client header is app, whatever its web view\'s User-Agent', async () => {
    const p = await register();
    await call('POST', '/v1/sessions', { email: p.email, password: p.password }, { headers: { 'User-Agent': IPHONE, 'X-Client': 'app/ios/4.12.0' } });
    await call('POST', '/v1/sessions', { email: p.email, password: p.password }, { headers: { 'User-Agent': 'curl/8.5.0' } });
    expect((await logins(p.playerId)).map((e) => e.payload.device)).toEqual(['unknown', 'app', 'unknown']);
  });
});

describe('brands', () => {
  it('registers into the brand asked for, shows it to the player and carries it on player.registered', async () => {
    const p = await register({ brand: 'sakura' });
    expect(p.body.player.brand).toBe('sakura');
    const me = await call('GET', '/v1/players/me', undefined, { token: p.token });
    expect(me.body.player.brand).toBe('sakura');
    expect(me.body.player).not.toHaveProperty('vip');
    const registered = (await player(p.playerId).outbox(0, 10)).find((r) => r.event.event_type === 'player.registered')!;
    expect(registered.event.payload.brand).toBe('sakura');
  });

  it('defaults to the default brand', async () => {
    const p = await register();
    expect(p.body.player.brand).toBe(DEFAULT_BRAND);
    expect((await player(p.playerId).outbox(0, 10))[0]!.event.payload.brand).toBe(DEFAULT_BRAND);
  });

  it('refuses an unknown brand with 400 and creates nothing', async () => {
    const email = uniqueEmail();
    for (const brand of ['nope', '', 'SAKURA', 7]) {
      const r = await call('POST', '/v1/players', { email, password: 'long enough pw', date_of_birth: '1990-01-01', country: 'MT', brand });
      expectError(r, 400, 'validation_failed');
      expect(r.body.error.details.issues.map((i: { path: string }) => i.path)).toEqual(['brand']);
    }
    // the email was never claimed
    expect((await register({ email, brand: 'aurora' })).body.player.brand).toBe('aurora');
  });
});

describe('geo-blocking', () => {
  it('answers 451 on player routes from a blocked country and refuses registration from there', async () => {
    const p = await register();
    const me = await call('GET', '/v1/players/me', undefined, { token: p.token, country: 'US' });
    expectError(me, 451, 'geo_blocked');
    const reg = await call('POST', '/v1/players', { email: uniqueEmail(), password: 'long enough pw', date_of_birth: '1990-01-01', country: 'MT' }, { country: 'US' });
    expectError(reg, 451, 'geo_blocked');
    expect((await call('GET', '/v1/health', undefined, { country: 'US' })).status).toBe(200);
  });

  it('lets a player self-exclude even from a blocked country', async () => {
    const p = await register();
    const r = await call('POST', '/v1/self-exclusion', { months: 6 }, { token: p.token, country: 'US' });
    expect(r.status).toBe(200);
    expect(r.body.player.status).toBe('self_excluded');
  });

  it('emits an event when a player logs in from another licensed country than the registered one', async () => {
    const p = await register({ country: 'MT' });
    const login = await call('POST', '/v1/sessions', { email: p.email, password: p.password }, { country: 'DE' });
    expect(login.status).toBe(201);
    const events = (await player(p.playerId).outbox(0, 100)).map((r) => r.event);
    const foreign = events.find((e) => e.event_type === 'player.login.foreign_country');
    expect(foreign?.payload).toMatchObject({ registered_country: 'MT', login_country: 'DE' });
  });
});

describe('login', () => {
  it('refuses a wrong password and an unknown email with the same answer', async () => {
    const p = await register();
    expectError(await call('POST', '/v1/sessions', { email: p.email, password: 'wrong password!' }), 401, 'invalid_credentials');
    expectError(await call('POST', '/v1/sessions', { email: uniqueEmail('nobody'), password: 'whatever123' }), 401, 'invalid_credentials');
  });

  it('throttles an account after 5 failures with 429 and Retry-After, even with the right password', async () => {
    const p = await register();
    for (let i = 0; i < 5; i++) expectError(await call('POST', '/v1/sessions', { email: p.email, password: `wrong-${i}-password` }), 401, 'invalid_credentials');
    const locked = await call('POST', '/v1/sessions', { email: p.email, password: p.password });
    expectError(locked, 429, 'rate_limited');
    expect(Number(locked.headers.get('Retry-After'))).toBeGreaterThan(0);
    await advance(p.playerId, 16 * 60_000);
    expect((await call('POST', '/v1/sessions', { email: p.email, password: p.password })).status).toBe(201);
  });

  it('throttles one IP after 20 attempts a minute, whatever the accounts', async () => {
    const ip = `192.0.2.${Math.floor(Math.random() * 250)}`;
    for (let i = 0; i < 20; i++) expectError(await call('POST', '/v1/sessions', { email: uniqueEmail('x'), password: 'whatever123' }, { ip }), 401, 'invalid_credentials');
    const r = await call('POST', '/v1/sessions', { email: uniqueEmail('x'), password: 'whatever123' }, { ip });
    expectError(r, 429, 'rate_limited');
    expect(Number(r.headers.get('Retry-After'))).toBeGreaterThanOrEqual(1);
  });
});

describe('sessions', () => {
  it('logout ends the session: the token stops working', async () => {
    const p = await register();
    expect((await call('DELETE', '/v1/sessions/current', undefined, { token: p.token })).status).toBe(204);
    expectError(await call('GET', '/v1/wallet', undefined, { token: p.token }), 401, 'session_expired');
    expectError(await call('DELETE', '/v1/sessions/current', undefined, { token: p.token }), 401, 'unauthenticated');
  });

  it('lists sessions per player', async () => {
    const p = await register();
    await call('POST', '/v1/sessions', { email: p.email, password: p.password });
    const list = await call('GET', '/v1/sessions', undefined, { token: p.token });
    expect(list.body.sessions).toHaveLength(2);
  });

  it('ends an idle session by alarm and emits session.ended(idle_timeout)', async () => {
    const p = await register();
    await advance(p.playerId, IDLE_TIMEOUT_MS + 1000);
    expect(await runDurableObjectAlarm(player(p.playerId))).toBe(true);
    const ended = (await player(p.playerId).outbox(0, 100)).map((r) => r.event).filter((e) => e.event_type === 'player.session.ended');
    expect(ended.map((e) => e.payload.reason)).toEqual(['idle_timeout']);
    expectError(await call('GET', '/v1/wallet', undefined, { token: p.token }), 401, 'session_expired');
  });

  it('activity pushes the idle timeout; the maximum length still ends the session', async () => {
    const p = await register();
    for (let t = 0; t < SESSION_MAX_MS; t += IDLE_TIMEOUT_MS / 2) {
      await advance(p.playerId, IDLE_TIMEOUT_MS / 2);
      const r = await call('GET', '/v1/wallet', undefined, { token: p.token });
      if (t + IDLE_TIMEOUT_MS / 2 < SESSION_MAX_MS) expect(r.status).toBe(200);
      else expectError(r, 401, 'session_expired');
    }
    const ended = (await player(p.playerId).outbox(0, 1000)).map((r) => r.event).filter((e) => e.event_type === 'player.session.ended');
    expect(ended.map((e) => e.payload.reason)).toEqual(['max_length']);
  });

  it('a call the object refuses still counts as activity; the refusal itself changes nothing', async () => {
    const p = await register(); // no money: any bet is refused
    await advance(p.playerId, IDLE_TIMEOUT_MS - 60_000);
    const before = await player(p.playerId).outbox(0, 1000);
    const bet = await call('POST', '/v1/dev/rounds', { round_id: 'refused-1', currency: 'EUR', amount_minor: 100 }, { token: p.token });
    expect(bet.status).toBe(422);
    expect((await player(p.playerId).outbox(0, 1000)).length).toBe(before.length);
    // the session check and the bet were one transaction, rolled back whole: the activity is still counted
    await advance(p.playerId, 2 * 60_000);
    expect((await call('GET', '/v1/wallet', undefined, { token: p.token })).status).toBe(200);
  });

  it("the player's session-time limit ends the session when reached", async () => {
    const p = await register();
    expect((await call('PUT', '/v1/limits/session_time', { minutes: 20 }, { token: p.token })).status).toBe(200);
    const login = await call('POST', '/v1/sessions', { email: p.email, password: p.password });
    const token = login.body.token;
    expect(login.body.session.time_limit_at - login.body.session.created_at).toBe(20 * 60_000);
    await advance(p.playerId, 10 * 60_000);
    expect((await call('GET', '/v1/wallet', undefined, { token })).status).toBe(200);
    await advance(p.playerId, 11 * 60_000);
    // the alarm ends it even without another request
    await runDurableObjectAlarm(player(p.playerId));
    const sessions = (await player(p.playerId).inspect()) as any;
    expect(sessions.sessions.find((s: any) => s.session_id === login.body.session.session_id).end_reason).toBe('time_limit');
    expectError(await call('GET', '/v1/wallet', undefined, { token }), 401, 'session_expired');
  });

  it('emits reality-check reminders at the chosen interval', async () => {
    const p = await register();
    await call('PUT', '/v1/limits/reality_check', { minutes: 30 }, { token: p.token });
    const login = await call('POST', '/v1/sessions', { email: p.email, password: p.password });
    expect(login.body.session.next_reality_check_at - login.body.session.created_at).toBe(30 * 60_000);
    await advance(p.playerId, 20 * 60_000);
    expect((await call('GET', '/v1/players/me', undefined, { token: login.body.token })).status).toBe(200); // activity: no idle timeout
    await advance(p.playerId, 10 * 60_000 + 1);
    expect(await runDurableObjectAlarm(player(p.playerId))).toBe(true);
    expect(await eventTypes(p.playerId)).toContain('rg.reality_check.due');
  });
});
