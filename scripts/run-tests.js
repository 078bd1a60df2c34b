#!/usr/bin/env node
// `npm test`: type-check, unit tests, then integration tests (serially, they
// start real peers), and a closing summary line "N passed, N failed" that CI
// reads. Every stage runs even if an earlier one failed, so one red unit test
// does not hide the state of the integration suite; the exit code is non-zero
// if anything failed.
'use strict';
const { spawnSync } = require('node:child_process');
const { mkdtempSync, readFileSync, existsSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');

const only = process.argv[2]; // optional: "unit" or "integration"
const dir = mkdtempSync(path.join(tmpdir(), 'dxg-test-'));
const bin = (name) => path.join(__dirname, '..', 'node_modules', '.bin', name);
let failedStage = false;
let passed = 0;
let failed = 0;
let skipped = 0;

function stage(name, cmd, args, jsonFile) {
  process.stdout.write(`\n=== ${name}\n`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: process.env });
  if (jsonFile && existsSync(jsonFile)) {
    const j = JSON.parse(readFileSync(jsonFile, 'utf8'));
    passed += j.numPassedTests;
    failed += j.numFailedTests;
    skipped += j.numPendingTests + (j.numTodoTests ?? 0);
    if (j.numTotalTests === 0) {
      process.stdout.write(`${name}: no tests ran\n`);
      failedStage = true;
    }
  } else if (jsonFile) {
    failedStage = true; // jest crashed before writing results
  }
  if (r.status !== 0) failedStage = true;
}

if (!only) stage('typecheck', bin('tsc'), ['--noEmit', '-p', 'tsconfig.json']);
if (!only || only === 'unit') {
  const f = path.join(dir, 'unit.json');
  stage('unit tests', bin('jest'), ['--selectProjects', 'unit', '--json', `--outputFile=${f}`], f);
}
if (!only || only === 'integration') {
  const f = path.join(dir, 'integration.json');
  // --forceExit: a real peer's client library (or a child process's pipe) can keep a handle
  // after every suite has stopped its peers; results are already written by then, and CI must
  // not wait for ever on it. Each suite's own afterAll still stops what it started.
  stage('integration tests', bin('jest'), ['--selectProjects', 'integration', '--runInBand', '--forceExit', '--json', `--outputFile=${f}`], f);
}
process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
process.exit(failedStage || failed > 0 ? 1 : 0);
