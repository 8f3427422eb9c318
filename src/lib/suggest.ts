/**
 * Edit distance where swapping two neighbours counts as one edit, as a slip of the fingers does
 * ("shpo" → "shop"): optimal string alignment. Small inputs only (config keys, command names).
 */
export function editDistance(a: string, b: string): number {
  let before: number[] = [];
  let previous = Array.from({length: b.length + 1}, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      let distance = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) distance = Math.min(distance, before[j - 2]! + 1);
      current.push(distance);
    }
    before = previous;
    previous = current;
  }
  return previous[b.length]!;
}

/** Longer than any name a suggestion could be for; comparing it would cost its length times each candidate's. */
const MAX_TYPO_LENGTH = 64;

/**
 * The candidate `input` most likely meant, if any: the closest within an edit distance that
 * still reads as a typo ("restrat" → "restart"); failing that, the longest candidate whose
 * words start it ("restart_policy" → "restart", "timeout_ms" → "timeout"), words being what
 * "_" and "-" separate.
 */
export function didYouMean(input: string, candidates: Iterable<string>): string | undefined {
  if (input.length > MAX_TYPO_LENGTH) return undefined;
  const lower = input.toLowerCase();
  const threshold = Math.max(1, Math.floor(input.length / 3));
  const list = [...candidates];
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of list) {
    // The distance is at least the difference in length: no need to compute it for those too far apart.
    if (Math.abs(candidate.length - input.length) > threshold) continue;
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= threshold ? best : longestWordPrefix(lower, list);
}

const WORD_SEPARATOR = /[_-]/;

/** The candidate whose words are the first words of `input` (fewer than all of them), the one with the most words. */
function longestWordPrefix(input: string, candidates: string[]): string | undefined {
  const words = input.split(WORD_SEPARATOR);
  let best: string | undefined;
  let bestLength = 0;
  for (const candidate of candidates) {
    const prefix = candidate.toLowerCase().split(WORD_SEPARATOR);
    if (prefix.length >= words.length || prefix.length <= bestLength || prefix.some((word, index) => word === '' || word !== words[index])) continue;
    best = candidate;
    bestLength = prefix.length;
  }
  return best;
}

/**
 * didYouMean for a name typed on the command line, where a name is often cut short: failing a
 * typo, the one candidate it begins ("tick" → "ticker"). Config keys do not take this rule: a
 * key that starts a declared one ("restart" of "restart_window") is a key of its own.
 */
export function nearestName(input: string, candidates: Iterable<string>): string | undefined {
  const list = [...candidates];
  const typo = didYouMean(input, list);
  if (typo !== undefined) return typo;
  const extended = extensionsOf(input, list);
  return extended.length === 1 ? extended[0] : undefined;
}

/**
 * Every candidate `input` may have meant, nearest first, for a "did you mean" that lists them
 * all: those within typo distance; failing any, those it begins ("sched" → "schedule",
 * "schedules"), as a name cut short.
 */
export function closeMatches(input: string, candidates: Iterable<string>): string[] {
  if (input.length > MAX_TYPO_LENGTH) return [];
  const lower = input.toLowerCase();
  const threshold = Math.max(1, Math.floor(input.length / 3));
  const list = [...new Set(candidates)];
  const near = list.map((candidate) => ({candidate, distance: editDistance(lower, candidate.toLowerCase())})).filter(({distance}) => distance <= threshold);
  // Only the nearest, as git does: "sevices" means "services", not also "service".
  const best = Math.min(...near.map(({distance}) => distance));
  if (near.length > 0) return near.filter(({distance}) => distance === best).map(({candidate}) => candidate);
  // The shortest first: the fewest letters left out.
  return extensionsOf(input, list).sort((a, b) => a.length - b.length);
}

/** The candidates `input` (two characters or more) is the start of: a name cut short. */
function extensionsOf(input: string, candidates: readonly string[]): string[] {
  if (input.length < 2) return [];
  const lower = input.toLowerCase();
  return candidates.filter((candidate) => candidate.toLowerCase().startsWith(lower));
}
