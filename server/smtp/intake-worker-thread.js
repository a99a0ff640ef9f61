// Entry of an SMTP intake worker thread: loads the TypeScript sources through tsx (as `npm start`
// and the CLI do), whatever the parent was started with.
require('tsx/cjs');
require('./intake-worker-thread.ts');
