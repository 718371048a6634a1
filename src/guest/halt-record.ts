/**
 * The halt record's old path, kept so that src/core/ builds while it is being reorganized: the
 * record now lives with the rest of the guest half of pv halt/kick in halt-kick.ts. Delete this
 * file once src/core/ imports from there.
 */
export { deregisterHalt, findKickTarget, registerHalt, resumeAfterHalt } from './halt-kick.js';
