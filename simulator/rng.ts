/**
 * Deterministic randomness for the simulator: a small, fast seeded PRNG (sfc32) and UUIDv7-shaped
 * ids whose 74 random bits come from it, so a given --seed gives byte-identical output.
 */

/** xmur3: a 32-bit string hash, used to seed sfc32 from any text. */
function hashString(text: string): () => number {
  let h = 1779033703 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 3432918353);
    h = (h << 13) | (h >>> 19);
  }
  return () => {
    h = Math.imul(h ^ (h >>> 16), 2246822507);
    h = Math.imul(h ^ (h >>> 13), 3266489909);
    return (h ^= h >>> 16) >>> 0;
  };
}

const HEX1 = '0123456789abcdef';
const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: string) {
    const h = hashString(seed);
    this.a = h();
    this.b = h();
    this.c = h();
    this.d = h();
    for (let i = 0; i < 12; i++) this.u32();
  }

  /** A new independent stream derived from this seed and a label. */
  static derive(seed: string, label: string): Rng {
    return new Rng(`${seed}\u0000${label}`);
  }

  /** sfc32: a uniform 32-bit unsigned integer. */
  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.u32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Uniform integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** Picks by weight: `weights[i]` is the weight of items[i]. */
  weighted<T>(items: readonly T[], weights: readonly number[]): T {
    let total = 0;
    for (const w of weights) total += w;
    let x = this.next() * total;
    for (let i = 0; i < items.length; i++) {
      x -= weights[i]!;
      if (x < 0) return items[i]!;
    }
    return items[items.length - 1]!;
  }

  /** Exponential with the given mean. */
  exp(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }

  /** Standard normal (Box-Muller, one of the pair). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Log-normal with the given median and shape sigma. */
  logNormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  /** 64 lowercase hex characters (a 32-byte seed). */
  hex64(): string {
    let s = '';
    for (let i = 0; i < 8; i++) s += (this.u32() >>> 0).toString(16).padStart(8, '0');
    return s;
  }

  /**
   * A UUIDv7 (RFC 9562) for time `ms` whose random bits come from this stream: the same layout as
   * domain/ids.ts uuidv7, deterministic for a seed.
   */
  uuidv7(ms: number): string {
    const hi = Math.floor(ms / 65536); // top 32 of the 48 time bits
    const lo = ms - hi * 65536;
    const a = this.u32();
    const b = this.u32();
    const c = this.u32();
    return (
      HEX[hi >>> 24]! + HEX[(hi >>> 16) & 255]! + HEX[(hi >>> 8) & 255]! + HEX[hi & 255]! + '-' + HEX[lo >>> 8]! + HEX[lo & 255]! + '-7' + HEX1[(a >>> 24) & 15]! + HEX[(a >>> 16) & 255]! + '-'
      + HEX[0x80 | ((a >>> 8) & 0x3f)]! + HEX[a & 255]! + '-' + HEX[b >>> 24]! + HEX[(b >>> 16) & 255]!
      + HEX[c >>> 24]! + HEX[(c >>> 16) & 255]! + HEX[(c >>> 8) & 255]! + HEX[c & 255]!
    );
  }
}
