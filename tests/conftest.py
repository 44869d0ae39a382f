from __future__ import annotations

import os
from types import SimpleNamespace

import pytest

os.environ.setdefault("SHUANGSUIJI_TESTING", "1")

# Browser fixtures (one Playwright/Chromium per session) for every test module.
pytest_plugins = ["tests.browser"]


@pytest.fixture(autouse=True)
def _media_of_this_test(settings, tmp_path):
    """Uploaded and generated files per test: parallel workers each have their own database,
    so their import jobs share numbers and would overwrite each other's ``imports/<pk>.csv``;
    and within one worker SQLite reuses a rolled-back test's ids, so a print job could find
    the ``printing/<pk>.zip`` an earlier test left."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(autouse=True)
def _portal_page_cache_of_this_test():
    """The portal's page cache (per-process memory in tests) starts empty in every test: a page
    an earlier test cached would otherwise be served for the same URL over another database."""
    from django.core.cache import caches

    for alias in ("portal", "portal_generation"):
        caches[alias].clear()


@pytest.fixture(autouse=True)
def _audit_anchor_file_of_this_test(settings, tmp_path_factory):
    """Each test anchors into a file of its own (anchors name sequence numbers of one database)."""
    settings.SHUANGSUIJI_AUDIT_ANCHOR_FILE = str(tmp_path_factory.mktemp("anchors") / "audit-anchors.jsonl")


@pytest.fixture(autouse=True)
def _audit_genesis_after_flush(request):
    """Migration audit.0002 writes the chain's genesis record and head; a transactional test's
    flush empties every table, so the next database test of the worker starts a chain again
    (the application itself refuses to append without them)."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None and not {"db", "transactional_db", "demo"} & set(request.fixturenames):
        return
    request.getfixturevalue("transactional_db" if marker is not None and marker.kwargs.get("transaction") else "db")
    from shuangsuiji.audit.models import AuditGenesis
    from shuangsuiji.audit.services import start_chain

    if not AuditGenesis.objects.filter(id=1).exists():
        start_chain()
    _codebooks_after_flush()


# Codebooks loaded by data migrations (a transactional test's flush removes them too: an
# import after a browser test found no GB/T 4754 industry and refused every row).
CODEBOOK_MIGRATIONS = (
    (
        "inspections.ResultCode",
        "shuangsuiji.inspections.migrations.0004_resultcode_proposes_address_unreachable",
        "load",
    ),
    ("followups.FollowUpType", "shuangsuiji.followups.migrations.0002_codebook_and_rules", "load"),
    # the same migration loads the credit rules: reloaded when they alone are gone (a test may
    # have made follow-up types of its own after a flush)
    ("followups.CreditRule", "shuangsuiji.followups.migrations.0002_codebook_and_rules", "load"),
    ("targets.Industry", "shuangsuiji.targets.migrations.0002_load_industries", "forwards"),
)


def _codebooks_after_flush() -> None:
    import importlib

    from django.apps import apps

    for model, module, function in CODEBOOK_MIGRATIONS:
        if not apps.get_model(model).objects.exists():
            getattr(importlib.import_module(module), function)(apps, None)


@pytest.fixture
def demo(db):
    """The demo county (organisations and one user per role) built by seed_demo's first step."""
    from shuangsuiji.audit.context import acting
    from shuangsuiji.demo import jurisdiction
    from shuangsuiji.orgs.models import Region
    from shuangsuiji.orgs.regions import load_regions

    if not Region.objects.exists():  # a transactional test's flush removed the migrated data
        load_regions(Region)
    holder = SimpleNamespace()
    with acting(actor_name="测试"):
        jurisdiction.build(holder, lambda *_: None)
    return holder.jurisdiction


@pytest.fixture
def login(client):
    """Log the test client in as a demo user: ``login("sw_admin")``."""
    from shuangsuiji.accounts.models import User

    def _login(username: str):
        user = User.objects.get(username=username)
        client.force_login(user)
        return user

    return _login
