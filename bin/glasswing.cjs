#!/usr/bin/env node
// Entry for `npx glasswing`: runs the bundled CLI, building it first on a fresh checkout.
const path = require('node:path');
const fs = require('node:fs');
const root = path.resolve(__dirname, '..');
const bundle = path.join(root, 'out', 'node', 'cli.cjs');
if (!fs.existsSync(bundle)) {
  require('node:child_process').execFileSync(process.execPath, [path.join(root, 'scripts', 'build-node.mjs')], { stdio: 'inherit' });
}
require(bundle);
