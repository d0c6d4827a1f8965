import { DATASETS, isDatasetId, type DatasetId, type DatasetTypes, type LoadContext } from './datasets/index.js';
import { GLOBAL_REGION, type Check, type ScopedInventory } from './types.js';

/**
 * Everything an audit reads from AWS, loaded at most once per account, region
 * and dataset, and shared by every check that needs it (a failure is shared
 * too: each check that needed the data reports it).
 */
export class Inventory {
  private readonly memo = new Map<string, Promise<unknown>>();

  constructor(private readonly base: Omit<LoadContext, 'region' | 'dataset'>) {}

  load<K extends DatasetId>(id: K, region: string): Promise<DatasetTypes[K]> {
    const def = DATASETS[id];
    const where = def.scope === 'global' ? GLOBAL_REGION : region;
    const key = `${id}@${where}`;
    let pending = this.memo.get(key);
    if (!pending) {
      const loadRegion = def.scope === 'global' ? this.base.clients.homeRegion : region;
      const dataset = (other: string): Promise<unknown> => {
        if (other === id || !isDatasetId(other)) return Promise.reject(new Error(`dataset ${id} cannot read dataset ${other}`));
        // A global dataset reading a regional one reads it in the home region (shared with that region's checks).
        return this.load(other, loadRegion);
      };
      pending = (def.load as (ctx: LoadContext) => Promise<unknown>)({ ...this.base, region: loadRegion, dataset });
      // Prefetched data may fail before any check awaits it; the checks report it.
      pending.catch(() => undefined);
      this.memo.set(key, pending);
    }
    return pending as Promise<DatasetTypes[K]>;
  }

  /** Starts loading what these checks will read in this region. */
  prefetch(checks: readonly Check[], region: string): void {
    for (const check of checks) for (const id of check.uses) void this.load(id, region);
  }

  /** The view a check gets: only the datasets it declared, so declarations cannot drift. */
  scoped(check: Check, region: string): ScopedInventory {
    return {
      get: <K extends DatasetId>(id: K, otherRegion?: string) => {
        if (!check.uses.includes(id)) {
          return Promise.reject(new Error(`check ${check.id} reads dataset ${id} without declaring it in "uses"`));
        }
        return this.load(id, otherRegion ?? region);
      },
    };
  }
}
