// Entry of a reporter-key unlocking thread: loads the TypeScript sources through tsx (as `npm start`
// and the CLI do), whatever the parent was started with.
require('tsx/cjs');
module.exports = require('./reporter-key.ts').unlockedReporterKeyPackets;
