import { ALL_CHECKS } from '../../checks/index.js';
import { severityRank, type Check, type Severity } from '../audit/types.js';
import { terminalSafe } from '../terminal/sanitize.js';
import { parseServices } from './services.js';
import { EXIT, parseFormat, type CliIo } from './shared.js';

/** `aws-audit-bot checks`: every check with its severity, service and framework references (no config, no AWS). */
export function checksCommand(values: Record<string, unknown>, io: CliIo): number {
  const format = parseFormat(values.format as string | undefined, ['table', 'json']);
  const all = io.checks ?? ALL_CHECKS;
  const services = parseServices(values.service, all);
  const min = values.severity as Severity | undefined;
  const listed = all
    .filter((c) => services.length === 0 || services.includes(c.service))
    .filter((c) => !min || severityRank(c.severity) <= severityRank(min))
    .sort((a, b) => a.id.localeCompare(b.id));
  if (format === 'json') {
    const rows = listed.map((c: Check) => ({
      id: c.id,
      title: c.title,
      severity: c.severity,
      service: c.service,
      scope: c.scope,
      description: c.description,
      remediation: c.remediation,
      references: c.references,
      ...(c.fix ? { fix: c.fix } : {}),
    }));
    io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return EXIT.clean;
  }
  const rows = listed.map((c) => [c.id, c.severity, c.references.cis ?? '-', c.references.securityHub ?? '-', terminalSafe(c.title)]);
  const header = ['ID', 'SEVERITY', 'CIS', 'SECURITY HUB', 'TITLE'];
  const widths = header.slice(0, 4).map((h, i) => rows.reduce((w, r) => Math.max(w, r[i]!.length), h.length));
  for (const row of [header, ...rows]) io.stdout.write(`${row.map((cell, i) => (i < 4 ? cell.padEnd(widths[i]!) : cell)).join('  ')}\n`);
  io.stdout.write(`\n${listed.length} of ${all.length} checks. aws-audit-bot checks --format json adds the description and remediation.\n`);
  return EXIT.clean;
}
