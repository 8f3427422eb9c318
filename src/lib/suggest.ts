/** Levenshtein distance; small inputs only (config keys, command names). */
export function editDistance(a: string, b: string): number {
  const previous = Array.from({length: b.length + 1}, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0]!;
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j]!;
      previous[j] = Math.min(above + 1, previous[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return previous[b.length]!;
}

/** Longer than any name a suggestion could be for; comparing it would cost its length times each candidate's. */
const MAX_TYPO_LENGTH = 64;

/** The closest candidate within a distance that still reads as a typo, if any. */
export function didYouMean(input: string, candidates: Iterable<string>): string | undefined {
  if (input.length > MAX_TYPO_LENGTH) return undefined;
  const threshold = Math.max(1, Math.floor(input.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  const typed = input.toLowerCase();
  for (const candidate of candidates) {
    // The distance is at least the difference in length: no need to compute it for those too far apart.
    if (Math.abs(candidate.length - input.length) > threshold) continue;
    const distance = editDistance(typed, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= threshold ? best : undefined;
}
