/** Half-open time intervals [start, end) in epoch milliseconds, and set operations on lists of them. */
export interface Interval {
  start: number;
  end: number;
}

/** Sorted, non-empty, non-overlapping and non-touching intervals covering the same time. */
export function normalize(intervals: readonly Interval[]): Interval[] {
  const sorted = intervals.filter((i) => i.end > i.start).map((i) => ({ start: i.start, end: i.end })).sort((a, b) => a.start - b.start || a.end - b.end);
  const out: Interval[] = [];
  for (const interval of sorted) {
    const last = out.at(-1);
    if (last && interval.start <= last.end) last.end = Math.max(last.end, interval.end);
    else out.push(interval);
  }
  return out;
}

/** `base` minus everything in `cut`. */
export function subtract(base: readonly Interval[], cut: readonly Interval[]): Interval[] {
  const cuts = normalize(cut);
  const out: Interval[] = [];
  for (const piece of normalize(base)) {
    let start = piece.start;
    for (const c of cuts) {
      if (c.end <= start) continue;
      if (c.start >= piece.end) break;
      if (c.start > start) out.push({ start, end: c.start });
      start = Math.max(start, c.end);
      if (start >= piece.end) break;
    }
    if (start < piece.end) out.push({ start, end: piece.end });
  }
  return out;
}

export function intersect(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  const x = normalize(a);
  const y = normalize(b);
  let i = 0;
  let j = 0;
  while (i < x.length && j < y.length) {
    const start = Math.max(x[i]!.start, y[j]!.start);
    const end = Math.min(x[i]!.end, y[j]!.end);
    if (end > start) out.push({ start, end });
    if (x[i]!.end < y[j]!.end) i++;
    else j++;
  }
  return out;
}

export function overlaps(a: Interval, b: Interval): boolean {
  return a.start < b.end && b.start < a.end;
}

export function overlapsAny(a: Interval, list: readonly Interval[]): boolean {
  return list.some((b) => overlaps(a, b));
}

/** True when `inner` lies entirely inside one interval of `outer`. */
export function coveredBy(inner: Interval, outer: readonly Interval[]): boolean {
  return outer.some((o) => o.start <= inner.start && inner.end <= o.end);
}

export function totalLength(intervals: readonly Interval[]): number {
  return normalize(intervals).reduce((sum, i) => sum + i.end - i.start, 0);
}
