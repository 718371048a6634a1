/**
 * The host-side mechanisms of a core, built once from the scenario (the registry: a new
 * mechanism is a file beside this one and a line here): per hook point (host/hooks.ts) only
 * those that are on, in a fixed order, which is the order of their effects at a switch-in.
 */
import type { Config } from '../../config/schema.js';
import type { GuestVm } from '../../guest/program.js';
import { Boosts } from './boost.js';
import { HaltKick } from './halt-kick.js';
import type { CoreState } from '../core-state.js';
import type { HostHooks, SwitchInHook } from './hooks.js';
import { PauseLoopExiting } from './ple.js';
import { spinReactionOf } from './spin-reaction.js';

export function hostHooks(config: Config, guests: readonly GuestVm[]): HostHooks<CoreState> {
  const switchIn: SwitchInHook<CoreState>[] = [];
  if (guests.some((guest) => guest.paravirtual)) switchIn.push(new HaltKick());
  const ple = new PauseLoopExiting(config);
  if (ple.on) switchIn.push(ple);
  const spinReaction = spinReactionOf(config);
  if (spinReaction.switchIn !== undefined) switchIn.push(spinReaction as SwitchInHook<CoreState>);
  const boosts = config.mode !== 'bare' && config.scheduler.boost ? new Boosts() : null;
  if (boosts !== null) switchIn.push(boosts);
  return { switchIn, spinReaction, afterKick: boosts, ple };
}
