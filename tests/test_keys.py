"""Key files, passphrases, rotation and the trust list."""

from __future__ import annotations

import stat
import subprocess
from datetime import UTC, datetime, timedelta

import pytest

from tests.vectors.make_vectors import claims
from voucher.keys import KeyStore, KeyStoreError, Retired, TrustList
from voucher.token import format as fmt

NOW = datetime(2026, 12, 1, tzinfo=UTC)
YEAR = timedelta(days=365)


def sign_with(store: KeyStore, moment: datetime) -> str:
    key, private = store.signing_key(moment)
    return fmt.encode(claims(kid=key.kid, valid_from=moment, valid_until=moment + timedelta(hours=8)), private)


def test_private_key_file_is_owner_only(tmp_path):
    key = KeyStore(tmp_path).init("JC", NOW, YEAR)
    assert stat.S_IMODE((tmp_path / f"{key.kid}.pem").stat().st_mode) == 0o600


@pytest.fixture
def umask_000():
    """The loosest umask an operator's shell can have: files and folders made world-writable."""
    import os

    before = os.umask(0)
    yield
    os.umask(before)


def test_keys_folder_and_files_keep_their_modes_under_umask_000(tmp_path, umask_000):
    folder = tmp_path / "keys"
    store = KeyStore(folder, "correct horse")
    first = store.init("JC", NOW, YEAR)
    second = store.rotate("JC", NOW + YEAR / 2, YEAR)
    mode = lambda path: stat.S_IMODE(path.stat().st_mode)  # noqa: E731
    assert mode(folder) == 0o700
    assert mode(folder / f"{first.kid}.pem") == mode(folder / f"{second.kid}.pem") == 0o600
    assert mode(folder / "trust.json") == 0o644


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


def test_a_retired_key_signs_no_more_but_its_vouchers_still_verify(tmp_path):
    store = KeyStore(tmp_path)
    key = store.init("JC", NOW, YEAR)
    code = sign_with(store, NOW + timedelta(days=1))
    assert store.retire(key.kid, NOW + timedelta(days=2), drop=False) is Retired.RETIRED
    assert store.signer(NOW + timedelta(days=2)) is None
    with pytest.raises(KeyStoreError, match="retired"):
        store.signing_key(NOW + timedelta(days=2))
    (listed,) = store.trust_list().keys
    assert listed.retired_at == NOW + timedelta(days=2)
    trust = TrustList.from_json(store.trust_list().to_json())  # retired_at survives the file
    assert fmt.verify(code, trust, NOW + timedelta(days=1, hours=1)).key.kid == key.kid


def test_retiring_twice_changes_nothing(tmp_path):
    store = KeyStore(tmp_path)
    key = store.init("JC", NOW, YEAR)
    store.retire(key.kid, NOW, drop=False)
    written = store.trust_path.read_bytes()
    assert store.retire(key.kid, NOW + timedelta(days=1), drop=False) is Retired.ALREADY_RETIRED
    assert store.trust_path.read_bytes() == written


def test_signing_never_falls_back_to_a_key_a_rotation_replaced(tmp_path):
    store = KeyStore(tmp_path)
    old = store.init("JC", NOW, YEAR)
    new = store.rotate("JC", NOW + timedelta(days=1), YEAR)
    store.retire(old.kid, NOW + timedelta(days=2), drop=False)
    assert store.signer(NOW + timedelta(days=2)).kid == new.kid  # retiring an older key changes nothing
    store.retire(new.kid, NOW + timedelta(days=2), drop=False)
    assert store.signer(NOW + timedelta(days=2)) is None  # ... retiring the newest leaves none, not the old one


def test_a_dropped_key_leaves_the_trust_list_and_its_vouchers_fail_as_unknown(tmp_path):
    store = KeyStore(tmp_path)
    key = store.init("JC", NOW, YEAR)
    code = sign_with(store, NOW)
    store.rotate("JC", NOW, YEAR)
    assert store.retire(key.kid, NOW, drop=True) is Retired.DROPPED
    assert key.kid not in {k.kid for k in store.trust_list().keys}
    with pytest.raises(fmt.InvalidVoucher) as refused:
        fmt.verify(code, store.trust_list(), NOW + timedelta(hours=1))
    assert refused.value.reason == "unknown_key"
    assert store.retire(key.kid, NOW, drop=True) is Retired.ABSENT


def test_published_trust_list_says_its_maximum_age_in_hours(tmp_path):
    store = KeyStore(tmp_path)
    store.init("JC", NOW, YEAR)
    assert "max_age_hours" not in store.trust_list().to_json()
    assert store.trust_list().to_json(timedelta(days=7))["max_age_hours"] == 168
