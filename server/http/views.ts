import path from 'node:path';
import type { Express } from 'express';
import nunjucks from 'nunjucks';
import type { Config } from '../config';
import { FOLLOWUP_LABELS, describeSize } from '../intake/report-form';
import { messageLabels } from '../cases/case-words';
import { assetUrl, moduleScript } from './assets';

export const TEMPLATES_DIR = path.resolve(__dirname, '../../templates');

/** Nunjucks with auto-escaping on: every value is HTML-escaped unless a template says otherwise (none does). */
export function installViews(app: Express, config: Config): nunjucks.Environment {
  const env = new nunjucks.Environment(new nunjucks.FileSystemLoader(TEMPLATES_DIR), {
    autoescape: true,
    throwOnUndefined: false,
  });
  env.addGlobal('projectName', config.projectName);
  env.addGlobal('ackDays', config.acknowledgeDays);
  env.addGlobal('roleLabels', messageLabels('member'));
  env.addGlobal('followupLabels', FOLLOWUP_LABELS);
  env.addGlobal('conduct', config.conduct);
  env.addFilter('size', describeSize);
  env.addGlobal('assetUrl', assetUrl);
  env.addGlobal('moduleScript', moduleScript);
  env.express(app);
  app.set('view engine', 'njk');
  return env;
}
