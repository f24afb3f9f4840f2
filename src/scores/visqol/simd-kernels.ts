/**
 * The ViSQOL port's two hottest loops as WebAssembly SIMD kernels (two float64 lanes): the
 * gammatone cascade of two frames at once, and the NSIM of one reference patch against two
 * degraded offsets at once. Each lane performs the operations of the JavaScript loop it replaces
 * in the same order (see wasm-writer.ts), so the results are the same bits; the JavaScript loops
 * stay as the fallback where WebAssembly SIMD is missing and as the reference the tests compare
 * the kernels with.
 *
 * The module is built from this source the first time a kernel is wanted (a few kilobytes, well
 * under a millisecond to compile).
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
}

/** The kernels and their memory, grown on demand. */
export class SimdKernels {
  private view: Float64Array;
  private ints: Int32Array;

  constructor(readonly exports: KernelExports) {
    this.view = new Float64Array(exports.memory.buffer);
    this.ints = new Int32Array(exports.memory.buffer);
  }

  /** A float64 view of the memory, at least `doubles` long (views made before a growth are stale). */
  heap(doubles: number): Float64Array {
    const have = this.exports.memory.buffer.byteLength;
    const need = doubles * 8;
    if (need > have) this.exports.memory.grow(Math.ceil((need - have) / 65536));
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

let kernels: SimdKernels | null | undefined;

/** The kernels, or null where WebAssembly SIMD is not available (the JavaScript loops run then). */
export function simdKernels(): SimdKernels | null {
  if (kernels !== undefined) return kernels;
  try {
    const bytes = writeModule([gammatonePairKernel(), nsimOffsetsKernel()], 1);
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes));
    kernels = new SimdKernels(instance.exports as unknown as KernelExports);
  } catch {
    kernels = null;
  }
  return kernels;
}
