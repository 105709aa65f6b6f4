"""Invitation letters: A4, DIN 5008 form B for a window envelope, with the voucher to cut out."""
