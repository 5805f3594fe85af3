// symdrop's pages in a real browser: Debian's chromium driven by puppeteer-core (it downloads no
// browser), launched once. For each page: axe-core's WCAG 2.1 A and AA rules, any dialog a page
// opened (hostile text must run no script), and on self-check pages the feedback to typed answers,
// typed with the keyboard. Usage: node pages.js PLAN.json (tests/test_browser.py writes it).
"use strict";
const fs = require("fs");
const path = require("path");
const modules = process.env.SYMDROP_NODE_MODULES;
const puppeteer = require(path.join(modules, "puppeteer-core"));
const axeSource = fs.readFileSync(path.join(modules, "axe-core", "axe.min.js"), "utf8");

async function feedback(page, name, typed) {
  const input = "#" + name, out = input + "-feedback";
  await page.$eval(out, el => { el.textContent = ""; });
  await page.focus(input);
  await page.$eval(input, el => { el.value = ""; });
  await page.keyboard.type(typed);
  await page.keyboard.press("Enter");
  await page.waitForFunction(sel => document.querySelector(sel).textContent !== "", {timeout: 10000}, out);
  const hints = await page.$$eval(".hint", els => els.filter(el => !el.hidden).map(el => el.id));
  return [await page.$eval(out, el => el.textContent), hints];
}

async function reveal(page, name) {  // from the input: Tab to Check, Tab to Show answer, Enter
  const out = "#" + name + "-feedback";
  await page.$eval(out, el => { el.textContent = ""; });
  await page.focus("#" + name);
  await page.keyboard.press("Tab");
  await page.keyboard.press("Tab");
  const focused = await page.evaluate(() => document.activeElement.textContent);
  await page.keyboard.press("Enter");
  await page.waitForFunction(sel => document.querySelector(sel).textContent !== "", {timeout: 10000}, out);
  return {focused, text: await page.$eval(out, el => el.textContent)};
}

(async () => {
  const plan = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
  const browser = await puppeteer.launch({
    executablePath: plan.chromium, headless: true, userDataDir: plan.profile,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
           "--no-first-run", "--disable-sync"],
  });
  const results = [];
  try {
    const page = await browser.newPage();
    let dialogs = [];
    page.on("dialog", async d => { dialogs.push(d.message()); await d.dismiss(); });
    const requests = [];
    page.on("request", r => { if (!r.url().startsWith("file://")) requests.push(r.url()); });
    for (const item of plan.pages) {
      dialogs = [];
      requests.length = 0;
      await page.goto("file://" + item.file, {waitUntil: "load"});
      const result = {file: item.file, typed: [], revealed: null};
      for (const [name, typed] of item.type || []) result.typed.push([name, typed, ...await feedback(page, name, typed)]);
      if (item.hint) {
        result.hint = await page.$eval(item.hint, el => !el.hidden);
        result.hintHeading = await page.$eval(item.hint + " h3", el => el.textContent);
      }
      if (item.reveal) result.revealed = await reveal(page, item.reveal);
      await page.evaluate(axeSource);
      const axe = await page.evaluate(() => axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}));
      result.violations = axe.violations.map(v => ({id: v.id, nodes: v.nodes.length, target: v.nodes[0].target, html: v.nodes[0].html.slice(0, 200)}));
      result.passes = axe.passes.length;
      result.dialogs = dialogs.slice();
      result.requests = requests.slice();
      result.javascriptLinks = await page.$$eval("a[href^='javascript:' i]", a => a.length);
      result.hostileElements = await page.$$eval("img, iframe, object, embed", e => e.length);
      result.scripts = await page.$$eval("script", s => s.length);
      results.push(result);
    }
  } finally {
    await browser.close();
  }
  console.log(JSON.stringify(results));
})().catch(error => { console.error(error.stack || String(error)); process.exit(1); });
