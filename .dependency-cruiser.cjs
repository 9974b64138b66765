/* global module */
// The layer rule of README's design section, checked by `npm run lint`
// (lint:deps). dependency-cruiser rather than eslint import rules: the rules
// read as "from this folder, not to that one", it tells type-only imports
// apart (the ui may import types from services/), it finds cycles across the
// whole tree with the path that closes them, and it runs in seconds without
// making every eslint run resolve modules.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'product-not-test',
      comment: 'What ships never imports test/ (a release has no test/ and would not build: b19e8b4); tests and benches may import what ships.',
      severity: 'error',
      from: { path: '^(services|appliance|licensing|ui/src|scripts|shared)/' },
      to: { path: '^test/' },
    },
    {
      name: 'store-is-the-floor',
      comment: 'services/store is the lowest service layer: it owns its row types and imports no service above it.',
      severity: 'error',
      from: { path: '^services/store/' },
      to: { path: '^services/(recordings|call-control|api|sip-core|dialplan)/' },
    },
    {
      name: 'services-through-index',
      comment: 'A service imports another only through its index.ts (or talks over a socket); services/common is shared by all.',
      severity: 'error',
      from: { path: '^services/([^/]+)/' },
      to: { path: '^services/', pathNot: ['^services/$1/', '^services/common/', '^services/[^/]+/index\\.ts$'] },
    },
    {
      name: 'services-not-appliance',
      comment:
        'Services get what the appliance knows (config, licence, supervisor status) through ServiceDeps; only a main.ts starts under appliance/supervisor/child.',
      severity: 'error',
      from: { path: '^services/', pathNot: '^services/[^/]+/main\\.ts$' },
      to: { path: '^appliance/' },
    },
    {
      name: 'api-not-ui',
      comment: 'The api serves the ui; rules both use live in shared/.',
      severity: 'error',
      from: { path: '^services/api/' },
      to: { path: '^ui/' },
    },
    {
      name: 'sip-core-not-call-control',
      comment: 'sip-core and call-control meet only over the drachtio wire protocol.',
      severity: 'error',
      from: { path: '^services/sip-core/' },
      to: { path: '^services/call-control/' },
    },
    {
      name: 'ui-types-only-from-services',
      comment: 'The browser bundle imports only types from services/ (import type), never their code.',
      severity: 'error',
      from: { path: '^ui/' },
      to: { path: '^services/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'shared-and-licensing-are-pure',
      comment: 'shared/ and licensing/ sit below every service: they import neither services/ nor appliance/ nor ui/.',
      severity: 'error',
      from: { path: '^(shared|licensing)/' },
      to: { path: '^(services|appliance|ui)/' },
    },
    {
      name: 'no-circular',
      comment:
        'No import cycles. Known cycles listed below by the module that closes them are to be broken (notes/call-model.md §3), not added to.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|var|test-output)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'],
    },
    skipAnalysisNotInRules: true,
  },
};
