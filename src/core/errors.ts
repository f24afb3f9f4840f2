/**
 * Typed errors per domain (design-notes "Errors"). The CLI maps `usage` errors to exit code 2
 * and every other kind to exit code 1, printing `message` as one line.
 */
export type ErrorKind = 'usage' | 'scenario' | 'wav' | 'rtp' | 'rtcp' | 'pcap' | 'io' | 'codec' | 'internal';

export class JitterlabError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'JitterlabError';
  }
  get exitCode(): number {
    return this.kind === 'usage' || this.kind === 'scenario' ? 2 : 1;
  }
}

/** A scenario mistake: names the file, the key path and the line. */
export class ScenarioError extends JitterlabError {
  constructor(
    readonly file: string,
    readonly keyPath: string,
    readonly line: number | null,
    readonly detail: string,
  ) {
    super('scenario', `${file}${line !== null ? `:${line}` : ''}: ${keyPath ? `${keyPath}: ` : ''}${detail}`);
    this.name = 'ScenarioError';
  }
}

export class UsageError extends JitterlabError {
  constructor(message: string) {
    super('usage', message);
    this.name = 'UsageError';
  }
}

export class WavError extends JitterlabError {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super('wav', `${file}: ${detail}`);
    this.name = 'WavError';
  }
}

export class IoError extends JitterlabError {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super('io', `${file}: ${detail}`);
    this.name = 'IoError';
  }
}
