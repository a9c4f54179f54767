#!/usr/bin/env node
// `npm run lint` runs this: every relative link and anchor in the README and docs/ must resolve,
// so a renamed file or heading breaks the build instead of a reader's click.
const { existsSync, readFileSync, readdirSync, statSync } = require('node:fs');
const { dirname, join, relative, resolve } = require('node:path');

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function githubSlug(heading) {
  return heading
    .trim()
    .toLowerCase()
    .replace(/<[^>]*>/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The lines of a Markdown file outside fenced code blocks (those blank), numbered as in the file. */
function outsideCodeBlocks(markdown) {
  let fenced = false;
  return markdown.split('\n').map((line) => {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      return '';
    }
    return fenced ? '' : line;
  });
}

/** Every anchor a file offers: its headings' slugs, repeats numbered as GitHub numbers them. */
function anchorsOf(markdown) {
  const seen = new Map();
  const anchors = new Set();
  for (const line of outsideCodeBlocks(markdown)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const slug = githubSlug(heading[1].replace(/\[([^\]]*)\]\([^)]*\)/g, '$1'));
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** The relative links of a file that do not resolve, as `file:line: target (why)`. */
function brokenLinks(file, root) {
  const problems = [];
  // Inline code is not a link, whatever it holds.
  const lines = outsideCodeBlocks(readFileSync(file, 'utf8')).map((line) =>
    line.replace(/`[^`]*`/g, ''),
  );
  lines.forEach((line, index) => {
    for (const match of line.matchAll(/\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      const target = match[1];
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
      const [path, anchor] = target.split('#', 2);
      const linked = path === '' ? file : resolve(dirname(file), decodeURIComponent(path));
      const where = `${relative(root, file)}:${index + 1}: ${target}`;
      if (!existsSync(linked)) problems.push(`${where} (no such file)`);
      else if (anchor !== undefined && linked.endsWith('.md')) {
        if (!anchorsOf(readFileSync(linked, 'utf8')).has(anchor.toLowerCase()))
          problems.push(`${where} (no such heading)`);
      } else if (anchor !== undefined && statSync(linked).isDirectory())
        problems.push(`${where} (an anchor into a folder)`);
    }
  });
  return problems;
}

/** README.md and every Markdown file under docs/. */
function documentationFiles(root) {
  const files = [join(root, 'README.md')];
  const walk = (folder) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.md')) files.push(path);
    }
  };
  if (existsSync(join(root, 'docs'))) walk(join(root, 'docs'));
  return files;
}

module.exports = { githubSlug, anchorsOf, brokenLinks, documentationFiles };

if (require.main === module) {
  const root = resolve(__dirname, '..');
  const problems = documentationFiles(root).flatMap((file) => brokenLinks(file, root));
  for (const problem of problems) console.error(problem);
  if (problems.length > 0) {
    console.error(`${problems.length} broken documentation link(s)`);
    process.exit(1);
  }
}
