/**
 * The call both benchmarks simulate: looped speech, Opus 24 kbit/s complexity 5 with
 * in-band FEC, mild correlated jitter and 2% bursty loss. One definition, so the pipeline and
 * sweep figures describe the same call.
 */
export function benchCallYaml(name: string, durationS: number): string {
  return `name: ${name}
seed: 9
durationS: ${durationS}
source: { file: fixtures/speech-48k.wav }
sender:
  codec: { frameMs: 20, bitrateKbps: 24, complexity: 5, fec: true, expectedLoss: 0.1 }
channel:
  delay: { baseMs: 40, jitterMs: 8, distribution: normal, correlation: 0.3 }
  loss: { model: gilbert, rate: 0.02, meanBurstPackets: 2 }
`;
}
