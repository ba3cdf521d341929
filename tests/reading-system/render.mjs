// Opens an EPUB in a real reading system — epub.js 0.3.93 in headless Debian chromium, driven by
// playwright-core — renders every document of the spine, follows the first note reference to its
// end-note, and prints what it saw as JSON on stdout. Screenshots go to OUTDIR.
//
//   node render.mjs BOOK.epub OUTDIR
//
// Nothing is served over the network: page.route() answers every request from memory, and any
// request it does not know is aborted. Sections load through blob URLs typed
// application/xhtml+xml, so chromium parses them as XML, as EPUB reading systems must: malformed
// markup shows chromium's "This page contains the following errors" page, which the test rejects.

import { mkdtempSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const [epubPath, outDir] = process.argv.slice(2);
if (!epubPath || !outDir) {
  console.error("usage: node render.mjs BOOK.epub OUTDIR");
  process.exit(2);
}
const here = dirname(fileURLToPath(import.meta.url));
const ORIGIN = "https://reader.invalid";
const INDEX = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>reader</title>
<style>html, body { margin: 0; background: #fff; } #viewer { width: 100vw; height: 100vh; }</style>
<script src="/jszip.min.js"></script><script src="/epub.min.js"></script>
</head><body><div id="viewer"></div></body></html>`;
const FILES = {
  "/index.html": ["text/html; charset=utf-8", Buffer.from(INDEX)],
  "/jszip.min.js": ["text/javascript", readFileSync(join(here, "node_modules/jszip/dist/jszip.min.js"))],
  "/epub.min.js": ["text/javascript", readFileSync(join(here, "node_modules/epubjs/dist/epub.min.js"))],
  "/book.epub": ["application/epub+zip", readFileSync(epubPath)],
};
const ERROR_PAGE = "This page contains the following errors";

mkdirSync(outDir, { recursive: true });
const profile = mkdtempSync(join(tmpdir(), "anthology-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
  viewport: { width: 600, height: 800 }, // a 6-inch e-reader's page, portrait
});
const result = { documents: [], note: null, pageErrors: [], refused: [] };
try {
  await context.route("**/*", (route) => {
    const url = new URL(route.request().url());
    const file = url.origin === ORIGIN ? FILES[url.pathname] : undefined;
    if (!file) {
      result.refused.push(route.request().url());
      return route.abort();
    }
    return route.fulfill({ status: 200, contentType: file[0], body: file[1] });
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on("pageerror", (error) => result.pageErrors.push(String(error)));
  await page.goto(`${ORIGIN}/index.html`);
  const spine = await page.evaluate(async () => {
    window.book = ePub("/book.epub", { openAs: "epub" });
    window.rendition = book.renderTo("viewer", { width: "100%", height: "100%", method: "blobUrl", spread: "none", flow: "paginated" });
    await book.ready;
    const items = [];
    book.spine.each((section) => items.push(section.href));
    return items;
  });

  // What the reader shows: the text of the section's document, whether the parse failed, and where
  // an element lies relative to the visible page (paginated views scroll their columns sideways).
  const inspect = (target) => page.evaluate(({ target, errorPage }) => {
    const contents = rendition.getContents()[0];
    const doc = contents.document;
    const frame = [...document.querySelectorAll("iframe")].find((f) => f.contentDocument === doc);
    const text = doc.body ? doc.body.innerText : doc.documentElement.textContent;
    let visible = null;
    const element = target ? doc.getElementById(target) : doc.querySelector("h1, h2, img");
    if (element) {
      const box = element.getBoundingClientRect();
      const origin = frame.getBoundingClientRect();
      const left = origin.left + box.left;
      const top = origin.top + box.top;
      visible = left >= 0 && left < window.innerWidth && top >= 0 && top < window.innerHeight && box.width > 0;
    }
    return {
      href: rendition.currentLocation().start.href,
      text,
      parseError: doc.getElementsByTagName("parsererror").length > 0 || (doc.documentElement.textContent || "").includes(errorPage),
      contentType: doc.contentType,
      visible,
    };
  }, { target, errorPage: ERROR_PAGE });

  for (const [index, href] of spine.entries()) {
    await page.evaluate((href) => rendition.display(href), href);
    await page.waitForTimeout(150); // fonts and layout settle after "displayed"
    const seen = await inspect(null);
    const shot = join(outDir, `${String(index).padStart(2, "0")}-${href.split("/").pop().replace(/\.xhtml$/, "")}.png`);
    await page.screenshot({ path: shot });
    result.documents.push({ requested: href, screenshot: shot, ...seen });
  }

  // A note reference, clicked as a reader would: epub.js must carry the reader to the end-note.
  for (const href of spine) {
    await page.evaluate((href) => rendition.display(href), href);
    const ref = await page.evaluate(() => {
      const a = rendition.getContents()[0].document.querySelector("a[epub\\:type~='noteref'], a[role='doc-noteref']");
      return a ? { id: a.id, href: a.getAttribute("href"), text: a.textContent } : null;
    });
    if (!ref) continue;
    await page.evaluate((href) => rendition.display(href), `${href}#${ref.id}`);
    await page.waitForTimeout(150);
    const before = join(outDir, "note-1-reference.png");
    await page.screenshot({ path: before });
    const moved = page.evaluate(() => new Promise((resolve) => rendition.once("relocated", resolve)));
    await page.evaluate((id) => rendition.getContents()[0].document.getElementById(id).click(), ref.id);
    await moved;
    await page.waitForTimeout(150);
    const target = ref.href.split("#")[1];
    const seen = await inspect(target);
    const after = join(outDir, "note-2-target.png");
    await page.screenshot({ path: after });
    result.note = { from: href, ref, target, screenshots: [before, after], ...seen };
    break;
  }
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
process.stdout.write(JSON.stringify(result, null, 1));
