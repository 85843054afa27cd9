/** Where event batch objects come from: R2 (locally or through its S3 API) or a plain directory. */
export type BatchObject = { key: string; size: number };

export interface BatchSource {
  /** For logs and meta.loaded_objects: e.g. `r2-local:/path/.wrangler/state`, `s3:casino-events`. */
  readonly name: string;
  /** Every object under `prefix` with a key after `startAfter`, in key order. */
  list(prefix: string, startAfter?: string): AsyncIterable<BatchObject>;
  /** The object's bytes as stored (gzip NDJSON). */
  get(key: string): Promise<Uint8Array>;
  close(): Promise<void>;
}
