import pkg from '../../package.json';

/** The app's version, written into every results file it exports. */
export const APP_VERSION: string = pkg.version;
