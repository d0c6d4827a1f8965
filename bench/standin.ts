/**
 * The benchmark's AWS stand-in on its own, for profiling one audit by hand:
 *
 *   npx tsx bench/standin.ts small 50      # or: large; the delay per call in ms
 *   # prints the environment to run the CLI against it, e.g.
 *   node --cpu-prof dist/src/cli.js audit small --format json > /dev/null
 *
 * Each audit gets a fresh copy of the synthetic account when it assumes the
 * role (the credential report starts over); Ctrl-C prints the calls served.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AwsStandIn } from './aws-server.js';
import { FakeAws } from './fake-aws.js';
import { TEAM_ACCOUNT, describeAccount, smallAccount, wholeAccount, type SyntheticAccount } from './synthetic.js';

const ACCOUNTS: Record<string, () => SyntheticAccount> = {
  small: () => smallAccount(3, TEAM_ACCOUNT),
  large: () => wholeAccount(300, 1_000, 2, 300, 300),
};

const [which = 'small', delayText = '50'] = process.argv.slice(2);
const make = ACCOUNTS[which];
const delay = Number(delayText);
if (!make || !Number.isFinite(delay) || delay < 0) {
  console.error(`usage: npx tsx bench/standin.ts ${Object.keys(ACCOUNTS).join('|')} [delay ms per call]`);
  process.exit(2);
}

const account = make();
const aws = new AwsStandIn(delay);
await aws.start();
aws.serveEachAudit(() => new FakeAws(account));

const dir = mkdtempSync(path.join(os.tmpdir(), 'aws-audit-standin-'));
const config = path.join(dir, 'audit.config.yml');
writeFileSync(
  config,
  `accounts:\n  - alias: ${account.name}\n    accountId: "${account.accountId}"\n    roleArn: arn:aws:iam::${account.accountId}:role/AuditReadOnly\n`,
);
console.log(`Serving ${which} (${describeAccount(account)}) at ${aws.endpoint}, ${delay} ms per call. Run the CLI with:\n`);
console.log(
  `  export AUDIT_CONFIG=${config} AWS_ENDPOINT_URL=${aws.endpoint} AWS_ACCESS_KEY_ID=AKIABENCHBENCHBENCH0 AWS_SECRET_ACCESS_KEY=bench AWS_REGION=us-east-1`,
);
console.log(`  node dist/src/cli.js audit ${account.name}\n`);
process.on('SIGINT', () => {
  const stats = aws.stats();
  console.log(
    `\n${stats.calls} calls in the last audit; idle ${stats.spanMs > 0 ? ((100 * stats.idleMs) / stats.spanMs).toFixed(1) : 0} % of ${Math.round(stats.spanMs)} ms`,
  );
  void aws.stop().then(() => process.exit(0));
});
