// Where the intake key is published: /.well-known/security.txt (RFC 9116, signed with the intake
// key), the OpenPGP Web Key Directory (direct and advanced method), /intake-key.asc, and the
// security-policy page. Also puts the key's fingerprint in every page's context.
import { Router } from 'express';
import type { PrivateKey } from '../../crypto/keys';
import type { Config } from '../config';
import type { PublishedIntakeKey } from '../intake-key/keyring';
import { signedSecurityTxt, wkdDirectory } from '../intake-key/publication';

/** What the routes need of the keyring (server/intake-key/keyring.ts). */
export interface IntakeKeyProvider {
  current(): PublishedIntakeKey;
  signingKey(): PrivateKey;
  refresh(): Promise<void>;
}

export function wellKnownRoutes(deps: { config: Config; keys: IntakeKeyProvider }): Router {
  const router = Router();
  const { config } = deps;
  const addresses = [...config.mail.addresses.security, ...config.mail.addresses.coc];
  const byHash = wkdDirectory(addresses);
  let signed: { key: string; text: string } | null = null;

  // Every page may show the fingerprint (the report form does); a rotation shows within seconds (LISTEN/NOTIFY, intake-key/key-changes.ts).
  router.use(async (_req, res, next) => {
    await deps.keys.refresh().catch(() => undefined);
    const key = deps.keys.current();
    res.locals.intakeKey = {
      fingerprint: key.fingerprint.replace(/(.{4})/g, '$1 ').trim(),
      security: config.mail.addresses.security[0],
      coc: config.mail.addresses.coc[0],
    };
    next();
  });

  router.get('/.well-known/security.txt', async (_req, res) => {
    const now = new Date();
    const key = deps.keys.current();
    const cacheKey = `${now.toISOString().slice(0, 10)}:${key.fingerprint}`;
    if (signed?.key !== cacheKey)
      signed = { key: cacheKey, text: await signedSecurityTxt(config, key.fingerprint, deps.keys.signingKey(), now) };
    res.set('Cache-Control', 'public, max-age=3600').type('text/plain; charset=utf-8').send(signed.text);
  });
  // RFC 9116 §3: the legacy location may redirect to the well-known one.
  router.get('/security.txt', (_req, res) => res.redirect(301, '/.well-known/security.txt'));

  router.get('/intake-key.asc', (_req, res) => {
    res.set('Cache-Control', 'public, max-age=3600').type('application/pgp-keys').send(deps.keys.current().armored);
  });

  const policy = (_req: unknown, res: import('express').Response) => {
    res.set('Access-Control-Allow-Origin', '*').type('text/plain').send('');
  };
  const key = (req: import('express').Request, res: import('express').Response) => {
    const hash = String(req.params.hash ?? '').toLowerCase();
    if (!byHash.has(hash))
      return res
        .status(404)
        .set('Access-Control-Allow-Origin', '*')
        .type('text/plain')
        .send('No key for this address.\n');
    res
      .set({ 'Access-Control-Allow-Origin': '*', 'Cache-Control': 'public, max-age=3600' })
      .type('application/octet-stream')
      .send(Buffer.from(deps.keys.current().binary));
  };
  router.get('/.well-known/openpgpkey/policy', policy);
  router.get('/.well-known/openpgpkey/hu/:hash', key);
  router.get('/.well-known/openpgpkey/:domain/policy', policy);
  router.get('/.well-known/openpgpkey/:domain/hu/:hash', key);

  router.get('/security-policy', (_req, res) => {
    const current = deps.keys.current();
    res.render('security-policy.njk', {
      fingerprint: current.fingerprint.replace(/(.{4})/g, '$1 ').trim(),
      securityAddress: config.mail.addresses.security[0],
      conductAddress: config.mail.addresses.coc[0],
      publicUrl: config.publicUrl,
    });
  });

  return router;
}
