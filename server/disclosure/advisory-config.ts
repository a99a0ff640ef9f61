// Who publishes the project's advisories, and under which OSV id prefix (issue 12 §1).
// OSV_ID_PREFIX: a prefix registered with OSV ("GHSA-", "GO-", …) or, by default, "x_<project>-",
// OSV's prefix for ids of a database that is not registered. CSAF_PUBLISHER_NAME and
// CSAF_PUBLISHER_NAMESPACE: CSAF's document publisher (its name and the URL of its trust domain).
export interface AdvisoryConfig {
  readonly osvIdPrefix: string;
  readonly publisher: { readonly name: string; readonly namespace: string };
}

type Env = Record<string, string | undefined>;

export function loadAdvisoryConfig(
  env: Env,
  defaults: { projectName: string; publicUrl: string },
  problems: string[],
): AdvisoryConfig {
  const slug =
    defaults.projectName
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'project';
  const osvIdPrefix = env.OSV_ID_PREFIX || `x_${slug}-`;
  if (!/^[A-Za-z0-9_][A-Za-z0-9._-]{0,40}$/.test(osvIdPrefix))
    problems.push(`OSV_ID_PREFIX must be a short id prefix like "x_kmesh-" or "GHSA-" (got "${osvIdPrefix}")`);
  const name = env.CSAF_PUBLISHER_NAME || defaults.projectName;
  const namespace = env.CSAF_PUBLISHER_NAMESPACE || originOf(defaults.publicUrl);
  if (!/^https?:\/\/[^\s"<>]+$/.test(namespace))
    problems.push(`CSAF_PUBLISHER_NAMESPACE must be an http(s) URL (got "${namespace}")`);
  if (name.trim() === '' || name.length > 200) problems.push('CSAF_PUBLISHER_NAME must be a name of 1–200 characters');
  return Object.freeze({ osvIdPrefix, publisher: Object.freeze({ name, namespace }) });
}

// PUBLIC_URL is checked (and a bad one reported) by loadConfig itself.
function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}
