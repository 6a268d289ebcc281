"""The certificate as a PDF (ReportLab): an A4 landscape page with the facts
of the certificate in Chinese and English, the hash of the completion's
ledger entry, and a QR code of the public verification URL.

The CJK font is embedded (a subset of ``CERTIFICATE_FONT_PATH``, a TrueType
font: ReportLab cannot embed OpenType/CFF outlines), so the PDF reads the
same on a phone without Chinese fonts. The labels are fixed bilingual text,
as on a printed certificate, not the interface language.
"""

from __future__ import annotations

import io
from functools import cache

import segno
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.html import escape as _escape
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from progress.models import Certificate

__all__ = ["certificate_pdf_render"]

FONT = "JiangxueCJK"


@cache
def _font(path: str, index: int) -> str:
    try:
        pdfmetrics.registerFont(TTFont(FONT, path, subfontIndex=index))
    except (OSError, TTFError) as exc:
        raise ImproperlyConfigured(
            f"CERTIFICATE_FONT_PATH {path!r} is not a usable TrueType font: {exc}"
        ) from exc
    return FONT


def _qr(canvas: Canvas, url: str, *, x: float, y: float, size: float) -> None:
    """The QR code drawn as vector squares (sharp at any zoom, no image)."""
    code = segno.make(url, error="m", micro=False)
    rows = list(code.matrix_iter(scale=1, border=2))
    cell = size / len(rows)
    canvas.setFillColor(colors.white)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.setFillColor(colors.black)
    for r, row in enumerate(rows):
        for c, dark in enumerate(row):
            if dark:
                canvas.rect(x + c * cell, y + size - (r + 1) * cell, cell, cell, stroke=0, fill=1)


def certificate_pdf_render(*, certificate: Certificate, verify_url: str) -> bytes:
    """The certificate's PDF, its text extractable (the font carries a
    ToUnicode map)."""
    font = _font(str(settings.CERTIFICATE_FONT_PATH), settings.CERTIFICATE_FONT_INDEX)
    buffer = io.BytesIO()
    width, height = landscape(A4)
    canvas = Canvas(buffer, pagesize=(width, height), pageCompression=1)
    canvas.setTitle(f"{certificate.course_title} · {certificate.code}")
    canvas.setAuthor(certificate.issuer_name)
    canvas.setSubject(verify_url)

    canvas.setStrokeColor(colors.HexColor("#8a1c1c"))
    canvas.setLineWidth(3)
    canvas.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    canvas.setLineWidth(0.8)
    canvas.rect(15 * mm, 15 * mm, width - 30 * mm, height - 30 * mm)

    canvas.setFillColor(colors.HexColor("#8a1c1c"))
    canvas.setFont(font, 28)
    canvas.drawCentredString(width / 2, height - 42 * mm, "职业技能培训合格证书")
    canvas.setFont(font, 13)
    canvas.drawCentredString(width / 2, height - 51 * mm, "Certificate of Vocational Training")

    body = ParagraphStyle("body", fontName=font, fontSize=13, leading=20, wordWrap="CJK")
    statement = Paragraph(
        f"兹证明 {_escape(certificate.worker_name)} 完成"
        f"「{_escape(certificate.course_title)}」课程的学习，经考核合格，特发此证。",
        body,
    )
    _w, h = statement.wrapOn(canvas, width - 60 * mm, 40 * mm)
    statement.drawOn(canvas, 30 * mm, height - 62 * mm - h)

    issued = timezone.localtime(certificate.issued_at).date()
    score = "—" if certificate.final_score is None else f"{certificate.final_score:.1f}"
    trade = certificate.trade
    if certificate.occupation_code:
        trade = f"{trade}（{certificate.occupation_code}）"
    facts = [
        ("姓名 Name", certificate.worker_name),
        ("身份证号 ID number", certificate.id_number_masked or "—"),
        ("课程 Course", certificate.course_title),
        ("工种 Trade", trade or "—"),
        ("等级 Level", certificate.level),
        ("学时 Credited study hours", f"{certificate.study_hours}"),
        ("结业考试成绩 Final exam score", score),
        ("课程版本 Course version", str(certificate.course_revision_id or "—")),
        ("发证日期 Date of issue", f"{issued:%Y年%m月%d日} ({issued:%Y-%m-%d})"),
        ("发证机构 Issued by", certificate.issuer_name),
        ("证书编号 Verification code", certificate.code),
    ]
    label_style = ParagraphStyle("label", fontName=font, fontSize=10, leading=13)
    value_style = ParagraphStyle("value", fontName=font, fontSize=11, leading=14, wordWrap="CJK")
    y = height - 80 * mm
    canvas.setFillColor(colors.black)
    for label, value in facts:
        left = Paragraph(_escape(label), label_style)
        right = Paragraph(_escape(value), value_style)
        left.wrapOn(canvas, 55 * mm, 20 * mm)
        _w, h = right.wrapOn(canvas, 120 * mm, 20 * mm)
        left.drawOn(canvas, 30 * mm, y - 13)
        right.drawOn(canvas, 88 * mm, y - h)
        y -= max(h, 14) + 4

    canvas.setFont(font, 7)
    canvas.setFillColor(colors.HexColor("#555555"))
    canvas.drawString(
        30 * mm,
        22 * mm,
        f"完成记录账本哈希 Ledger entry (SHA-256): {certificate.ledger_entry_hash}",
    )

    qr_size = 42 * mm
    qr_x, qr_y = width - 30 * mm - qr_size, 30 * mm
    _qr(canvas, verify_url, x=qr_x, y=qr_y, size=qr_size)
    canvas.setFont(font, 8)
    canvas.setFillColor(colors.black)
    canvas.drawCentredString(qr_x + qr_size / 2, qr_y - 5 * mm, "扫码验证 Scan to verify")
    canvas.drawRightString(width - 30 * mm, 22 * mm, verify_url)

    if certificate.revoked_at is not None:
        canvas.saveState()
        canvas.setFillColor(colors.Color(0.8, 0, 0, alpha=0.35))
        canvas.setFont(font, 60)
        canvas.translate(width / 2, height / 2)
        canvas.rotate(20)
        canvas.drawCentredString(0, 0, "已撤销 REVOKED")
        canvas.restoreState()

    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
