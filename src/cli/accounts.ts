import type { Config } from '../config.js';
import { EXIT, parseFormat, type CliIo } from './shared.js';

export function accountsCommand(config: Config, values: Record<string, unknown>, io: CliIo): number {
  const format = parseFormat(values.format as string | undefined, ['table', 'json']);
  if (format === 'json') {
    const rows = config.accounts.map((a) => ({
      alias: a.alias,
      accountId: a.accountId,
      roleArn: a.roleArn,
      regions: a.regions ?? 'all enabled',
      remediation: Boolean(a.remediationRoleArn),
      channels: a.channels ?? 'any',
    }));
    io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return EXIT.clean;
  }
  // No spread: a config may hold more accounts than a call takes arguments.
  const width = config.accounts.reduce((w, a) => Math.max(w, a.alias.length), 5);
  io.stdout.write(`${'ALIAS'.padEnd(width)}  ACCOUNT       REGIONS\n`);
  for (const a of config.accounts) {
    io.stdout.write(`${a.alias.padEnd(width)}  ${a.accountId}  ${a.regions?.join(', ') ?? 'all enabled'}\n`);
  }
  return EXIT.clean;
}
