"""The neighbouring county 临西县 (130535), which the demo county 清河县 (130534) borders: its
双随机办 and its water department with an administrator. Not in the demo; tests of data scope
and of the sealed list sign in as these users (issue 17)."""

from __future__ import annotations

from types import SimpleNamespace

from shuangsuiji.accounts.models import Role
from shuangsuiji.accounts.services import ensure_user
from shuangsuiji.audit.context import acting
from shuangsuiji.demo.jurisdiction import DEMO_PASSWORD
from shuangsuiji.orgs.models import Organisation, Region
from shuangsuiji.orgs.services import ensure_organisation

NEIGHBOUR = "130535"


def neighbour_county(demo) -> SimpleNamespace:
    """``.office`` and ``.water`` (organisations), ``.users`` by username: ``lx_office``
    (双随机办) and ``lx_sw_admin`` (the water department's 部门系统管理员)."""
    region = Region.objects.get(code=NEIGHBOUR)
    with acting(actor_name="测试"):
        office, _ = ensure_organisation(
            name="临西县双随机一公开工作领导小组办公室",
            kind=Organisation.Kind.OFFICE,
            region=region,
            is_coordinating_office=True,
        )
        water, _ = ensure_organisation(
            name="临西县水利局",
            kind=Organisation.Kind.DEPARTMENT,
            region=region,
            department_kind=demo.department("water").department_kind,
            parent=demo.department("water").parent,
        )
        users = {}
        for username, name, org, role in (
            ("lx_office", "临西双随机办", office, Role.COORDINATING_OFFICE),
            ("lx_sw_admin", "临西水利管理员", water, Role.DEPARTMENT_ADMIN),
        ):
            users[username], _ = ensure_user(
                username=username, full_name=name, organisation=org, roles=[role], password=DEMO_PASSWORD
            )
    return SimpleNamespace(office=office, water=water, users=users)
