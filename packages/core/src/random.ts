/** A source of uniform random numbers in [0, 1). Inject a seeded one to replay a run exactly. */
export type RandomSource = () => number;

/** `Math.random`, for production. */
export const systemRandom: RandomSource = () => Math.random();

/** Fisher–Yates shuffle of a copy of `items`, driven by `random`. */
export function shuffled<T>(items: readonly T[], random: RandomSource): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const a = out[i] as T;
    out[i] = out[j] as T;
    out[j] = a;
  }
  return out;
}
