import { availableParallelism } from 'node:os';

/** Leg engines by default: one per core, at most this many. */
export const MAX_DEFAULT_WORKERS = 8;

/** How many leg engines `serve` runs when --workers is not given. */
export function defaultWorkers(): number {
  return Math.min(MAX_DEFAULT_WORKERS, availableParallelism());
}
