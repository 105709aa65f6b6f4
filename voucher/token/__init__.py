"""The voucher token as it travels: the JV1 format (format.py, spec in docs/FORMAT.md), its
Base45 text and LEB128 numbers, voucher ids and short codes (codes.py), and the signed
revocation list (revlist.py). No Flask, no database: the offline verifiers need nothing else."""
