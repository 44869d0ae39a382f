"""Publishing a task's drawn list ends its sealing: the list, the seed and the target draw's
bundle become public; the draw stays verifiable by the independent verifier."""

import subprocess
import sys

import pytest
from django.contrib.auth.models import AnonymousUser

from shuangsuiji.publicity import services
from shuangsuiji.publicity.models import Kind, Publication
from shuangsuiji.rules import RuleError
from shuangsuiji.tasks import access, sealed
from tests.publicity import world as public_world

pytestmark = pytest.mark.django_db


def test_publishing_the_list_ends_the_sealing(demo, client, tmp_path):
    w = public_world.build(demo)
    assert w.task.published_at is not None and not w.task.is_sealed
    assert sealed.readable(AnonymousUser(), w.task)
    assert access.sealed_access(w.world.users["qh_supervisor"], w.task) == access.ALL_TARGETS
    assert w.sealed_task.is_sealed and not sealed.readable(AnonymousUser(), w.sealed_task)
    # The task's definition is published with it, each with its channels.
    kinds = set(Publication.objects.filter(task=w.task).values_list("kind", flat=True))
    assert kinds == {Kind.TASK, Kind.DRAWN_LIST}
    assert w.list_publication.channel_labels == ["国家企业信用信息公示系统", "部门网站"]

    page = client.get(f"/gongshi/publications/{w.list_publication.pk}/").content.decode()
    first = w.list_publication.record["targets"][0]
    assert first["name"] in page and first["code"] in page
    task_page = client.get(f"/gongshi/tasks/{w.task.pk}/").content.decode()
    assert w.draw.seed in task_page and w.draw.commitment_sha256 in task_page
    response = client.get(f"/gongshi/tasks/{w.task.pk}/draws/{w.draw.pk}/bundle.zip")
    assert response.status_code == 200
    bundle = tmp_path / "bundle.zip"
    bundle.write_bytes(response.content)
    run = subprocess.run([sys.executable, "tools/verify_draw.py", str(bundle)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    # The sealed task: no bundle, no seed.
    assert client.get(f"/gongshi/tasks/{w.sealed_task.pk}/draws/{w.sealed_draw.pk}/bundle.zip").status_code == 404
    assert w.sealed_draw.seed not in client.get(f"/gongshi/tasks/{w.sealed_task.pk}/").content.decode()


def test_a_list_is_published_once_by_the_lead_after_every_confirmation(demo):
    w = public_world.build(demo)
    with pytest.raises(RuleError, match="已公开"):
        services.publish_drawn_list(w.task, ["gsxt"], w.world.users["sw_admin"])
    with pytest.raises(RuleError, match="确认"):
        services.publish_drawn_list(w.sealed_task, ["gsxt"], w.world.users["sw_admin"])
    with pytest.raises(RuleError, match="尚未抽取"):
        services.publish_drawn_list(w.frozen_task, ["gsxt"], w.world.users["sw_admin"])
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.publish_drawn_list(w.sealed_task, ["gsxt"], w.world.users["sc_admin"])
    with pytest.raises(RuleError, match="公开渠道"):
        services.publish_task(w.sealed_task, [], w.world.users["sw_admin"])
    with pytest.raises(RuleError, match="公开渠道“fax”"):
        services.publish_task(w.sealed_task, ["fax"], w.world.users["sw_admin"])
