"""The browser verifier (verifier/static/jv1.js) agrees with every shared test vector."""

from __future__ import annotations

import json

import pytest

from tests.test_vectors import DOCUMENT, REVOKED

pytestmark = pytest.mark.browser

RUN_VECTOR = """async ([trustDoc, vector]) => {
  const jv1 = await import('/verify/static/jv1.js');
  const trust = await jv1.importTrust(trustDoc);
  try {
    const result = await jv1.verify(vector.code, trust, Date.parse(vector.now), new Set(vector.revoked));
    return {valid: true, claims: result.claims};
  } catch (error) {
    if (!(error instanceof jv1.InvalidVoucher)) return {valid: false, reason: 'unexpected ' + error};
    return {valid: false, reason: error.reason};
  }
}"""


@pytest.mark.parametrize("vector", DOCUMENT["vectors"], ids=lambda v: v["name"])
def test_browser_verifier_agrees_with_vector(page, vector):
    assert page.evaluate(RUN_VECTOR, [DOCUMENT["trust"], vector]) == vector["expect"]


@pytest.mark.parametrize("name, forged", [("revocation_list", {"entries": []}), ("revocation_list_compact", {"count": 2})])
def test_browser_checks_the_signed_revocation_list(page, name, forged):
    check = """async ([trustDoc, list, forgery]) => {
      const jv1 = await import('/verify/static/jv1.js');
      const trust = await jv1.importTrust(trustDoc);
      const ids = [...await jv1.verifyRevocationList(list, trust)].sort();
      let forged = 'accepted';
      try { await jv1.verifyRevocationList({...list, ...forgery}, trust); } catch { forged = 'rejected'; }
      return {ids, forged};
    }"""
    result = page.evaluate(check, [DOCUMENT["trust"], DOCUMENT[name], forged])
    assert result == {"ids": sorted(REVOKED), "forged": "rejected"}


def test_trust_entry_with_a_wrong_kid_is_ignored(page):
    trust = json.loads(json.dumps(DOCUMENT["trust"]))
    trust["keys"][0]["kid"] = "0000"
    valid = next(v for v in DOCUMENT["vectors"] if v["name"] == "valid")
    assert page.evaluate(RUN_VECTOR, [trust, valid]) == {"valid": False, "reason": "unknown_key"}


NO_WEBCRYPTO_ED25519 = """(() => {
  const original = crypto.subtle.importKey.bind(crypto.subtle);
  crypto.subtle.importKey = (format, data, algorithm, ...rest) =>
    (algorithm && (algorithm === 'Ed25519' || algorithm.name === 'Ed25519'))
      ? Promise.reject(new DOMException('Ed25519 unsupported', 'NotSupportedError'))
      : original(format, data, algorithm, ...rest);
})();"""


@pytest.mark.parametrize("vector", DOCUMENT["vectors"], ids=lambda v: v["name"])
def test_fallback_without_webcrypto_ed25519_agrees_with_vector(context, live, vector):
    context.add_init_script(NO_WEBCRYPTO_ED25519)
    page = context.new_page()
    page.goto(live.url + "/api/v1/trust-list")
    engine = page.evaluate("""async (doc) => {
      const jv1 = await import('/verify/static/jv1.js');
      return jv1.engine(await jv1.importTrust(doc));
    }""", DOCUMENT["trust"])
    assert engine == "noble-ed25519"
    assert page.evaluate(RUN_VECTOR, [DOCUMENT["trust"], vector]) == vector["expect"]


def cli_verdict(vector: dict, folder) -> dict:
    """`voucher verify` on the vector, offline with the vector's trust list (and revocation list)."""
    from click.testing import CliRunner

    from voucher.cli import cli

    trust = folder / "trust.json"
    trust.write_text(json.dumps(DOCUMENT["trust"]), encoding="utf-8")
    args = ["verify", vector["code"], "--trust", str(trust), "--at", vector["now"]]
    if vector["revoked"]:
        assert set(vector["revoked"]) <= set(REVOKED)  # the signed list says at least as much
        listing = folder / "revocations.json"
        listing.write_text(json.dumps(DOCUMENT["revocation_list"]), encoding="utf-8")
        args += ["--revocations", str(listing)]
    result = CliRunner().invoke(cli, args, env={"VOUCHER_DATA_DIR": str(folder), "VOUCHER_KEYS_DIR": str(folder / "keys")})
    if result.exit_code == 0:
        return {"valid": True}
    assert result.exit_code == 1, result.output
    return {"valid": False, "reason": result.output.split()[1].rstrip(":")}  # "INVALID reason: detail"


@pytest.mark.parametrize("vector", DOCUMENT["vectors"], ids=lambda v: v["name"])
def test_page_and_cli_reach_the_same_verdict_on_vector(page, vector, tmp_path):
    in_page = page.evaluate(RUN_VECTOR, [DOCUMENT["trust"], vector])
    in_page.pop("claims", None)
    assert in_page == cli_verdict(vector, tmp_path)
