"""Form pieces every app's record forms share."""

import json

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.utils import formats
from django.utils.translation import gettext as _

from osp.concurrency import StaleRecord, stale_message

# The hidden fields a versioned form carries; never record fields.
_TRACKING = ("version", "opened_as")


def _as_text(value) -> str | list[str]:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return str(value)


class VersionedForm(forms.ModelForm):
    """The edit form of a record others may change while it is open (osp.concurrency).

    It carries the version the record was at when the form was opened, and the values it
    showed then. Saved after someone else's change, it is refused (the service raises
    StaleRecord) and comes back with who changed what since, the other person's values
    beside the fields they changed, and everything the user typed kept; saving again
    then applies the user's values over the new version.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    opened_as = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        # To build the same form over the record as it is now (show_conflict).
        self._other_kwargs = {k: v for k, v in kwargs.items()
                              if k not in ("data", "files", "instance", "initial")}
        super().__init__(*args, **kwargs)
        if self.instance.pk is None or not hasattr(self.instance, "version"):
            for name in _TRACKING:
                del self.fields[name]

    def record_field_names(self) -> list[str]:
        return [name for name in self.fields if name not in _TRACKING]

    def shown_values(self) -> dict:
        return {name: _as_text(self[name].value()) for name in self.record_field_names()}

    def get_initial_for_field(self, field, field_name):
        # Read when the form is drawn, after the subclass has set its own initial values.
        if field_name == "version":
            return self.instance.version
        if field_name == "opened_as":
            return json.dumps(self.shown_values(), ensure_ascii=False)
        return super().get_initial_for_field(field, field_name)

    def clean(self):
        cleaned = super().clean()
        if "version" in self.fields:
            expected = cleaned.pop("version", None)
            cleaned.pop("opened_as", None)
            # Checked here against the record as the page read it, and again by the
            # service under the row lock (a change committed in between).
            if expected is not None and expected != self.instance.version:
                self.show_conflict(StaleRecord(self.instance, expected=expected))
            # The service's own keyword for the version the form was opened at.
            cleaned["expected_version"] = expected
        return cleaned

    def _opened_values(self) -> dict:
        try:
            values = json.loads(self.data.get(self.add_prefix("opened_as")) or "{}")
        except ValueError:
            return {}
        return values if isinstance(values, dict) else {}

    def _display(self, record, name: str, shown) -> str:
        try:
            model_field = record._meta.get_field(name)
        except FieldDoesNotExist:
            model_field = None
        if model_field is not None and model_field.choices:
            value = getattr(record, f"get_{name}_display")()
        elif model_field is not None and model_field.is_relation:
            value = getattr(record, name)
        elif model_field is not None:
            value = formats.localize(getattr(record, name))
        else:
            value = ", ".join(shown) if isinstance(shown, list) else shown
        return str(value) if value not in (None, "") else "—"

    def show_conflict(self, stale: StaleRecord) -> None:
        """Refused as stale: say who changed what since the form was opened, put the
        record's current values beside the fields that changed, keep what the user
        typed, and move the form to the current version so that saving again applies."""
        record = stale.obj
        now = type(self)(instance=record, **self._other_kwargs).shown_values()
        opened = self._opened_values()
        changed = [name for name, value in now.items() if opened.get(name, value) != value]
        self.add_error(None, stale_message(stale) + " " + (
            _("Check the fields marked below, which were changed meanwhile, then save "
              "again: what you typed is kept.") if changed else
            _("Check your entries and save again: what you typed is kept.")))
        for name in changed:
            self.add_error(name, _("Changed meanwhile to: %(value)s")
                           % {"value": self._display(record, name, now[name])})
        self.data = self.data.copy()
        self.data[self.add_prefix("version")] = str(record.version)
        self.data[self.add_prefix("opened_as")] = json.dumps(now, ensure_ascii=False)
