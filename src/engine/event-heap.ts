/**
 * The virtual engine's agenda: pCPUs ordered by the virtual time of their next step. Ties are
 * broken by a seeded random key drawn when a pCPU is scheduled, so the interleaving of
 * simultaneous steps is neither fixed nor irreproducible. A binary heap in typed arrays: no
 * allocation per event.
 */
import { xorshift32 } from '../guest/rng.js';

export class EventHeap {
  private readonly ids: Int32Array;
  private readonly times: Float64Array;
  private readonly keys: Int32Array;
  private count = 0;
  private rng: number;

  constructor(capacity: number, seed: number) {
    this.ids = new Int32Array(capacity);
    this.times = new Float64Array(capacity);
    this.keys = new Int32Array(capacity);
    this.rng = seed | 0 || 0x2545f491;
  }

  get size(): number {
    return this.count;
  }

  /** Time of the earliest entry (Infinity when empty). */
  peekTime(): number {
    return this.count > 0 ? this.times[0]! : Infinity;
  }

  push(id: number, time: number): void {
    this.rng = xorshift32(this.rng);
    let i = this.count++;
    this.ids[i] = id;
    this.times[i] = time;
    this.keys[i] = this.rng;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  /** Removes the earliest entry and returns its id (the caller read its time with peekTime). */
  pop(): number {
    const top = this.ids[0]!;
    const last = --this.count;
    if (last > 0) {
      this.ids[0] = this.ids[last]!;
      this.times[0] = this.times[last]!;
      this.keys[0] = this.keys[last]!;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= last) break;
        const right = left + 1;
        const child = right < last && this.before(right, left) ? right : left;
        if (!this.before(child, i)) break;
        this.swap(i, child);
        i = child;
      }
    }
    return top;
  }

  private before(a: number, b: number): boolean {
    const ta = this.times[a]!;
    const tb = this.times[b]!;
    return ta < tb || (ta === tb && this.keys[a]! < this.keys[b]!);
  }

  private swap(a: number, b: number): void {
    const { ids, times, keys } = this;
    const id = ids[a]!;
    ids[a] = ids[b]!;
    ids[b] = id;
    const t = times[a]!;
    times[a] = times[b]!;
    times[b] = t;
    const k = keys[a]!;
    keys[a] = keys[b]!;
    keys[b] = k;
  }
}
