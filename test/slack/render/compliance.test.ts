/** The Slack compliance summary within Block Kit's limits, whatever fails. */
import { describe, expect, it } from 'vitest';
import type { Check } from '../../../src/audit/types.js';
import { evaluateCompliance, type Framework } from '../../../src/compliance/framework.js';
import { renderComplianceSummary } from '../../../src/slack/render/compliance.js';
import { blockKitViolations } from '../../helpers/slack.js';
import { handFinding, handResult } from '../../helpers/results.js';

const framework: Framework = {
  id: 'test-1',
  name: 'Test Benchmark',
  version: '1.0',
  sections: [{ id: '1', title: 'Everything <!here>' }],
  controls: Array.from({ length: 60 }, (_, i) => ({
    id: `1.${i + 1}`,
    title: `Ensure a very long control title number ${i + 1} ${'x'.repeat(120)}`,
    assessment: 'automated' as const,
    level: 1 as const,
    section: '1',
  })),
};
const check = { id: 'test.all', references: { cis: '1.1–1.60' } } as Check;

describe('the compliance summary', () => {
  it('cuts a section with too many failing controls and says how many more, within Slack’s limits', () => {
    const findings = [handFinding('test.all', 'high', 'r1', 'bad'), handFinding('test.all', 'high', 'r2', 'bad')];
    const result = handResult(findings);
    result.scope.checkIds = ['test.all'];
    const message = renderComplianceSummary(evaluateCompliance(result, [check], framework), new Set([findings[0]!.fingerprint]));
    expect(blockKitViolations({ ...message })).toEqual([]);
    const text = (message.blocks.find((b) => b.block_id === 'section-1') as { text: { text: string } }).text.text;
    expect(text.length).toBeLessThanOrEqual(3000);
    expect(text).toMatch(/\n…and \d+ more$/);
    expect(text).toContain('— 2 findings (1 muted)');
    expect(text).not.toContain('<!here>');
    expect(message.text).toBe('Test Benchmark v1.0 for prod: 60 controls fail');
  });
});
