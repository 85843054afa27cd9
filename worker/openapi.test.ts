import { describe, expect, it } from 'vitest';
import { DEVELOPMENT_TAG, withoutDevelopmentOperations } from './openapi';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

describe('withoutDevelopmentOperations', () => {
  const doc = {
    openapi: '3.1.0',
    paths: {
      '/v1/dev/rounds': { post: { tags: [DEVELOPMENT_TAG], requestBody: { content: { 'application/json': { schema: ref('DevOnly') } } }, responses: { 400: { content: { 'application/json': { schema: ref('Error') } } } } } },
      '/v1/mixed': { parameters: [], get: { tags: ['Wallet'], responses: { 200: { content: { 'application/json': { schema: ref('Shared') } } } } }, post: { tags: [DEVELOPMENT_TAG], responses: { 200: { content: { 'application/json': { schema: ref('Shared') } } } } } },
      '/v1/players': { post: { tags: ['Players'], responses: { 400: { content: { 'application/json': { schema: ref('Error') } } } } } },
    },
    components: { schemas: { DevOnly: { type: 'object', properties: { nested: ref('DevNested') } }, DevNested: { type: 'string' }, Shared: { type: 'string' }, Error: { type: 'object' }, Unreferenced: { type: 'string' } } },
    tags: [{ name: DEVELOPMENT_TAG }, { name: 'Players' }],
  };

  it('drops development operations, their now-empty paths, the schemas only they used, and the tag', () => {
    const out = withoutDevelopmentOperations(doc);
    expect(Object.keys(out.paths)).toEqual(['/v1/mixed', '/v1/players']);
    expect(Object.keys(out.paths['/v1/mixed']!)).toEqual(['parameters', 'get']);
    expect(Object.keys(out.components.schemas).sort()).toEqual(['Error', 'Shared', 'Unreferenced']);
    expect(out.tags).toEqual([{ name: 'Players' }]);
    expect(Object.keys(doc.paths)).toHaveLength(3); // the input is left alone
  });

  it('returns a document without development operations unchanged', () => {
    const prod = { paths: { '/v1/players': doc.paths['/v1/players'] }, components: doc.components };
    expect(withoutDevelopmentOperations(prod)).toBe(prod);
  });
});
