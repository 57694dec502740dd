"""What an uploaded file may be: a size limit and a type checked by content, not by name.

Evidence is uploaded by people and later downloaded by their colleagues, so a file named
`.pdf` must really be a PDF: a renamed executable or HTML page is refused. The limit is
OSP_UPLOAD_MAX_MB; files live under MEDIA_ROOT, which has no URL, and are served only by
views that check who may see them.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

# Extension → the signatures its content may start with. Office files are ZIP containers;
# Outlook .msg is an OLE compound file; text and e-mail must simply not be binary.
_ZIP = (b"PK\x03\x04",)
SIGNATURES = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "docx": _ZIP,
    "xlsx": _ZIP,
    "pptx": _ZIP,
    "msg": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    "eml": None,
    "txt": None,
}
EVIDENCE_EXTENSIONS = list(SIGNATURES)


@deconstructible
class UploadedFileValidator:
    """Refuses a file over the size limit, with an extension not allowed, or whose content
    does not match its extension."""

    def __call__(self, upload):
        limit_mb = settings.OSP_UPLOAD_MAX_MB
        if upload.size > limit_mb * 1024 * 1024:
            raise ValidationError(
                _("The file is %(size).1f MB; files may be at most %(limit)d MB.")
                % {"size": upload.size / (1024 * 1024), "limit": limit_mb},
                code="file_too_large")
        name = (upload.name or "").rsplit("/", 1)[-1]
        extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        if extension not in SIGNATURES:
            raise ValidationError(
                _("Files of type “%(ext)s” are not accepted. Allowed: %(allowed)s.")
                % {"ext": extension or "?", "allowed": ", ".join(EVIDENCE_EXTENSIONS)},
                code="file_type")
        upload.seek(0)
        head = upload.read(2048)
        upload.seek(0)
        signatures = SIGNATURES[extension]
        looks_right = (b"\x00" not in head if signatures is None
                       else any(head.startswith(s) for s in signatures))
        if not looks_right:
            raise ValidationError(
                _("The file’s content is not a .%(ext)s file. Upload the original document.")
                % {"ext": extension}, code="file_content")

    def __eq__(self, other):
        return isinstance(other, UploadedFileValidator)
