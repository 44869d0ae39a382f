"""API writes of the registers (targets, inspectors): the import path's validation, row errors,
history and data scope, one transaction per request."""

import json

import pytest

from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.imports.models import ImportJob
from shuangsuiji.inspectors.models import Inspector, InspectorChange
from shuangsuiji.targets.models import Target, TargetChange
from tests.inspectors.helpers import MARKET, WATER_UNIT
from tests.targets.helpers import GOOD_USCC

pytestmark = pytest.mark.django_db


def post(client, url, body, method="post"):
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


def target(name="清河县接口测试有限公司", uscc=GOOD_USCC[0], **extra):
    return {"name": name, "uscc": uscc, "target_type": "企业", "region": "130534", **extra}


def test_target_create_and_update_keep_history(client, login, demo):
    login("sc_operator")
    response = post(client, "/api/targets/targets", target(risk_class="C", tags=[]))
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["code"] == GOOD_USCC[0] and created["risk_class"] == "C"
    job = ImportJob.objects.get(pk=created["import_job_id"])
    assert job.file_name.startswith("接口写入_检查对象") and job.created_by.username == "sc_operator"
    assert AuditEntry.objects.filter(action="targets.import").exists()

    response = post(client, f"/api/targets/targets/{created['id']}", {"name": "清河县接口测试羊绒有限公司"}, "put")
    assert response.status_code == 200, response.content
    assert response.json()["name"] == "清河县接口测试羊绒有限公司" and response.json()["risk_class"] == "C"
    change = TargetChange.objects.get(target_id=created["id"], action="update")
    assert change.before == {"name": "清河县接口测试有限公司"}
    assert change.after == {"name": "清河县接口测试羊绒有限公司"}

    again = post(client, "/api/targets/targets", target())
    assert again.status_code == 422 and "更新接口" in again.json()["message"]


def test_target_bulk_reports_row_errors_and_writes_nothing(client, login, demo):
    login("sc_operator")
    rows = [target(), target(name="", uscc=GOOD_USCC[1]), target(uscc=GOOD_USCC[2], region="110101")]
    response = post(client, "/api/targets/targets/bulk", {"rows": rows})
    assert response.status_code == 422
    body = response.json()
    assert {(e["row"], e["column"]) for e in body["errors"]} == {(2, "名称"), (3, "行政区划代码")}
    assert "第 3 条 行政区划代码：行政区划 110101 不在您的数据范围内" in body["detail"]
    assert not Target.objects.exists()

    response = post(client, "/api/targets/targets/bulk", {"rows": rows, "mode": "valid"})
    assert response.status_code == 200
    assert response.json()["created"] == 1 and len(response.json()["errors"]) == 2
    assert Target.objects.count() == 1


def test_target_outside_scope_is_404_and_supervisor_may_not_write(client, login, demo):
    login("sc_operator")
    created = post(client, "/api/targets/targets", target()).json()
    login("sw_operator")  # water unit: same county, so in scope
    assert post(client, f"/api/targets/targets/{created['id']}", {"address": "x"}, "put").status_code == 200
    assert post(client, "/api/targets/targets/999999", {"address": "x"}, "put").status_code == 404
    for username in ("qh_supervisor", "sw_inspector"):
        login(username)
        response = post(client, "/api/targets/targets/bulk", {"rows": [target(uscc=GOOD_USCC[3])]})
        assert response.status_code == 403 and "无权" in response.json()["detail"]
    assert not Target.objects.filter(code=GOOD_USCC[3]).exists()


def test_inspector_create_update_and_bulk(client, login, demo):
    login("sw_operator")
    row = {"name": "张伟", "certificate_no": "13053410001", "organisation": WATER_UNIT, "cert_valid_to": "2028-12-31"}
    response = post(client, "/api/inspectors/", row)
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert InspectorChange.objects.filter(inspector_id=pk, action="create").exists()

    response = post(client, f"/api/inspectors/{pk}", {"position": "副股长"}, "put")
    assert response.status_code == 200 and response.json()["position"] == "副股长"
    change = InspectorChange.objects.get(inspector_id=pk, action="update")
    assert change.after == {"position": "副股长"}

    bad = post(client, "/api/inspectors/", row)
    assert bad.status_code == 422

    rows = [row | {"phone": "0319-8160009"}, row | {"certificate_no": "13053410002", "organisation": MARKET}]
    response = post(client, "/api/inspectors/bulk", {"rows": rows})
    assert response.status_code == 422
    assert response.json()["errors"][0]["row"] == 2 and response.json()["errors"][0]["column"] == "所属机构"
    assert Inspector.objects.get(pk=pk).phone == ""  # one transaction: nothing of the request kept


def test_register_writes_are_in_the_openapi_schema(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "post" in paths["/api/targets/targets/bulk"] and "put" in paths["/api/targets/targets/{target_id}"]
    assert "post" in paths["/api/inspectors/bulk"] and "put" in paths["/api/inspectors/{inspector_id}"]
