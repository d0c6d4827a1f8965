/**
 * Sending findings to AWS Security Hub and reading back the ones a product
 * sent: BatchImportFindings in batches of 100 (its limit), every finding
 * Security Hub refused reported with its reason, never dropped.
 */
import { BatchImportFindingsCommand, GetFindingsCommand, type AwsSecurityFinding, type AwsSecurityFindingFilters } from '@aws-sdk/client-securityhub';
import { awsErrorCode, errorMessage } from '../errors.js';
import { collectPages } from './paginate.js';

/** BatchImportFindings takes at most 100 findings per call. */
export const IMPORT_BATCH_SIZE = 100;

interface Sender {
  send(command: BatchImportFindingsCommand | GetFindingsCommand): Promise<unknown>;
}

export interface ImportFailure {
  id: string;
  code: string;
  message: string;
}

export interface ImportOutcome {
  imported: number;
  failed: ImportFailure[];
}

/**
 * Codes after which the next batch would be refused the same way (Security
 * Hub not enabled in the region, no permission, bad credentials): the rest
 * is reported with that reason instead of being sent.
 */
const REFUSES_EVERY_BATCH = new Set([
  'InvalidAccessException',
  'AccessDeniedException',
  'AccessDenied',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'ExpiredToken',
  'ExpiredTokenException',
]);

/** Imports findings in batches of 100; what Security Hub refused (one finding, or a whole batch) comes back with its code and words. */
export async function importFindings(client: Sender, findings: readonly AwsSecurityFinding[]): Promise<ImportOutcome> {
  const outcome: ImportOutcome = { imported: 0, failed: [] };
  for (let start = 0; start < findings.length; start += IMPORT_BATCH_SIZE) {
    const batch = findings.slice(start, start + IMPORT_BATCH_SIZE);
    try {
      const answer = (await client.send(new BatchImportFindingsCommand({ Findings: [...batch] }))) as {
        SuccessCount?: number;
        FailedCount?: number;
        FailedFindings?: { Id?: string; ErrorCode?: string; ErrorMessage?: string }[];
      };
      const failed = (answer.FailedFindings ?? []).map((f) => ({ id: f.Id ?? '(no id)', code: f.ErrorCode ?? 'Unknown', message: f.ErrorMessage ?? '' }));
      outcome.failed.push(...failed);
      outcome.imported += answer.SuccessCount ?? batch.length - failed.length;
    } catch (error) {
      const code = awsErrorCode(error) ?? 'Error';
      const rest = REFUSES_EVERY_BATCH.has(code) ? findings.slice(start) : batch;
      for (const f of rest) outcome.failed.push({ id: f.Id ?? '(no id)', code, message: errorMessage(error) });
      if (rest !== batch) break;
    }
  }
  return outcome;
}

/** Every finding matching the filters, page by page (100 a page, the most GetFindings gives). */
export async function readFindings(client: Sender, filters: AwsSecurityFindingFilters): Promise<AwsSecurityFinding[]> {
  return collectPages(async (token) => {
    const page = (await client.send(new GetFindingsCommand({ Filters: filters, MaxResults: 100, ...(token ? { NextToken: token } : {}) }))) as {
      Findings?: AwsSecurityFinding[];
      NextToken?: string;
    };
    return { items: page.Findings, next: page.NextToken };
  });
}
