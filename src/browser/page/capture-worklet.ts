/**
 * Runs inside the receiver page's AudioWorklet (audio thread): what the browser plays from the
 * remote track, cut into 20 ms blocks of 960 Int16 samples (48 kHz, first channel) and posted to
 * the page. Int16 is what degraded.wav holds; the conversion rounds exactly as our own decoder
 * output is rounded, so a browser variant's WAV and ours differ only in what the receivers did.
 */
export {};

declare class AudioWorkletProcessor {
  readonly port: MessagePort;
  constructor();
}
declare function registerProcessor(name: string, ctor: new () => AudioWorkletProcessor): void;

const BLOCK = 960;

class CaptureProcessor extends AudioWorkletProcessor {
  private block = new Int16Array(BLOCK);
  private n = 0;

  process(inputs: Float32Array[][]): boolean {
    // An input with no channels (the track not yet flowing) is silence of one render quantum.
    const ch = inputs[0]?.[0];
    const len = ch ? ch.length : 128;
    for (let i = 0; i < len; i++) {
      const v = ch ? Math.max(-1, Math.min(1, ch[i])) : 0;
      this.block[this.n++] = Math.round(v * 32767);
      if (this.n === BLOCK) {
        this.port.postMessage(this.block, [this.block.buffer]);
        this.block = new Int16Array(BLOCK);
        this.n = 0;
      }
    }
    return true;
  }
}

registerProcessor('jitterlab-capture', CaptureProcessor);
