// A QTI item scored by a real QTI player: @citolab/qti-components (QTI 3 web components) in headless
// Chromium (puppeteer-core). Reads {"item": QTI 3 XML, "responses": [{RESPONSE_1: "40", ...}, ...]}
// on stdin; writes, per response set, {SCORE, MAXSCORE, shown: identifiers of the modal feedback shown}.
// usage: node qti_player.js CHROMIUM  (NODE_PATH: .ci/node/node_modules)
const fs = require('fs');
const puppeteer = require('puppeteer-core');

(async () => {
  const input = JSON.parse(fs.readFileSync(0, 'utf8'));
  const bundle = require.resolve('@citolab/qti-components/cdn/index.global.js');
  const browser = await puppeteer.launch({executablePath: process.argv[2], headless: true, args: ['--no-sandbox', '--disable-gpu']});
  try {
    const page = await browser.newPage();
    page.on('pageerror', e => process.stderr.write('pageerror: ' + e.message + '\n'));
    await page.setContent('<!doctype html><html><body></body></html>');
    await page.addScriptTag({content: fs.readFileSync(bundle, 'utf8')});
    const out = await page.evaluate(async (xml, sets) => {
      const wait = ms => new Promise(r => setTimeout(r, ms));
      const results = [];
      for (const responses of sets) {
        document.body.innerHTML = QtiComponents.qtiTransformItem().parse(xml).html();
        await customElements.whenDefined('qti-assessment-item');
        const item = document.querySelector('qti-assessment-item');
        await wait(200);
        for (const [id, value] of Object.entries(responses)) item.updateResponseVariable(id, value);
        item.processResponse();
        await wait(50);
        const vars = Object.fromEntries(item.variables.map(v => [v.identifier, v.value]));
        const shown = [...item.querySelectorAll('qti-modal-feedback')].filter(f => f.showStatus === 'on').map(f => f.getAttribute('identifier'));
        results.push({SCORE: vars.SCORE, MAXSCORE: vars.MAXSCORE, shown});
      }
      return results;
    }, input.item, input.responses);
    process.stdout.write(JSON.stringify(out));
  } finally {
    await browser.close();
  }
})().catch(e => { process.stderr.write(String(e && e.stack || e) + '\n'); process.exit(1); });
