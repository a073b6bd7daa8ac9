// Writes public/admin/editor/LICENSES.txt: the licence of every npm package bundled into
// editor.js (read from esbuild's metafile), so the committed build carries its notices.
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const meta = JSON.parse(readFileSync("build-meta.json", "utf8"));
const packages = new Set();
for (const input of Object.keys(meta.inputs)) {
  const match = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//);
  if (match) packages.add(match[1]);
}
const parts = [];
for (const name of [...packages].sort()) {
  const folder = join("node_modules", name);
  const manifest = JSON.parse(readFileSync(join(folder, "package.json"), "utf8"));
  const file = readdirSync(folder).find((entry) => /^licen[cs]e/i.test(entry));
  const text = file ? readFileSync(join(folder, file), "utf8").trim() : `License: ${manifest.license}`;
  parts.push(`${name} ${manifest.version} (${manifest.license})\n\n${text}`);
}
writeFileSync(
  "../../public/admin/editor/LICENSES.txt",
  "Third-party software bundled in editor.js (built from tools/editor/)\n\n" +
    parts.join("\n\n" + "-".repeat(72) + "\n\n") + "\n",
);
console.log(`LICENSES.txt: ${packages.size} packages`);
