/** Float -> 16-bit PCM conversion (rounded and saturated: an Int16Array store would wrap). */
export function toInt16(v: number): number {
  const r = Math.round(v);
  return r > 32767 ? 32767 : r < -32768 ? -32768 : r;
}

/** Mean power of `x[start, end)` in dB relative to a full-scale square wave (32768); -Infinity if silent. */
export function levelDbfs(x: Int16Array | Float32Array, start: number, end: number): number {
  let e = 0;
  for (let i = start; i < end; i++) e += x[i] * x[i];
  const n = end - start;
  if (n <= 0 || e === 0) return -Infinity;
  return 10 * Math.log10(e / n / (32768 * 32768));
}
