"""Write docs/samples/invoice-demo.csv: the operator invoice `python3 dev.py demo` writes into the
data folder, for the demo month up to 30 November 2026 (tests/test_demo.py checks the committed
file is what the demo writes; only the random voucher ids differ from run to run).

Run: .venv/bin/python docs/sample_invoice.py"""

import shutil
import tempfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from voucher.config import Settings
from voucher.db import Database
from voucher.demo import INVOICE_FILE, seed
from voucher.keys import KeyStore

ANCHOR = datetime(2026, 11, 30, 16, 0, tzinfo=ZoneInfo("Europe/Berlin"))  # as tests/test_demo.py
OUT = Path(__file__).resolve().parent / "samples" / "invoice-demo.csv"

with tempfile.TemporaryDirectory() as folder:
    settings = Settings(data_dir=Path(folder), keys_dir=Path(folder) / "keys")
    db = Database(settings.database)
    db.upgrade()
    with db.session() as session:
        seed(session, KeyStore(settings.keys_dir), settings, "http://127.0.0.1:8000", ANCHOR)
    db.engine.dispose()
    shutil.copyfile(Path(folder) / INVOICE_FILE, OUT)
print(f"wrote {OUT}")
