"""Reads of attachment data: what a GET with ``attachments=true`` sends
after the statements (Communication 2.1.3, 1.5.2.s3.b1)."""

from __future__ import annotations

from ..models import XAPIAttachment
from ..validation import statement_attachments

__all__ = ["statement_attachment_data"]


def statement_attachment_data(*, statements: list[dict]) -> list[tuple[str, str, bytes]]:
    """``(sha2, content_type, data)`` for each distinct attachment hash the
    statements reference and the LRS holds data for, in order of first
    reference. Attachments known only by fileUrl have no data here."""
    order: list[str] = []
    for statement in statements:
        for attachment in statement_attachments(statement):
            sha2 = str(attachment.get("sha2", "")).lower()
            if sha2 and sha2 not in order:
                order.append(sha2)
    if not order:
        return []
    rows = {
        row.sha2: row
        for row in XAPIAttachment.objects.filter(sha2__in=order).only(
            "sha2", "content_type", "content"
        )
    }
    return [
        (sha2, rows[sha2].content_type, bytes(rows[sha2].content)) for sha2 in order if sha2 in rows
    ]
