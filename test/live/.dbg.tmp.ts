import WebSocket from 'ws';
import { startLiveServer } from '../../src/live/server.ts';
import { AUDIO_IN, encodeAudioFrame } from '../../src/live/protocol.ts';
const s = await startLiveServer({ token: 'tok-123456', port: 0, rtpPort: null, sendQueueLimitBytes: 32 * 1024, reportsDir: '/tmp/lx/r' });
const url = (n: string) => `${s.url.replace('http', 'ws')}/ws?token=tok-123456&room=s&name=${n}`;
const ok = new WebSocket(url('ok'));
const slow = new WebSocket(url('slow'));
let got = 0;
slow.on('message', (d: Buffer) => { got += d.length; });
await new Promise((r) => slow.once('open', r));
await new Promise((r) => ok.once('open', r));
slow.pause();
let n = 0;
const t0 = performance.now();
const iv = setInterval(() => { for (let i = 0; i < 1; i++) ok.send(encodeAudioFrame(AUDIO_IN, n++, new Int16Array(960).fill(1000))); }, 20);
for (let k = 0; k < 12; k++) {
  await new Promise((r) => setTimeout(r, 1000));
  console.log(((performance.now() - t0) / 1000).toFixed(1), 'got', got, 'drops', s.metrics.sendQueueDrops.total(), 'slowSock', (slow as unknown as { _socket: { bytesRead: number } })._socket.bytesRead);
}
clearInterval(iv);
await s.close();
process.exit(0);
