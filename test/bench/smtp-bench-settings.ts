// Shared by the SMTP bench and its intake child.
export const BENCH_MAIL_DOMAIN = 'bench.test';
export const BENCH_PASSPHRASE = 'bench intake passphrase';
