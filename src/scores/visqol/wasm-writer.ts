/**
 * A minimal WebAssembly binary writer (WebAssembly Core Specification 2.0, chapter 5 "Binary
 * Format"; the 128-bit SIMD instructions of section 5.4.8), enough for the few numeric kernels of
 * the ViSQOL port that run two lanes of float64 at once. The kernels are written in TypeScript
 * with this writer and compiled when first used: no binary is committed or downloaded.
 *
 * WebAssembly float64 arithmetic is IEEE 754 binary64 with round-to-nearest, lane by lane, and
 * never fused (no FMA in these instructions), exactly as JavaScript's: a kernel that performs a
 * JavaScript loop's operations in the same order gives the same bits.
 */

export const I32 = 0x7f;
export const F64 = 0x7c;
export const V128 = 0x7b;
export type ValType = typeof I32 | typeof F64 | typeof V128;

/** Unsigned LEB128. */
function uleb(n: number, out: number[]): void {
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
}

/** Signed LEB128 of a 32-bit integer. */
function sleb(n: number, out: number[]): void {
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return;
    }
    out.push(b | 0x80);
  }
}

const SIMD_PREFIX = 0xfd;
const SIMD = {
  load: 0x00,
  store: 0x0b,
  f64x2Splat: 0x14,
  f64x2ExtractLane: 0x21,
  f64x2Add: 0xf0,
  f64x2Sub: 0xf1,
  f64x2Mul: 0xf2,
  f64x2Div: 0xf3,
  f64x2Pmax: 0xf7,
  f64x2ReplaceLane: 0x22,
  v128Const: 0x0c,
  bitselect: 0x52,
} as const;

/** A function body under construction: one method per instruction used by the kernels. */
export class Code {
  readonly bytes: number[] = [];

  private op(...b: number[]): this {
    this.bytes.push(...b);
    return this;
  }

  private simd(code: number): this {
    this.bytes.push(SIMD_PREFIX);
    uleb(code, this.bytes);
    return this;
  }

  /** Memory immediate: alignment exponent and constant byte offset. */
  private memarg(align: number, offset: number): this {
    uleb(align, this.bytes);
    uleb(offset, this.bytes);
    return this;
  }

  /** local.get, local.set, local.tee: the opcode and the local's index. */
  private local(code: number, index: number): this {
    this.op(code);
    uleb(index, this.bytes);
    return this;
  }

  get(local: number): this {
    return this.local(0x20, local);
  }

  set(local: number): this {
    return this.local(0x21, local);
  }

  tee(local: number): this {
    return this.local(0x22, local);
  }

  i32(value: number): this {
    this.op(0x41);
    sleb(value, this.bytes);
    return this;
  }

  f64(value: number): this {
    const b = new Uint8Array(new Float64Array([value]).buffer);
    return this.op(0x44, ...b);
  }

  i32Add(): this {
    return this.op(0x6a);
  }

  i32Sub(): this {
    return this.op(0x6b);
  }

  i32LtS(): this {
    return this.op(0x48);
  }

  i32Load(offset = 0): this {
    return this.op(0x28).memarg(2, offset);
  }

  f64Sub(): this {
    return this.op(0xa1);
  }

  f64Load(offset = 0): this {
    return this.op(0x2b).memarg(3, offset);
  }

  /** A loop with no result; `body` branches back with `brIf(0)`. */
  loop(body: (c: this) => void): this {
    this.op(0x03, 0x40);
    body(this);
    return this.op(0x0b);
  }

  brIf(depth: number): this {
    this.op(0x0d);
    uleb(depth, this.bytes);
    return this;
  }

  /** v128.load with 8-byte alignment (float64 lanes need no more). */
  v128Load(offset = 0): this {
    return this.simd(SIMD.load).memarg(3, offset);
  }

  v128Store(offset = 0): this {
    return this.simd(SIMD.store).memarg(3, offset);
  }

  splat(): this {
    return this.simd(SIMD.f64x2Splat);
  }

  add(): this {
    return this.simd(SIMD.f64x2Add);
  }

  sub(): this {
    return this.simd(SIMD.f64x2Sub);
  }

  mul(): this {
    return this.simd(SIMD.f64x2Mul);
  }

  div(): this {
    return this.simd(SIMD.f64x2Div);
  }

  /** Replace lane `lane` of the vector below the top with the float64 on top. */
  replaceLane(lane: number): this {
    return this.simd(SIMD.f64x2ReplaceLane).op(lane);
  }

  /** A vector constant from its two lanes' bit patterns as bytes (16, lane 0 first). */
  v128Bytes(bytes: readonly number[]): this {
    return this.simd(SIMD.v128Const).op(...bytes);
  }

  /** (v1, v2, mask) on the stack: v1 where the mask's bits are set, else v2. */
  bitselect(): this {
    return this.simd(SIMD.bitselect);
  }

  /** Pseudo-maximum of (a, b) pushed in that order: a < b ? b : a per lane (f64x2.pmax). */
  pmax(): this {
    return this.simd(SIMD.f64x2Pmax);
  }
}

export interface WasmFunction {
  name: string;
  params: readonly ValType[];
  /** Extra locals, after the parameters. */
  locals: readonly ValType[];
  body: Code;
}

function section(id: number, content: number[], out: number[]): void {
  out.push(id);
  uleb(content.length, out);
  out.push(...content);
}

/**
 * A module of functions without results that share one exported memory ("memory", `pages` of
 * 64 KiB to start with; JavaScript grows it).
 */
export function writeModule(funcs: readonly WasmFunction[], pages: number): Uint8Array<ArrayBuffer> {
  const out = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const types: number[] = [];
  uleb(funcs.length, types);
  for (const f of funcs) {
    types.push(0x60);
    uleb(f.params.length, types);
    types.push(...f.params);
    types.push(0x00);
  }
  section(1, types, out);
  const fnIndex: number[] = [];
  uleb(funcs.length, fnIndex);
  funcs.forEach((_, i) => uleb(i, fnIndex));
  section(3, fnIndex, out);
  const memory = [0x01, 0x00];
  uleb(pages, memory);
  section(5, memory, out);
  const exports: number[] = [];
  uleb(funcs.length + 1, exports);
  const name = (s: string) => {
    const b = new TextEncoder().encode(s);
    uleb(b.length, exports);
    exports.push(...b);
  };
  funcs.forEach((f, i) => {
    name(f.name);
    exports.push(0x00);
    uleb(i, exports);
  });
  name('memory');
  exports.push(0x02, 0x00);
  section(7, exports, out);
  const code: number[] = [];
  uleb(funcs.length, code);
  for (const f of funcs) {
    const body: number[] = [];
    // Locals as runs of one type.
    const runs: [number, ValType][] = [];
    for (const t of f.locals) {
      const last = runs[runs.length - 1];
      if (last && last[1] === t) last[0]++;
      else runs.push([1, t]);
    }
    uleb(runs.length, body);
    for (const [n, t] of runs) {
      uleb(n, body);
      body.push(t);
    }
    body.push(...f.body.bytes, 0x0b);
    uleb(body.length, code);
    code.push(...body);
  }
  section(10, code, out);
  return Uint8Array.from(out);
}
