// Lays out EPUB content documents in headless Debian chromium at a phone's width and reports how
// far their text reaches: a long URL that cannot wrap runs past the right edge of the page.
//
//   node overflow.mjs WIDTH DIR HREF [HREF…] [-- DIR HREF…]
//
// DIR is an unpacked EPUB's content folder (where the XHTML and css/ are); each HREF is a document
// in it. Files are answered from disk through page.route(); any other request is aborted. Prints
// JSON: [{dir, href, clientWidth, scrollWidth, textRight, widest}] with textRight the rightmost
// edge of any line of text.

import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const [widthArg, ...rest] = process.argv.slice(2);
const width = Number(widthArg);
const groups = [];
for (const arg of rest) {
  if (arg === "--" || groups.length === 0) groups.push([]);
  if (arg !== "--") groups[groups.length - 1].push(arg);
}
const ORIGIN = "https://book.invalid";
const TYPES = { xhtml: "application/xhtml+xml", css: "text/css", png: "image/png", jpg: "image/jpeg" };

const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "anthology-chromium-")), {
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
  viewport: { width, height: 640 },
});
const results = [];
try {
  const page = context.pages()[0] ?? (await context.newPage());
  for (const [index, [dir, ...hrefs]] of groups.entries()) {
    await context.unrouteAll();
    await context.route("**/*", (route) => {
      const url = new URL(route.request().url());
      const prefix = `/${index}/`;
      if (url.origin !== ORIGIN || !url.pathname.startsWith(prefix)) return route.abort();
      const relative = decodeURIComponent(url.pathname.slice(prefix.length));
      try {
        const body = readFileSync(join(dir, relative));
        return route.fulfill({ status: 200, contentType: TYPES[relative.split(".").pop()] ?? "application/octet-stream", body });
      } catch {
        return route.abort();
      }
    });
    for (const href of hrefs) {
      await page.goto(`${ORIGIN}/${index}/${href}`);
      const seen = await page.evaluate(() => {
        let textRight = 0;
        let widest = "";
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        const range = document.createRange();
        while (walker.nextNode()) {
          const node = walker.currentNode;
          if (!node.data.trim()) continue;
          range.selectNodeContents(node);
          for (const rect of range.getClientRects()) {
            if (rect.right > textRight) {
              textRight = rect.right;
              widest = node.data.trim().slice(0, 60);
            }
          }
        }
        const root = document.documentElement;
        return { clientWidth: root.clientWidth, scrollWidth: root.scrollWidth, textRight, widest };
      });
      results.push({ dir, href, ...seen });
    }
  }
} finally {
  await context.close();
}
console.log(JSON.stringify(results));
