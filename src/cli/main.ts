#!/usr/bin/env node
/** The `spinvisor` executable: the command line (program.ts) on the process's arguments, streams and environment. */
import { processIo } from './io.js';
import { main } from './program.js';

// exitCode rather than exit(): stdout piped to a file is flushed before the process ends.
void main(process.argv.slice(2), processIo()).then((code) => (process.exitCode = code));
