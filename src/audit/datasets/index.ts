import type { DatasetDef } from './types.js';
import { cloudfrontDatasets } from './cloudfront.js';
import { cloudtrailDatasets } from './cloudtrail.js';
import { cloudwatchDatasets } from './cloudwatch.js';
import { configDatasets } from './config.js';
import { ec2Datasets } from './ec2.js';
import { efsDatasets } from './efs.js';
import { elbDatasets } from './elb.js';
import { iamDatasets } from './iam.js';
import { kmsDatasets } from './kms.js';
import { rdsDatasets } from './rds.js';
import { route53Datasets } from './route53.js';
import { s3Datasets } from './s3.js';
import { securityServiceDatasets } from './security-services.js';

export type { DatasetDef, LoadContext, Read } from './types.js';

/** Every dataset the checks can read, by id. */
export const DATASETS = {
  ...iamDatasets,
  ...ec2Datasets,
  ...s3Datasets,
  ...cloudtrailDatasets,
  ...rdsDatasets,
  ...efsDatasets,
  ...kmsDatasets,
  ...configDatasets,
  ...securityServiceDatasets,
  ...route53Datasets,
  ...cloudfrontDatasets,
  ...elbDatasets,
  ...cloudwatchDatasets,
};

export type DatasetId = keyof typeof DATASETS;
export type DatasetTypes = {
  [K in DatasetId]: (typeof DATASETS)[K] extends DatasetDef<infer T> ? T : never;
};

export function isDatasetId(id: string): id is DatasetId {
  return Object.hasOwn(DATASETS, id);
}
