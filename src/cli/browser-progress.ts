/**
 * Progress of browser variants, which take their call's duration in wall time: a bar on a
 * terminal, one line at the start and one at the end otherwise (logs stay readable).
 */
import cliProgress from 'cli-progress';

export function browserProgress(stream: NodeJS.WriteStream = process.stderr): { update: (variant: string, doneMs: number, totalMs: number) => void; stop: () => void } {
  let bar: cliProgress.SingleBar | null = null;
  let current: string | null = null;
  const finish = () => {
    bar?.stop();
    bar = null;
  };
  return {
    update(variant, doneMs, totalMs) {
      const totalS = Math.max(1, Math.round(totalMs / 1000));
      if (variant !== current) {
        finish();
        current = variant;
        stream.write(`${variant}: browser receiver, ${totalS} s call in real time\n`);
        if (stream.isTTY) {
          bar = new cliProgress.SingleBar({ stream, format: `${variant} [{bar}] {value}/{total} s of call | eta {eta}s`, hideCursor: true }, cliProgress.Presets.shades_classic);
          bar.start(totalS, 0);
        }
      }
      bar?.update(Math.min(totalS, Math.round(doneMs / 1000)));
      if (doneMs >= totalMs) {
        finish();
        if (!stream.isTTY) stream.write(`${variant}: call done\n`);
      }
    },
    stop: finish,
  };
}
