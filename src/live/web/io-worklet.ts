/**
 * The page's audio I/O, inside the AudioWorklet (audio thread): the microphone input is cut into
 * 20 ms frames of 960 Int16 samples (48 kHz) and posted to the page; frames received from the
 * server are played from a small queue (started after two frames, bounded at 300 ms so latency
 * cannot build up when the browser's audio clock runs slower than the server's playout clock).
 */
export {};

declare class AudioWorkletProcessor {
  readonly port: MessagePort;
  constructor();
}
declare function registerProcessor(name: string, ctor: new () => AudioWorkletProcessor): void;

const FRAME = 960;
const START_FRAMES = 2;
const MAX_FRAMES = 15;
const KEEP_FRAMES = 5;

class IoProcessor extends AudioWorkletProcessor {
  private cap = new Int16Array(FRAME);
  private capN = 0;
  private readonly queue: Int16Array[] = [];
  private cur: Int16Array | null = null;
  private curOff = 0;
  private playing = false;

  constructor() {
    super();
    this.port.onmessage = (e: MessageEvent<Int16Array>) => {
      this.queue.push(e.data);
      if (this.queue.length > MAX_FRAMES) this.queue.splice(0, this.queue.length - KEEP_FRAMES);
    };
  }

  process(inputs: Float32Array[][], outputs: Float32Array[][]): boolean {
    const inp = inputs[0]?.[0];
    if (inp) {
      for (let i = 0; i < inp.length; i++) {
        const v = Math.max(-1, Math.min(1, inp[i]));
        this.cap[this.capN++] = Math.round(v * 32767);
        if (this.capN === FRAME) {
          this.port.postMessage(this.cap, [this.cap.buffer]);
          this.cap = new Int16Array(FRAME);
          this.capN = 0;
        }
      }
    }
    const out = outputs[0]?.[0];
    if (out) {
      if (!this.playing && this.queue.length >= START_FRAMES) this.playing = true;
      for (let i = 0; i < out.length; i++) {
        if (!this.cur && this.playing) {
          this.cur = this.queue.shift() ?? null;
          this.curOff = 0;
          if (!this.cur) this.playing = false; // underrun: wait for the queue to refill
        }
        out[i] = this.cur ? this.cur[this.curOff++] / 32768 : 0;
        if (this.cur && this.curOff >= FRAME) this.cur = null;
      }
    }
    return true;
  }
}

registerProcessor('jitterlab-io', IoProcessor);
