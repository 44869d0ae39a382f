"""Editing through the form: changed fields and specialties land in the history and the audit trail."""

import pytest

from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.inspectors.models import InspectorChange
from tests.inspectors.helpers import make_inspector, specialty

pytestmark = pytest.mark.django_db


def test_edit_records_before_and_after(client, login, demo):
    inspector = make_inspector(demo.unit("water", "水政监察大队"), name="张伟", position="科员")
    tag = specialty()
    login("sw_admin")
    assert client.get(f"/inspectors/{inspector.pk}/edit/").status_code == 200
    assert client.get("/inspectors/new/").status_code == 200
    response = client.post(
        f"/inspectors/{inspector.pk}/edit/",
        {
            "name": "张伟",
            "organisation": inspector.organisation_id,
            "position": "副大队长",
            "certificate_no": "13053410001",
            "cert_valid_to": "2028-12-31",
            "is_active": "on",
            "specialties": [tag.pk],
        },
    )
    assert response.status_code == 302
    inspector.refresh_from_db()
    assert inspector.position == "副大队长" and list(inspector.specialties.all()) == [tag]
    change = InspectorChange.objects.get(inspector=inspector, action="update")
    assert change.before == {"position": "科员", "specialties": []}
    assert change.after == {"position": "副大队长", "specialties": [tag.pk]}
    entry = AuditEntry.objects.filter(action="inspectors.update", object_type="inspectors.inspector").get()
    assert entry.before == {"position": "科员"} and entry.organisation_id == inspector.organisation_id
    detail = client.get(f"/inspectors/{inspector.pk}/").content.decode()
    assert "副大队长" in detail and "变更" in detail
