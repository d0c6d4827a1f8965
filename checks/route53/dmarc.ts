import { defineCheck } from '../../src/audit/check.js';
import { displayName, judgeMailNames, txtAt } from '../../src/rules/mail-records.js';

export default defineCheck({
  id: 'route53.dmarc',
  title: 'Mail domains in public hosted zones publish DMARC',
  service: 'route53',
  scope: 'global',
  severity: 'low',
  description:
    'DMARC tells receivers what to do with mail that fails SPF and DKIM (reject or quarantine it) and sends the domain reports of who mails in its name; without it, receivers decide on their own and forged mail often still arrives.',
  references: {},
  remediation:
    'Publish a TXT record at `_dmarc.<name>`, starting with `"v=DMARC1; p=none; rua=mailto:dmarc-reports@<domain>"` to collect reports, then move to `p=quarantine` or `p=reject`.',
  uses: ['route53.publicZones'],
  async run(ctx) {
    const zones = await ctx.inventory.get('route53.publicZones');
    return judgeMailNames(ctx, zones, (name, records) => {
      const at = `_dmarc.${name}`;
      if (txtAt(records, at).some((text) => /^v=DMARC1(\s*;|\s*$)/i.test(text.trim()))) return undefined;
      return {
        message: `${displayName(name)} receives mail (it has MX records) but publishes no DMARC policy (a TXT record at ${displayName(at)} starting v=DMARC1).`,
        details: { dmarcName: displayName(at) },
      };
    });
  },
});
