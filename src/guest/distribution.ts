/**
 * Lengths drawn from a scenario distribution, with no allocation: a sampler is a kind code and
 * two numbers, and sampling takes a uniform value in [0, 1).
 */
import type { Distribution } from '../config/schema.js';

const FIXED = 0;
const UNIFORM = 1;
const EXPONENTIAL = 2;

export class Sampler {
  private readonly kind: number;
  private readonly a: number;
  private readonly b: number;
  constructor(d: Distribution) {
    switch (d.kind) {
      case 'fixed':
        this.kind = FIXED;
        this.a = d.value;
        this.b = 0;
        break;
      case 'uniform':
        this.kind = UNIFORM;
        this.a = d.min;
        this.b = d.max - d.min + 1;
        break;
      case 'exponential':
        this.kind = EXPONENTIAL;
        this.a = d.mean;
        this.b = 0;
        break;
    }
  }

  /** A whole number of units for the uniform draw `u` in [0, 1). */
  sample(u: number): number {
    if (this.kind === FIXED) return this.a;
    if (this.kind === UNIFORM) return this.a + Math.floor(u * this.b);
    return Math.round(-this.a * Math.log(1 - u));
  }

  /** The distribution's mean, in units. */
  mean(): number {
    if (this.kind === FIXED) return this.a;
    if (this.kind === UNIFORM) return this.a + (this.b - 1) / 2;
    return this.a;
  }
}
