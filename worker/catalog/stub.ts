/** The platform's one CatalogDO, typed (the stub is the API). */
import type { CatalogDO } from '../../durable/catalog/catalog-do';

export const CATALOG_OBJECT_NAME = 'catalog';

export function catalogStub(env: Env): DurableObjectStub<CatalogDO> {
  return (env.CATALOG as DurableObjectNamespace<CatalogDO>).getByName(CATALOG_OBJECT_NAME);
}
