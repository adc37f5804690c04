export { startStandalone, type Standalone, type StandaloneOptions } from './standalone.js';
export { dataPaths, storedAdminToken } from './data-dir.js';
export { startBanner } from './banner.js';
