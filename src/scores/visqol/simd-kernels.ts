/**
 * The ViSQOL port's hottest loops as WebAssembly SIMD kernels (two float64 lanes): the gammatone
 * cascade of two frames at once, the NSIM of one reference patch against two degraded offsets at
 * once, and the radix-4 FFT stages two butterflies at once. Each lane performs the operations of
 * the JavaScript loop it replaces in the same order (see wasm-writer.ts), so the results are the
 * same bits; the JavaScript loops stay as the fallback where WebAssembly SIMD is missing and as
 * the reference the tests compare the kernels with (test/scores/visqol-simd.test.ts).
 *
 * Measured on a one-minute pair (in one process, old and new code alternating): the gammatone
 * and NSIM loops about 2x faster, the FFT stages 1.7-2x in cache and 1.1-1.4x for the
 * memory-bound 2^20/2^21-point transforms. Four lanes (two vectors per step) were slower: the
 * cascade's 8 states per chain no longer fit in the 16 vector registers.
 *
 * The module is built from this source the first time a kernel is wanted (a few kilobytes, well
 * under a millisecond to compile); nothing binary is committed or downloaded.
 */
import { NSIM_C1, NSIM_C3 } from './nsim.ts';
import { Code, F64, I32, V128, writeModule, type ValType, type WasmFunction } from './wasm-writer.ts';

/**
 * gammatonePair(x, end, out, p0..p3, q0..q3, a1, negA2): runs the 4-section cascade of
 * GammatoneFilterbank.frameRms over the interleaved samples x .. end (16 bytes per sample: frame A
 * in lane 0, frame B in lane 1), from rest, and stores the two sums of squares at out.
 */
function gammatonePairKernel(): WasmFunction {
  const X = 0, END = 1, OUT = 2, COEF = 3; // COEF .. COEF + 9: p0..p3, q0..q3, a1, -a2
  const P = 13, Q = 17, A1 = 21, NA2 = 22, IN = 23, Y = 24, S = 28, SUM = 36;
  const c = new Code();
  for (let j = 0; j < 4; j++) {
    c.get(COEF + j).splat().set(P + j);
    c.get(COEF + 4 + j).splat().set(Q + j);
  }
  c.get(COEF + 8).splat().set(A1);
  c.get(COEF + 9).splat().set(NA2);
  c.loop((l) => {
    l.get(X).v128Load().set(IN);
    for (let s = 0; s < 4; s++) {
      const input = s === 0 ? IN : Y + s - 1;
      const sa = S + 2 * s, sb = sa + 1;
      // y = p x + sa; sa = q x + sb - a1 y; sb = -a2 y (transposed direct form II, b2 = 0).
      l.get(P + s).get(input).mul().get(sa).add().set(Y + s);
      l.get(Q + s).get(input).mul().get(sb).add().get(A1).get(Y + s).mul().sub().set(sa);
      l.get(NA2).get(Y + s).mul().set(sb);
    }
    l.get(SUM).get(Y + 3).get(Y + 3).mul().add().set(SUM);
    l.get(X).i32(16).i32Add().tee(X).get(END).i32LtS().brIf(0);
  });
  c.get(OUT).get(SUM).v128Store();
  const params: ValType[] = [I32, I32, I32, ...new Array<ValType>(10).fill(F64)];
  return { name: 'gammatonePair', params, locals: new Array<ValType>(24).fill(V128), body: c };
}

/** Per reference cell in the NSIM kernel's tables: 9 byte offsets of the window + 1 of the statistics. */
export const NSIM_CELL_INTS = 10;
/** Per reference cell: the 9 weighted reference values, then mu, mu^2 + C1 and the signed root. */
export const NSIM_CELL_DOUBLES = 12;

/**
 * nsimOffsets(cells, refs, deg, stats, plane, rows, cols, pairBytes, rowSum, out, colsF, rowsF):
 * nsimAcrossOffsets (nsim.ts) for offsets 0 .. 2 pairBytes / 16 - 1 relative to the bases `deg`
 * (the degraded values) and `stats` (the degraded statistics: mu, then mu^2 one `plane` of bytes
 * further, then the signed root). For each cell, row-major: `cells` holds NSIM_CELL_INTS byte
 * offsets (the window's 9 values in addCellTerms's order, then the statistics), `refs` its
 * NSIM_CELL_DOUBLES reference numbers. Writes out; rowSum is scratch.
 */
function nsimOffsetsKernel(): WasmFunction {
  const CELLS = 0, REFS = 1, DEG = 2, STATS = 3, PLANE = 4, ROWS = 5, COLS = 6, PAIR_BYTES = 7, ROW_SUM = 8, OUT = 9;
  const COLS_F = 10, ROWS_F = 11;
  const R = 12, C = 13, K = 14, AT = 15, ST = 24; // AT .. AT + 8: the window's value addresses
  const W = 25, MA = 34, IDEN = 35, ROOT_A = 36, CROSS = 37, MAB = 38, TWO = 39, C1 = 40, C3 = 41, ZERO = 42;
  const COLS_V = 43, ROWS_V = 44, TERM = 45;
  const c = new Code();
  c.f64(2).splat().set(TWO);
  c.f64(NSIM_C1).splat().set(C1);
  c.f64(NSIM_C3).splat().set(C3);
  c.get(COLS_F).splat().set(COLS_V);
  c.get(ROWS_F).splat().set(ROWS_V);
  const overPairs = (body: (l: Code) => void) => {
    c.i32(0).set(K);
    c.loop((l) => {
      body(l);
      l.get(K).i32(16).i32Add().tee(K).get(PAIR_BYTES).i32LtS().brIf(0);
    });
  };
  c.get(ROWS).set(R);
  c.loop(() => {
    overPairs((l) => l.get(ROW_SUM).get(K).i32Add().get(ZERO).v128Store());
    c.get(COLS).set(C);
    c.loop(() => {
      for (let j = 0; j < 9; j++) {
        c.get(REFS).f64Load(8 * j).splat().set(W + j);
        c.get(DEG).get(CELLS).i32Load(4 * j).i32Add().set(AT + j);
      }
      c.get(REFS).f64Load(72).splat().set(MA);
      c.get(REFS).f64Load(80).splat().set(IDEN);
      c.get(REFS).f64Load(88).splat().set(ROOT_A);
      c.get(STATS).get(CELLS).i32Load(36).i32Add().set(ST);
      overPairs((l) => {
        // cross = sum of w_j b_j in addCellTerms's order.
        l.get(W).get(AT).get(K).i32Add().v128Load().mul().set(CROSS);
        for (let j = 1; j < 9; j++) l.get(CROSS).get(W + j).get(AT + j).get(K).i32Add().v128Load().mul().add().set(CROSS);
        l.get(MA).get(ST).get(K).i32Add().v128Load().mul().set(MAB);
        // (2 mab + C1)(cross - mab + C3) / ((iden + mu_b^2)(max(roots, 0) + C3)), added to rowSum.
        l.get(ROW_SUM).get(K).i32Add();
        l.get(ROW_SUM).get(K).i32Add().v128Load();
        l.get(MAB).get(TWO).mul().get(C1).add();
        l.get(CROSS).get(MAB).sub().get(C3).add();
        l.mul();
        l.get(IDEN).get(ST).get(PLANE).i32Add().get(K).i32Add().v128Load().add();
        l.get(ROOT_A).get(ST).get(PLANE).i32Add().get(PLANE).i32Add().get(K).i32Add().v128Load().mul();
        l.get(ZERO).pmax().get(C3).add();
        l.mul();
        l.div().set(TERM);
        l.get(TERM).add().v128Store();
      });
      c.get(CELLS).i32(4 * NSIM_CELL_INTS).i32Add().set(CELLS);
      c.get(REFS).i32(8 * NSIM_CELL_DOUBLES).i32Add().set(REFS);
      c.get(C).i32(1).i32Sub().tee(C).brIf(0);
    });
    overPairs((l) => {
      l.get(OUT).get(K).i32Add();
      l.get(OUT).get(K).i32Add().v128Load();
      l.get(ROW_SUM).get(K).i32Add().v128Load().get(COLS_V).div();
      l.add().v128Store();
    });
    c.get(R).i32(1).i32Sub().tee(R).brIf(0);
  });
  overPairs((l) => {
    l.get(OUT).get(K).i32Add();
    l.get(OUT).get(K).i32Add().v128Load().get(ROWS_V).div();
    l.v128Store();
  });
  const params: ValType[] = [...new Array<ValType>(10).fill(I32), F64, F64];
  const locals: ValType[] = [...new Array<ValType>(13).fill(I32), ...new Array<ValType>(21).fill(V128)];
  return { name: 'nsimOffsets', params, locals, body: c };
}

/**
 * difPass / ditPass(re, im, nBytes, sizeBytes, quarterBytes, cos, sin, stepBytes, sign): one
 * radix-4 stage of fftToBitReversed / fftFromBitReversed (fft.ts) over all blocks of `size`
 * points (quarter L = size / 4 >= 2), butterflies k and k + 1 in the two lanes, twiddles read at
 * t = k step from the cos/sin tables. The JavaScript stage skips the twiddle products at k = 0;
 * here lane 0 of each block's first pair keeps its untwiddled values by a bit select, so every
 * output is the same bits.
 */
function fftPassKernel(kind: 'dif' | 'dit'): WasmFunction {
  const RE = 0, IM = 1, N = 2, SIZE = 3, QUARTER = 4, COS = 5, SIN = 6, STEP = 7, SIGN = 8;
  const B = 9, K = 10, T = 11, P = 12, D = 16, STEP2 = 17; // P .. P + 3: the quarters' addresses
  const SG = 18, NG = 19, MASK = 20, FIRST = 21, A = 22; // A .. A + 7: ar ai br bi cr ci dr di
  const W = 30, X = 36; // W .. W + 5: w1r w1i w2r w2i w3r w3i; X .. X + 7: temporaries
  const [AR, AI, BR, BI, CR, CI, DR, DI] = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => A + i);
  const [W1R, W1I, W2R, W2I, W3R, W3I] = [0, 1, 2, 3, 4, 5].map((i) => W + i);
  const c = new Code();
  c.get(SIGN).splat().set(SG);
  c.f64(0).get(SIGN).f64Sub().splat().set(NG);
  c.v128Bytes([255, 255, 255, 255, 255, 255, 255, 255, 0, 0, 0, 0, 0, 0, 0, 0]).set(FIRST);
  c.get(IM).get(RE).i32Sub().set(D);
  c.get(STEP).get(STEP).i32Add().set(STEP2);
  /** Lanes table[t], table[t + step] (double: table[2t], table[2t + 2 step]). */
  const gather = (l: Code, table: number, double: boolean) => {
    const at = (extra: number) => {
      l.get(table).get(T);
      if (double) l.get(T).i32Add();
      l.i32Add();
      if (extra) l.get(extra).i32Add();
    };
    at(0);
    l.f64Load().splat();
    at(double ? STEP2 : STEP);
    l.f64Load().replaceLane(1);
  };
  /** Complex product (re, im) x (wr, wi) of locals, left as two vectors on the stack. */
  const cmulRe = (l: Code, r: number, i: number, wr: number, wi: number) => l.get(r).get(wr).mul().get(i).get(wi).mul().sub();
  const cmulIm = (l: Code, r: number, i: number, wr: number, wi: number) => l.get(r).get(wi).mul().get(i).get(wr).mul().add();
  /**
   * The radix-2 halves of a radix-4 butterfly into the temporaries X .. X + 7: u + v and u - v of
   * the first pair, then s + t and (s - t) times i x sign (-i for the forward transform) of the
   * second; returns the temporaries (re, im of each) in that order.
   */
  const sumsAndDifferences = (l: Code, [ur, ui, vr, vi]: number[], [sr, si, tr, ti]: number[]): number[] => {
    const t = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => X + i);
    l.get(ur).get(vr).add().set(t[0]);
    l.get(ui).get(vi).add().set(t[1]);
    l.get(ur).get(vr).sub().set(t[2]);
    l.get(ui).get(vi).sub().set(t[3]);
    l.get(sr).get(tr).add().set(t[4]);
    l.get(si).get(ti).add().set(t[5]);
    l.get(NG).get(si).get(ti).sub().mul().set(t[6]);
    l.get(SG).get(sr).get(tr).sub().mul().set(t[7]);
    return t;
  };
  const store = (l: Code, quarter: number, imag: boolean, value: () => void) => {
    l.get(P + quarter);
    if (imag) l.get(D).i32Add();
    value();
    l.v128Store();
  };
  c.i32(0).set(B);
  c.loop((blocks) => {
    blocks.get(FIRST).set(MASK);
    blocks.i32(0).set(K);
    blocks.i32(0).set(T);
    blocks.loop((l) => {
      l.get(RE).get(B).i32Add().get(K).i32Add().set(P);
      for (let q = 1; q < 4; q++) l.get(P + q - 1).get(QUARTER).i32Add().set(P + q);
      for (let q = 0; q < 4; q++) {
        l.get(P + q).v128Load().set(A + 2 * q);
        l.get(P + q).get(D).i32Add().v128Load().set(A + 2 * q + 1);
      }
      gather(l, COS, false);
      l.set(W1R);
      gather(l, SIN, false);
      l.get(SG).mul().set(W1I);
      gather(l, COS, true);
      l.set(W2R);
      gather(l, SIN, true);
      l.get(SG).mul().set(W2I);
      cmulRe(l, W1R, W1I, W2R, W2I).set(W3R);
      cmulIm(l, W1R, W1I, W2R, W2I).set(W3I);
      const select = (raw: number, product: () => void) => {
        l.get(raw);
        product();
        l.get(MASK).bitselect();
      };
      if (kind === 'dif') {
        const [T0R, T0I, T1R, T1I, T2R, T2I, T3R, T3I] = sumsAndDifferences(l, [AR, AI, CR, CI], [BR, BI, DR, DI]);
        store(l, 0, false, () => l.get(T0R).get(T2R).add());
        store(l, 0, true, () => l.get(T0I).get(T2I).add());
        // x = t0 - t2 (times w2), y = t1 + t3 (times w1), z = t1 - t3 (times w3); reuse a..d.
        l.get(T0R).get(T2R).sub().set(AR);
        l.get(T0I).get(T2I).sub().set(AI);
        l.get(T1R).get(T3R).add().set(BR);
        l.get(T1I).get(T3I).add().set(BI);
        l.get(T1R).get(T3R).sub().set(CR);
        l.get(T1I).get(T3I).sub().set(CI);
        const out: [number, number, number, number, number][] = [
          [1, AR, AI, W2R, W2I],
          [2, BR, BI, W1R, W1I],
          [3, CR, CI, W3R, W3I],
        ];
        for (const [q, r, i, wr, wi] of out) {
          store(l, q, false, () => select(r, () => cmulRe(l, r, i, wr, wi)));
          store(l, q, true, () => select(i, () => cmulIm(l, r, i, wr, wi)));
        }
      } else {
        // b, c, d times w2, w1, w3 (lane 0 of a block's first pair untouched).
        const twiddled: [number, number, number, number][] = [
          [BR, BI, W2R, W2I],
          [CR, CI, W1R, W1I],
          [DR, DI, W3R, W3I],
        ];
        for (const [r, i, wr, wi] of twiddled) {
          select(r, () => cmulRe(l, r, i, wr, wi));
          select(i, () => cmulIm(l, r, i, wr, wi));
          l.set(i).set(r);
        }
        const [S0R, S0I, S1R, S1I, S2R, S2I, S3R, S3I] = sumsAndDifferences(l, [AR, AI, BR, BI], [CR, CI, DR, DI]);
        store(l, 0, false, () => l.get(S0R).get(S2R).add());
        store(l, 0, true, () => l.get(S0I).get(S2I).add());
        store(l, 2, false, () => l.get(S0R).get(S2R).sub());
        store(l, 2, true, () => l.get(S0I).get(S2I).sub());
        store(l, 1, false, () => l.get(S1R).get(S3R).add());
        store(l, 1, true, () => l.get(S1I).get(S3I).add());
        store(l, 3, false, () => l.get(S1R).get(S3R).sub());
        store(l, 3, true, () => l.get(S1I).get(S3I).sub());
      }
      l.get(X + 8).set(MASK); // X + 8: a vector local never written, i.e. zero
      l.get(T).get(STEP2).i32Add().set(T);
      l.get(K).i32(16).i32Add().tee(K).get(QUARTER).i32LtS().brIf(0);
    });
    blocks.get(B).get(SIZE).i32Add().tee(B).get(N).i32LtS().brIf(0);
  });
  const params: ValType[] = [...new Array<ValType>(8).fill(I32), F64];
  const locals: ValType[] = [...new Array<ValType>(9).fill(I32), ...new Array<ValType>(27).fill(V128)];
  return { name: `${kind}Pass`, params, locals, body: c };
}

interface KernelExports {
  memory: WebAssembly.Memory;
  gammatonePair: (
    x: number, end: number, out: number,
    p0: number, p1: number, p2: number, p3: number,
    q0: number, q1: number, q2: number, q3: number,
    a1: number, negA2: number,
  ) => void;
  nsimOffsets: (
    cells: number, refs: number, deg: number, stats: number, plane: number, rows: number, cols: number,
    pairBytes: number, rowSum: number, out: number, colsF: number, rowsF: number,
  ) => void;
  difPass: FftPass;
  ditPass: FftPass;
}

type FftPass = (
  re: number, im: number, nBytes: number, sizeBytes: number, quarterBytes: number,
  cos: number, sin: number, stepBytes: number, sign: number,
) => void;

const MAX_MEMORY_BYTES = 2 ** 31 - 65536;

/** The kernels and their memory, grown on demand. */
export class SimdKernels {
  private view: Float64Array;
  private ints: Int32Array;

  constructor(readonly exports: KernelExports) {
    this.view = new Float64Array(exports.memory.buffer);
    this.ints = new Int32Array(exports.memory.buffer);
  }

  /**
   * A float64 view of the memory, at least `doubles` long (views made before a growth are stale),
   * or null when the memory cannot grow that far: the caller runs its JavaScript loop instead.
   * The kernels compare byte addresses as signed 32-bit integers, hence the 2 GB cap.
   */
  heap(doubles: number): Float64Array | null {
    const have = this.exports.memory.buffer.byteLength;
    const need = doubles * 8;
    if (need > MAX_MEMORY_BYTES) return null;
    if (need > have) {
      try {
        this.exports.memory.grow(Math.ceil((need - have) / 65536));
      } catch {
        return null;
      }
    }
    if (this.view.buffer !== this.exports.memory.buffer) {
      this.view = new Float64Array(this.exports.memory.buffer);
      this.ints = new Int32Array(this.exports.memory.buffer);
    }
    return this.view;
  }

  /** An int32 view of the same memory (valid until the next heap() growth). */
  int32(): Int32Array {
    return this.ints;
  }
}

let compiled: WebAssembly.Module | null | undefined;
let enabled = true;
/**
 * The live instance, held weakly like fft.ts's large twiddle tables: its memory grows to some
 * 50 MB for a one-minute pair and should not stay for the rest of a long-lived process (serve).
 * A WeakRef target lives at least to the end of the synchronous job that made or read it, so
 * one scoring run uses one instance; the next one instantiates the compiled module again.
 */
let live: WeakRef<SimdKernels> | null = null;

/** The kernels, or null where WebAssembly SIMD is not available (the JavaScript loops run then). */
export function simdKernels(): SimdKernels | null {
  if (!enabled) return null;
  const running = live?.deref();
  if (running) return running;
  if (compiled === undefined) {
    try {
      const bytes = writeModule([gammatonePairKernel(), nsimOffsetsKernel(), fftPassKernel('dif'), fftPassKernel('dit')], 1);
      compiled = new WebAssembly.Module(bytes);
    } catch {
      compiled = null;
    }
  }
  if (!compiled) return null;
  const kernels = new SimdKernels(new WebAssembly.Instance(compiled).exports as unknown as KernelExports);
  live = new WeakRef(kernels);
  return kernels;
}

/** For tests: false runs the JavaScript loops everywhere (as without WebAssembly SIMD), true the kernels again. */
export function useSimdKernels(on: boolean): void {
  enabled = on;
}
