// Configuration of `npm run generate`: regenerates src/gen/ from the committed OpenAPI document.
// src/gen/ is never edited by hand. The tool versions are pinned in package.json.
import { fileURLToPath } from 'node:url';
import { defineConfig } from '@hey-api/openapi-ts';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

const words = (s) =>
  s
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
const singular = (w) => (w.endsWith('ies') ? `${w.slice(0, -3)}y` : w.replace(/s$/, ''));
const camel = (ws) => ws.map((w, i) => (i ? w[0].toUpperCase() + w.slice(1) : w)).join('');

// The method name of an operation inside its tag's namespace: the operationId without the words
// that name the tag, so `create_api_key` (tag `api-keys`) → `apiKeys.create`, `get_me` (tag `me`)
// → `me.get`, `refresh_token` (tag `auth`) → `auth.refreshToken`, `list_company_contacts` (tag
// `companies`) → `companies.listContacts`.
function methodName(operationId, tag) {
  const op = words(operationId);
  const tagWords = words(tag).map(singular);
  const out = [];
  for (let i = 0; i < op.length; ) {
    const window = op.slice(i, i + tagWords.length).map(singular);
    if (tagWords.length && window.join('_') === tagWords.join('_')) {
      i += tagWords.length;
      continue;
    }
    out.push(op[i++]);
  }
  return camel(out.length ? out : op);
}

export default defineConfig({
  input: here('../../openapi/openapi.json'),
  output: {
    path: here('./src/gen'),
    clean: true,
    module: { extension: '.js' },
    tsConfigPath: here('./tsconfig.json'),
    header: (ctx) => [
      ...ctx.defaultValue,
      '// Generated from openapi/openapi.json by `npm run generate` (sdks/typescript). Do not edit.',
    ],
  },
  plugins: [
    { name: '@hey-api/client-fetch', throwOnError: true },
    '@hey-api/typescript',
    {
      name: '@hey-api/sdk',
      // One instance class, `GeneratedApi`, with one namespace per tag and one method per
      // operation (`api.apiKeys.create(...)`). The hand-written `CampaignOS` class extends it, so a
      // new operation or tag in the spec needs no hand-written code.
      // Note: keep `nesting` at its default ('operationId'): any other value makes the parser
      // ignore the spec's operationIds and name every type after method + path instead.
      operations: {
        methods: 'instance',
        containerName: { casing: 'preserve' },
        strategy: (operation) =>
          (operation.tags?.length ? operation.tags : ['default']).map((tag) => [
            'GeneratedApi',
            camel(words(tag)),
            methodName(operation.operationId ?? operation.id, tag),
          ]),
      },
    },
  ],
});
