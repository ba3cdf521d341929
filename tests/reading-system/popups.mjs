// Opens an EPUB in foliate-js (the engine of the Foliate reader) in headless Debian chromium and
// taps every note reference as a reader would: foliate-js decides, from the markup alone, whether
// the link is a note and, if so, shows the note in a pop-up instead of turning the page. Prints
// JSON on stdout: for each note reference, what the pop-up held (or that none opened), and for the
// notes section, whether its notes are on the page under the stylesheet Foliate's reader applies
// (which hides asides typed as footnotes everywhere else). A screenshot of the first pop-up and of
// the notes page go to OUTDIR.
//
//   node popups.mjs BOOK.epub OUTDIR
//
// Nothing is served over the network: page.route() answers every request from memory (the page,
// foliate-js's modules, the book), and any other request is aborted.

import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const [epubPath, outDir] = process.argv.slice(2);
if (!epubPath || !outDir) {
  console.error("usage: node popups.mjs BOOK.epub OUTDIR");
  process.exit(2);
}
const here = dirname(fileURLToPath(import.meta.url));
const foliate = join(here, "node_modules/foliate-js");
const ORIGIN = "https://reader.invalid";
const INDEX = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>reader</title>
<style>
  html, body { margin: 0; background: #fff; }
  #main { width: 600px; height: 800px; }
  #popup { position: fixed; left: 40px; top: 460px; width: 520px; height: 300px; border: 2px solid #444; background: #fff; }
  foliate-view { display: block; width: 100%; height: 100%; }
</style>
<script type="module">
  import "/foliate/view.js";
  import { FootnoteHandler } from "/foliate/footnotes.js";
  window.FootnoteHandler = FootnoteHandler;
  window.ready = true;
</script>
</head><body><div id="main"></div><div id="popup"></div></body></html>`;

// Every file of the foliate-js package, by URL path.
const FILES = { "/index.html": ["text/html; charset=utf-8", Buffer.from(INDEX)], "/book.epub": ["application/epub+zip", readFileSync(epubPath)] };
const walk = (dir, prefix) => {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, `${prefix}/${name}`);
    else if (name.endsWith(".js")) FILES[`${prefix}/${name}`] = ["text/javascript", readFileSync(path)];
  }
};
walk(foliate, "/foliate");

mkdirSync(outDir, { recursive: true });
const profile = mkdtempSync(join(tmpdir(), "anthology-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
  viewport: { width: 600, height: 800 },
});
const result = { refs: [], notesPage: null, pageErrors: [], refused: [] };
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
  await page.waitForFunction(() => window.ready === true);

  // The book, opened as the Foliate app opens it, with the rule its reader adds to every page:
  // asides typed as notes are hidden, to be seen in pop-ups only.
  const sections = await page.evaluate(async () => {
    const blob = await (await fetch("/book.epub")).blob();
    const view = document.createElement("foliate-view");
    document.getElementById("main").append(view);
    await view.open(new File([blob], "book.epub", { type: "application/epub+zip" }));
    view.renderer.setStyles?.(`@namespace epub "http://www.idpf.org/2007/ops";
      aside[epub|type~="footnote"], aside[epub|type~="endnote"], aside[epub|type~="note"] { display: none; }`);
    window.view = view;
    window.handler = new FootnoteHandler();
    window.popups = [];
    handler.addEventListener("before-render", (e) => {
      const holder = document.getElementById("popup");
      holder.replaceChildren(e.detail.view);
    });
    handler.addEventListener("render", (e) => {
      const { type, hidden, target, href } = e.detail;
      const body = target?.ownerDocument?.body;
      window.popups.push({ href, type, hidden, text: body ? body.textContent : null, html: body ? body.innerHTML : null });
    });
    // A tap on a link: foliate-view says "link"; the handler takes it if the link is a note.
    view.addEventListener("link", (e) => {
      window.lastLink = { href: e.detail.href, taken: false };
      const shown = handler.handle(view.book, e);
      if (shown) {
        window.lastLink.taken = true;
        shown.catch((error) => window.popups.push({ error: String(error) }));
      }
    });
    return view.book.sections.map((s, index) => ({ index, id: s.id }));
  });

  const show = async (index) => {
    await page.evaluate(async (index) => {
      const loaded = new Promise((resolve) => view.addEventListener("load", resolve, { once: true }));
      await view.goTo(index);
      await Promise.race([loaded, new Promise((r) => setTimeout(r, 2000))]);
    }, index);
    await page.waitForTimeout(150);
  };

  for (const { index, id } of sections) {
    await show(index);
    const refs = await page.evaluate(() => {
      const { doc } = view.renderer.getContents()[0];
      return [...doc.querySelectorAll("a[href]")]
        .filter((a) => a.getAttributeNS("http://www.idpf.org/2007/ops", "type")?.split(" ").includes("noteref") || a.getAttribute("role") === "doc-noteref")
        .map((a) => ({ id: a.id, href: a.getAttribute("href"), text: a.textContent }));
    });
    for (const ref of refs) {
      const before = await page.evaluate(() => window.popups.length);
      await page.evaluate((id) => {
        const { doc } = view.renderer.getContents()[0];
        doc.getElementById(id).click();
      }, ref.id);
      await page.waitForFunction((n) => window.popups.length > n || (window.lastLink && !window.lastLink.taken), before, { timeout: 5000 }).catch(() => {});
      await page.waitForTimeout(200);
      const popup = await page.evaluate((n) => window.popups[n] ?? null, before);
      const entry = { section: id, ...ref, popup };
      if (popup && result.refs.every((r) => !r.popup)) {
        entry.screenshot = join(outDir, "popup.png");
        await page.screenshot({ path: entry.screenshot });
      }
      result.refs.push(entry);
      // Back in the main view: the pop-up's link may have moved nothing, but be sure.
      await show(index);
    }
  }

  // The notes section as a reader paging to the end sees it.
  const notes = sections.find((s) => /endnotes\.xhtml$/.test(s.id));
  if (notes) {
    await page.evaluate(() => document.getElementById("popup").replaceChildren());
    await show(notes.index);
    result.notesPage = await page.evaluate(() => {
      const { doc } = view.renderer.getContents()[0];
      const asides = [...doc.querySelectorAll("aside")];
      return {
        asides: asides.length,
        shown: asides.filter((a) => doc.defaultView.getComputedStyle(a).display !== "none" && a.getBoundingClientRect().height > 0).length,
        text: doc.body.innerText,
      };
    });
    result.notesPage.screenshot = join(outDir, "notes.png");
    await page.screenshot({ path: result.notesPage.screenshot });
  }
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
process.stdout.write(JSON.stringify(result, null, 1));
