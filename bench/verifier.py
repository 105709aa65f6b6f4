"""Browser verifier: time from decoded text to verdict (jv1.verify) in Debian's Chromium,
median over 1,000 verifications, with WebCrypto and with the @noble/ed25519 fallback
(target: under 50 ms, ideally under 5 ms)."""

from __future__ import annotations

from bench.browser import chromium_on_app
from tests.vectors.make_vectors import document
from tests.verifier.test_jv1_js import NO_WEBCRYPTO_ED25519

RUNS = 1000
MEASURE = """async ([trustDoc, code, now, runs]) => {
  const jv1 = await import('/verify/static/jv1.js');
  const trust = await jv1.importTrust(trustDoc);
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await jv1.verify(code, trust, now);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return {median: times[Math.floor(runs / 2)], p99: times[Math.floor(runs * 0.99)], engine: jv1.engine(trust)};
}"""


def run() -> list[tuple[str, str]]:
    vectors = document()
    valid = next(v for v in vectors["vectors"] if v["name"] == "valid")
    rows = []
    with chromium_on_app() as (browser, url):
        for label, script in (("WebCrypto Ed25519", None), ("@noble/ed25519 fallback", NO_WEBCRYPTO_ED25519)):
            context = browser.new_context()
            if script:
                context.add_init_script(script)
            page = context.new_page()
            page.goto(f"{url}/api/v1/trust-list")
            now = page.evaluate(f"Date.parse({valid['now']!r})")
            result = page.evaluate(MEASURE, [vectors["trust"], valid["code"], now, RUNS])
            rows.append((f"Browser verify, text to verdict ({label}, engine {result['engine']}, median of {RUNS}; target < 50 ms)",
                         f"{result['median']:.3f} ms (p99 {result['p99']:.3f} ms)"))
            context.close()
    return rows
