"""Reads of attachment data: what a GET with ``attachments=true`` sends
after the statements (Communication 2.1.3, 1.5.2.s3.b1)."""

from __future__ import annotations

from ..models import XAPIAttachment
from ..validation import statement_attachments

__all__ = ["statement_attachment_data"]


def statement_attachment_data(*, statements: list[dict]) -> list[tuple[str, str, bytes]]:
    """``(sha2, content_type, data)`` for each distinct attachment hash the
    statements reference and the LRS holds data for, in order of first
    reference, the hash spelled as that first reference spells it (data is
    kept under the lower-case hash). Attachments known only by fileUrl have
    no data here."""
    spelled: dict[str, str] = {}
    for statement in statements:
        for attachment in statement_attachments(statement):
            sha2 = str(attachment.get("sha2", ""))
            if sha2:
                spelled.setdefault(sha2.lower(), sha2)
    if not spelled:
        return []
    rows = {
        row.sha2: row
        for row in XAPIAttachment.objects.filter(sha2__in=list(spelled)).only(
            "sha2", "content_type", "content"
        )
    }
    return [
        (spelling, rows[sha2].content_type, bytes(rows[sha2].content))
        for sha2, spelling in spelled.items()
        if sha2 in rows
    ]
