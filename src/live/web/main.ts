/**
 * The live page: join a room, capture the microphone through the AudioWorklet (48 kHz, 20 ms
 * Int16 frames) and send the frames over a binary WebSocket; play the frames the server sends
 * back (through its channel and jitter buffer) and chart the server's statistics. Controls
 * change the listener's preset, buffer type, loss and jitter while talking. The RTP streams
 * panel lists the server's RTP streams (GET /api/rtp) and records them.
 *
 * The access token comes in the address (the link the server prints); the page moves it to
 * this tab's session storage and takes it out of the address bar and history at once, and sends
 * it as a WebSocket subprotocol and an Authorization header, never in a URL.
 *
 * For automated tests the page keeps what it sent and received on `window.__jitterlab`.
 */
import { AUDIO_IN, AUDIO_OUT, decodeAudioFrame, encodeAudioFrame, SAMPLE_RATE, WS_PROTOCOL, wsTokenProtocol, type ServerEvent } from '../protocol.ts';
import { LiveChart } from './charts.ts';
import { RtpPanel } from './rtp-panel.ts';
import { RtcListen, type BrowserNetEqSample } from './rtc-listen.ts';

const MAX_KEPT_SAMPLES = SAMPLE_RATE * 60;

class PcmLog {
  private chunks: Int16Array[] = [];
  samples = 0;
  push(pcm: Int16Array): void {
    if (this.samples >= MAX_KEPT_SAMPLES) return;
    this.chunks.push(pcm.slice());
    this.samples += pcm.length;
  }
  base64(): string {
    const all = new Int16Array(this.samples);
    let o = 0;
    for (const c of this.chunks) {
      all.set(c, o);
      o += c.length;
    }
    const bytes = new Uint8Array(all.buffer);
    let s = '';
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(s);
  }
}

const probe = {
  sent: new PcmLog(),
  received: new PcmLog(),
  events: [] as ServerEvent[],
  /** WebRTC listening: the browser's own NetEq figures, one per leg per second. */
  browserNetEq: [] as BrowserNetEqSample[],
  joined: false,
  receivedBase64: () => probe.received.base64(),
  sentBase64: () => probe.sent.base64(),
};
(window as unknown as { __jitterlab: typeof probe }).__jitterlab = probe;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const TOKEN_KEY = 'jitterlab-token';
const params = new URLSearchParams(location.search);
for (const k of ['room', 'name'] as const) {
  const v = params.get(k);
  if (v !== null) $<HTMLInputElement>(k).value = v;
}
if (params.get('aec') === '0') $<HTMLInputElement>('aec').checked = false;
if (params.get('listen') === 'webrtc') $<HTMLSelectElement>('listen').value = 'webrtc';
{
  // The token leaves the address bar (and the history entry) as soon as the page has it.
  const fromUrl = params.get('token');
  if (fromUrl !== null) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    params.delete('token');
    const q = params.toString();
    history.replaceState(history.state, '', `${location.pathname}${q ? `?${q}` : ''}${location.hash}`);
  }
  $<HTMLInputElement>('token').value = sessionStorage.getItem(TOKEN_KEY) ?? '';
  $('token').addEventListener('change', () => sessionStorage.setItem(TOKEN_KEY, $<HTMLInputElement>('token').value));
}
const token = () => $<HTMLInputElement>('token').value;

const log = (line: string) => {
  const el = $('status');
  el.textContent = `${new Date().toLocaleTimeString()} ${line}\n${el.textContent ?? ''}`.slice(0, 5000);
};

const charts = {
  delay: new LiveChart($('c-delay'), 'Network delay', [{ label: 'one-way delay (ms)', color: '#2f6fdf' }], { min: 0, title: 'ms' }),
  buffer: new LiveChart($('c-buffer'), 'Jitter buffer', [
    { label: 'level (ms)', color: '#1f9d55' },
    { label: 'target (ms)', color: '#d97706' },
  ], { min: 0, title: 'ms' }),
  loss: new LiveChart($('c-loss'), 'Loss and concealment (last second)', [
    { label: 'concealed frames', color: '#b00020', kind: 'bar' },
    { label: 'late discards', color: '#7c3aed', kind: 'bar' },
    { label: 'channel loss % (5 s)', color: '#6b7280' },
  ], { min: 0, title: 'count / %' }),
  mos: new LiveChart($('c-mos'), 'E-model MOS-CQ (last 5 s)', [{ label: 'MOS', color: '#0f766e' }], { min: 1, max: 5, title: 'MOS' }),
  browser: new LiveChart($('c-browser'), "Your browser's NetEq (getStats, per second)", [
    { label: 'target delay (ms)', color: '#d97706' },
    { label: 'buffer delay (ms)', color: '#1f9d55' },
    { label: 'concealed %', color: '#b00020', kind: 'bar' },
  ], { min: 0, title: 'ms / %' }),
};

const rtc = new RtcListen(
  (leg, sdp) => send({ type: 'rtc-answer', leg, sdp }),
  (x) => {
    if (probe.browserNetEq.length < 5000) probe.browserNetEq.push(x);
    charts.browser.push(`${((performance.now() - t0) / 1000).toFixed(0)}s`, [x.targetDelayMs, x.bufferDelayMs, x.concealedPct]);
  },
  (line) => log(line),
);

let ws: WebSocket | null = null;
let ctx: AudioContext | null = null;
let stream: MediaStream | null = null;
let node: AudioWorkletNode | null = null;
let framesSent = 0;
let t0 = 0;
let recording = false;
let sliderTimer: number | undefined;

function send(msg: object): void {
  if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg));
}

function setControls(enabled: boolean): void {
  for (const id of ['preset', 'buffer', 'loss', 'jitter', 'reset', 'record']) $<HTMLInputElement>(id).disabled = !enabled;
  $<HTMLSelectElement>('listen').disabled = enabled;
  $<HTMLButtonElement>('join').disabled = enabled;
  $<HTMLButtonElement>('leave').disabled = !enabled;
}

function fillSelect(id: string, values: string[], first?: string): void {
  const s = $<HTMLSelectElement>(id);
  s.innerHTML = '';
  const opts = first !== undefined ? [first, ...values] : values;
  for (const v of opts) {
    const o = document.createElement('option');
    o.value = v === first ? '' : v;
    o.textContent = v;
    s.appendChild(o);
  }
}

const members = new Map<number, string>();
let myId = -1;
function renderMembers(): void {
  const ul = $('members');
  ul.innerHTML = '';
  for (const [id, name] of members) {
    const li = document.createElement('li');
    li.textContent = `${name} #${id}`;
    if (id === myId) li.className = 'me';
    ul.appendChild(li);
  }
}

function showSettings(e: Extract<ServerEvent, { type: 'settings' | 'welcome' }>): void {
  $<HTMLSelectElement>('preset').value = e.settings.preset;
  $<HTMLSelectElement>('buffer').value = e.settings.buffer ?? '';
  const loss = e.effective.lossPct;
  $<HTMLInputElement>('loss').value = String(loss ?? 0);
  $('lossv').textContent = loss === null ? `(${e.effective.lossModel} model)` : `${loss.toFixed(1)} % (${e.effective.lossModel})`;
  $<HTMLInputElement>('jitter').value = String(e.effective.jitterMs);
  $('jitterv').textContent = `${e.effective.jitterMs} ms on ${e.effective.baseDelayMs} ms base`;
  $('effective').textContent = `preset ${e.effective.preset} · buffer ${e.effective.buffer}`;
}

function onEvent(e: ServerEvent): void {
  if (probe.events.length < 2000) probe.events.push(e);
  switch (e.type) {
    case 'welcome':
      myId = e.you.id;
      members.clear();
      for (const m of e.members) members.set(m.id, m.name);
      renderMembers();
      fillSelect('preset', e.presets);
      fillSelect('buffer', e.buffers, "preset's buffer");
      showSettings(e);
      if (!e.emodel) log('no E-model available: the MOS chart stays empty');
      $('browser-chart').hidden = e.listen !== 'webrtc';
      if (e.listen === 'webrtc') log('listening through this browser (WebRTC): the server sends the impaired packets, your browser\'s NetEq plays them');
      probe.joined = true;
      log(`joined room ${e.room} as ${e.you.name}`);
      return;
    case 'member-joined':
      members.set(e.member.id, e.member.name);
      renderMembers();
      log(`${e.member.name} joined`);
      return;
    case 'member-left':
      members.delete(e.member.id);
      renderMembers();
      log(`${e.member.name} left (${e.reason})`);
      return;
    case 'settings':
      showSettings(e);
      return;
    case 'recording':
      recording = e.on;
      $('record').textContent = e.on ? 'Stop recording' : 'Record what I hear';
      $('recinfo').innerHTML = '';
      $('recinfo').className = e.on ? 'rec' : 'note';
      $('recinfo').textContent = e.on ? `recording to ${e.dir}` : `saved ${e.dir}: ${(e.files ?? []).join(', ')}${e.reason ? ` (${e.reason})` : ''}`;
      return;
    case 'error':
      log(`error ${e.code}: ${e.message}`);
      return;
    case 'rtc-offer':
      rtc.offer(e.leg, e.sdp).catch((err: unknown) => log(`WebRTC: ${String(err)}`));
      return;
    case 'rtc-close':
      rtc.close(e.leg);
      return;
    case 'stats': {
      const leg = e.legs[0];
      if (!leg) return;
      const label = `${((e.tMs - t0) / 1000).toFixed(0)}s`;
      charts.delay.push(label, [leg.netDelayMs]);
      charts.buffer.push(label, [leg.jbLevelMs, leg.jbTargetMs]);
      charts.loss.push(label, [leg.concealedLastS, leg.lateLastS, leg.lossPct]);
      charts.mos.push(label, [leg.mosCQ]);
      return;
    }
  }
}

async function join(): Promise<void> {
  const room = $<HTMLInputElement>('room').value;
  const name = $<HTMLInputElement>('name').value;
  const aec = $<HTMLInputElement>('aec').checked;
  setControls(true);
  try {
    ctx = new AudioContext({ sampleRate: SAMPLE_RATE, latencyHint: 'interactive' });
    await ctx.audioWorklet.addModule('/worklet.js');
    stream = await navigator.mediaDevices.getUserMedia({
      audio: { channelCount: 1, sampleRate: SAMPLE_RATE, echoCancellation: aec, noiseSuppression: false, autoGainControl: false },
    });
    node = new AudioWorkletNode(ctx, 'jitterlab-io', { numberOfInputs: 1, numberOfOutputs: 1, outputChannelCount: [1] });
    ctx.createMediaStreamSource(stream).connect(node);
    node.connect(ctx.destination);
    await ctx.resume();
  } catch (err) {
    log(`audio setup failed: ${(err as Error).message}`);
    await leave();
    return;
  }
  const q = new URLSearchParams({ room, name, listen: $<HTMLSelectElement>('listen').value });
  ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws?${q}`, [WS_PROTOCOL, wsTokenProtocol(token())]);
  ws.binaryType = 'arraybuffer';
  t0 = performance.now();
  for (const c of Object.values(charts)) c.clear();
  ws.onmessage = (ev) => {
    if (typeof ev.data === 'string') {
      onEvent(JSON.parse(ev.data) as ServerEvent);
      return;
    }
    const f = decodeAudioFrame(new Uint8Array(ev.data as ArrayBuffer));
    if (!f.ok || f.type !== AUDIO_OUT) return;
    probe.received.push(f.pcm);
    node?.port.postMessage(f.pcm, [f.pcm.buffer]);
  };
  ws.onclose = (ev) => {
    log(`disconnected (${ev.code}${ev.reason ? ` ${ev.reason}` : ''})`);
    void leave();
  };
  node.port.onmessage = (ev: MessageEvent<Int16Array>) => {
    if (!ws || ws.readyState !== WebSocket.OPEN || !probe.joined) return;
    probe.sent.push(ev.data);
    ws.send(encodeAudioFrame(AUDIO_IN, framesSent++, ev.data));
  };
}

async function leave(): Promise<void> {
  const w = ws;
  ws = null;
  if (w && w.readyState <= WebSocket.OPEN) w.close(1000, 'leave');
  stream?.getTracks().forEach((t) => t.stop());
  stream = null;
  node?.disconnect();
  node = null;
  rtc.closeAll();
  if (ctx) await ctx.close().catch(() => undefined);
  ctx = null;
  probe.joined = false;
  members.clear();
  renderMembers();
  setControls(false);
}

$('join').addEventListener('click', () => void join());
$('leave').addEventListener('click', () => void leave());
$('preset').addEventListener('change', () => send({ type: 'settings', preset: $<HTMLSelectElement>('preset').value }));
$('buffer').addEventListener('change', () => {
  const v = $<HTMLSelectElement>('buffer').value;
  send({ type: 'settings', buffer: v === '' ? null : v });
});
for (const id of ['loss', 'jitter'] as const) {
  $(id).addEventListener('input', () => {
    window.clearTimeout(sliderTimer);
    sliderTimer = window.setTimeout(() => {
      const v = Number($<HTMLInputElement>(id).value);
      send(id === 'loss' ? { type: 'settings', lossPct: v } : { type: 'settings', jitterMs: v });
    }, 150);
  });
}
$('reset').addEventListener('click', () => send({ type: 'settings', lossPct: null, jitterMs: null }));
$('record').addEventListener('click', () => send({ type: 'record', on: !recording }));
setControls(false);
new RtpPanel($('rtp'), token, log).start();
