// `npm run cycles` (part of `npm test`): the import graph has no circle, between files or between folders.
// The layer rules themselves are ESLint's (eslint.config.js); this only looks for circles.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-file-circle',
      comment: 'Two files that import each other, directly or around a longer circle.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-folder-circle',
      comment: 'Two folders whose files import each other, directly or around a longer circle.',
      scope: 'folder',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^test/support/fixtures/' },
  },
};
