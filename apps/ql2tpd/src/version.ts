/** Package version, kept equal to package.json (a test checks). */
export const VERSION = '0.1.0';
