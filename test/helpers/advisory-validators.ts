// The two official validators of the advisory exports: OSV's JSON schema (vendored from
// ossf/osv-schema, validation/schema.json, draft 2020-12) with ajv, and CSAF 2.0 with the BSI's
// csaf-validator-lib (strict schema and mandatory tests, in a child process: it ships ES modules only).
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import osvSchema from '../fixtures/osv-schema.json';
import { runProcess } from './run-process';

const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
const validateOsvSchema = ajv.compile(osvSchema);

export function osvErrors(record: unknown): string[] {
  if (validateOsvSchema(record)) return [];
  return (validateOsvSchema.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
}

export interface CsafResult {
  isValid: boolean;
  errors: { test: string; instancePath: string; message: string }[];
}

export async function csafResults(documents: unknown[]): Promise<CsafResult[]> {
  const script = path.join(__dirname, 'csaf-validate.mjs');
  const result = await runProcess(process.execPath, [script], { input: JSON.stringify(documents), timeoutMs: 120_000 });
  if (result.code !== 0) throw new Error(`csaf-validate.mjs failed: ${result.stderr}`);
  return JSON.parse(result.stdout.toString('utf8')) as CsafResult[];
}
