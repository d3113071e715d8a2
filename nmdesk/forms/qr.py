"""QR codes for the trace band: reportlab's encoder with its two slow steps done fast.

reportlab's ``qrencoder`` is correct but slow for a batch of thousands of sheets:
it rebuilds the Reed-Solomon generator polynomial for every block and divides with
polynomial objects, and it places the data bits through generators. Here the same
encoder (``QRCode``: version choice, data segments, function patterns, format
information) is used with two steps replaced:

- the error correction codewords are computed with GF(256) log/antilog tables and a
  cached generator polynomial per number of correction codewords;
- the data module positions and mask bits are computed once per version and mask.

The result is the same module matrix (``tests/nmdesk/test_forms.py`` compares it
with reportlab's for many payloads); a scanner reads it (the QR round-trip test).
"""

from __future__ import annotations

import functools
import itertools
from itertools import zip_longest

from reportlab.graphics.barcode import qrencoder

MASK_PATTERN = 0  # a fixed mask: any of the eight is valid, choosing one costs 8 layouts

# GF(256) with the QR code's polynomial x^8 + x^4 + x^3 + x^2 + 1
_EXP = [0] * 512
_LOG = [0] * 256
_value = 1
for _power in range(255):
    _EXP[_power] = _value
    _LOG[_value] = _power
    _value <<= 1
    if _value & 0x100:
        _value ^= 0x11D
for _power in range(255, 512):
    _EXP[_power] = _EXP[_power - 255]


@functools.lru_cache(maxsize=64)
def _generator_logs(count: int) -> tuple[int, ...]:
    """The logs of the coefficients (after the leading 1) of the generator polynomial
    (x - a^0)(x - a^1)…(x - a^(count-1))."""
    poly = [1]
    for i in range(count):
        product = [0] * (len(poly) + 1)
        for j, coef in enumerate(poly):
            product[j] ^= coef
            if coef:
                product[j + 1] ^= _EXP[_LOG[coef] + i]
        poly = product
    return tuple(_LOG[coef] for coef in poly[1:])


def error_correction(data: list[int], count: int) -> list[int]:
    """The ``count`` Reed-Solomon codewords of a block of data codewords."""
    logs = _generator_logs(count)
    remainder = [*data, *([0] * count)]
    for i in range(len(data)):
        coef = remainder[i]
        if coef:
            shift = _LOG[coef]
            for j, log in enumerate(logs, start=i + 1):
                remainder[j] ^= _EXP[shift + log]
    return remainder[len(data) :]


def _create_bytes(buffer: qrencoder.QRBitBuffer, blocks: list[qrencoder.QRRSBlock]) -> list[int]:
    """``QRCode.createBytes`` with table-driven error correction: the data and
    correction codewords of every block, interleaved."""
    data_blocks, ec_blocks = [], []
    offset = 0
    for block in blocks:
        data = buffer.buffer[offset : offset + block.dataCount]
        offset += block.dataCount
        data_blocks.append(data)
        ec_blocks.append(error_correction(data, block.totalCount - block.dataCount))
    return [
        codeword
        for group in itertools.chain(zip_longest(*data_blocks), zip_longest(*ec_blocks))
        for codeword in group
        if codeword is not None
    ]


@functools.lru_cache(maxsize=16)
def _placement(
    version: int, mask_pattern: int
) -> tuple[tuple[tuple[int, int], ...], tuple[bool, ...]]:
    """Where data bits go in a code of ``version`` (row, column in placement order),
    and the mask bit of each of those modules."""
    probe = qrencoder.QRCode(version, qrencoder.QRErrorCorrectLevel.M)
    probe.moduleCount = version * 4 + 17
    positions = tuple((row, col) for col, row in probe._dataPosIterator())
    mask = qrencoder.QRUtil.getMask(mask_pattern)
    return positions, tuple(bool(mask(row, col)) for row, col in positions)


def _create_data(version: int, level: int, segments: list[qrencoder.QR]) -> list[int]:
    """``QRCode.createData``: the segments' bits, the terminator and padding, then the
    codewords with their error correction (table-driven)."""
    blocks = qrencoder.QRRSBlock.getRSBlocks(version, level)
    buffer = qrencoder.QRBitBuffer()
    for segment in segments:
        segment.write(buffer, version)
    capacity = 8 * sum(block.dataCount for block in blocks)
    if buffer.getLengthInBits() > capacity:
        raise ValueError(f"code length overflow. ({buffer.getLengthInBits()} > {capacity})")
    if buffer.getLengthInBits() + 4 <= capacity:
        buffer.put(0, 4)
    while buffer.getLengthInBits() % 8:
        buffer.putBit(False)
    for pad in itertools.cycle((qrencoder.QRCode.PAD0, qrencoder.QRCode.PAD1)):
        if buffer.getLengthInBits() >= capacity:
            break
        buffer.put(pad, 8)
    return _create_bytes(buffer, blocks)


class _QRCode(qrencoder.QRCode):  # type: ignore[misc]
    def makeImpl(self, test: bool, maskPattern: int) -> None:
        if getattr(self, "dataCache", None) is None:
            self.dataCache = _create_data(self.version, self.errorCorrectLevel, self.dataList)
        super().makeImpl(test, maskPattern)

    def mapData(self, data: list[int], maskPattern: int) -> None:
        positions, masks = _placement(self.version, maskPattern)
        bits = "".join(f"{byte:08b}" for byte in data)
        modules = self.modules
        for index, (row, col) in enumerate(positions):
            dark = index < len(bits) and bits[index] == "1"
            modules[row][col] = dark != masks[index]


def qr_matrix(payload: str, *, fast: bool = True) -> tuple[tuple[bool, ...], ...]:
    """The module matrix (True: dark) of ``payload`` at error correction level M with
    the fixed mask; ``fast=False`` uses reportlab's encoder unchanged."""
    code = (_QRCode if fast else qrencoder.QRCode)(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(payload)
    code.version = code.calculate_version()
    code.makeImpl(False, MASK_PATTERN)
    return tuple(tuple(bool(module) for module in row) for row in code.modules)
