/**
 * Response schemas tied to the TypeScript types they describe. A route's `c.json(x, 200)` already
 * has to fit its schema, but only one way: a field the object adds and the schema lacks passes
 * unseen. `mirrors<T>()(schema)` compiles only while the schema's output and T accept the same
 * values both ways, so a field added, dropped or retyped on either side is a type error here.
 */
import type { z } from '@hono/zod-openapi';

/** A and B accept the same values (each is assignable to the other). */
export type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/** What differs, shown in the compiler's message when a schema and its type drift apart. */
export type Drift<S, T> = {
  only_in_schema: Exclude<keyof S, keyof T>;
  only_in_type: Exclude<keyof T, keyof S>;
  differ: { [K in keyof S & keyof T]: Same<S[K], T[K]> extends true ? never : K }[keyof S & keyof T];
};

export function mirrors<T>() {
  return <S extends z.ZodType>(schema: S & (Same<z.output<S>, T> extends true ? unknown : { drift: Drift<z.output<S>, T> })): S => schema;
}
