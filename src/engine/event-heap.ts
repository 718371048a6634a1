/**
 * The virtual engine's agenda: pCPUs ordered by the virtual time of their next step, ties
 * broken by `tieKey(seed, pCPU, step number)` (so simultaneous steps are ordered neither by
 * pCPU number nor irreproducibly), and a tie of both by the id, so that the order is total and
 * no entry's place depends on the heap's shape or on the order entries came in. Times rarely
 * tie, so an entry holds its step number and the key is hashed only when two times do.
 *
 * An indexed binary heap: every id (a pCPU) has at most one entry, and moving an entry (to an
 * earlier or a later time) moves it in place, so the heap never holds more than one entry per
 * id and never a stale one (a lazy-deletion heap left a pCPU's old entry behind each time a
 * wake-up moved it earlier, and grew deep with them). Times and step numbers are stored by id,
 * the heap holds ids: a move shifts one int per level. Typed arrays throughout: no allocation
 * per event.
 *
 * Invariant: for every heap position i > 0, the entry at i is not earlier than its parent's;
 * `position[order[i]] === i` for i < count, and `position[id] === -1` for an id with no entry.
 */
export class EventHeap {
  /** Ids in heap order: `order[0]` is the earliest entry. */
  private readonly order: Int32Array;
  /** Per id: its index in `order`, or -1 when it has no entry. */
  private readonly position: Int32Array;
  /** Per id: the time and step number of its entry (meaningless when it has none). */
  private readonly times: Float64Array;
  private readonly steps: Float64Array;
  private count = 0;

  /** An empty agenda for ids 0 … ids - 1, its ties broken by keys drawn from `seed`. */
  constructor(
    ids: number,
    private readonly seed: number,
  ) {
    this.order = new Int32Array(ids);
    this.position = new Int32Array(ids).fill(-1);
    this.times = new Float64Array(ids);
    this.steps = new Float64Array(ids);
  }

  get size(): number {
    return this.count;
  }

  /** The id of the earliest entry, or -1 when the agenda is empty. */
  top(): number {
    return this.count > 0 ? this.order[0]! : -1;
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
    return this.position[id]! >= 0;
  }

  /** Gives `id` the entry (time, step number): adds one, or moves the one it has, earlier or later. */
  set(id: number, time: number, step: number): void {
    const at = this.position[id]!;
    if (at < 0) {
      this.times[id] = time;
      this.steps[id] = step;
      this.siftUp(id, this.count++);
      return;
    }
    const oldTime = this.times[id]!;
    const movesEarlier = time < oldTime || (time === oldTime && tieKey(this.seed, id, step) < tieKey(this.seed, id, this.steps[id]!));
    this.times[id] = time;
    this.steps[id] = step;
    if (movesEarlier) this.siftUp(id, at);
    else this.siftDown(id, at);
  }

  /** Removes `id`'s entry, if it has one. */
  remove(id: number): void {
    const at = this.position[id]!;
    if (at < 0) return;
    this.position[id] = -1;
    const last = --this.count;
    if (at === last) return;
    // The last entry fills the hole: it may belong above it or below it.
    const moved = this.order[last]!;
    if (at > 0 && this.earlier(moved, this.order[(at - 1) >> 1]!)) this.siftUp(moved, at);
    else this.siftDown(moved, at);
  }

  /** Moves the hole at `at` up while `id` is earlier than the parent, then drops `id` in. */
  private siftUp(id: number, at: number): void {
    // Locals, not fields, in the loop: V8 would reload and recheck each field per level.
    const { order, position, times } = this;
    const time = times[id]!;
    let i = at;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const above = order[parent]!;
      const aboveTime = times[above]!;
      if (!(time < aboveTime || (time === aboveTime && this.tieBefore(id, above)))) break;
      order[i] = above;
      position[above] = i;
      i = parent;
    }
    order[i] = id;
    position[id] = i;
  }

  /** Moves the hole at `at` down while a child is earlier than `id`, then drops `id` in. */
  private siftDown(id: number, at: number): void {
    const { order, position, times } = this;
    const count = this.count;
    const time = times[id]!;
    let i = at;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= count) break;
      let below = order[child]!;
      let belowTime = times[below]!;
      const right = child + 1;
      if (right < count) {
        const rightId = order[right]!;
        const rightTime = times[rightId]!;
        if (rightTime < belowTime || (rightTime === belowTime && this.tieBefore(rightId, below))) {
          child = right;
          below = rightId;
          belowTime = rightTime;
        }
      }
      if (!(belowTime < time || (belowTime === time && this.tieBefore(below, id)))) break;
      order[i] = below;
      position[below] = i;
      i = child;
    }
    order[i] = id;
    position[id] = i;
  }

  /** Entry a goes before entry b: earlier time, or the same time and a smaller key, or both the same and a smaller id. */
  private earlier(a: number, b: number): boolean {
    const ta = this.times[a]!;
    const tb = this.times[b]!;
    return ta < tb || (ta === tb && this.tieBefore(a, b));
  }

  /** For two entries at the same time: a goes before b (smaller key, or the same key and a smaller id). */
  private tieBefore(a: number, b: number): boolean {
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
