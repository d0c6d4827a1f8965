import { CIS_5_0 } from './cis-5.0.js';
import type { Framework } from './framework.js';

/** The frameworks `--compliance` takes, by id. */
export const FRAMEWORKS: ReadonlyMap<string, Framework> = new Map([[CIS_5_0.id, CIS_5_0]]);

export const FRAMEWORK_IDS = [...FRAMEWORKS.keys()];
