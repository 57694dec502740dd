"""Refusals the core knows how to answer, raised by any app's services.

Django's ValidationError (400) and PermissionDenied (403) say "this input" and "not you";
RuleRefused says "the rules do not allow it yet" and lists what is unmet, so that the API
base (osp.rest) answers 422 with the list and a page shows it, without the core knowing
which app's rule it was (the selling cycle's closed gate is one).
"""


class RuleRefused(Exception):
    """A domain rule refuses the write (HTTP 422). `unmet`: what must hold first, each as
    the API shows it (`unmet_items`)."""

    def __init__(self, message: str, unmet: list | None = None):
        super().__init__(message)
        self.message = message
        self.unmet = unmet or []

    def unmet_items(self) -> list[dict]:
        """The unmet conditions as JSON objects; subclasses say how theirs read."""
        return [{"text": str(item)} for item in self.unmet]
