import { ALL_CHECKS } from '../../checks/index.js';
import { ALL_ACTIONS } from '../remediation/actions/index.js';
import { roleTemplate, TEMPLATE_FORMATS, type TemplateFormat } from '../roles/templates.js';
import { EXIT, parseFormat, type CliIo } from './shared.js';

/** `aws-audit-bot roles`: the audit role (and with --remediation the fixes' role) as a template to deploy (no config, no AWS). */
export function rolesCommand(values: Record<string, unknown>, io: CliIo): number {
  const format: TemplateFormat = parseFormat(values.format as string | undefined, TEMPLATE_FORMATS);
  io.stdout.write(roleTemplate(format, { checks: io.checks ?? ALL_CHECKS, actions: ALL_ACTIONS, remediation: values.remediation === true }));
  return EXIT.clean;
}
