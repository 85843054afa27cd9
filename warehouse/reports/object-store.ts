/**
 * The few S3 calls a report delivery to R2 needs (ListObjectsV2, GetObject, PutObject with
 * conditions, DeleteObject), signed with SigV4 by aws4fetch like the event source (source/r2-s3.ts),
 * with the same endpoint and credentials from the environment. R2 honours `If-None-Match: *` and
 * `If-Match: <etag>` on PutObject: a write that would replace an object it should not answers
 * 412, which is how two runs never both publish one version (r2-delivery.ts).
 */
import { AwsClient } from 'aws4fetch';
import type { S3Config } from '../source/r2-s3';

export interface StoredObject {
  key: string;
  size: number;
  /** As the store sends it, quotes included: what `If-Match` wants back. */
  etag: string;
}

/** A conditional put found the key in another state than asked (HTTP 412). */
export class PreconditionFailed extends Error {
  constructor(readonly key: string) {
    super(`precondition failed for ${key}`);
  }
}

export type PutCondition = { ifNoneMatch: '*' } | { ifMatch: string };

export interface ObjectStore {
  /** `r2://<bucket>`: how keys are shown to people. */
  readonly name: string;
  /** Every object whose key starts with `prefix`, in key order (all pages). */
  list(prefix: string): Promise<StoredObject[]>;
  /** The object's bytes, or undefined if there is no such key. */
  get(key: string): Promise<Uint8Array | undefined>;
  put(key: string, bytes: Uint8Array, condition?: PutCondition): Promise<void>;
  delete(key: string): Promise<void>;
}

const xmlText = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
const tag = (xml: string, name: string) => {
  const m = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml);
  return m ? xmlText(m[1]!) : undefined;
};

/** One ListObjectsV2 page with each object's ETag (the event source's parser keeps key and size only). */
export function parseObjectPage(xml: string): { objects: StoredObject[]; next?: string } {
  const objects = [...xml.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)].map((m) => ({ key: tag(m[1]!, 'Key')!, size: Number(tag(m[1]!, 'Size') ?? 0), etag: tag(m[1]!, 'ETag') ?? '' }));
  return { objects, next: tag(xml, 'IsTruncated') === 'true' ? tag(xml, 'NextContinuationToken') : undefined };
}

const encodeKey = (key: string) => key.split('/').map(encodeURIComponent).join('/');

export function s3ObjectStore(cfg: S3Config): ObjectStore {
  const client = new AwsClient({ accessKeyId: cfg.accessKeyId, secretAccessKey: cfg.secretAccessKey, service: 's3', region: cfg.region ?? 'auto' });
  const base = `${cfg.endpoint}/${cfg.bucket}`;
  const fail = async (res: Response, what: string): Promise<never> => {
    throw new Error(`r2://${cfg.bucket}: ${res.status} ${res.statusText} for ${what}: ${(await res.text()).slice(0, 300)}`);
  };
  return {
    name: `r2://${cfg.bucket}`,
    async list(prefix) {
      const out: StoredObject[] = [];
      let token: string | undefined;
      do {
        const q = new URLSearchParams({ 'list-type': '2', prefix, 'max-keys': '1000' });
        if (token) q.set('continuation-token', token);
        const res = await client.fetch(`${base}?${q}`);
        if (!res.ok) await fail(res, `listing ${prefix}`);
        const page = parseObjectPage(await res.text());
        out.push(...page.objects);
        token = page.next;
      } while (token);
      return out;
    },
    async get(key) {
      const res = await client.fetch(`${base}/${encodeKey(key)}`);
      if (res.status === 404) {
        await res.body?.cancel();
        return undefined;
      }
      if (!res.ok) await fail(res, key);
      return new Uint8Array(await res.arrayBuffer());
    },
    async put(key, bytes, condition) {
      const headers: Record<string, string> = { 'content-type': 'application/octet-stream' };
      if (condition && 'ifNoneMatch' in condition) headers['if-none-match'] = condition.ifNoneMatch;
      if (condition && 'ifMatch' in condition) headers['if-match'] = condition.ifMatch;
      const res = await client.fetch(`${base}/${encodeKey(key)}`, { method: 'PUT', body: bytes as Uint8Array<ArrayBuffer>, headers });
      if (res.status === 412) {
        await res.body?.cancel();
        throw new PreconditionFailed(key);
      }
      if (!res.ok) await fail(res, `writing ${key}`);
      await res.body?.cancel();
    },
    async delete(key) {
      const res = await client.fetch(`${base}/${encodeKey(key)}`, { method: 'DELETE' });
      if (!res.ok && res.status !== 404) await fail(res, `deleting ${key}`);
      await res.body?.cancel();
    },
  };
}
