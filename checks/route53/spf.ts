import { defineCheck } from '../../src/audit/check.js';
import { displayName, judgeMailNames, txtAt } from '../../src/rules/mail-records.js';

export default defineCheck({
  id: 'route53.spf',
  title: 'Mail domains in public hosted zones publish SPF',
  service: 'route53',
  scope: 'global',
  severity: 'medium',
  description:
    'A domain that receives mail (it has MX records) but publishes no SPF record lets anyone send mail in its name: receivers cannot tell forged mail from real, which is how phishing in the name of the company gets through.',
  references: {},
  remediation:
    'Publish a TXT record at the name listing the servers allowed to send for it, e.g. `"v=spf1 include:_spf.google.com -all"` (your mail provider documents its include), and `"v=spf1 -all"` on names that send no mail at all.',
  uses: ['route53.publicZones'],
  async run(ctx) {
    const zones = await ctx.inventory.get('route53.publicZones');
    return judgeMailNames(ctx, zones, (name, records) => {
      if (txtAt(records, name).some((text) => /^v=spf1(\s|$)/i.test(text.trim()))) return undefined;
      return {
        message: `${displayName(name)} receives mail (it has MX records) but publishes no SPF record (a TXT record starting v=spf1): anyone can send mail in its name.`,
      };
    });
  },
});
