import type { Check } from '../audit/types.js';
import { closestNames, didYouMean } from '../config.js';
import { splitList, usageError } from './shared.js';

/** `--service iam,s3`, checked against the services the checks have: a mistyped one is named, with the closest. Empty: every service. */
export function parseServices(value: unknown, all: readonly Check[]): string[] {
  const services = splitList(value as string[] | undefined);
  const known = [...new Set(all.map((c) => c.service))].sort();
  const unknown = services.find((s) => !known.includes(s));
  if (unknown !== undefined) {
    const close = didYouMean(closestNames(unknown, known, 3, true));
    throw usageError(`--service: no service "${unknown}"${close ? ` (${close})` : ''}. Services: ${known.join(', ')}`);
  }
  return services;
}
