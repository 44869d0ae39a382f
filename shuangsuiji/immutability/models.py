"""The abstract base of guarded models (no tables of its own). Having a models module also
makes ``post_migrate`` reach the app, which (re)installs the triggers (see ``sql.py``)."""

from django.db import models

from shuangsuiji.immutability import ImmutableQuerySet, check_delete, check_save


class ImmutableModel(models.Model):
    """Base of a model with an ``immutable`` declaration (``Immutable`` or ``FrozenWith``)."""

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        try:
            check_save(self, kwargs.get("update_fields"))
            super().save(*args, **kwargs)
        finally:
            self.__dict__.pop("_immutability_stored", None)  # this save's read of the stored row only

    def delete(self, *args, **kwargs):
        check_delete(self)
        return super().delete(*args, **kwargs)
