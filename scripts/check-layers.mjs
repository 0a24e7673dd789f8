#!/usr/bin/env node
// The layer check (issue 18): draws the imports of lib/, workers/ and bin/ as arrows between
// files and between folders, and fails on any circle, so the folders stay a DAG and every file
// sits on a floor above all it imports. Type-only and dynamic imports count: they bind the
// files just the same. Usage: node scripts/check-layers.mjs [ROOT] [--json]
// (ROOT: the repository to check, default the one this script is in). Exit 0 clean, 1 circles,
// 2 bad usage (an unknown option, a ROOT with no .ts file under lib/, workers/ or bin/).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// TypeScript's own parser (a devDependency): exact about comments, strings and template text,
// which a hand-written scanner would have to re-learn. Required, not imported: an ESM import of
// its 9 MB CommonJS file first scans it for export names, which doubled the script's start.
const ts = createRequire(import.meta.url)('typescript');

const SOURCE_DIRS = ['lib', 'workers', 'bin'];

/** Every .ts file under the source folders, as a posix path relative to root, sorted. */
function listSourceFiles(root) {
  return SOURCE_DIRS.filter((dir) => existsSync(path.join(root, dir)))
    .flatMap((dir) => readdirSync(path.join(root, dir), { recursive: true }).map((rel) => `${dir}/${rel.split(path.sep).join('/')}`))
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
    .sort();
}

/** The names one import brings in, `type ` before those that are types only. */
function namesOf(node) {
  const all = node.isTypeOnly ? 'type ' : '';
  if (ts.isExportDeclaration(node)) {
    if (!node.exportClause) return [`${all}*`];
    if (ts.isNamespaceExport(node.exportClause)) return [`${all}* as ${node.exportClause.name.text}`];
    return node.exportClause.elements.map((e) => `${all || (e.isTypeOnly ? 'type ' : '')}${(e.propertyName ?? e.name).text}`);
  }
  const clause = node.importClause;
  if (!clause) return ['(side effect)'];
  const kind = clause.isTypeOnly ? 'type ' : '';
  const names = clause.name ? [`${kind}default`] : [];
  const bindings = clause.namedBindings;
  if (bindings && ts.isNamespaceImport(bindings)) names.push(`${kind}* as ${bindings.name.text}`);
  else if (bindings) for (const e of bindings.elements) names.push(`${kind || (e.isTypeOnly ? 'type ' : '')}${(e.propertyName ?? e.name).text}`);
  return names;
}

/** Each import of a file: its specifier, 1-based line and names. Includes `import('...')` and `typeof import('...')`. */
function readImports(file, text) {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found = [];
  const add = (node, literal, names) => {
    const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
    found.push({ specifier: literal.text, line, names });
  };
  const visit = (node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node, node.moduleSpecifier, namesOf(node));
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments;
      if (arg && ts.isStringLiteralLike(arg)) add(node, arg, ['import()']);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      add(node, node.argument.literal, [`type ${node.qualifier ? node.qualifier.getText(source) : 'import()'}`]);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The checked file a relative specifier names (`../x/y.js` -> x/y.ts, `./dir/index.js` and a bare `./dir` -> dir/index.ts), or undefined. */
function resolveSpecifier(from, specifier, known) {
  if (!specifier.startsWith('.')) return undefined; // a package or node: module, outside the house
  const base = path.posix.join(path.posix.dirname(from), specifier);
  const stem = base.replace(/\.(js|ts)$/, '');
  return [`${stem}.ts`, `${base}/index.ts`].find((candidate) => known.has(candidate));
}

/** The folder a file lives in: a top-level entry of lib/ (a file directly in lib/ is its own), or workers, bin. */
function folderOf(file) {
  const parts = file.split('/');
  return parts[0] === 'lib' ? `lib/${parts[1]}` : parts[0];
}

/**
 * Strongly connected components (Tarjan), each sorted. A component comes out only after every
 * component it reaches, which assignFloors relies on. The recursion is at most as deep as there
 * are files (a few hundred), far inside Node's stack.
 */
function stronglyConnected(nodes, edges) {
  const index = new Map(), low = new Map(), stack = [], onStack = new Set(), components = [];
  const visit = (node) => {
    index.set(node, index.size); low.set(node, index.get(node)); stack.push(node); onStack.add(node);
    for (const target of edges.get(node)?.keys() ?? []) {
      if (!index.has(target)) visit(target);
      if (onStack.has(target)) low.set(node, Math.min(low.get(node), low.get(target)));
    }
    if (low.get(node) !== index.get(node)) return;
    const component = [];
    let member;
    do { member = stack.pop(); onStack.delete(member); component.push(member); } while (member !== node);
    components.push(component.sort());
  };
  for (const node of nodes) if (!index.has(node)) visit(node);
  return components;
}

/** The shortest path from `from` to `to` inside `members` (breadth first), both ends included. */
function shortestPath(from, to, members, edges) {
  const previous = new Map([[from, undefined]]);
  const queue = [from];
  while (queue.length > 0) {
    const node = queue.shift();
    if (node === to) break;
    for (const target of [...(edges.get(node)?.keys() ?? [])].sort()) {
      if (members.has(target) && !previous.has(target)) { previous.set(target, node); queue.push(target); }
    }
  }
  const path = [to];
  while (path[0] !== from) path.unshift(previous.get(path[0]));
  return path;
}

/**
 * Every circle: for each component that loops, circles that between them take every arrow inside
 * it (each arrow u -> v closed by the shortest way back from v to u), so every import that keeps
 * the loop alive is named. Each circle is spelled from its smallest member, once.
 */
function findCircles(nodes, edges) {
  const circles = new Map();
  for (const component of stronglyConnected(nodes, edges)) {
    const members = new Set(component);
    for (const from of component) {
      for (const to of edges.get(from)?.keys() ?? []) {
        if (!members.has(to)) continue;
        const loop = from === to ? [from] : [from, ...shortestPath(to, from, members, edges).slice(0, -1)];
        const first = loop.indexOf([...loop].sort()[0]);
        const spelled = [...loop.slice(first), ...loop.slice(0, first)];
        circles.set(spelled.join('\n'), [...spelled, spelled[0]]);
      }
    }
  }
  return [...circles.values()].sort((a, b) => a.join('\n').localeCompare(b.join('\n')));
}

/** Files, their imports resolved, and the file and folder graphs (arrow -> the imports that make it). */
function buildGraphs(root) {
  const files = listSourceFiles(root);
  const known = new Set(files);
  const fileEdges = new Map(), folderEdges = new Map(), fileInfo = [], unresolved = [];
  const addArrow = (edges, from, to, site) => {
    if (!edges.has(from)) edges.set(from, new Map());
    if (!edges.get(from).has(to)) edges.get(from).set(to, []);
    edges.get(from).get(to).push(site);
  };
  for (const file of files) {
    const text = readFileSync(path.join(root, file), 'utf8');
    const imports = [];
    for (const { specifier, line, names } of readImports(file, text)) {
      const to = resolveSpecifier(file, specifier, known);
      if (!to) {
        if (specifier.startsWith('.')) unresolved.push({ file, line, specifier });
        continue;
      }
      const site = { file, line, to, names };
      imports.push(site);
      addArrow(fileEdges, file, to, site);
      if (folderOf(file) !== folderOf(to)) addArrow(folderEdges, folderOf(file), folderOf(to), site);
    }
    fileInfo.push({ file, folder: folderOf(file), lines: text.split('\n').length - (text.endsWith('\n') ? 1 : 0), imports });
  }
  return { files: fileInfo, fileEdges, folderEdges, unresolved };
}

/** Each folder's floor: 0 when it imports no folder, else 1 + the highest it imports (folders on one circle share one). */
function assignFloors(folders, folderEdges) {
  const floorOfComponent = new Map(), componentOf = new Map();
  // Components come bottom first, so what a component imports already has its floor.
  for (const component of stronglyConnected(folders, folderEdges)) {
    component.forEach((folder) => componentOf.set(folder, component));
    let floor = 0;
    for (const folder of component) {
      for (const to of folderEdges.get(folder)?.keys() ?? []) {
        if (componentOf.get(to) !== component) floor = Math.max(floor, floorOfComponent.get(componentOf.get(to)) + 1);
      }
    }
    floorOfComponent.set(component, floor);
  }
  return new Map(folders.map((folder) => [folder, floorOfComponent.get(componentOf.get(folder))]));
}

const short = (folder) => folder.replace(/^lib\//, '');
const kilo = (n) => (n >= 1000 ? `${(n / 1000).toFixed(1)}k` : String(n));
const siteLine = (site) => `    ${site.file}:${site.line}  -> ${site.to}  { ${site.names.join(', ')} }`;

function checkLayers(root) {
  const { files, fileEdges, folderEdges, unresolved } = buildGraphs(root);
  const folders = [...new Set(files.map((f) => f.folder))].sort();
  const floors = assignFloors(folders, folderEdges);
  const ladder = folders.map((folder) => {
    const own = files.filter((f) => f.folder === folder);
    const imports = [...(folderEdges.get(folder)?.keys() ?? [])].sort();
    return { folder, floor: floors.get(folder), files: own.length, lines: own.reduce((sum, f) => sum + f.lines, 0), imports };
  }).sort((a, b) => b.floor - a.floor || a.folder.localeCompare(b.folder));
  const arrowsOf = (cycle, edges) => cycle.slice(0, -1).map((from, i) => ({ from, to: cycle[i + 1], imports: edges.get(from).get(cycle[i + 1]) }));
  const problems = [
    ...findCircles(files.map((f) => f.file), fileEdges).map((cycle) => ({ kind: 'file-circle', cycle, arrows: arrowsOf(cycle, fileEdges) })),
    ...findCircles(folders, folderEdges).map((cycle) => ({ kind: 'folder-circle', cycle, arrows: arrowsOf(cycle, folderEdges) })),
  ];
  return { root, ok: problems.length === 0, ladder, problems, files, unresolved };
}

/**
 * The circles of one kind, one a line, then each arrow on them once with its import lines, the
 * arrow on most circles first: cutting its imports breaks every circle through it. (Printing the
 * imports under every circle repeated them dozens of times on a tangled tree.)
 */
function describeCircles(kind, problems) {
  const circles = problems.filter((p) => p.kind === kind);
  if (circles.length === 0) return [];
  const what = kind === 'file-circle' ? 'circle of files' : 'circle of folders';
  const arrows = new Map();
  for (const arrow of circles.flatMap((p) => p.arrows)) {
    const key = `${arrow.from} -> ${arrow.to}`;
    arrows.set(key, { ...arrow, key, circles: (arrows.get(key)?.circles ?? 0) + 1 });
  }
  const ranked = [...arrows.values()].sort((a, b) => b.circles - a.circles || a.key.localeCompare(b.key));
  return [
    '',
    ...circles.map((p) => `✗ ${what}: ${p.cycle.join(' -> ')}`),
    '',
    `  the arrows on these circles (change the import lines of one arrow to break every circle through it):`,
    ...ranked.flatMap((a) => [`  ${a.key}  (on ${a.circles} of the circles above, ${a.imports.length} import${a.imports.length > 1 ? 's' : ''})`, ...a.imports.map(siteLine)]),
  ];
}

function printReport({ ok, ladder, problems, unresolved }) {
  const onCircle = new Set(problems.filter((p) => p.kind === 'folder-circle').flatMap((p) => p.cycle));
  const out = ladder.map((step) => {
    const imports = step.imports.length > 0 ? `  -> ${step.imports.map(short).join(', ')}` : '';
    const mark = onCircle.has(step.folder) ? '  (on a circle)' : '';
    return `${String(step.floor).padStart(2)}  ${step.folder}  (${step.files} file${step.files === 1 ? '' : 's'}, ${kilo(step.lines)} lines)${imports}${mark}`;
  });
  out.push(...describeCircles('file-circle', problems), ...describeCircles('folder-circle', problems));
  for (const u of unresolved) out.push(`! ${u.file}:${u.line}  '${u.specifier}' names no file under ${SOURCE_DIRS.join(', ')}`);
  const files = problems.filter((p) => p.kind === 'file-circle').length;
  out.push('', ok ? '✓ no circle of files, no circle of folders' : `✗ ${files} circle(s) of files, ${problems.length - files} circle(s) of folders`);
  console.log(out.join('\n'));
}

const args = process.argv.slice(2);
const unknown = args.find((a) => a.startsWith('-') && a !== '--json');
const root = path.resolve(args.find((a) => !a.startsWith('-')) ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..'));
if (unknown) {
  console.error(`check-layers: unknown option ${unknown}; usage: node scripts/check-layers.mjs [ROOT] [--json]`);
  process.exitCode = 2;
} else if (listSourceFiles(root).length === 0) {
  // A mistyped ROOT must not pass as a tree without circles.
  console.error(`check-layers: no .ts file under ${SOURCE_DIRS.map((d) => path.join(root, d)).join(', ')}`);
  process.exitCode = 2;
} else {
  const report = checkLayers(root);
  if (args.includes('--json')) console.log(JSON.stringify(report, null, 2));
  else printReport(report);
  process.exitCode = report.ok ? 0 : 1;
}
