import type { DatasetDef } from './types.js';
import { iamDatasets } from './iam.js';

export type { DatasetDef, LoadContext } from './types.js';

/** Every dataset the checks can read, by id. */
export const DATASETS = {
  ...iamDatasets,
};

export type DatasetId = keyof typeof DATASETS;
export type DatasetTypes = {
  [K in DatasetId]: (typeof DATASETS)[K] extends DatasetDef<infer T> ? T : never;
};

export function isDatasetId(id: string): id is DatasetId {
  return Object.hasOwn(DATASETS, id);
}
