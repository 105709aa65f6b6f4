"""Key files, passphrases, rotation and the trust list."""

from __future__ import annotations

import stat
import subprocess
from datetime import UTC, datetime, timedelta

import pytest

from voucher.token import format as fmt
from voucher.keys import KeyStore, KeyStoreError, TrustList
from tests.vectors.make_vectors import claims

NOW = datetime(2026, 12, 1, tzinfo=UTC)
YEAR = timedelta(days=365)


def sign_with(store: KeyStore, moment: datetime) -> str:
    key, private = store.signing_key(moment)
    return fmt.encode(claims(kid=key.kid, valid_from=moment, valid_until=moment + timedelta(hours=8)), private)


def test_private_key_file_is_owner_only(tmp_path):
    key = KeyStore(tmp_path).init("JC", NOW, YEAR)
    assert stat.S_IMODE((tmp_path / f"{key.kid}.pem").stat().st_mode) == 0o600


def test_without_passphrase_only_a_marked_development_key_is_made(tmp_path):
    key = KeyStore(tmp_path).init("JC", NOW, YEAR)
    assert key.development and "DEVELOPMENT" in key.issuer
    assert b"ENCRYPTED" not in (tmp_path / f"{key.kid}.pem").read_bytes()


def test_production_key_is_encrypted_and_needs_its_passphrase(tmp_path):
    key = KeyStore(tmp_path, "correct horse").init("JC", NOW, YEAR)
    assert not key.development
    assert b"ENCRYPTED PRIVATE KEY" in (tmp_path / f"{key.kid}.pem").read_bytes()
    with pytest.raises(KeyStoreError, match="VOUCHER_KEY_PASSPHRASE"):
        KeyStore(tmp_path).signing_key(NOW)
    with pytest.raises(KeyStoreError, match="wrong"):
        KeyStore(tmp_path, "wrong").signing_key(NOW)
    assert KeyStore(tmp_path, "correct horse").signing_key(NOW)[0].kid == key.kid


def test_init_twice_keeps_the_first_key(tmp_path):
    store = KeyStore(tmp_path)
    first = store.init("JC", NOW, YEAR)
    assert store.init("JC", NOW, YEAR) is None
    assert [k.kid for k in store.trust_list().keys] == [first.kid]


def test_after_rotation_new_key_signs_and_old_vouchers_still_verify(tmp_path):
    store = KeyStore(tmp_path)
    old = store.init("JC", NOW, YEAR)
    old_code = sign_with(store, NOW + timedelta(days=1))
    new = store.rotate("JC", NOW + timedelta(days=2), YEAR)
    assert store.signing_key(NOW + timedelta(days=2))[0].kid == new.kid != old.kid
    trust = TrustList.from_json(store.trust_list().to_json())
    assert fmt.verify(old_code, trust, NOW + timedelta(days=1, hours=1)).key.kid == old.kid
    assert fmt.verify(sign_with(store, NOW + timedelta(days=3)), trust, NOW + timedelta(days=3)).key.kid == new.kid


def test_no_key_in_force_is_a_clear_error(tmp_path):
    store = KeyStore(tmp_path)
    with pytest.raises(KeyStoreError, match="voucher keys init"):
        store.signing_key(NOW)
    store.init("JC", NOW, YEAR)
    with pytest.raises(KeyStoreError, match="rotate"):
        store.signing_key(NOW + 2 * YEAR)


def test_trust_entry_whose_kid_does_not_match_its_key_is_refused(tmp_path):
    document = KeyStore(tmp_path).init("JC", NOW, YEAR).to_json()
    document["kid"] = "0000"
    with pytest.raises(ValueError, match="does not match"):
        TrustList.from_json({"keys": [document]})


def test_git_ignores_everything_in_keys_but_the_readme(tmp_path):
    repo = __import__("pathlib").Path(__file__).resolve().parents[1]
    ignored = subprocess.run(["git", "check-ignore", "keys/abcd.pem", "keys/trust.json"], cwd=repo, capture_output=True, text=True)
    assert ignored.stdout.split() == ["keys/abcd.pem", "keys/trust.json"]
    kept = subprocess.run(["git", "check-ignore", "keys/README.md"], cwd=repo, capture_output=True)
    assert kept.returncode == 1
