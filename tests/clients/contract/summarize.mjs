// Helpers for run.sh (plain Node, no dependencies).
//
//   node summarize.mjs check  <collection.json> <openapi.json>
//     Fails unless every operation of the OpenAPI document has exactly one main request in the Portman
//     collection carrying the generated contract tests: its documented success status code, and, where that
//     response has a JSON body, the content type and a JSON-schema test that Portman did not disable; another
//     body (image/svg+xml) needs its content type and a "Body is …" test from extendTests.
//
//   node summarize.mjs env    <environment.json>
//     Writes the Newman environment (apiKey from NEWSLENS_API_KEY, runId from NEWSLENS_RUN_ID), mode 0600, so
//     the key never appears on a command line.
//
//   node summarize.mjs report <newman-report.json>
//     Prints one line per request and the totals, redacts the API key from the report, and exits non-zero
//     if any request, script or assertion failed.

import { chmodSync, readFileSync, writeFileSync } from "node:fs";

const [command, ...args] = process.argv.slice(2);
const readJson = (file) => JSON.parse(readFileSync(file, "utf8"));
const METHODS = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];

function testNames(item) {
  const lines = (item.event ?? [])
    .filter((e) => e.listen === "test")
    .flatMap((e) => (Array.isArray(e.script?.exec) ? e.script.exec : [e.script?.exec ?? ""]));
  const script = lines.join("\n");
  return { script, names: [...script.matchAll(/pm\.test\("([^"]*)"/g)].map((m) => m[1]) };
}

function check(collectionFile, specFile) {
  const collection = readJson(collectionFile);
  const spec = readJson(specFile);
  const main = collection.item.filter((i) => !i.item); // root level: one request per operation
  const variations = [];
  const walk = (items) => items.forEach((i) => (i.item ? walk(i.item) : variations.push(i)));
  walk(collection.item.filter((i) => i.item));

  const problems = [];
  let operations = 0;
  for (const [path, pathItem] of Object.entries(spec.paths)) {
    for (const method of METHODS) {
      const op = pathItem[method];
      if (!op) continue;
      operations++;
      const label = `${method.toUpperCase()} ${path} (${op.operationId})`;
      const pattern = new RegExp(
        "^" + path.replace(/^\//, "").replace(/\{[^}]+\}/g, ":[^/]+").replace(/[.]/g, "\\.") + "$",
      );
      const matches = main.filter(
        (i) => i.request.method.toLowerCase() === method && pattern.test(i.request.url.path.join("/")),
      );
      if (matches.length !== 1) {
        problems.push(`${label}: ${matches.length} requests in the collection, expected 1`);
        continue;
      }
      const { script, names } = testNames(matches[0]);
      // The 2xx the main request tests (recordRating documents 201 and 200 and its main request is the 201); else the first.
      const successes = Object.keys(op.responses).filter((c) => /^2\d\d$/.test(c));
      const success = successes.find((c) => names.some((n) => n.endsWith(`Response status code is ${c}`))) ?? successes[0];
      if (!success) {
        problems.push(`${label}: no 2xx response in the document`);
        continue;
      }
      if (!names.some((n) => n.endsWith(`Response status code is ${success}`))) {
        problems.push(`${label}: no test for status ${success}`);
      }
      const content = op.responses[success].content ?? {};
      const jsonType = Object.keys(content).find((t) => /json/.test(t));
      if (jsonType) {
        if (!names.some((n) => n.endsWith(`Content-Type is ${jsonType}`))) problems.push(`${label}: no content-type test`);
        if (!names.some((n) => n.endsWith("Schema is valid"))) problems.push(`${label}: no JSON schema test`);
        if (/Disabled due to/.test(script)) problems.push(`${label}: Portman disabled its JSON schema test`);
      } else if (Object.keys(content).length > 0) {
        // A body that is not JSON (coverage.svg: image/svg+xml): its media type, and a check of the body that
        // extendTests adds (Portman's schema tests are for JSON only).
        const mediaType = Object.keys(content)[0];
        if (!names.some((n) => n.endsWith(`Content-Type is ${mediaType}`))) problems.push(`${label}: no content-type test`);
        if (!names.some((n) => n.includes(" - Body is "))) problems.push(`${label}: no "Body is …" test of its ${mediaType} body`);
      } else if (!names.some((n) => n.endsWith("Response has empty Body"))) {
        problems.push(`${label}: no empty-body test for ${success}`);
      }
    }
  }
  const disabledVariations = variations.filter((v) => /Disabled due to/.test(testNames(v).script));
  for (const v of disabledVariations) problems.push(`variation ${v.name}: Portman disabled its JSON schema test`);

  console.log(
    `collection: ${operations} operations in the document, ${main.length} main requests, ${variations.length} variations (error cases, CSV and NDJSON imports)`,
  );
  if (problems.length) {
    for (const p of problems) console.log(`  MISSING ${p}`);
    process.exit(1);
  }
  console.log(`collection: every operation has its status, content-type/body and schema contract tests`);
}

function env(file) {
  const apiKey = process.env.NEWSLENS_API_KEY;
  const runId = process.env.NEWSLENS_RUN_ID;
  if (!apiKey || !runId) {
    console.error("summarize env: NEWSLENS_API_KEY and NEWSLENS_RUN_ID must be set");
    process.exit(2);
  }
  const environment = {
    name: "newslens-contract",
    values: [
      { key: "apiKey", value: apiKey, type: "secret", enabled: true },
      { key: "runId", value: runId, type: "default", enabled: true },
    ],
  };
  writeFileSync(file, JSON.stringify(environment, null, 2), { mode: 0o600 });
  chmodSync(file, 0o600);
}

function report(file) {
  const data = readJson(file);
  const run = data.run;
  let passed = 0;
  let failed = 0;
  for (const ex of run.executions ?? []) {
    const assertions = ex.assertions ?? [];
    const bad = assertions.filter((a) => a.error);
    passed += assertions.length - bad.length;
    failed += bad.length;
    const code = ex.response ? ex.response.code : "no response";
    const method = ex.request?.method ?? "?";
    const mark = bad.length || ex.requestError ? "FAIL" : "ok  ";
    console.log(`  ${mark} ${method.padEnd(6)} ${String(code).padEnd(3)} ${ex.item.name} (${assertions.length} assertions)`);
    for (const a of bad) console.log(`         ✗ ${a.assertion}: ${a.error.message.split("\n")[0]}`);
    if (ex.requestError) console.log(`         ✗ request error: ${ex.requestError.message}`);
  }
  const s = run.stats;
  const failures = run.failures ?? [];
  const seconds = run.timings ? ((run.timings.completed - run.timings.started) / 1000).toFixed(1) : "?";
  console.log(
    `newman: ${s.requests.total} requests (${s.requests.failed} failed), ${s.assertions.total} assertions (${s.assertions.failed} failed), ` +
      `${s.testScripts.failed + s.prerequestScripts.failed} script errors, ${seconds}s`,
  );
  for (const f of failures.filter((f) => f.error?.name !== "AssertionError")) {
    console.log(`  ✗ ${f.source?.name ?? "?"}: ${f.error?.name}: ${f.error?.message}`);
  }

  // The report holds every request, X-Api-Key header included: redact it before it is kept.
  const key = process.env.NEWSLENS_API_KEY;
  if (key) writeFileSync(file, JSON.stringify(data).split(key).join("<redacted>"));

  console.log(`${passed} passed, ${failed} failed`);
  if (failed > 0 || failures.length > 0 || s.requests.failed > 0) process.exit(1);
}

if (command === "check") check(args[0], args[1]);
else if (command === "env") env(args[0]);
else if (command === "report") report(args[0]);
else {
  console.error("usage: node summarize.mjs check <collection> <openapi> | env <file> | report <newman-report>");
  process.exit(2);
}
