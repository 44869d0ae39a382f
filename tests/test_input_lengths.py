"""Every text a user enters has a maximum, and a longer text is refused with a Chinese message
naming the field: forms, the one save guard (shuangsuiji/web/lengths.py), the API, imports."""

import importlib
import inspect
import json
import pkgutil

import pytest
from django import forms

import shuangsuiji
from shuangsuiji.web.lengths import TextTooLong


def project_forms():
    for info in pkgutil.walk_packages(shuangsuiji.__path__, "shuangsuiji."):
        if not info.name.endswith((".forms", ".views")):
            continue
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                yield cls


def test_every_text_field_of_every_form_has_a_maximum():
    checked = list(project_forms())
    assert len(checked) > 10
    unbounded = [
        f"{cls.__module__}.{cls.__name__}.{name}"
        for cls in checked
        for name, field in cls.base_fields.items()
        if isinstance(field, forms.CharField) and field.max_length is None
    ]
    assert not unbounded


@pytest.mark.django_db
def test_a_1200_character_target_name_is_refused_on_the_form(client, login, demo):
    login("sc_operator")
    response = client.post("/targets/new/", {"name": "甲" * 1200, "target_type": "project", "region": "130534"})
    assert response.status_code == 200
    assert "不能超过 200 个字符（当前 1200 个）" in response.content.decode()


@pytest.mark.django_db
def test_no_record_is_saved_with_text_longer_than_its_field(demo):
    from shuangsuiji.targets.models import Target

    with pytest.raises(TextTooLong, match=r"名称不能超过 200 个字符（当前 1200 个）"):
        Target(code="Z" * 18, name="甲" * 1200, target_type="project", region_id="130534").save()
    assert not Target.objects.exists()


def test_a_page_shows_the_length_refusal_naming_the_field():
    from django.test import RequestFactory

    from shuangsuiji.web.limits import RequestLimitsMiddleware

    middleware = RequestLimitsMiddleware(lambda request: None)
    refused = TextTooLong("退回原因不能超过 500 个字符（当前 600 个）。")
    response = middleware.process_exception(RequestFactory().post("/plans/1/return/"), refused)
    assert response.status_code == 400 and "退回原因不能超过 500 个字符" in response.content.decode()


@pytest.mark.django_db
def test_the_api_says_in_chinese_which_field_is_too_long(client, login, demo):
    login("sw_operator")
    response = client.post("/api/tasks/", json.dumps({"title": "x" * 600}), content_type="application/json")
    assert response.status_code == 422
    messages = [e["msg"] for e in response.json()["detail"]]
    assert "title：不能超过 200 个字符" in messages
    assert not any("should" in m or "required" in m for m in messages)


@pytest.mark.django_db
def test_an_import_refuses_a_too_long_cell_instead_of_cutting_it(demo, tmp_path):
    from tests.targets.helpers import GOOD_USCC, run, write_csv

    header = ["名称", "统一社会信用代码", "对象类型", "行政区划代码", "法定代表人（负责人）"]
    job = run(write_csv(tmp_path / "t.csv", [["甲公司", GOOD_USCC[0], "企业", "130534", "张" * 100]], header))
    assert job.status == "rejected"
    assert job.errors[0]["column"] == "法定代表人（负责人）" and "不能超过 64 个字符" in job.errors[0]["reason"]
