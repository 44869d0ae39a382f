"""执法证号 is unique: duplicates are rejected with a message naming the existing record."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from shuangsuiji.inspectors import services
from shuangsuiji.inspectors.models import Inspector, InspectorChange
from shuangsuiji.inspectors.validation import clean_certificate_no
from tests.inspectors.helpers import make_inspector

pytestmark = pytest.mark.django_db


def _data(org, no="13053410001", name="李娜"):
    return {
        "name": name,
        "organisation_id": org.pk,
        "certificate_no": no,
        "cert_valid_to": date(2028, 12, 31),
        "is_expert": False,
        "is_active": True,
    }


def test_service_rejects_a_duplicate_naming_the_existing_record(demo):
    first = make_inspector(demo.unit("water", "水土保持股"), name="张伟")
    with pytest.raises(ValidationError) as exc:
        services.create_inspector(_data(demo.department("water")), user=demo.users["sw_admin"])
    message = exc.value.message_dict["certificate_no"][0]
    assert "13053410001" in message and "张伟" in message and "清河县水务局水土保持股" in message
    assert f"编号 {first.pk}" in message
    assert Inspector.objects.count() == 1


def test_update_to_another_inspectors_number_is_rejected(demo):
    make_inspector(demo.department("water"), no="13053410001", name="张伟")
    other = make_inspector(demo.department("water"), no="13053410002", name="王芳")
    with pytest.raises(ValidationError, match="张伟"):
        services.update_inspector(other, {"certificate_no": "13053410001"}, user=demo.users["sw_admin"])


def test_form_shows_the_message(client, demo, login):
    make_inspector(demo.department("water"), name="张伟")
    login("sw_admin")
    response = client.post(
        "/inspectors/new/",
        {
            "name": "李娜",
            "organisation": demo.department("water").pk,
            "certificate_no": " 13053410001 ",
            "cert_valid_to": "2028-12-31",
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "已登记：张伟（清河县水务局" in response.content.decode()
    assert Inspector.objects.count() == 1


def test_create_records_history(demo, client, login):
    login("sw_admin")
    response = client.post(
        "/inspectors/new/",
        {
            "name": "李娜",
            "organisation": demo.unit("water", "水政监察大队").pk,
            "certificate_no": "13053410009",
            "cert_valid_to": "2028-12-31",
            "is_active": "on",
        },
    )
    inspector = Inspector.objects.get(certificate_no="13053410009")
    assert response.status_code == 302 and response["Location"] == f"/inspectors/{inspector.pk}/"
    change = InspectorChange.objects.get(inspector=inspector)
    assert change.action == "create" and change.after["name"] == "李娜"


@pytest.mark.parametrize("raw", ["", "12", "130534 100 01!", "abc_123"])
def test_badly_formed_numbers_are_rejected(raw):
    with pytest.raises(ValueError):
        clean_certificate_no(raw)


def test_numbers_are_normalised():
    assert clean_certificate_no(" 冀130534-00001 ") == "冀130534-00001"
    assert clean_certificate_no("zj13053410061") == "ZJ13053410061"
