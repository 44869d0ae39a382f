"""A result publication links the DepartmentPart version it published (``part``,
``part.publications``), set by the publish service and by a correction, backfilled by
migration publicity.0003 from ``subject_id`` and the record's ``part_version``; no other kind
of publication may carry a part (a check constraint)."""

import importlib

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, transaction

from shuangsuiji.immutability import sql as imm_sql
from shuangsuiji.publicity.models import Kind, Publication
from tests.publicity import world as public_world

pytestmark = pytest.mark.django_db

migration = importlib.import_module("shuangsuiji.publicity.migrations.0003_publication_part")


def _parts(w):
    from shuangsuiji.inspections.models import DepartmentPart

    water = DepartmentPart.objects.filter(record__target=w.first, department=w.world.water).order_by("version")
    market = DepartmentPart.objects.get(record__target=w.first, department=w.world.market)
    other = DepartmentPart.objects.get(record__target=w.second, department=w.world.water)
    return list(water), market, other


def test_the_publish_service_links_the_part_version_it_published(demo):
    w = public_world.build(demo, results=True)
    (water_v1, water_v2), market, other = _parts(w)
    assert w.pub_water.part == water_v1
    assert w.pub_correction.part == water_v2  # the correction links the corrected version
    assert w.pub_market.part == market and w.pub_other.part == other
    assert list(water_v1.publications.all()) == [w.pub_water]
    assert list(water_v2.publications.all()) == [w.pub_correction]
    # nothing else carries a part
    assert not Publication.objects.exclude(kind=Kind.RESULT).filter(part__isnull=False).exists()


def test_only_a_result_publication_may_carry_a_part(demo):
    w = public_world.build(demo, results=True)
    fields = {
        f.attname: getattr(w.list_publication, f.attname)
        for f in Publication._meta.concrete_fields
        if not f.primary_key
    }
    fields.update(subject_id="check-constraint", part_id=w.pub_water.part_id)
    with pytest.raises(IntegrityError), transaction.atomic():
        Publication.objects.create(**fields)


def test_the_backfill_derives_the_part_from_subject_and_record(demo):
    public_world.build(demo, results=True)
    expected = dict(Publication.objects.filter(kind=Kind.RESULT).values_list("pk", "part_id"))
    assert len(expected) == 4 and all(expected.values())
    # the rows as they were before the migration: no part (the append-only guard is lifted
    # the way the migration lifts it, and installed again afterwards as post_migrate does)
    migration._drop_guard(connection, Publication._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {Publication._meta.db_table} SET part_id = NULL")
    assert not Publication.objects.filter(part__isnull=False).exists()

    migration.backfill(apps, None)
    imm_sql.sync(connection)

    assert dict(Publication.objects.filter(kind=Kind.RESULT).values_list("pk", "part_id")) == expected
    assert not Publication.objects.exclude(kind=Kind.RESULT).filter(part__isnull=False).exists()
