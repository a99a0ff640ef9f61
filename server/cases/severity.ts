// Severity as a CVSS 3.1 or 4.0 vector; the score comes from ae-cvss-calculator (FIRST's formulas).
import { Cvss3P1, Cvss4P0 } from 'ae-cvss-calculator';
import { badInput } from '../errors';

export interface Severity {
  vector: string;
  score: number;
  rating: 'none' | 'low' | 'medium' | 'high' | 'critical';
}

const BASE_METRICS: Record<'3.1' | '4.0', string[]> = {
  '3.1': ['AV', 'AC', 'PR', 'UI', 'S', 'C', 'I', 'A'],
  '4.0': ['AV', 'AC', 'AT', 'PR', 'UI', 'VC', 'VI', 'VA', 'SC', 'SI', 'SA'],
};

/** Parses and scores a CVSS 3.1 or 4.0 vector; every base metric must be present. */
export function scoreCvss(input: string): Severity {
  const vector = input.trim();
  const version = vector.startsWith('CVSS:3.1/') ? '3.1' : vector.startsWith('CVSS:4.0/') ? '4.0' : null;
  if (!version) throw badInput('A severity must be a CVSS vector starting with CVSS:3.1/ or CVSS:4.0/.');
  const names = vector
    .split('/')
    .slice(1)
    .map((part) => part.split(':')[0]);
  const present = new Set(names);
  // The calculator lets a repeated metric's last value win, so the stored vector would say one thing and the score another.
  const repeated = [...present].filter((metric) => names.indexOf(metric) !== names.lastIndexOf(metric));
  if (repeated.length > 0)
    throw badInput(`The CVSS ${version} vector gives the metric(s) ${repeated.join(', ')} more than once.`);
  const missing = BASE_METRICS[version].filter((metric) => !present.has(metric));
  if (missing.length > 0) throw badInput(`The CVSS ${version} vector lacks the base metric(s) ${missing.join(', ')}.`);
  let score: number;
  try {
    const cvss = version === '3.1' ? new Cvss3P1(vector) : new Cvss4P0(vector);
    score = Number(
      (cvss.calculateScores() as { overall?: number; base: number }).overall ?? cvss.calculateScores().base,
    );
  } catch (cause) {
    throw badInput(`This is not a valid CVSS ${version} vector: ${(cause as Error).message}.`, cause);
  }
  if (!Number.isFinite(score)) throw badInput(`This CVSS ${version} vector has no score.`);
  return { vector, score, rating: ratingOf(score) };
}

/** FIRST's qualitative severity rating scale. */
export function ratingOf(score: number): Severity['rating'] {
  if (score === 0) return 'none';
  if (score < 4) return 'low';
  if (score < 7) return 'medium';
  if (score < 9) return 'high';
  return 'critical';
}

export function checkCwe(input: string): string | null {
  const value = input.trim().toUpperCase();
  if (value === '') return null;
  if (!/^CWE-\d{1,5}$/.test(value)) throw badInput('A CWE is written like CWE-79.');
  return value;
}
