"""A batch for the national systems carries what was published since the last batch; its
files validate against the documented schemas; a record missing a mandatory field is refused
by name and waits for a later batch."""

import csv
import io
import json

import jsonschema_rs
import pytest

from shuangsuiji.items import services as item_services
from shuangsuiji.publicity import exports, services
from shuangsuiji.publicity.models import ExportedRecord
from shuangsuiji.rules import RuleError
from tests.publicity import world as public_world

pytestmark = pytest.mark.django_db


def test_batch_validates_and_refuses_a_record_without_a_mandatory_field(demo):
    w = public_world.build(demo, results=True)
    users = w.world.users
    # 水务局's item has a national code (demo data), 市场监管局's has none: its record is refused by name.
    assert w.world.sw1.national_code and not w.world.sc2.national_code
    water = exports.make_batch(w.world.water, users["sw_admin"])
    assert water.number.endswith("00001") and len(water.number) == 13
    assert water.record_count == 3  # original, correction, the second business
    gsxt = json.loads(bytes(water.gsxt_json))
    hlw = json.loads(bytes(water.hlw_json))
    jsonschema_rs.validator_for(exports.schema(exports.GSXT_SCHEMA)).validate(gsxt)
    jsonschema_rs.validator_for(exports.schema(exports.HLW_SCHEMA)).validate(hlw)
    assert [r["operation"] for r in gsxt["records"]] == ["i", "u", "i"]
    assert gsxt["records"][1]["result"] == "发现问题经责令已改正"
    rows = list(csv.reader(io.StringIO(bytes(water.gsxt_csv).decode("utf-8-sig"))))
    assert rows[0][:3] == ["操作", "公示编号", "版本"] and len(rows) == 4

    market = exports.make_batch(w.world.market, users["sc_admin"])
    assert market.record_count == 0
    (refusal,) = [r for r in market.refused if r["field"] == "item_codes"]
    assert refusal["record_id"] == w.pub_market.pk
    assert "缺少必填字段“监管事项目录编码”" in refusal["message"] and w.first.name in refusal["message"]
    assert not ExportedRecord.objects.filter(publication=w.pub_market).exists()
    # once a new published version of the item has the code, the next batch carries it;
    # nothing is sent twice (published versions are never edited)
    item = w.world.sc2.item
    draft = item_services.start_revision(item, users["sc_admin"], reason="补录“互联网+监管”事项编码")
    content = item_services.ItemContent.of(draft)
    content.national_code = "13010000000002"
    item_services.save_draft(draft, content, users["sc_admin"])
    item_services.publish_item(draft, users["sc_admin"])
    again = exports.make_batch(w.world.market, users["sc_admin"])
    assert again.record_count == 1 and again.number != market.number
    with pytest.raises(RuleError, match="没有新公开"):
        exports.make_batch(w.world.market, users["sc_admin"])
    # a withdrawal after export is sent as a delete
    wd = services.request_withdrawal(w.pub_other, "认定错误", users["sw_admin"])
    services.decide_withdrawal(wd, True, users["qh_office"])
    deleted = exports.make_batch(w.world.water, users["sw_admin"])
    assert [r["operation"] for r in json.loads(bytes(deleted.gsxt_json))["records"]] == ["d"]

    from django.test import Client

    c = Client()
    c.force_login(users["sw_admin"])
    response = c.get(f"/publicity/exports/{water.pk}/gsxt.json")
    assert response.status_code == 200 and json.loads(response.content)["batch_no"] == water.number
    assert "生成报送批次" in c.get("/publicity/").content.decode()
    c.force_login(users["sc_admin"])  # another department's batch
    assert c.get(f"/publicity/exports/{water.pk}/hlw.csv").status_code == 404
