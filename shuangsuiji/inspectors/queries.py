"""The one filter of the inspector register, used by the list page, exports and the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from shuangsuiji.accounts.scope import in_scope
from shuangsuiji.inspectors.choices import EXPIRING_DAYS, CertificateStatus
from shuangsuiji.inspectors.models import Inspector, LeavePeriod

_YES, _NO = ("1", "true", "yes", "是"), ("0", "false", "no", "否")


def _flag(value: str) -> bool | None:
    v = value.lower()
    return True if v in _YES else False if v in _NO else None


@dataclass
class InspectorFilter:
    q: str = ""  # name (contains) or 执法证号 (exact or prefix)
    organisation: str = ""  # organisation id: it and its subtree
    tag: str = ""  # specialty tag id
    expert: str = ""  # 1 / 0
    active: str = ""  # 1 / 0
    cert: str = ""  # valid / expiring / expired / not_yet
    on_leave: str = ""  # 1: on leave today (cancelled periods do not count)

    @classmethod
    def from_params(cls, params) -> InspectorFilter:
        return cls(**{f: str(params.get(f, "") or "").strip() for f in cls.__dataclass_fields__})

    def apply(self, qs: QuerySet[Inspector]) -> QuerySet[Inspector]:
        today = timezone.localdate()
        if self.q:
            qs = qs.filter(Q(name__icontains=self.q) | Q(certificate_no__istartswith=self.q.replace(" ", "")))
        if self.organisation.isdigit():
            from shuangsuiji.orgs.models import Organisation

            org = Organisation.objects.filter(pk=int(self.organisation)).first()
            qs = qs.filter(organisation__path__startswith=org.path) if org else qs.none()
        if self.tag.isdigit():
            qs = qs.filter(specialties__id=int(self.tag))
        if (expert := _flag(self.expert)) is not None:
            qs = qs.filter(is_expert=expert)
        if (active := _flag(self.active)) is not None:
            qs = qs.filter(is_active=active)
        soon = today + timedelta(days=EXPIRING_DAYS)
        started = Q(cert_valid_from__isnull=True) | Q(cert_valid_from__lte=today)
        if self.cert == CertificateStatus.VALID:
            qs = qs.filter(started, cert_valid_to__gte=today)
        elif self.cert == CertificateStatus.EXPIRING:
            qs = qs.filter(started, cert_valid_to__gte=today, cert_valid_to__lte=soon)
        elif self.cert == CertificateStatus.EXPIRED:
            qs = qs.filter(cert_valid_to__lt=today)
        elif self.cert == CertificateStatus.NOT_YET:
            qs = qs.filter(cert_valid_from__gt=today)
        if (on_leave := _flag(self.on_leave)) is not None:
            leave = Exists(
                LeavePeriod.objects.live().filter(inspector=OuterRef("pk"), start__lte=today, end__gte=today)
            )
            qs = qs.filter(leave if on_leave else ~leave)
        return qs


def inspectors_for(user, params) -> QuerySet[Inspector]:
    qs = in_scope(user, Inspector.objects.select_related("organisation"), "organisation")
    return InspectorFilter.from_params(params).apply(qs).distinct().order_by("organisation_id", "certificate_no")
