// Entry of a submission-checking thread: loads the TypeScript sources through tsx (as `npm start`
// and the CLI do), whatever the parent was started with.
require('tsx/cjs');
module.exports = require('./submission-checks.ts').checkSubmissionCrypto;
