import { answerMuteList } from '../mutes/list.js';
import type { BoltApp, Deps, SlashCommandArgs } from '../deps.js';
import { answerDigest } from './digest.js';
import { answerList, answerStatus } from './info.js';
import { parseAuditCommand, helpText } from './parse.js';
import { answerAudit, SharedReports } from './run.js';

/** What the `/audit` listener keeps across requests: the services the parser knows, and the reports shared by a run's requesters. */
interface AuditState {
  services: readonly string[];
  shared: SharedReports;
}

/** `/audit`: help and bad input are answered in the acknowledgement; everything else is acknowledged first, then answered. */
export function registerAudit(app: BoltApp, deps: Deps): void {
  const state: AuditState = { services: [...new Set(deps.checks.map((c) => c.service))], shared: new SharedReports() };
  app.command('/audit', async (args) => {
    // Tracked from the first moment, so that a shutdown finishes what is under way (access lookups included).
    await deps.track(dispatchAudit(deps, state, args));
  });
}

/** One `/audit …`: parsed, then answered by the handler of its kind. */
export async function dispatchAudit(deps: Deps, { services, shared }: AuditState, args: SlashCommandArgs): Promise<unknown> {
  const { command, ack } = args;
  // Slack gives up after 3 seconds: acknowledge before anything that could take time.
  const parsed = parseAuditCommand(command.text, services, command.command);
  const log = deps.logger.child({ user: command.user_id, channel: command.channel_id, command: parsed.kind });
  switch (parsed.kind) {
    case 'help':
      return ack({ response_type: 'ephemeral', text: helpText(command.command, services) });
    case 'invalid':
      return ack({ response_type: 'ephemeral', text: parsed.message });
    case 'mutes':
      await ack();
      return answerMuteList(deps, args, parsed.alias);
    case 'digest':
      await ack();
      return answerDigest(deps, args, log);
    case 'status':
      await ack();
      return answerStatus(deps, args);
    case 'list':
      await ack();
      return answerList(deps, args);
    case 'audit':
      await ack();
      return answerAudit(deps, args, parsed, shared, log);
  }
}
