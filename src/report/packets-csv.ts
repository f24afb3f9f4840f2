import type { PacketRecord } from '../sim/records.ts';

/**
 * packets.csv: one row per packet A put on the A→B path, in the order the path took them: RTP
 * (kind media / fec / rtx) and the RTCP reports that share its bottleneck (kind rtcp; seq,
 * rtp_timestamp and frame are -1). Replaying the rows through the same channel reproduces every
 * arrival and queue drop. second_arrival_ms is the other copy of a duplicated packet.
 */
export const PACKETS_CSV_HEADER =
  'kind,seq,rtp_timestamp,frame,size_bytes,send_ms,arrival_ms,queue_delay_ms,fate,cause,playout_ms,duplicated,reordered,corrupted,second_arrival_ms\n';

const f = (x: number | null): string => (x === null ? '' : (Math.round(x * 1000) / 1000).toString());

export function packetCsvRow(r: PacketRecord): string {
  return `${r.kind},${r.seq},${r.timestamp},${r.frameIndex},${r.sizeBytes},${f(r.sendMs)},${f(r.arrivalMs)},${f(r.queueDelayMs)},${r.fate},${r.networkCause ?? ''},${f(r.playoutMs)},${r.duplicated ? 1 : 0},${r.reordered ? 1 : 0},${r.corrupted ? 1 : 0},${f(r.secondArrivalMs)}\n`;
}
