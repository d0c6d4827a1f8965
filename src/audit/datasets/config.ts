import {
  DescribeConfigurationRecordersCommand,
  DescribeConfigurationRecorderStatusCommand,
  type ConfigurationRecorder,
  type ConfigurationRecorderStatus,
} from '@aws-sdk/client-config-service';
import type { DatasetDef, LoadContext } from './types.js';

export interface Recorder {
  recorder: ConfigurationRecorder;
  /** Its status by name; undefined when the status answer did not list it. */
  status?: ConfigurationRecorderStatus;
}

/** The region's configuration recorders (customer-managed and service-linked) with their status. */
async function loadRecorders(ctx: LoadContext): Promise<Recorder[]> {
  const config = ctx.clients.config(ctx.region);
  // Neither call pages: a region holds one customer-managed recorder and a few service-linked ones.
  const recorders = await config.send(new DescribeConfigurationRecordersCommand({}));
  // No recorder, no status to read.
  if (!recorders.ConfigurationRecorders?.length) return [];
  const statuses = await config.send(new DescribeConfigurationRecorderStatusCommand({}));
  const byName = new Map((statuses.ConfigurationRecordersStatus ?? []).map((s) => [s.name, s]));
  return (recorders.ConfigurationRecorders ?? []).map((recorder) => ({ recorder, status: byName.get(recorder.name) }));
}

export const configDatasets = {
  'config.recorders': {
    scope: 'regional',
    actions: ['config:DescribeConfigurationRecorders', 'config:DescribeConfigurationRecorderStatus'],
    load: loadRecorders,
  } satisfies DatasetDef<Recorder[]>,
};
