"""Chinese labels of audit-trail actions and object kinds (what the audit pages show).

The entries keep the codes (``tasks.sealed_page``, ``targets.target``): they are hashed into
the chain and filtered on. Every action the code records has a label here
(tests/test_audit_labels.py); an object kind is named by its model's verbose name.
"""

from __future__ import annotations

from django.apps import apps

ACTION_LABELS: dict[str, str] = {
    # Recorded by the audit signals when no action is in context (audit.context.acting).
    "create": "新建",
    "update": "修改",
    "delete": "删除",
    # Sign-in
    "auth.login": "登录",
    "auth.logout": "退出登录",
    "auth.login_failed": "登录失败",
    # Registers
    "targets.create": "新增检查对象",
    "targets.update": "修改检查对象",
    "targets.risk_class": "变更信用风险分类",
    "targets.import": "导入检查对象",
    "targets.import_update": "导入时更新检查对象",
    "targets.seed_demo": "生成演示检查对象",
    "inspectors.create": "新增执法检查人员",
    "inspectors.update": "修改执法检查人员",
    "inspectors.import": "导入执法检查人员",
    "inspectors.import_update": "导入时更新执法检查人员",
    "inspectors.seed_demo": "生成演示执法检查人员",
    "inspectors.training": "登记培训记录",
    "inspectors.training_void": "作废培训记录",
    "inspectors.leave": "登记请假（不可抽取期间）",
    "inspectors.leave_end": "提前结束请假",
    "inspectors.leave_cancel": "取消请假",
    "inspectors.relationship": "申报利害关系",
    "inspectors.relationship_withdraw": "撤销利害关系申报",
    # Items (随机抽查事项清单)
    "items.import": "导入随机抽查事项",
    "items.create": "新增抽查事项",
    "items.save_draft": "保存事项草稿",
    "items.discard_draft": "放弃事项草稿",
    "items.publish": "发布抽查事项",
    "items.revise": "修订抽查事项",
    "items.withdraw": "停用抽查事项",
    "items.publish_list": "公布事项清单",
    "items.list_settings": "修改事项清单设置",
    "items.claim": "认领上级事项",
    "items.form_create": "新建检查表单",
    "items.form_save": "保存检查表单",
    "items.form_revise": "修订检查表单",
    "items.form_publish": "发布检查表单",
    # Plans
    "plans.create": "新建抽查计划",
    "plans.save_draft": "保存计划草稿",
    "plans.submit": "提交计划审批",
    "plans.approve": "批准抽查计划",
    "plans.return": "退回抽查计划",
    "plans.publish": "公布抽查计划",
    "plans.waive": "登记事项不覆盖说明",
    "plans.adjust": "申请调整计划",
    "plans.adjust_approve": "批准计划调整",
    "plans.adjust_return": "退回计划调整",
    # Tasks and draws
    "tasks.create": "新建抽查任务",
    "tasks.update": "修改抽查任务",
    "tasks.cancel": "取消抽查任务",
    "tasks.freeze": "冻结检查对象总体与参数",
    "tasks.draw": "抽取检查对象",
    "tasks.reserve": "启用备选检查对象",
    "tasks.fix": "补正抽取记录",
    "tasks.confirm": "确认派发的检查对象",
    "tasks.reconfirm": "重新确认检查对象",
    "tasks.inspector_draw": "抽取执法检查人员",
    "tasks.substitute": "替补执法检查人员",
    "tasks.void_request": "申请作废抽取",
    "tasks.void_approve": "批准作废抽取",
    "tasks.void_reject": "驳回作废申请",
    "tasks.void": "作废抽取",
    "tasks.sealed_audit": "查看审计记录的封存内容",
    # Printing
    "printing.expire": "清理到期打印文件",
    "printing.file_expired": "打印文件到期删除",
    # results, follow-up, publication, reports (issues 13–16), accounts and deadlines (issue 18)
    "followups.open": "立案后续处置",
    "followups.accept": "接收移送",
    "followups.return": "退回移送",
    "followups.close": "办结后续处置",
    "followups.credit": "按信用规则变更信用风险分类",
    "followups.escalate": "复查不合格，升级处置",
    "followups.objection_decide": "异议（申辩）处理决定",
    "followups.reinspection_result": "录入复查结果",
    "followups.rule_edit": "修改信用规则",
    "followups.step": "登记处置步骤",
    "followups.transfer": "移送或抄告其他部门",
    "followups.objection": "登记异议（申辩）",
    "followups.reinspection": "安排复查",
    "followups.reinspection_draw": "抽取复查人员",
    "followups.result_corrected": "检查结果更正，通知相关后续处置",
    "inspections.add_evidence": "上传检查证据",
    "inspections.correct": "更正检查结果",
    "inspections.decide_register_change": "处理名录变更建议",
    "inspections.determine": "认定检查结果",
    "inspections.open_record": "建立检查记录",
    "inspections.record_visit": "登记现场检查情况",
    "inspections.return": "退回检查结果",
    "inspections.save_draft": "保存检查结果草稿",
    "inspections.save_summary": "保存检查小结",
    "inspections.start_correction": "发起检查结果更正",
    "inspections.submit": "提交检查结果",
    "inspections.submit_correction": "提交检查结果更正",
    "inspectors.link_account": "关联登录账号",
    "inspectors.unlink_account": "解除登录账号关联",
    "plans.reapproval": "审批后修改，退回重新审批",
    "publicity.approve_redaction": "批准信息屏蔽申请",
    "publicity.approve_withdrawal": "批准撤回公示",
    "publicity.correct": "更正已公示信息",
    "publicity.correct_result": "更正已公示的检查结果",
    "publicity.export_batch": "生成国家系统报送批次",
    "publicity.publish_drawn_list": "公开抽取名单",
    "publicity.publish_items": "公开抽查事项清单",
    "publicity.publish_plan": "公开年度抽查计划",
    "publicity.publish_result": "公示检查结果",
    "publicity.publish_task": "公开抽查任务",
    "publicity.reject_redaction": "驳回信息屏蔽申请",
    "publicity.reject_withdrawal": "驳回撤回公示申请",
    "publicity.request_redaction": "申请屏蔽公示字段",
    "publicity.request_withdrawal": "申请撤回公示",
    "reports.check": "审核报表",
    "reports.create": "新建报表",
    "reports.plan_file": "计划报备",
    "reports.resubmit": "重新报送报表",
    "reports.revisit_draw": "回访抽取",
    "reports.revisit_finding": "登记回访结果",
    "reports.revisit_freeze": "冻结回访抽取范围",
    "reports.save": "保存报表",
    "reports.sign": "签发报表",
    "reports.submit": "报送报表",
    "tasks.publish_list": "公开抽取名单",
    "tasks.withdraw_items": "部门撤出部分检查对象的检查事项",
    "workdays.deadline_recomputed": "按正式日历重算暂定期限",
}


def _sealed_channels() -> dict[str, str]:
    from shuangsuiji.tasks.sealed import CHANNELS

    return {f"tasks.sealed_{channel}": label for channel, label in CHANNELS.items()}


def action_labels() -> dict[str, str]:
    return {**ACTION_LABELS, **_sealed_channels()}


def action_label(code: str) -> str:
    return action_labels().get(code, code)


def object_label(code: str) -> str:
    """``targets.target`` → 检查对象 (the model's verbose name); the code when unknown."""
    try:
        app_label, model_name = code.split(".", 1)
        return str(apps.get_model(app_label, model_name)._meta.verbose_name)
    except (ValueError, LookupError):
        return code


def field_label(object_type: str, name: str) -> str:
    """A changed field of an entry's object by its verbose name (``risk_class`` → 信用风险分类)."""
    try:
        app_label, model_name = object_type.split(".", 1)
        model = apps.get_model(app_label, model_name)
    except (ValueError, LookupError):
        return name
    for f in model._meta.get_fields():
        if name in (f.name, getattr(f, "attname", None)) and hasattr(f, "verbose_name"):
            return str(f.verbose_name)
    return name


def choices(codes, label) -> list[tuple[str, str]]:
    """(code, label) pairs for a filter's options, sorted by label."""
    return sorted(((c, label(c)) for c in codes), key=lambda pair: pair[1])
