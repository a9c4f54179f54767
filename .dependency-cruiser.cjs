// @ts-check
// The import rules `npm run lint` enforces with dependency-cruiser (docs/architecture.md,
// "Folder dependencies"): no import cycle between files or folders, each app's top-level folders
// import each other only along the graph declared below, and a library is used only through its
// entry.

/**
 * Which top-level folder of a project's `src/` may import which, for the apps and for the
 * authority's package (libs/server). The files directly in `src/` (main.ts, the root modules,
 * index.ts...) compose it: they may import every folder, and no folder imports them. A folder not
 * listed here may import no other folder.
 * Declared acyclic (checked below): a new arrow that closes a cycle fails here, before any file.
 */
const FOLDERS = {
  'libs/server': {
    config: [],
    audit: [],
    http: [],
    persistence: ['config'],
    replay: ['config', 'persistence'],
    openapi: ['config'],
    keys: ['audit', 'config', 'openapi', 'persistence'],
    metrics: ['audit', 'keys'],
    health: ['keys', 'persistence'],
    'reference-tokens': ['persistence'],
    clients: ['audit', 'config', 'http', 'keys', 'persistence', 'replay'],
    dpop: ['clients', 'config', 'keys', 'replay'],
    'client-authentication': ['audit', 'clients', 'config', 'http', 'metrics'],
    throttling: ['client-authentication', 'clients', 'config', 'http', 'metrics', 'persistence'],
    token: [
      'audit',
      'client-authentication',
      'clients',
      'config',
      'dpop',
      'http',
      'keys',
      'openapi',
      'reference-tokens',
      'throttling',
    ],
    introspection: [
      'client-authentication',
      'clients',
      'config',
      'http',
      'keys',
      'openapi',
      'reference-tokens',
    ],
    metadata: ['clients', 'config', 'dpop', 'keys', 'openapi', 'token'],
    admin: [
      'clients',
      'config',
      'dpop',
      'http',
      'introspection',
      'keys',
      'openapi',
      'persistence',
      'reference-tokens',
      'token',
    ],
    // The CLI manages clients and keys on the database; it authenticates no one.
    cli: ['audit', 'clients', 'config', 'keys', 'persistence'],
  },
  'apps/identity': {},
  'apps/weather-api': {
    config: [],
    openapi: ['config'],
    weather: ['openapi'],
    health: [],
    metrics: [],
  },
  'apps/forecast-client': {},
};

/** Which library may import which (through its entry); apps may import every library. */
const LIBRARIES = {
  shared: [],
  'jwt-bearer': ['shared'],
  'token-client': ['shared'],
  server: ['shared'],
};

/** Each library's entries: any other file of it is internal to it. */
const LIBRARY_ENTRIES = {
  shared: ['index', 'hosting'],
  'jwt-bearer': ['index', 'testing'],
  'token-client': ['index', 'testing'],
  server: ['index', 'standalone'],
};

/** Throws when `graph` (node → nodes it may import) has a cycle, naming it. */
function assertAcyclic(what, graph) {
  const state = new Map();
  const visit = (node, path) => {
    if (state.get(node) === 'done') return;
    if (state.get(node) === 'visiting') {
      const cycle = [...path.slice(path.indexOf(node)), node].join(' → ');
      throw new Error(`.dependency-cruiser.cjs: the ${what} graph has a cycle: ${cycle}`);
    }
    state.set(node, 'visiting');
    for (const next of graph[node] ?? []) visit(next, [...path, node]);
    state.set(node, 'done');
  };
  for (const node of Object.keys(graph)) visit(node, []);
}

const escape = (name) => name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const anyOf = (names) => `(${names.map(escape).join('|')})`;

function folderRules() {
  return Object.entries(FOLDERS).flatMap(([app, folders]) => {
    assertAcyclic(`${app} folder`, folders);
    const src = `^${escape(app)}/src/`;
    const undeclared = {
      name: `folder-graph: ${app}`,
      severity: 'error',
      comment: `${app}/src has a folder the graph in .dependency-cruiser.cjs does not declare: add it there`,
      from: { path: `${src}[^/]+/`, pathNot: `${src}${anyOf(Object.keys(folders))}/` },
      to: {},
    };
    const perFolder = Object.entries(folders).map(([folder, allowed]) => ({
      // One name per rule: a report shows the comment of the rule by its name.
      name: `folder-graph: ${app}/${folder}`,
      severity: 'error',
      comment:
        `${app}/src/${folder} may import only ` +
        (allowed.length ? allowed.join(', ') : 'no other folder') +
        ' (the folder graph in .dependency-cruiser.cjs)',
      from: { path: `${src}${escape(folder)}/` },
      to: {
        path: src,
        pathNot: `${src}${anyOf([folder, ...allowed])}/`,
      },
    }));
    return [undeclared, ...perFolder];
  });
}

function libraryRules() {
  assertAcyclic('library', LIBRARIES);
  return Object.entries(LIBRARIES).flatMap(([library, allowed]) => [
    {
      name: `library-graph: ${library}`,
      severity: 'error',
      comment:
        `libs/${library} may import only ` +
        (allowed.length
          ? allowed.map((name) => `@nest-identity/${name}`).join(', ')
          : 'no other library') +
        ', and no app',
      from: { path: `^libs/${escape(library)}/` },
      to: { path: '^(apps|libs)/', pathNot: `^libs/${anyOf([library, ...allowed])}/` },
    },
    {
      name: `library-entry: ${library}`,
      severity: 'error',
      comment:
        `outside libs/${library}, import @nest-identity/${library} only through its entry ` +
        `(${LIBRARY_ENTRIES[library].map((entry) => (entry === 'index' ? `@nest-identity/${library}` : `@nest-identity/${library}/${entry}`)).join(', ')}): ` +
        'everything else is internal to it',
      from: { pathNot: `^libs/${escape(library)}/` },
      to: {
        path: `^libs/${escape(library)}/`,
        pathNot: `^libs/${escape(library)}/src/${anyOf(LIBRARY_ENTRIES[library])}\\.ts$`,
      },
    },
  ]);
}

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'files import each other in a circle: move what both need to where the arrow points one way',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-folder-cycle',
      severity: 'error',
      comment:
        'folders import each other in a circle: move what both need to where the arrow points one way',
      scope: 'folder',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-app-to-app',
      severity: 'error',
      comment: 'an app imports no other app: share code through a library in libs/',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    ...folderRules(),
    ...libraryRules(),
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'an import that resolves to no file',
      // The server package's bin loads the package's build (libs/server/dist), absent before one.
      from: { pathNot: '^libs/server/bin/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // Specs are imported by no one, so they close no cycle; they may use any folder's fixtures
    // and the whole app (identity-app.fixture.ts). ESLint keeps them off libraries' internals.
    exclude: {
      path: ['\\.spec\\.ts$', '\\.e2e-spec\\.ts$', '^dist/', '^libs/[^/]+/dist/', '^node_modules/'],
    },
    doNotFollow: { path: ['node_modules'] },
    // `import type` counts: a cycle of types is still a cycle between folders.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json', '.d.ts'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
