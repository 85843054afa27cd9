/**
 * Batch objects from R2 in production, through its S3-compatible API (ListObjectsV2 + GetObject,
 * signed with SigV4 by aws4fetch). Credentials come from the environment, never from files:
 *
 *   R2_ACCOUNT_ID          (or R2_ENDPOINT, e.g. https://<account>.r2.cloudflarestorage.com)
 *   R2_ACCESS_KEY_ID       an R2 API token with Object Read on the bucket
 *   R2_SECRET_ACCESS_KEY
 *   R2_BUCKET              default casino-events
 */
import { AwsClient } from 'aws4fetch';
import type { BatchObject, BatchSource } from './types';

export type S3Config = { endpoint: string; bucket: string; accessKeyId: string; secretAccessKey: string; region?: string };

export function s3ConfigFromEnv(env: NodeJS.ProcessEnv = process.env): S3Config {
  const missing = ['R2_ACCESS_KEY_ID', 'R2_SECRET_ACCESS_KEY'].filter((k) => !env[k]);
  if (!env.R2_ENDPOINT && !env.R2_ACCOUNT_ID) missing.push('R2_ACCOUNT_ID (or R2_ENDPOINT)');
  if (missing.length) throw new Error(`s3 source: set ${missing.join(', ')} in the environment`);
  return {
    endpoint: (env.R2_ENDPOINT || `https://${env.R2_ACCOUNT_ID}.r2.cloudflarestorage.com`).replace(/\/+$/, ''),
    bucket: env.R2_BUCKET || 'casino-events',
    accessKeyId: env.R2_ACCESS_KEY_ID!,
    secretAccessKey: env.R2_SECRET_ACCESS_KEY!,
    region: env.R2_REGION || 'auto',
  };
}

const xmlText = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
const tag = (xml: string, name: string) => {
  const m = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml);
  return m ? xmlText(m[1]!) : undefined;
};

/** The objects of one ListObjectsV2 page, and the token for the next (undefined on the last page). */
export function parseListPage(xml: string): { objects: BatchObject[]; next?: string } {
  const objects = [...xml.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)].map((m) => ({ key: tag(m[1]!, 'Key')!, size: Number(tag(m[1]!, 'Size') ?? 0) }));
  const truncated = tag(xml, 'IsTruncated') === 'true';
  return { objects, next: truncated ? tag(xml, 'NextContinuationToken') : undefined };
}

const encodeKey = (key: string) => key.split('/').map(encodeURIComponent).join('/');

export function s3Source(cfg: S3Config = s3ConfigFromEnv()): BatchSource {
  const client = new AwsClient({ accessKeyId: cfg.accessKeyId, secretAccessKey: cfg.secretAccessKey, service: 's3', region: cfg.region ?? 'auto' });
  const base = `${cfg.endpoint}/${cfg.bucket}`;
  const call = async (url: string): Promise<Response> => {
    const res = await client.fetch(url);
    if (!res.ok) throw new Error(`s3 source: ${res.status} ${res.statusText} for ${url.replace(/\?.*/, '')}: ${(await res.text()).slice(0, 300)}`);
    return res;
  };
  return {
    name: `s3:${base}`,
    async *list(prefix: string, startAfter?: string): AsyncIterable<BatchObject> {
      let token: string | undefined;
      do {
        const q = new URLSearchParams({ 'list-type': '2', prefix, 'max-keys': '1000' });
        if (token) q.set('continuation-token', token);
        else if (startAfter) q.set('start-after', startAfter);
        const page = parseListPage(await (await call(`${base}?${q}`)).text());
        yield* page.objects;
        token = page.next;
      } while (token);
    },
    async get(key: string): Promise<Uint8Array> {
      return new Uint8Array(await (await call(`${base}/${encodeKey(key)}`)).arrayBuffer());
    },
    close: async () => {},
  };
}
