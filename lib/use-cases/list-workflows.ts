import { NotFoundError } from '../domain/errors.js';
import { compareVersions } from '../domain/workflow-version.js';
import type { CatalogWorkflow } from '../ports/index.js';
import type { Engine } from './engine.js';

/** Every id and version in the catalog. */
export function listWorkflows(engine: Engine): readonly CatalogWorkflow[] {
  return engine.catalog.list();
}

/** Every version of one workflow, newest first; NotFound when the catalog has none. */
export function getWorkflow(engine: Engine, id: string): CatalogWorkflow[] {
  const versions = engine.catalog.list().filter((w) => w.id === id);
  if (versions.length === 0) throw new NotFoundError(`workflow ${id} does not exist`);
  return [...versions].sort((a, b) => compareVersions(b.version, a.version));
}
