#!/usr/bin/env node
// Writes dist/build-info.json, { "commit": ... }, for `minirun --version`: the
// commit as runc's Makefile names it (git describe --dirty --long --always), or
// "unknown" outside a git checkout. Run by `npm run build:ts`, and so by
// `npm pack` (prepare): an installed package knows its commit without git.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const git = spawnSync('git', ['describe', '--dirty', '--long', '--always'], { cwd: root, encoding: 'utf8' });
const commit = git.status === 0 && git.stdout.trim() !== '' ? git.stdout.trim() : 'unknown';
fs.mkdirSync(path.join(root, 'dist'), { recursive: true });
fs.writeFileSync(path.join(root, 'dist', 'build-info.json'), `${JSON.stringify({ commit })}\n`);
