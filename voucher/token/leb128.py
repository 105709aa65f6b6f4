"""Unsigned LEB128 integers: 7 bits a byte, least significant group first, high bit = more."""


def encode(n: int) -> bytes:
    if n < 0:
        raise ValueError("LEB128 here is unsigned")
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)
