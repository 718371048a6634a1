/** The names and versions of the files spinvisor writes; bumped when a field changes meaning. Readers refuse other formats. */
export const RESULTS_FORMAT = 'spinvisor-results/1';
export const COMPARE_FORMAT = 'spinvisor-compare/2';
/** What `spinvisor reproduce --json` writes: {format, ok, engine, seed, reproductions: [{name, title, url, engine, seed, ok, runs, rows}]}. */
export const REPRODUCE_FORMAT = 'spinvisor-reproduce/1';
