/**
 * The virtual engine's agenda: pCPUs ordered by the virtual time of their next step, ties
 * broken by a key the caller gives (the engine draws it from the seed, the pCPU and the step's
 * number, so simultaneous steps are ordered neither by pCPU number nor irreproducibly). A
 * binary heap in typed arrays: no allocation per event.
 */

export class EventHeap {
  private ids: Int32Array;
  private times: Float64Array;
  private keys: Int32Array;
  private count = 0;

  constructor(capacity: number) {
    this.ids = new Int32Array(capacity);
    this.times = new Float64Array(capacity);
    this.keys = new Int32Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** Time of the earliest entry (Infinity when empty). */
  peekTime(): number {
    return this.count > 0 ? this.times[0]! : Infinity;
  }

  /** Tie-break key of the earliest entry (0 when empty). */
  peekKey(): number {
    return this.count > 0 ? this.keys[0]! : 0;
  }

  push(id: number, time: number, key: number): void {
    // Entries left stale by a caller (rescheduled earlier) stay until popped: grow for them.
    if (this.count === this.ids.length) this.grow();
    const { ids, times, keys } = this;
    // Sift the hole up from the end, moving parents down, then drop the entry in.
    let i = this.count++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!earlier(time, key, times[parent]!, keys[parent]!)) break;
      ids[i] = ids[parent]!;
      times[i] = times[parent]!;
      keys[i] = keys[parent]!;
      i = parent;
    }
    ids[i] = id;
    times[i] = time;
    keys[i] = key;
  }

  /** Removes the earliest entry and returns its id (the caller read its time with peekTime). */
  pop(): number {
    const { ids, times, keys } = this;
    const top = ids[0]!;
    const last = --this.count;
    if (last > 0) {
      // Sift the last entry down from the root as a hole, moving the smaller child up.
      const id = ids[last]!;
      const time = times[last]!;
      const key = keys[last]!;
      let i = 0;
      for (;;) {
        let child = 2 * i + 1;
        if (child >= last) break;
        const right = child + 1;
        if (right < last && earlier(times[right]!, keys[right]!, times[child]!, keys[child]!)) child = right;
        if (!earlier(times[child]!, keys[child]!, time, key)) break;
        ids[i] = ids[child]!;
        times[i] = times[child]!;
        keys[i] = keys[child]!;
        i = child;
      }
      ids[i] = id;
      times[i] = time;
      keys[i] = key;
    }
    return top;
  }

  private grow(): void {
    const size = Math.max(16, 2 * this.ids.length);
    const ids = new Int32Array(size);
    const times = new Float64Array(size);
    const keys = new Int32Array(size);
    ids.set(this.ids);
    times.set(this.times);
    keys.set(this.keys);
    this.ids = ids;
    this.times = times;
    this.keys = keys;
  }
}

/** Entry (ta, ka) goes before entry (tb, kb): earlier time, or the same time and a smaller key. */
function earlier(ta: number, ka: number, tb: number, kb: number): boolean {
  return ta < tb || (ta === tb && ka < kb);
}
