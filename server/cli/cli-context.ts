// What every CLI command shares: the settings (environment over intake.env), read once, on first use,
// so that `intake --help` works even where the configuration is incomplete.
import { loadConfig, type Config } from '../config';
import { describeSetting, readEnvironment, type Environment } from '../environment';

export interface CliContext {
  environment(): Environment;
  config(): Config;
  /** "PUBLIC_URL=https://… (from intake.env)", for commands whose output depends on that value. */
  setting(name: string, shown: string): string;
}

export function createCliContext(
  processEnv: Record<string, string | undefined>,
  cwd: string = process.cwd(),
): CliContext {
  let environment: Environment | null = null;
  let config: Config | null = null;
  const context: CliContext = {
    environment: () => (environment ??= readEnvironment(processEnv, cwd)),
    config: () => (config ??= loadConfig(context.environment().values, cwd)),
    setting: (name, shown) => describeSetting(context.environment(), name, shown),
  };
  return context;
}
