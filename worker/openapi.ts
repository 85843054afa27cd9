/**
 * The OpenAPI document as served at /v1/openapi.json. Operations tagged `Development` exist only
 * when ENVIRONMENT=development (their routes answer 404 elsewhere), so outside development they
 * are taken out of the document, with the schemas nothing else uses. Every operation that takes a
 * body lists the 415 it answers for a body of another media type.
 */

/** The tag of every development-only operation (e.g. /v1/dev/*). */
export const DEVELOPMENT_TAG = 'Development';

type Operation = { tags?: string[] };
type Document = { paths?: object; components?: { schemas?: object }; tags?: { name: string }[] };

const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);
const isOperation = (method: string, op: unknown): op is Operation => METHODS.has(method) && typeof op === 'object' && op !== null;
const isDevelopmentOnly = (op: Operation) => op.tags?.includes(DEVELOPMENT_TAG) ?? false;

/** Every `#/components/schemas/<name>` referenced from `value`, transitively through the schemas themselves. */
function referencedSchemas(value: unknown, schemas: Record<string, unknown>, seen = new Set<string>()): Set<string> {
  const json = JSON.stringify(value);
  for (const m of json.matchAll(/"#\/components\/schemas\/([^"]+)"/g)) {
    const name = decodeURIComponent(m[1]!);
    if (seen.has(name)) continue;
    seen.add(name);
    referencedSchemas(schemas[name], schemas, seen);
  }
  return seen;
}

/** The document without development-only operations, and without the schemas only they referenced. */
export function withoutDevelopmentOperations<D extends Document>(doc: D): D {
  const schemas = (doc.components?.schemas ?? {}) as Record<string, unknown>;
  const paths: Record<string, Record<string, unknown>> = {};
  const removed: unknown[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {}) as [string, object][]) {
    const kept = Object.fromEntries(Object.entries(item).filter(([method, op]) => {
      if (isOperation(method, op) && isDevelopmentOnly(op)) { removed.push(op); return false; }
      return true;
    }));
    if (Object.keys(kept).some((method) => METHODS.has(method))) paths[path] = kept;
  }
  if (removed.length === 0) return doc;
  // schemas the removed operations used, minus those anything left still uses (operations, other components)
  const stillUsed = referencedSchemas({ ...doc, paths, components: { ...doc.components, schemas: {} } }, schemas);
  const orphans = [...referencedSchemas(removed, schemas)].filter((name) => !stillUsed.has(name));
  const keptSchemas = Object.fromEntries(Object.entries(schemas).filter(([name]) => !orphans.includes(name)));
  return {
    ...doc,
    paths,
    components: { ...doc.components, schemas: keptSchemas },
    ...(doc.tags ? { tags: doc.tags.filter((t) => t.name !== DEVELOPMENT_TAG) } : {}),
  };
}

/**
 * Adds `415 unsupported_media_type` to every operation with a request body: the media-type gate
 * in front of every body answers it, so it is declared once here rather than by each route.
 */
export function withUnsupportedMediaType<D extends Document>(doc: D, errorSchema: unknown): D {
  const paths = Object.fromEntries((Object.entries(doc.paths ?? {}) as [string, Record<string, unknown>][]).map(([path, item]) => [path, Object.fromEntries(
    Object.entries(item).map(([method, op]) => {
      if (!isOperation(method, op) || !('requestBody' in op)) return [method, op];
      const responses = (op as { responses?: Record<string, unknown> }).responses ?? {};
      if ('415' in responses) return [method, op];
      return [method, { ...op, responses: { ...responses, 415: { description: 'Error (415): the body is not application/json', content: { 'application/json': { schema: errorSchema } } } } }];
    }),
  )]));
  return { ...doc, paths };
}
