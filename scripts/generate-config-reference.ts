import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderGeneratedSections, withGeneratedSections } from './config-reference';

// `npm run docs:reference`: rewrites the generated sections of docs/reference.md (npm runs it at
// the package root).
const file = join(process.cwd(), 'docs', 'reference.md');
writeFileSync(file, withGeneratedSections(readFileSync(file, 'utf8'), renderGeneratedSections()));
console.log(`${file}: generated sections rewritten`);
