import packageJson from '../../package.json';

/** The application that writes a backup, named in its header. */
export const APP = Object.freeze({ name: packageJson.name, version: packageJson.version });
