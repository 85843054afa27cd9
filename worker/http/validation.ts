/** zod-openapi's hook: a schema failure becomes a 400 in the one error shape, listing the issues. */
import type { z } from '@hono/zod-openapi';
import { ApiError } from './errors';

type HookResult = { success: true } | { success: false; error: z.ZodError };

export function validationHook(result: HookResult): void {
  if (result.success) return;
  const issues = result.error.issues.slice(0, 20).map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
  if (issues.some((i) => i.path === 'idempotency-key')) {
    throw new ApiError('idempotency_key_required', 'an Idempotency-Key header (1-128 chars of A-Z a-z 0-9 _ - : .) is required', { issues });
  }
  throw new ApiError('validation_failed', issues.map((i) => `${i.path || '(body)'}: ${i.message}`).join('; '), { issues });
}
