"""QR codes for the trace band: reportlab's own encoder, at level M with a fixed mask.

reportlab's ``qrencoder`` chooses the version and the data segments and lays the
code out; ``makeImpl`` with one fixed mask skips ``make``'s trial of all eight
masks (any mask is valid). A scanner reads the result (the QR round-trip test).
"""

from __future__ import annotations

from reportlab.graphics.barcode import qrencoder

MASK_PATTERN = 0  # a fixed mask: any of the eight is valid, choosing one costs 8 layouts


def qr_matrix(payload: str) -> tuple[tuple[bool, ...], ...]:
    """The module matrix (True: dark) of ``payload`` at error correction level M with
    the fixed mask."""
    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(payload)
    code.version = code.calculate_version()
    code.makeImpl(False, MASK_PATTERN)
    return tuple(tuple(bool(module) for module in row) for row in code.modules)
