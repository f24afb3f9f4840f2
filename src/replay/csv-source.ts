/**
 * Replay source (b): a per-packet CSV `seq,send_ms,recv_ms[,size]` (src/pcap/csv-trace.ts; empty
 * recv_ms = lost). The delay is recv_ms - send_ms, so both columns must come from synchronised
 * clocks (or one clock, e.g. a loopback test); sequence numbers missing from the file are losses.
 * Numbers that all fit 16 bits are unwrapped in file order (RFC 3550 A.1), so a capture that
 * crosses 65535 -> 0 stays in order.
 */
import { JitterlabError } from '../core/errors.ts';
import { parseCsvTrace, readCsvTraceFile, type TraceRow } from '../pcap/csv-trace.ts';
import { SeqUnwrapper } from '../rtp/wrap.ts';
import { fatesFromObservations, seqSpan, type ReplayTrace } from './replay-trace.ts';

/** Most packets a replay trace may span (a missing-number range this long is a typo). */
export const MAX_TRACE_PACKETS = 10_000_000;

export function traceFromCsvRows(rows: readonly TraceRow[], file: string): ReplayTrace {
  if (rows.length === 0) throw new JitterlabError('pcap', `${file}: the trace has no packets`);
  const all16 = rows.every((r) => r.seq <= 0xffff);
  const un = new SeqUnwrapper();
  const obs = rows.map((r) => {
    const seq = all16 ? un.unwrap(r.seq) : r.seq;
    if (r.recvMs !== null && r.recvMs < r.sendMs) {
      throw new JitterlabError('pcap', `${file}: seq ${r.seq}: recv_ms ${r.recvMs} is before send_ms ${r.sendMs} (the two clocks must be synchronised)`);
    }
    return { seq, delayMs: r.recvMs === null ? null : r.recvMs - r.sendMs };
  });
  const span = seqSpan(obs);
  if (span > MAX_TRACE_PACKETS) throw new JitterlabError('pcap', `${file}: sequence numbers span ${span} packets (limit ${MAX_TRACE_PACKETS})`);
  return { source: file, fates: fatesFromObservations(obs), delayKind: 'absolute' };
}

export function traceFromCsvText(text: string, file: string): ReplayTrace {
  return traceFromCsvRows(parseCsvTrace(text, file), file);
}

export function traceFromCsvFile(file: string): ReplayTrace {
  return traceFromCsvRows(readCsvTraceFile(file), file);
}
