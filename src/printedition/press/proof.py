"""Proof: a PDF → one PNG per page and a contact sheet of every page, for a person to look at.

Goes in: a PDF file (the press file or a ``--proof`` file) and an output folder. Comes out:
``page-001.png`` … at ``dpi`` (trim area with its bleed, as the file has it) and
``contact-sheet.png`` with every page side by side, numbered. Rasterising is pdftoppm
(poppler-utils); Pillow does the sheet through ``images.py``.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from printedition.errors import ConfigError, InputError, OutputError
from printedition.images import contact_sheet
from printedition.outputs import atomic_write_bytes


@dataclass(frozen=True, slots=True, kw_only=True)
class ProofResult:
    pages: tuple[Path, ...]
    contact_sheet: Path


def _rasterise(pdf: Path, folder: Path, dpi: int) -> list[Path]:
    tool = shutil.which("pdftoppm")
    if tool is None:
        raise ConfigError("pdftoppm is not installed (Debian: apt-get install poppler-utils)")
    try:
        subprocess.run(
            [tool, "-r", str(dpi), "-png", str(pdf), str(folder / "page")],
            check=True,
            capture_output=True,
            timeout=600,
        )
    except subprocess.CalledProcessError as exc:
        detail = exc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise InputError(
            f"cannot rasterise: {detail[-1] if detail else 'pdftoppm failed'}", where=str(pdf)
        ) from None
    except subprocess.TimeoutExpired:
        raise InputError("rasterising took longer than 10 minutes", where=str(pdf)) from None
    return sorted(folder.glob("page-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))


def write_proofs(
    pdf: Path, out_dir: Path, *, dpi: int = 60, sheet_width: int = 2400
) -> ProofResult:
    """Rasterise ``pdf`` into ``out_dir`` (created if its parent exists)."""
    pdf = Path(pdf)
    if not pdf.is_file():
        raise InputError("no such file", where=str(pdf))
    with open(pdf, "rb") as fh:
        if fh.read(5) != b"%PDF-":
            raise InputError("not a PDF file", where=str(pdf))
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the folder: {exc.strerror}", where=str(out_dir)) from None
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="printedition-proof-") as tmp:
        pages = _rasterise(pdf, Path(tmp), dpi)
        if not pages:
            raise InputError("the PDF has no pages", where=str(pdf))
        datas = [p.read_bytes() for p in pages]
    for number, data in enumerate(datas, start=1):
        dest = out_dir / f"page-{number:03d}.png"
        atomic_write_bytes(dest, data)
        written.append(dest)
    sheet = out_dir / "contact-sheet.png"
    atomic_write_bytes(sheet, contact_sheet(datas, width=sheet_width))
    return ProofResult(pages=tuple(written), contact_sheet=sheet)


__all__ = ["ProofResult", "write_proofs"]
