/** Replay of recorded networks (pcap/pcapng RTP streams, per-packet CSV) as channel paths. */
export { ReplayPath } from './replay-path.ts';
export { fatesFromObservations, PacketFates, traceStats, type PacketFate, type ReplayTrace } from './replay-trace.ts';
export { traceFromCsvFile, traceFromCsvRows, traceFromCsvText, MAX_TRACE_PACKETS } from './csv-source.ts';
export { rtpClockRate, traceFromCaptureFile, traceFromRtpStream } from './rtp-source.ts';
export { loadReplayTrace, type ReplayConfig } from './load-replay.ts';
