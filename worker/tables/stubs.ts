/** Live tables from the worker's side: the configured tables and their objects. */
import type { TableDO } from '../../durable/table/table-do';
import { tableConfig, type TableConfig } from '../../durable/table/config';
import { ApiError } from '../http/errors';

/** The table's configuration, or 404 (only configured tables have objects). */
export function knownTable(tableId: string): TableConfig {
  const t = tableConfig(tableId);
  if (!t) throw new ApiError('table_not_found', `no table ${tableId}`);
  return t;
}

export function tableStub(env: Env, tableId: string): DurableObjectStub<TableDO> {
  return (env.TABLE as DurableObjectNamespace<TableDO>).getByName(knownTable(tableId).table_id);
}
