"""The receipt the demo e-service offers as a download: a real one-page PDF."""

from __future__ import annotations

import functools
import io

from PIL import Image, ImageDraw, ImageFont

#: A4 at 72 dots per inch: small, and still a page a printer takes as A4.
PAGE = (595, 842)


@functools.cache
def receipt_pdf() -> bytes:
    """One A4 page saying what it is; made once, then served from memory."""
    image = Image.new("L", PAGE, 255)
    draw = ImageDraw.Draw(image)
    title = ImageFont.load_default(size=28)
    text = ImageFont.load_default(size=16)
    draw.text((48, 60), "Demo e-service / Demopalvelu", font=title, fill=0)
    lines = [
        "Receipt / Kuitti",
        "",
        "Your form was received. / Lomakkeesi on vastaanotettu.",
        "Reference / Viite: DEMO-0001",
        "",
        "This is a demonstration document with no legal meaning.",
        "Tämä on esittelyasiakirja, jolla ei ole oikeudellista merkitystä.",
    ]
    for row, line in enumerate(lines):
        draw.text((48, 130 + 28 * row), line, font=text, fill=0)
    out = io.BytesIO()
    image.save(out, "PDF", resolution=72.0, title="Demo e-service receipt")
    return out.getvalue()
