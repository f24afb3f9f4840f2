/**
 * Numbers of a scenario file, each with a range. Every numeric key has one: a value the
 * simulator cannot run in bounded time or memory (slotMs: 0.000001 steps the network a billion
 * times a second) or that no network has (a 10-minute delay) is refused before anything runs, and
 * the error gives the range ("must be in 0..1, got 1.5"). Bounds are inclusive.
 */
import { z } from 'zod';

export function numberIn(min: number, max: number): z.ZodNumber {
  const error = `must be in ${min}..${max}`;
  return z.number({ error: `must be a number in ${min}..${max}` }).min(min, { error }).max(max, { error });
}

export function integerIn(min: number, max: number): z.ZodNumber {
  const error = `must be an integer in ${min}..${max}`;
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}
