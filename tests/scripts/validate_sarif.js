#!/usr/bin/env node
// Validates SARIF files against the SARIF 2.1.0 JSON schema that Microsoft's @microsoft/jest-sarif
// package ships, with ajv (an independent JSON Schema validator).
// usage: node validate_sarif.js NODE_MODULES_DIR FILE...   exit 0 valid, 1 invalid, 2 usage
const path = require("path");
const fs = require("fs");
const [modules, ...files] = process.argv.slice(2);
if (!modules || files.length === 0) {
  console.error("usage: validate_sarif.js NODE_MODULES_DIR FILE...");
  process.exit(2);
}
const Ajv = require(path.join(modules, "ajv"));
const schema = JSON.parse(
  fs.readFileSync(path.join(modules, "@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json"), "utf8"),
);
const ajv = new Ajv({ allErrors: true, schemaId: "auto" });
try {
  ajv.addMetaSchema(require(path.join(modules, "ajv/lib/refs/json-schema-draft-04.json")));
} catch (e) {
  // draft-07 is built in; draft-04 is only needed by older schemas.
}
const validate = ajv.compile(schema);
let bad = 0;
for (const file of files) {
  const log = JSON.parse(fs.readFileSync(file, "utf8"));
  if (validate(log)) {
    console.log(`valid ${file}`);
  } else {
    bad += 1;
    console.log(`invalid ${file}: ${ajv.errorsText(validate.errors)}`);
  }
}
process.exit(bad ? 1 : 0);
