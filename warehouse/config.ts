/**
 * Where the warehouse keeps its files: one directory (WAREHOUSE_DIR, default data/warehouse in the
 * repository) holding the DuckDB database, the Parquet lake and a scratch area for downloads.
 */
import { resolve } from 'node:path';
import { REPO_ROOT } from './source/local-r2';

export type WarehousePaths = { dir: string; db: string; lake: string; scratch: string };

export function warehousePaths(dir: string = process.env.WAREHOUSE_DIR || resolve(REPO_ROOT, 'data', 'warehouse')): WarehousePaths {
  const root = resolve(dir);
  return { dir: root, db: resolve(root, 'casino.duckdb'), lake: resolve(root, 'lake'), scratch: resolve(root, 'scratch') };
}
