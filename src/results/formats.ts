/** The names and versions of the files spinvisor writes; bumped when a field changes meaning. Readers refuse other formats. */
export const RESULTS_FORMAT = 'spinvisor-results/1';
export const COMPARE_FORMAT = 'spinvisor-compare/2';
