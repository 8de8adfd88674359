// Reads {"standards": [...], "catalog": {...}, "households": [{"facts", "standard_id"}]} on stdin
// and prints the browser engine's answer for each household as JSON lines.
"use strict";
const engine = require(process.argv[2]);
let input = "";
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const { standards, catalog, households } = JSON.parse(input);
  const out = households.map((h) => engine.evaluate(h.facts, standards, catalog, h.standard_id));
  process.stdout.write(JSON.stringify(out));
});
