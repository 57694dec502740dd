"""The forecast category of each stage (METHODOLOGY.md §3, §6): which column of the
forecast a deal at that stage counts in, and its default probability. An administrator
edits them (StageCategory); the stage sets that follow from them (the forecast's open
stages, the won ones) are read here, never written out again elsewhere."""

from django.core.cache import cache
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    NOT_FORECAST = "not_forecast", _("Not forecast")
    PIPELINE = "pipeline", _("Pipeline")
    BEST_CASE = "best_case", _("Best case")
    COMMIT = "commit", _("Commit")
    WON = "won", _("Won (awaiting finance)")
    BOOKED = "booked", _("Booked")
    OMITTED = "omitted", _("Omitted")


# The default mapping (METHODOLOGY.md §3, §6): stage 6 = highly likely to win, 7 = closes
# this quarter, 9.5 and 10 = finance bookings.
DEFAULT_CATEGORIES = {
    "lead": (Category.NOT_FORECAST, 0), "2": (Category.PIPELINE, 10),
    "3": (Category.PIPELINE, 20), "4": (Category.PIPELINE, 30), "5": (Category.PIPELINE, 40),
    "6": (Category.BEST_CASE, 60), "7": (Category.COMMIT, 80), "8": (Category.COMMIT, 90),
    "9": (Category.WON, 100), "9.5": (Category.BOOKED, 100), "10": (Category.BOOKED, 100),
    "lost": (Category.OMITTED, 0), "no_go": (Category.OMITTED, 0),
}


# The forecast's columns: what is still expected, and what is won.
FORECAST_OPEN = (Category.PIPELINE, Category.BEST_CASE, Category.COMMIT)
FORECAST_WON = (Category.WON, Category.BOOKED)


def stages_in_categories(mapping: dict, categories) -> list[str]:
    """The stages that `mapping` (StageCategory.mapping()) puts in one of `categories`."""
    return [stage for stage, (category, _p) in mapping.items() if category in categories]


class StageCategory(models.Model):
    """Which forecast category a stage counts in, and its default probability; one row a
    stage, edited by an administrator."""

    stage = models.CharField(_("stage"), max_length=8, unique=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    probability = models.PositiveSmallIntegerField(
        _("probability (%)"), validators=[MaxValueValidator(100)])

    class Meta:
        verbose_name = _("stage category")
        verbose_name_plural = _("stage categories")

    def __str__(self):
        return f"{self.stage}: {self.get_category_display()} ({self.probability}%)"

    CACHE_KEY = "opportunities:stage-categories"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        self.forget()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        self.forget()
        return result

    @classmethod
    def forget(cls):
        cache.delete(cls.CACHE_KEY)

    @classmethod
    def mapping(cls) -> dict[str, tuple[str, int]]:
        """Stage -> (category, probability). Cached: every opportunity saved writes its
        probability to the sync feed; saving or deleting a row clears the cache."""
        cached = cache.get(cls.CACHE_KEY)
        if cached is None:
            rows = {r.stage: (r.category, r.probability) for r in cls.objects.all()}
            cached = {**DEFAULT_CATEGORIES, **rows}
            cache.set(cls.CACHE_KEY, cached, 3600)
        return cached
