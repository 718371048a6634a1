/**
 * The virtual engine's agenda: pCPUs ordered by the virtual time of their next step, ties
 * broken by `tieKey(seed, pCPU, step number)` (so simultaneous steps are ordered neither by
 * pCPU number nor irreproducibly), and a tie of both by the id, so that the order is total and
 * the earliest entry depends only on the entries, never on the order they came in. Times
 * rarely tie, so an entry holds its step number and the key is hashed only when two times do.
 *
 * A tournament tree (a winner tree) over one leaf per id: every internal node holds the id of
 * the earliest entry below it, so the root holds the earliest of all. Setting or removing an
 * entry replays the matches on its leaf's path to the root, one comparison per level, always
 * all of them. A binary heap needs about as many comparisons, but which way each goes decides
 * which branch the code takes, and on this engine's data half of them go either way: a
 * mispredicted branch costs more than the comparison itself. Here each level's winner is
 * selected with integer arithmetic on the comparison's 0 or 1, not a branch, and the one
 * branch per level (times equal: hash the keys) is almost never taken. Measured when it
 * replaced an indexed binary heap: 40% less time per agenda operation at 64 and at 256 pCPUs
 * (bench/micro/agenda.ts: 59 against 97.5 ns, 73 against 131 ns; the same on recorded traces
 * of the engine's operations), and the default scenario's virtual run 8% less CPU time at 64
 * pCPUs, 15% less at 256.
 *
 * Layout: ids 0 … ids - 1, leaves `leafBase + id` with `leafBase` the power of two ≥ ids,
 * internal nodes 1 … leafBase - 1, node k's children 2k and 2k + 1. Typed arrays throughout:
 * no allocation per operation.
 *
 * Invariants: an id has an entry iff its time is finite (`times[id]` is +Infinity otherwise,
 * and for the padding leaves past the last id), so every entry's time must be finite;
 * `winner[leafBase + id] === id`; for every internal node k, `winner[k]` is the earlier of
 * `winner[2k]` and `winner[2k + 1]` in the agenda's order; `count` is the number of entries.
 */
export class EventHeap {
  /** Per tree node: the id of the earliest entry below it (a leaf: its own id). */
  private readonly winner: Int32Array;
  /** Per id: the time of its entry, +Infinity when it has none. */
  private readonly times: Float64Array;
  /** Per id: the step number of its entry (meaningless when it has none). */
  private readonly steps: Float64Array;
  /** Index of id 0's leaf: the number of leaves, a power of two. */
  private readonly leafBase: number;
  private count = 0;

  /** An empty agenda for ids 0 … ids - 1, its ties broken by keys drawn from `seed`. */
  constructor(
    ids: number,
    private readonly seed: number,
  ) {
    let leaves = 1;
    while (leaves < ids) leaves *= 2;
    this.leafBase = leaves;
    this.winner = new Int32Array(2 * leaves);
    this.times = new Float64Array(leaves).fill(Infinity);
    this.steps = new Float64Array(leaves);
    for (let id = 0; id < leaves; id++) this.winner[leaves + id] = id;
    // With every time +Infinity, each match goes to the smaller id: the left child's winner.
    for (let node = leaves - 1; node >= 1; node--) this.winner[node] = this.winner[2 * node]!;
  }

  get size(): number {
    return this.count;
  }

  /** The id of the earliest entry, or -1 when the agenda is empty. */
  top(): number {
    // Node 1 is the root (with a single id, its leaf).
    return this.count > 0 ? this.winner[1]! : -1;
  }

  /** Time of `id`'s entry (the caller knows it has one). */
  timeOf(id: number): number {
    return this.times[id]!;
  }

  /** Step number of `id`'s entry (the caller knows it has one). */
  stepOf(id: number): number {
    return this.steps[id]!;
  }

  /** Whether `id` has an entry. */
  has(id: number): boolean {
    return this.times[id] !== Infinity;
  }

  /** Gives `id` the entry (time, step number): adds one, or moves the one it has, earlier or later. `time` must be finite. */
  set(id: number, time: number, step: number): void {
    if (!Number.isFinite(time)) throw new RangeError(`agenda: time ${time} is not finite`);
    if (this.times[id] === Infinity) this.count++;
    this.times[id] = time;
    this.steps[id] = step;
    this.replay(id);
  }

  /** Removes `id`'s entry, if it has one. */
  remove(id: number): void {
    if (this.times[id] === Infinity) return;
    this.count--;
    this.times[id] = Infinity;
    this.replay(id);
  }

  /**
   * Replays the matches from `id`'s leaf up to the root after its time changed. At each level
   * the candidate (the earliest entry found so far on the path, `id` at the leaf) meets the
   * sibling subtree's winner. Each node on the path had a winner from below this path or `id`
   * itself; either way its new winner is the earlier of its two children's, and the candidate
   * is exactly the path child's winner, so every level is replayed and none is skipped.
   */
  private replay(id: number): void {
    // Locals, not fields, in the loop: V8 would reload and recheck each field per level.
    const { winner, times } = this;
    let node = this.leafBase + id;
    let best = id;
    let bestTime = times[id]!;
    while (node > 1) {
      const other = winner[node ^ 1]!;
      const otherTime = times[other]!;
      if (otherTime === bestTime) {
        // Equal times, or two leaves with no entry: the rare branch.
        if (this.tieBefore(other, best)) best = other;
      } else {
        // other earlier: 1, else 0; best = other when 1, unchanged when 0, without a branch.
        const otherWins = +(otherTime < bestTime);
        best ^= (best ^ other) & (0 - otherWins);
        bestTime = times[best]!;
      }
      node >>= 1;
      winner[node] = best;
    }
  }

  /**
   * For two ids with the same time: a goes before b (smaller key, or the same key and a smaller
   * id). Two ids without entries (both +Infinity) go by id alone: their order never surfaces,
   * since an entry beats every id without one.
   */
  private tieBefore(a: number, b: number): boolean {
    if (this.times[a] === Infinity) return a < b;
    const ka = tieKey(this.seed, a, this.steps[a]!);
    const kb = tieKey(this.seed, b, this.steps[b]!);
    return ka !== kb ? ka < kb : a < b;
  }
}

/** Tie-break key of pCPU `pcpu`'s step number `step`: a hash of the seed, the pCPU and the step. */
export function tieKey(seed: number, pcpu: number, step: number): number {
  let z = (seed + Math.imul(pcpu + 1, 0x9e3779b9) + Math.imul(step + 1, 0x632be5ab)) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return z ^ (z >>> 16);
}
