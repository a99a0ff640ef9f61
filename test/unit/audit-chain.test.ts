// The audit chain's hash encoding and the guard on what details may hold, without a database.
import { canonicalJson, checkAuditDetails, hashAuditRow, type ChainedFields } from '../../server/audit/audit-chain';

const ROW: ChainedFields = {
  id: '7',
  caseId: '0b6f7e7a-3c3e-4a34-9a3e-0e5a1f0b7c11',
  actorMemberId: null,
  actorLabel: 'reporter',
  action: 'case.created',
  details: { reference: 'SEC-2026-0001', kind: 'security' },
  createdAt: '2026-11-24T09:30:00.123456Z',
  prevHash: Buffer.alloc(32, 0xab),
};

describe('hashAuditRow', () => {
  // Pinned (and recomputed independently in Python): a change to the encoding would break every stored chain.
  test('matches the known answer for version 1 of the encoding', () => {
    expect(hashAuditRow(ROW).toString('hex')).toBe('ab15388942472c5c737733806c24ba28a79e1099d9ca6ca81a83c0f7b72fe360');
  });

  test('is SHA-256 (32 bytes) and stable for the same row', () => {
    expect(hashAuditRow(ROW)).toHaveLength(32);
    expect(hashAuditRow({ ...ROW, details: { kind: 'security', reference: 'SEC-2026-0001' } })).toEqual(
      hashAuditRow(ROW),
    );
  });

  test.each([
    ['id', { id: '8' }],
    ['case', { caseId: null }],
    ['actor member', { actorMemberId: '0b6f7e7a-3c3e-4a34-9a3e-0e5a1f0b7c12' }],
    ['actor label', { actorLabel: 'operator' }],
    ['action', { action: 'case.viewed' }],
    ['details', { details: { reference: 'SEC-2026-0002', kind: 'security' } }],
    ['time (one microsecond)', { createdAt: '2026-11-24T09:30:00.123457Z' }],
    ['predecessor', { prevHash: Buffer.alloc(32, 0xac) }],
    ['no predecessor', { prevHash: null }],
  ])('changes with the %s', (_, change) => {
    expect(hashAuditRow({ ...ROW, ...change })).not.toEqual(hashAuditRow(ROW));
  });

  test('is unambiguous: no field bleeds into the next, and NULL differs from the empty string', () => {
    const a = hashAuditRow({ ...ROW, actorLabel: 'reporter', action: 'case.created' });
    const b = hashAuditRow({ ...ROW, actorLabel: 'reportercase.', action: 'created' });
    expect(a).not.toEqual(b);
    expect(hashAuditRow({ ...ROW, actorMemberId: null })).not.toEqual(hashAuditRow({ ...ROW, actorMemberId: '' }));
  });
});

describe('canonicalJson', () => {
  test('sorts keys at every depth and has no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [true, null], c: 'x' } })).toBe('{"a":{"c":"x","d":[true,null]},"b":1}');
  });

  test('refuses numbers JSON cannot hold', () => {
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(TypeError);
    expect(() => canonicalJson({ n: Number.POSITIVE_INFINITY })).toThrow(TypeError);
  });
});

describe('checkAuditDetails keeps content out of the log', () => {
  test('accepts small metadata', () => {
    const details = {
      reference: 'SEC-2026-0001',
      from: 'new',
      to: 'acknowledged',
      memberIds: ['a', 'b'],
      score: 9.8,
      expedited: true,
    };
    expect(checkAuditDetails(details)).toEqual(details);
  });

  test.each([
    'body',
    'content',
    'plaintext',
    'armored',
    'receipt',
    'passphrase',
    'email',
    'private_key',
    'privateKey',
    'Title',
  ])('refuses the key "%s"', (key) => {
    expect(() => checkAuditDetails({ [key]: 'x' })).toThrow(/never content or personal data/);
  });

  test('refuses long strings, deep nesting, long arrays and oversized details', () => {
    expect(() => checkAuditDetails({ note: 'x'.repeat(513) })).toThrow(/longer than 512/);
    expect(() => checkAuditDetails({ a: { b: { c: { d: { e: 1 } } } } })).toThrow(/nests too deeply/);
    expect(() => checkAuditDetails({ ids: Array.from({ length: 65 }, () => 'id') })).toThrow(/more than 64/);
    expect(() =>
      checkAuditDetails(Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, 'x'.repeat(200)]))),
    ).toThrow(/exceed 4096/);
  });

  test('refuses values jsonb would change or that are not plain JSON', () => {
    expect(() => checkAuditDetails({ s: 'a\u0000b' })).toThrow(/jsonb/);
    expect(() => checkAuditDetails({ s: 'lone \ud800 surrogate' })).toThrow(/jsonb/);
    expect(() => checkAuditDetails({ at: new Date() })).toThrow(/plain JSON/);
    expect(() => checkAuditDetails({ bytes: Buffer.from('x') })).toThrow(/plain JSON/);
    expect(() => checkAuditDetails({ missing: undefined })).toThrow(/plain JSON/);
    expect(() => checkAuditDetails({ n: Number.NaN })).toThrow(/finite/);
  });
});
