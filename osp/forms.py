"""Form pieces every app's record forms share."""

import json

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from osp import widgets
from osp.concurrency import StaleRecord, stale_message

# The hidden fields a versioned form carries; never record fields.
_TRACKING = ("version", "opened_as")


def _as_text(value) -> str | list[str]:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return str(value)


class TracksVersion:
    """Mixin for the edit form of a record others may change while it is open
    (osp.concurrency); a Form or a ModelForm.

    The form carries the version the record was at when it was opened, and the values it
    showed then. Saved after someone else's change, it is refused (here, and by the
    service under the row lock) and comes back with who changed what since, the other
    person's values beside the fields they changed, and everything the user typed kept;
    saving again then applies the user's values over the new version. The cleaned data
    hands the service its `expected_version`.

    A subclass says what its record is (`tracked_record`), which attribute holds the
    record's version, and how to build the same form over the record as it is now.
    """

    version_attribute = "version"

    def track_version(self, record, **form_kwargs) -> None:
        """Call at the end of __init__ (`form_kwargs`: what form_for passes on)."""
        self.tracked_record, self._form_kwargs = record, form_kwargs
        if record is None or record.pk is None:
            return
        self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, required=False,
                                                    min_value=0)
        self.fields["opened_as"] = forms.CharField(widget=forms.HiddenInput, required=False)

    def form_for(self, record):
        raise NotImplementedError

    def record_version(self, record) -> int:
        return getattr(record, self.version_attribute)

    def record_field_names(self) -> list[str]:
        return [name for name in self.fields if name not in _TRACKING]

    def shown_values(self) -> dict:
        return {name: _as_text(self[name].value()) for name in self.record_field_names()}

    def get_initial_for_field(self, field, field_name):
        # Read when the form is drawn, after the subclass has set its own initial values.
        if field_name == "version":
            return self.record_version(self.tracked_record)
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
            current = self.record_version(self.tracked_record)
            if expected is not None and expected != current:
                self.show_conflict(StaleRecord(self.tracked_record, expected=expected,
                                               current=current))
            # The service's own keyword for the version the form was opened at.
            cleaned["expected_version"] = expected
        return cleaned

    def _opened_values(self) -> dict:
        try:
            values = json.loads(self.data.get(self.add_prefix("opened_as")) or "{}")
        except ValueError:
            return {}
        return values if isinstance(values, dict) else {}

    def display_value(self, record, name: str, shown) -> str:
        """How the record's current value of field `name` reads (`shown`: as the form
        would show it)."""
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
        """Refused as stale: say who changed what since the form was opened and move the
        form to the current version, so that saving again applies. A field the other
        person changed and the user left alone takes the new value (nothing of theirs is
        lost); one both changed keeps what the user typed, with the other value beside
        it to choose from."""
        record = stale.obj
        now = self.form_for(record).shown_values()
        opened = self._opened_values()
        changed = [name for name, value in now.items() if opened.get(name, value) != value]
        self.add_error(None, stale_message(stale) + " " + (
            _("Check the fields marked below, which were changed meanwhile, then save "
              "again: what you typed is kept.") if changed else
            _("Check your entries and save again: what you typed is kept.")))
        data = self.data.copy()
        for name in changed:
            field, typed = self.fields[name], self[name].data
            value = self.display_value(record, name, now[name])
            if field.disabled or not field.has_changed(opened[name], typed):
                if isinstance(now[name], list):
                    data.setlist(self.add_prefix(name), now[name])
                else:
                    data[self.add_prefix(name)] = now[name]
                self.add_error(name, _("Updated meanwhile to: %(value)s (now in the form)")
                               % {"value": value})
            else:
                self.add_error(name, _("Changed meanwhile to: %(value)s") % {"value": value})
        data[self.add_prefix("version")] = str(stale.current)
        data[self.add_prefix("opened_as")] = json.dumps(now, ensure_ascii=False)
        self.data = data


class VersionedForm(TracksVersion, forms.ModelForm):
    """A ModelForm over a versioned record (accounts, contacts, partners, deals)."""

    def __init__(self, *args, **kwargs):
        other = {k: v for k, v in kwargs.items()
                 if k not in ("data", "files", "instance", "initial")}
        super().__init__(*args, **kwargs)
        self.tracked_record, self._form_kwargs = None, other
        if hasattr(self.instance, "version"):
            self.track_version(self.instance, **other)

    def form_for(self, record):
        return type(self)(instance=record, **self._form_kwargs)


class AwayForm(forms.Form):
    """When I am away: my approvals go to my manager meanwhile (osp.services.user_away_set)."""

    away_from = forms.DateField(label=gettext_lazy("Away from"), required=False,
                                widget=widgets.DateInput())
    away_until = forms.DateField(
        label=gettext_lazy("Back after (the last day away)"), required=False,
        help_text=gettext_lazy("Leave empty if you do not know yet."),
        widget=widgets.DateInput())
