import type { CheckContext, Evaluation } from '../audit/types.js';
import type { MailRecord, PublicZone } from '../audit/datasets/route53.js';

/**
 * Shared by route53.spf and route53.dmarc: which names receive mail, and what
 * their TXT records say. Not a check (no default export).
 */

/**
 * The text of one TXT value as resolvers see it: Route 53 stores it as one or
 * more quoted strings (`"v=spf1 include:_spf.example.com" " ~all"`), which a
 * resolver joins without a separator. `\"` and `\\` are unescaped.
 */
export function txtText(value: string): string {
  const strings = [...value.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!.replace(/\\(["\\])/g, '$1'));
  return strings.length > 0 ? strings.join('') : value;
}

/** `mail.example.com.` → `mail.example.com`, with Route 53's octal escapes (`\052` for `*`) decoded. */
export function displayName(name: string): string {
  return name.replace(/\\(\d{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8))).replace(/\.$/, '');
}

const canonical = (name: string): string => name.toLowerCase().replace(/\.?$/, '.');

/** The TXT texts of `name` in these records. */
export function txtAt(records: readonly MailRecord[], name: string): string[] {
  const wanted = canonical(name);
  return records.filter((r) => r.type === 'TXT' && canonical(r.name) === wanted).flatMap((r) => r.values.map(txtText));
}

/**
 * The loop both checks share: every public zone, every name with MX records;
 * `problem` says what is missing for that name (undefined: nothing). A zone
 * whose records cannot be read is an error entry for that zone.
 */
export async function judgeMailNames(
  ctx: CheckContext,
  zones: readonly PublicZone[],
  problem: (name: string, records: readonly MailRecord[]) => { message: string; details?: Record<string, string | null> } | undefined,
): Promise<Evaluation[]> {
  const out: Evaluation[] = [];
  for (const zone of zones) {
    if (!zone.records.ok) {
      out.push(ctx.error(zone.id, zone.records.error));
      continue;
    }
    const records = zone.records.value;
    const mailNames = [...new Set(records.filter((r) => r.type === 'MX').map((r) => canonical(r.name)))];
    for (const name of mailNames) {
      const id = `${zone.id}/${displayName(name)}`;
      const verdict = problem(name, records);
      if (!verdict) {
        out.push(ctx.pass(id));
        continue;
      }
      out.push(
        ctx.fail({
          resource: { type: 'AWS::Route53::RecordSet', id },
          message: verdict.message,
          details: { hostedZoneId: zone.id, zone: displayName(zone.name), name: displayName(name), ...verdict.details },
        }),
      );
    }
  }
  return out;
}
