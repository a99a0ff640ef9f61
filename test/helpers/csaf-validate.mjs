// Validates CSAF 2.0 documents with the BSI's csaf-validator-lib: the strict schema and every
// mandatory test (not the informative ones, which fetch URLs). An ES module run by `node`: the
// library ships ES modules only and the tests run as CommonJS. Reads a JSON array of documents on
// stdin, prints a JSON array of results.
import validateStrict from '@secvisogram/csaf-validator-lib/validateStrict.js';
import * as mandatory from '@secvisogram/csaf-validator-lib/mandatoryTests.js';
import { csaf_2_0_strict } from '@secvisogram/csaf-validator-lib/schemaTests.js';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const documents = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const tests = [csaf_2_0_strict, ...Object.values(mandatory)];
const results = [];
for (const document of documents) {
  const result = await validateStrict(tests, document);
  results.push({
    isValid: result.isValid,
    errors: result.tests.flatMap((t) => t.errors.map((e) => ({ test: t.name, ...e }))),
  });
}
process.stdout.write(JSON.stringify(results));
