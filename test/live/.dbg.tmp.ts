import WebSocket from 'ws';
import { startLiveServer } from '/work/main/src/live/server.ts';
import { AUDIO_IN, encodeAudioFrame } from '/work/main/src/live/protocol.ts';
async function main() {
console.log('start'); const s = await startLiveServer({ token: 'tok-123456', port: 0, rtpPort: null, sendQueueLimitBytes: 32 * 1024, reportsDir: '/tmp/lx/r' });
const url = (n: string) => `${s.url.replace('http', 'ws')}/ws?token=tok-123456&room=s&name=${n}`;
console.log('started', s.url); const ok = new WebSocket(url('ok'));
const slow = new WebSocket(url('slow'));
let got = 0;
slow.on('message', (d: Buffer) => { got += d.length; });
await Promise.all([new Promise((r) => slow.once('open', r)), new Promise((r) => ok.once('open', r))]);
slow.pause();
let n = 0;
const t0 = performance.now();
const iv = setInterval(() => { ok.send(encodeAudioFrame(AUDIO_IN, n++, new Int16Array(960).fill(1000))); }, 20);
for (let k = 0; k < 14; k++) {
  await new Promise((r) => setTimeout(r, 5000));
  console.log(((performance.now() - t0) / 1000).toFixed(1), 'got', got, 'drops', s.metrics.sendQueueDrops.total(), 'bytesRead', (slow as unknown as { _socket: { bytesRead: number } })._socket.bytesRead);
}
clearInterval(iv);
console.log('closing'); await s.close(); console.log('closed');
process.exit(0);
}
main().catch((e) => { console.error(e); process.exit(1); });
