#!/usr/bin/env node
// The operator's CLI. Runs the TypeScript sources through tsx, as `npm start` does.
require('tsx/cjs');
require('./main.ts');
