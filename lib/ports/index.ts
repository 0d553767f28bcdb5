// The ports: what the use cases need from the world, one concern per file. This file only re-exports.
export type * from './clock.js';
export type * from './deadlines.js';
export type * from './domain-events.js';
export type * from './execution-store.js';
export type * from './observability.js';
export type * from './workflow-catalog.js';
export type * from './workflow-driver.js';
