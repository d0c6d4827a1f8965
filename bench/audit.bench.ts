/**
 * `npm run bench:mocked`: the in-process unit of the benchmark. Audits
 * synthetic accounts through the real runner, with the SDK clients mocked
 * (aws-sdk-client-mock, as in the unit tests) and every AWS call costing
 * BENCH_LATENCY_MS (default 50). Prints wall time, API calls, peak memory,
 * findings and errors per scenario, against the targets.
 * IN-PROCESS, MOCKED FIGURES: they leave out process start-up and the SDK's
 * own request building, signing, HTTP and parsing. What users run is
 * measured by `npm run bench` (bench/process.bench.ts).
 * Modelled: IAM, EC2, S3, S3 Control, CloudTrail, RDS, EFS, KMS, Classic and
 * v2 load balancers, Route 53 and CloudFront. The other services the checks
 * read (Config, Access Analyzer, Security Hub, CloudWatch, CloudWatch Logs,
 * SNS) are mocked with empty answers: only their listing calls are in the
 * figures.
 * A benchmark, not a test: it exits 0 when a target is missed, and says MISSED.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { RDSClient } from '@aws-sdk/client-rds';
import { EFSClient } from '@aws-sdk/client-efs';
import { KMSClient } from '@aws-sdk/client-kms';
import { AccessAnalyzerClient } from '@aws-sdk/client-accessanalyzer';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { ElasticLoadBalancingClient } from '@aws-sdk/client-elastic-load-balancing';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { Route53Client } from '@aws-sdk/client-route-53';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { SNSClient } from '@aws-sdk/client-sns';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import { ALL_CHECKS } from '../checks/index.js';
import { runAudit } from '../src/audit/runner.js';
import { TOTAL_FACTOR } from '../src/aws/clients.js';
import { GLOBAL_REGION, type AuditResult, type Check } from '../src/audit/types.js';
import { RoleSessions } from '../src/aws/session.js';
import { DEFAULT_THRESHOLDS, type AccountConfig, type Thresholds } from '../src/config.js';
import { NOW, describeAccount, enabledRegions, iamHeavyAccount, smallAccount, wholeAccount, type SyntheticAccount } from './synthetic.js';
import { FakeAws, metadata } from './fake-aws.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// The mocks replace `send`; nothing may fall back to instance metadata or a real endpoint.
process.env.AWS_EC2_METADATA_DISABLED = 'true';
// A client nobody mocked fails at once (connection refused) instead of reaching AWS or waiting for connect timeouts.
process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:9';

const LATENCY_MS = readLatency(process.env.BENCH_LATENCY_MS);
/** As the default config: `audit.concurrency: 16`. */
const CONCURRENCY = 16;

function readLatency(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 50;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) {
    console.error(`BENCH_LATENCY_MS must be a number of milliseconds >= 0, got ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return value;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------- call meter

interface OperationTiming {
  calls: number;
  /** ms since the audit started. */
  firstStart: number;
  lastEnd: number;
}

/** What the fake AWS saw: calls per operation, when, how many at once, in which regions. */
class CallMeter {
  readonly operations = new Map<string, OperationTiming>();
  readonly regionsCalled = new Set<string>();
  total = 0;
  inFlight = 0;
  peakInFlight = 0;
  private t0 = performance.now();

  /** Times are reported from here: call it as the audit starts. */
  start(): void {
    this.t0 = performance.now();
  }

  /** One AWS call: the latency, then the answer (or the error). */
  async call<T>(operation: string, answer: () => T | Promise<T>): Promise<T> {
    const start = performance.now() - this.t0;
    this.total++;
    this.inFlight++;
    this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
    try {
      if (LATENCY_MS > 0) await sleep(LATENCY_MS);
      else await new Promise<void>((resolve) => setImmediate(resolve));
      return await answer();
    } finally {
      this.inFlight--;
      const end = performance.now() - this.t0;
      const timing = this.operations.get(operation);
      if (timing) {
        timing.calls++;
        timing.lastEnd = Math.max(timing.lastEnd, end);
      } else {
        this.operations.set(operation, { calls: 1, firstStart: start, lastEnd: end });
      }
    }
  }
}

// ---------------------------------------------------------------- the fake AWS, through SDK mocks

/** Every client the checks build, by the runner's service name: each call goes to the installed account after the latency. */
// biome-ignore lint/suspicious/noExplicitAny: one list of stubs for clients of eighteen different types; the fake answers by operation name.
const STUBS: readonly [AwsStub<any, any, any>, string][] = [
  [mockClient(IAMClient), 'iam'],
  [mockClient(EC2Client), 'ec2'],
  [mockClient(S3Client), 's3'],
  [mockClient(S3ControlClient), 's3control'],
  [mockClient(CloudTrailClient), 'cloudtrail'],
  [mockClient(RDSClient), 'rds'],
  [mockClient(EFSClient), 'efs'],
  [mockClient(KMSClient), 'kms'],
  [mockClient(ElasticLoadBalancingClient), 'elb'],
  [mockClient(ElasticLoadBalancingV2Client), 'elbv2'],
  [mockClient(Route53Client), 'route53'],
  [mockClient(CloudFrontClient), 'cloudfront'],
  [mockClient(ConfigServiceClient), 'config'],
  [mockClient(AccessAnalyzerClient), 'accessanalyzer'],
  [mockClient(SecurityHubClient), 'securityhub'],
  [mockClient(CloudWatchClient), 'cloudwatch'],
  [mockClient(CloudWatchLogsClient), 'logs'],
  [mockClient(SNSClient), 'sns'],
];

type RegionalClient = { config: { region: () => Promise<string> } };

/*
 * The mocks' behaviours are registered once and delegate to the account being
 * served: re-registering (or reset()) per scenario would leave every earlier
 * account reachable from sinon's default sandbox, and in the memory figures.
 */
let active: { fake: FakeAws; meter: CallMeter } | undefined;

for (const [stub, service] of STUBS) {
  stub.onAnyCommand().callsFake((input: object) => {
    // sinon records the call before running the fake: the last call is this one; read before any await.
    const call = stub.send.lastCall;
    const command = (call?.args[0] ?? {}) as object;
    const client = call?.thisValue as RegionalClient;
    const operation = `${service}:${command.constructor.name.replace(/Command$/, '')}`;
    if (!active) throw new Error('no synthetic account is installed');
    const { fake, meter } = active;
    return meter.call(operation, async () => {
      const region = await client.config.region();
      if (service !== 'iam') meter.regionsCalled.add(region);
      return { ...(await fake.respond(operation, input, region)), $metadata: metadata(200) };
    });
  });
}

/** Makes `fake` the account the mocks serve (the mocks' call history starts afresh). */
function install(fake: FakeAws, meter: CallMeter): void {
  for (const [stub] of STUBS) stub.resetHistory();
  active = { fake, meter };
}

/** Role sessions whose STS answers after the same latency. */
function benchSessions(meter: CallMeter): RoleSessions {
  const send = () =>
    meter.call('sts:AssumeRole', () => ({
      Credentials: { AccessKeyId: 'ASIABENCHBENCHBENCH0', SecretAccessKey: 'secret', SessionToken: 'token', Expiration: new Date(Date.now() + 3_600_000) },
      $metadata: metadata(200),
    }));
  return new RoleSessions(() => ({ send }) as never);
}

// ---------------------------------------------------------------- memory

// Collect garbage between scenarios so one's leftovers do not count as the next one's peak.
v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;

interface MemoryPeak {
  rssMb: number;
  heapMb: number;
  heapBeforeMb: number;
}

function sampleMemory(): { stop(): MemoryPeak } {
  const mb = (bytes: number) => bytes / 1_048_576;
  const before = process.memoryUsage();
  let rss = before.rss;
  let heap = before.heapUsed;
  const sample = () => {
    const m = process.memoryUsage();
    rss = Math.max(rss, m.rss);
    heap = Math.max(heap, m.heapUsed);
  };
  const timer = setInterval(sample, 10);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return { rssMb: mb(rss), heapMb: mb(heap), heapBeforeMb: mb(before.heapUsed) };
    },
  };
}

// ---------------------------------------------------------------- scenarios

interface Target {
  maxMs: number;
  maxCalls?: number;
  text: string;
}

interface Scenario {
  name: string;
  account: () => SyntheticAccount;
  checks: readonly Check[];
  target: Target;
  /** Over the defaults (which leave ec2.required-tags off). */
  thresholds?: Partial<Thresholds>;
}

/** What the report needs of an account (outcomes must not keep the synthetic data alive: it would count in the next scenario's memory). */
interface AccountFacts {
  description: string;
  users: number;
  enabled: string[];
  notOptedIn: string[];
  hasRegionalData: boolean;
}

interface Outcome {
  scenario: Scenario;
  account: AccountFacts;
  /** The audit's result without the findings themselves (kept outcomes must not hold thousands of them). */
  result: Omit<AuditResult, 'findings'> & { findings: number };
  wallMs: number;
  memory: MemoryPeak;
  meter: CallMeter;
  missed: string[];
}

function auditedAccount(account: SyntheticAccount): AccountConfig {
  // No `regions`: the runner discovers the enabled ones, as for an account configured without a list.
  return { alias: account.name, accountId: account.accountId, roleArn: `arn:aws:iam::${account.accountId}:role/AuditReadOnly` };
}

async function runScenario(scenario: Scenario): Promise<Outcome> {
  const account = scenario.account();
  const meter = new CallMeter();
  install(new FakeAws(account), meter);
  const sessions = benchSessions(meter);
  collectGarbage();
  const memory = sampleMemory();
  const started = performance.now();
  meter.start();
  const full = await runAudit({
    account: auditedAccount(account),
    checks: scenario.checks,
    thresholds: { ...DEFAULT_THRESHOLDS, ...scenario.thresholds },
    concurrency: CONCURRENCY,
    sessions,
    sessionName: 'aws-audit-bot-bench',
    now: () => NOW,
    sleep,
  });
  const wallMs = performance.now() - started;
  const peak = memory.stop();
  const result = { ...full, findings: full.findings.length };
  const missed: string[] = [];
  if (wallMs >= scenario.target.maxMs) missed.push(`${fmt(wallMs)} ms >= ${fmt(scenario.target.maxMs)} ms`);
  if (scenario.target.maxCalls !== undefined && result.stats.apiCalls >= scenario.target.maxCalls)
    missed.push(`${fmt(result.stats.apiCalls)} calls >= ${fmt(scenario.target.maxCalls)}`);
  const facts: AccountFacts = {
    description: describeAccount(account),
    users: account.iam.users.length,
    enabled: enabledRegions(account),
    notOptedIn: account.regions.filter((r) => r.OptInStatus === 'not-opted-in').map((r) => r.RegionName!),
    hasRegionalData: Object.keys(account.regional).length > 0,
  };
  return { scenario, account: facts, result, wallMs, memory: peak, meter, missed };
}

// ---------------------------------------------------------------- report

function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function printOutcome(o: Outcome, baseline?: Outcome): void {
  const { result, meter, account, scenario } = o;
  const regional = scenario.checks.filter((c) => c.scope === 'regional').length;
  console.log(`\n== ${scenario.name}`);
  console.log(`   account: ${account.description}`);
  const audited = result.scope.regions.filter((r) => r !== GLOBAL_REGION);
  console.log(`   checks: ${scenario.checks.length} (${scenario.checks.length - regional} global, ${regional} regional); regions audited: ${audited.length}`);
  if (regional === 0) {
    if (account.hasRegionalData) console.log('   note: this scenario runs no regional check, so the per-region part of this account was not exercised');
  } else {
    const { enabled } = account;
    const wrong = [
      ...audited.filter((r) => !enabled.includes(r)).map((r) => `${r} audited`),
      ...enabled.filter((r) => !audited.includes(r)).map((r) => `${r} missing`),
    ];
    console.log(
      wrong.length
        ? `   REGION MISMATCH: ${wrong.join(', ')}`
        : `   regions: the ${enabled.length} enabled ones; ${account.notOptedIn.join(', ')} (not opted in) skipped`,
    );
  }
  console.log(
    `   wall ${fmt(o.wallMs)} ms (runner's own figure ${fmt(result.stats.durationMs)} ms); AWS calls ${fmt(result.stats.apiCalls)}; most in flight at once ${meter.peakInFlight} (bound ${CONCURRENCY} per service and region, ${CONCURRENCY * TOTAL_FACTOR} in all)`,
  );
  console.log('   calls by operation (count, first start → last answer, ms after the audit began):');
  for (const [op, count] of Object.entries(result.stats.apiCallsByOperation)) {
    const t = meter.operations.get(op);
    const span = t ? `${fmt(t.firstStart)} → ${fmt(t.lastEnd)}` : 'not seen by the mock';
    console.log(`     ${op.padEnd(44)} ${String(count).padStart(6)}   ${span}`);
  }
  if (meter.total !== result.stats.apiCalls) {
    console.log(`   COUNT MISMATCH: the mock answered ${meter.total} calls, the runner counted ${result.stats.apiCalls}`);
  }
  const notEnabled = [...meter.regionsCalled].filter((r) => !account.enabled.includes(r));
  if (notEnabled.length) console.log(`   CALLS TO REGIONS NOT ENABLED: ${notEnabled.join(', ')}`);
  console.log(
    `   memory: peak rss ${fmt(o.memory.rssMb, 1)} MB, peak heap ${fmt(o.memory.heapMb, 1)} MB (heap before the audit ${fmt(o.memory.heapBeforeMb, 1)} MB, synthetic data included)`,
  );
  const byCheck = Object.entries(result.stats.byCheck)
    .filter(([, c]) => c.failed > 0)
    .sort(([, a], [, b]) => b.failed - a.failed);
  console.log(`   findings ${fmt(result.findings)}${byCheck.length ? `: ${byCheck.map(([id, c]) => `${id} ${fmt(c.failed)}`).join(', ')}` : ''}`);
  console.log(`   errors ${result.errors.length}`);
  if (result.errors.length > 0) {
    console.log('   ERRORS (the mock is not realistic enough for these, or a check misreads AWS):');
    for (const e of result.errors.slice(0, 20)) console.log(`     ${e.checkId} @ ${e.region}: ${e.code}: ${e.message}`);
    if (result.errors.length > 20) console.log(`     … and ${result.errors.length - 20} more`);
  }
  if (baseline) {
    const grew = Object.entries(result.stats.apiCallsByOperation)
      .map(([op, n]) => [op, baseline.result.stats.apiCallsByOperation[op] ?? 0, n] as const)
      .filter(([, before, after]) => after !== before);
    const users = (x: Outcome) => fmt(x.account.users);
    console.log(
      `   vs ${users(baseline)} users: ${fmt(baseline.result.stats.apiCalls)} → ${fmt(result.stats.apiCalls)} calls` +
        (grew.length ? ` (${grew.map(([op, a, b]) => `${op} ${a} → ${b}`).join(', ')})` : ' (no operation grew)'),
    );
  }
  const status = o.missed.length ? `MISSED (${o.missed.join('; ')})` : 'OK';
  const budget = `${fmt((100 * o.wallMs) / scenario.target.maxMs)}% of the time budget`;
  console.log(`   target ${scenario.target.text}: ${status}; ${budget}`);
}

function printTable(outcomes: Outcome[]): void {
  const header = ['scenario', 'checks', 'wall ms', 'calls', 'peak rss MB', 'peak heap MB', 'findings', 'errors', 'target'];
  const rows = outcomes.map((o) => [
    o.scenario.name,
    String(o.scenario.checks.length),
    fmt(o.wallMs),
    fmt(o.result.stats.apiCalls),
    fmt(o.memory.rssMb, 1),
    fmt(o.memory.heapMb, 1),
    fmt(o.result.findings),
    o.result.errors.length ? `${o.result.errors.length} ERRORS` : '0',
    `${o.scenario.target.text}: ${o.missed.length ? 'MISSED' : 'OK'} (${fmt((100 * o.wallMs) / o.scenario.target.maxMs)}% of time)`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const numeric = new Set([1, 2, 3, 4, 5, 6, 7]);
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (numeric.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  console.log(`\nSummary (latency ${LATENCY_MS} ms per AWS call, concurrency ${CONCURRENCY} per service and region, Node ${process.version})`);
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
  const missed = outcomes.filter((o) => o.missed.length > 0).map((o) => `${o.scenario.name} (${o.missed.join('; ')})`);
  const withErrors = outcomes.filter((o) => o.result.errors.length > 0).map((o) => `${o.scenario.name} (${o.result.errors.length})`);
  console.log(missed.length ? `MISSED targets: ${missed.join(', ')}` : 'All targets met.');
  if (withErrors.length) console.log(`ERRORS in: ${withErrors.join(', ')}: see the details above; figures with errors understate the real cost.`);
}

async function main(): Promise<void> {
  const iamChecks = ALL_CHECKS.filter((c) => c.service === 'iam');
  const iamTarget: Target = { maxMs: 3_000, maxCalls: 200, text: '< 3,000 ms, < 200 calls' };
  const scenarios: Scenario[] = [
    { name: 'IAM, 1,000 users', account: () => iamHeavyAccount(1_000), checks: iamChecks, target: iamTarget },
    { name: 'IAM, 5,000 users', account: () => iamHeavyAccount(5_000), checks: iamChecks, target: iamTarget },
    {
      name: 'S3, 300 buckets',
      account: () => wholeAccount(0, 10, 2, 300),
      checks: ALL_CHECKS.filter((c) => c.service === 's3'),
      target: { maxMs: 5_000, text: '< 5,000 ms' },
    },
    {
      name: 'RDS, EFS, KMS: 17 regions × 200 DB instances, 500 snapshots',
      account: () => wholeAccount(300),
      checks: ALL_CHECKS.filter((c) => ['rds', 'efs', 'kms'].includes(c.service)),
      target: { maxMs: 5_000, text: '< 5,000 ms' },
    },
    {
      name: 'Load balancers, Route 53, CloudFront: 17 regions × 50 load balancers, 20 zones × 1,000 records, 200 distributions',
      account: () => wholeAccount(300),
      checks: ALL_CHECKS.filter((c) => ['elb', 'route53', 'cloudfront'].includes(c.service) || c.id === 'ec2.required-tags'),
      thresholds: { requiredTags: ['Owner'] },
      target: { maxMs: 5_000, text: '< 5,000 ms' },
    },
    { name: 'Whole synthetic account', account: () => wholeAccount(300), checks: ALL_CHECKS, target: { maxMs: 10_000, text: 'well under 10,000 ms' } },
    { name: 'Small account', account: () => smallAccount(), checks: ALL_CHECKS, target: { maxMs: 1_000, text: '< 1,000 ms' } },
  ];
  console.log(
    `aws-audit-bot benchmark: ${ALL_CHECKS.length} registered checks (${iamChecks.length} IAM), latency ${LATENCY_MS} ms per AWS call, concurrency ${CONCURRENCY} per service and region`,
  );

  // Warm-up (not reported): module loading and JIT would otherwise land on the first scenario.
  await runScenario({ ...scenarios.find((x) => x.name === 'Small account')!, name: 'warm-up' });

  const outcomes: Outcome[] = [];
  for (const scenario of scenarios) {
    const outcome = await runScenario(scenario);
    printOutcome(outcome, scenario.name === 'IAM, 5,000 users' ? outcomes[0] : undefined);
    outcomes.push(outcome);
  }
  printTable(outcomes);
}

main().catch((error: unknown) => {
  // The benchmark itself broke (not a missed target): say so and fail.
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
