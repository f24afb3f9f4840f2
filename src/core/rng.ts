/**
 * Seeded randomness for the whole simulator.
 *
 * Two shapes, both derived from the scenario seed and a stream name, so that adding a feature
 * (a new stream name) never shifts another feature's draws (design-notes "Randomness"):
 *
 * - `RngStream.at(k0, k1, ...)`: a counter-based draw, a pure function of (seed, name, keys).
 *   Exogenous network processes key their draws by time slot and lane, so every variant of a
 *   scenario meets the same network even when it sends a different set of packets.
 * - `RngStream.next()`: a sequential draw (a counter-based draw keyed by an internal counter),
 *   for consumers whose draws are naturally sequential (e.g. initial RTP seq/SSRC).
 *
 * The mixer is the 32-bit MurmurHash3 finaliser chained over the key words (Appleby, public
 * domain); two independent 32-bit outputs make a 53-bit double in [0, 1).
 */

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function mixWord(h: number, w: number): number {
  let k = Math.imul(w | 0, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** FNV-1a of a string, for turning stream names into key words. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Split a non-negative integer (up to 2^53) into two 32-bit words. */
function lo(n: number): number {
  return n >>> 0;
}
function hi(n: number): number {
  return Math.floor(n / 4294967296) >>> 0;
}

export class RngStream {
  private readonly base0: number;
  private readonly base1: number;
  private counter = 0;

  constructor(
    readonly seed: number,
    readonly name: string,
  ) {
    const nameHash = hashString(name);
    this.base0 = fmix32(mixWord(mixWord(mixWord(0x9e3779b9, lo(seed)), hi(seed)), nameHash));
    this.base1 = fmix32(mixWord(mixWord(mixWord(0x7f4a7c15, lo(seed)), hi(seed)), nameHash ^ 0x5bd1e995));
  }

  /** A derived stream: `stream.child("x")` is the stream named `${name}.x`. */
  child(sub: string): RngStream {
    return new RngStream(this.seed, `${this.name}.${sub}`);
  }

  /** Uniform [0, 1) as a pure function of the key words (each an integer, may be negative). */
  at(...keys: number[]): number {
    let a = this.base0;
    let b = this.base1;
    for (const k of keys) {
      a = mixKeyA(a, k);
      b = mixKeyB(b, k);
    }
    return toUnit(a, b, keys.length);
  }

  /** at(k0), without the rest-argument array (per time slot on the channel's hot path). */
  at1(k0: number): number {
    return toUnit(mixKeyA(this.base0, k0), mixKeyB(this.base1, k0), 1);
  }

  /** at(k0, k1, k2, k3), without the rest-argument array (per packet on the channel's hot path). */
  at4(k0: number, k1: number, k2: number, k3: number): number {
    const a = mixKeyA(mixKeyA(mixKeyA(mixKeyA(this.base0, k0), k1), k2), k3);
    const b = mixKeyB(mixKeyB(mixKeyB(mixKeyB(this.base1, k0), k1), k2), k3);
    return toUnit(a, b, 4);
  }

  /** Sequential uniform [0, 1). */
  next(): number {
    return this.at(this.counter++, -1);
  }

  /** Sequential 32-bit unsigned integer. */
  nextUint32(): number {
    return Math.floor(this.next() * 4294967296) >>> 0;
  }

  /** Standard normal from the keyed draws (Box-Muller on two keyed uniforms). */
  normalAt(...keys: number[]): number {
    return boxMuller(this.at(...keys, NORMAL_KEY_1), this.at(...keys, NORMAL_KEY_2));
  }

  /** normalAt(k0) without allocating (the jitter latent's per-slot innovation). */
  normalAt1(k0: number): number {
    const a = mixKeyA(this.base0, k0);
    const b = mixKeyB(this.base1, k0);
    return boxMuller(toUnit(mixKeyA(a, NORMAL_KEY_1), mixKeyB(b, NORMAL_KEY_1), 2), toUnit(mixKeyA(a, NORMAL_KEY_2), mixKeyB(b, NORMAL_KEY_2), 2));
  }
}

const NORMAL_KEY_1 = 0x6e6f726d;
const NORMAL_KEY_2 = 0x616c3221;

function boxMuller(u1: number, u2: number): number {
  return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
}

/** One key folded into the first hash chain (its sign in the high word). */
function mixKeyA(a: number, k: number): number {
  return mixWord(mixWord(a, lo(k)), hi(Math.abs(k)) ^ (k < 0 ? 0x80000000 : 0));
}

/** One key folded into the second hash chain. */
function mixKeyB(b: number, k: number): number {
  return mixWord(mixWord(b, lo(k) ^ 0x27d4eb2f), hi(Math.abs(k)));
}

/** Two chains of `n` keys to a 53-bit uniform in [0, 1). */
function toUnit(a: number, b: number, n: number): number {
  const x = fmix32(a ^ n) >>> 5; // 27 bits
  const y = fmix32(b + 0x165667b1) >>> 6; // 26 bits
  return (x * 67108864 + y) / 9007199254740992;
}

/** The root of a scenario's randomness: every consumer asks it for a named stream. */
export class SeedTree {
  constructor(readonly seed: number) {}
  stream(name: string): RngStream {
    return new RngStream(this.seed, name);
  }
}
