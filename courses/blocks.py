"""StreamField blocks for lesson bodies and attachments. Each block renders
with its own template in ``templates/blocks/``.

Value shapes accepted when a body is set in code (the demo loader does this):
``("heading", "text")``, ``("paragraph", "<p>html</p>" or RichText)``,
``("image", {"image": <Image>, "caption": "..."})``,
``("safety_note", {"title": "...", "text": "..."})``,
``("steps", ["...", "..."])``, ``("tools", ["...", "..."])`` and, in
attachments, ``("document", {"document": <Document>, "title": "..."})``.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock

# Lessons are read on phones: a short list of rich-text features keeps the
# markup simple and the pages light.
RICH_TEXT_FEATURES = ["bold", "italic", "link", "ol", "ul", "h3", "h4", "hr"]


class HeadingBlock(blocks.CharBlock):
    class Meta:
        icon = "title"
        label = _("Heading")
        template = "blocks/heading.html"


class ParagraphBlock(blocks.RichTextBlock):
    def __init__(self, **kwargs):
        kwargs.setdefault("features", RICH_TEXT_FEATURES)
        super().__init__(**kwargs)

    class Meta:
        icon = "pilcrow"
        label = _("Paragraph")
        template = "blocks/paragraph.html"


class CaptionedImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("Image"))
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=200)

    class Meta:
        icon = "image"
        label = _("Image")
        template = "blocks/image.html"


class SafetyNoteBlock(blocks.StructBlock):
    """A warning callout: protective equipment, hazards, what never to do."""

    title = blocks.CharBlock(label=_("Title"), max_length=100)
    text = blocks.TextBlock(label=_("Text"))

    class Meta:
        icon = "warning"
        label = _("Safety note")
        template = "blocks/safety_note.html"


class StepsBlock(blocks.ListBlock):
    """A numbered work procedure."""

    def __init__(self, **kwargs):
        super().__init__(blocks.TextBlock(label=_("Step")), **kwargs)

    class Meta:
        icon = "list-ol"
        label = _("Procedure steps")
        template = "blocks/steps.html"


class ToolsBlock(blocks.ListBlock):
    """Tools, equipment and materials needed for the lesson."""

    def __init__(self, **kwargs):
        super().__init__(blocks.CharBlock(label=_("Tool"), max_length=100), **kwargs)

    class Meta:
        icon = "cogs"
        label = _("Tools and materials")
        template = "blocks/tools.html"


class DocumentBlock(blocks.StructBlock):
    """A downloadable file, typically a PDF work instruction."""

    document = DocumentChooserBlock(label=_("Document"))
    title = blocks.CharBlock(
        label=_("Title"),
        required=False,
        max_length=200,
        help_text=_("Shown instead of the document's own title when set."),
    )

    class Meta:
        icon = "doc-full"
        label = _("Document")
        template = "blocks/document.html"


class LessonBodyBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = ParagraphBlock()
    image = CaptionedImageBlock()
    safety_note = SafetyNoteBlock()
    steps = StepsBlock()
    tools = ToolsBlock()


class AttachmentsBlock(blocks.StreamBlock):
    document = DocumentBlock()
