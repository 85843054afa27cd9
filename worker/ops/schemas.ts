/** Request and response schemas of the back-office API (/v1/ops), rendered into the OpenAPI document. */
import { z } from '@hono/zod-openapi';
import { ROLES } from '../../domain/authz';
import { BrandId } from '../../domain/brands';
import { EventEnvelope, type CasinoEvent } from '../../domain/events';
import type { OutboxRow } from '../../durable/lib/outbox';
import type { Enrolment as EnrolmentView } from '../../durable/operator/mfa';
import type { OperatorSessionView, OperatorView } from '../../durable/operator/operator-do';
import type { StaffEntry as StaffEntryView } from '../../durable/operator/staff-do';
import { mirrors } from '../http/mirror';
import type { ChallengeBody, SessionBody } from './identity';

export const RoleName = z.enum(ROLES);
const Scope = z.array(z.string().regex(/^(\*|[A-Za-z0-9-]{1,32})$/)).min(1).max(50);

export const OperatorAttributesInput = z.strictObject({
  roles: z.array(RoleName).min(1).max(ROLES.length),
  brands: Scope.openapi({ description: "Brand ids, or ['*'] for all", example: ['aurora'] }),
  jurisdictions: Scope.openapi({ description: "Jurisdiction ids, or ['*'] for all", example: ['MT'] }),
  vip_clearance: z.boolean(),
});

export const NewOperatorInput = OperatorAttributesInput.extend({
  email: z.email().max(254),
  display_name: z.string().min(1).max(100),
  password: z.string().min(12).max(128),
}).openapi('NewOperator');

export const OperatorPatch = OperatorAttributesInput.partial().extend({
  display_name: z.string().min(1).max(100).optional(),
  status: z.enum(['active', 'disabled']).optional(),
}).strict().openapi('OperatorPatch');

export const Operator = mirrors<OperatorView>()(z.object({
  operator_id: z.string(), email: z.string(), display_name: z.string(), roles: z.array(RoleName), brands: z.array(z.string()),
  jurisdictions: z.array(z.string()), vip_clearance: z.boolean(), status: z.enum(['active', 'disabled']), mfa_enrolled: z.boolean(),
  password_login: z.boolean(), sso: z.boolean(), created_by: z.string(), created_at: z.number(), updated_at: z.number(),
}).openapi('Operator'));

export const Enrolment = mirrors<EnrolmentView>()(z.object({
  secret: z.string().openapi({ description: 'Base32 TOTP secret (also inside the otpauth URI and the QR code)' }),
  otpauth_uri: z.string(), qr_svg: z.string(),
  recovery_codes: z.array(z.string()).openapi({ description: 'Shown once; each works once instead of a TOTP code' }),
}).openapi('TotpEnrolment'));

export const ChallengeResponse = mirrors<ChallengeBody>()(z.object({
  challenge_token: z.string().openapi({ description: 'Five-minute token for POST /v1/ops/sessions/mfa' }),
  expires_at: z.number(),
  enrolment: Enrolment.nullable().openapi({ description: 'Present when the operator has no second factor yet: scan, then answer with a code' }),
}).openapi('LoginChallenge'));

export const SessionResponse = mirrors<SessionBody>()(z.object({
  token: z.string().nullable().openapi({ description: 'Bearer token (null when the session went into the panel cookie)' }),
  csrf_token: z.string().nullable().openapi({ description: 'For cookie sessions: send as X-CSRF-Token on every change' }),
  expires_at: z.number(),
  operator: Operator,
}).openapi('OperatorSession'));

/** An operator session as an admin sees it (never its token). */
export const OperatorSessionRecord = mirrors<OperatorSessionView>()(z.object({
  session_id: z.string(), method: z.string().openapi({ description: 'How the operator logged in', example: 'password+totp' }),
  created_at: z.number(), last_seen_at: z.number(), expires_at: z.number(), ip: z.string().nullable(), ended_at: z.number().nullable(), end_reason: z.string().nullable(),
}).openapi('OperatorSessionRecord'));

/** An operator in the staff directory (the list; GET /operators/{id} has the full record). */
export const StaffEntry = mirrors<StaffEntryView>()(z.object({
  operator_id: z.string(), email: z.string(), display_name: z.string(), roles: z.array(z.string()), brands: z.array(z.string()),
  status: z.string(), sso: z.boolean(),
}).openapi('StaffEntry'));

export const Reason = z.string().trim().min(3).max(500).openapi({ description: 'Mandatory, kept in the audit log', example: 'player request by phone, ticket 4411' });

export const BrandParam = z.object({ brand: BrandId.openapi({ param: { name: 'brand', in: 'path' }, example: 'aurora' }) });
export const PlayerParam = z.object({ player_id: z.uuid().openapi({ param: { name: 'player_id', in: 'path' } }) });

/**
 * An event as an object emitted it (domain/events.ts; its payload is checked per type there).
 * Rebuilt from the envelope's fields: domain/ is plain zod, whose schemas may predate the
 * `.openapi` extension depending on import order.
 */
export const Event = mirrors<CasinoEvent>()(z.object(EventEnvelope.shape).openapi('Event'));

/** An event with its place in the emitting object's outbox. */
export const OutboxEvent = mirrors<OutboxRow>()(z.object({ seq: z.number().int(), event: Event }).openapi('OutboxEvent'));

export const OperatorList = z.object({ operators: z.array(StaffEntry) }).openapi('OperatorList');
export const OperatorAnswer = z.object({ operator: Operator }).openapi('OperatorAnswer');
export const OperatorDetail = z.object({ operator: Operator, sessions: z.array(OperatorSessionRecord) }).openapi('OperatorDetail');
export const OperatorActionDone = z.object({
  operator: Operator,
  revoked: z.number().int().optional().openapi({ description: 'Sessions ended (revoke-sessions only)' }),
}).openapi('OperatorActionDone');
export const BootstrapAnswer = z.object({ operator: Operator, challenge: ChallengeResponse }).openapi('BootstrapAnswer');

/** The current operator as GET /v1/ops/me shows them: no session id, no way in. */
export const OperatorMe = z.object({
  operator: Operator.pick({ operator_id: true, email: true, display_name: true, roles: true, brands: true, jurisdictions: true, vip_clearance: true }),
  permissions: z.array(z.string()), brands: z.array(z.string()),
  csrf_token: z.string().nullable().openapi({ description: 'For cookie sessions: send as X-CSRF-Token on every change' }),
}).openapi('OperatorMe');
