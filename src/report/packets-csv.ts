import type { PacketRecord } from '../sim/records.ts';

/** packets.csv: one row per packet sent, the ground truth of the run. */
export const PACKETS_CSV_HEADER = 'kind,seq,rtp_timestamp,frame,size_bytes,send_ms,arrival_ms,queue_delay_ms,fate,cause,playout_ms,duplicated,reordered,corrupted\n';

const f = (x: number | null): string => (x === null ? '' : (Math.round(x * 1000) / 1000).toString());

export function packetCsvRow(r: PacketRecord): string {
  return `${r.kind},${r.seq},${r.timestamp},${r.frameIndex},${r.sizeBytes},${f(r.sendMs)},${f(r.arrivalMs)},${f(r.queueDelayMs)},${r.fate},${r.networkCause ?? ''},${f(r.playoutMs)},${r.duplicated ? 1 : 0},${r.reordered ? 1 : 0},${r.corrupted ? 1 : 0}\n`;
}
