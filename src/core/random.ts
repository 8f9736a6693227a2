/**
 * A seeded random source whose whole state is one number, so the reconnect core can keep
 * it in its state and a test can replay any sequence of jittered delays from a seed.
 * mulberry32: 32 bits of state, good spread, a few integer operations. Not for secrets.
 */

/** The generator's state: an unsigned 32-bit integer. */
export type RandomState = number;

/** A state from any number (a seed); the CLI seeds it from crypto.randomInt. */
export function seedRandom(seed: number): RandomState {
  return seed >>> 0;
}

/** The next value in [0, 1), and the state after it. */
export function nextRandom(state: RandomState): [number, RandomState] {
  const next = (state + 0x6d2b79f5) >>> 0;
  let t = next;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  const value = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  return [value, next];
}
