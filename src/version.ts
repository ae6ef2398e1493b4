/** huntpack's version, written into generated queries and reports. Keep it equal to package.json. */
export const HUNTPACK_VERSION = '0.1.0';
