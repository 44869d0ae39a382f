"""The one filter of the target register, used by the list page, exports and the API."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import F, Q, QuerySet
from django.db.models.lookups import IContains, Lookup

from shuangsuiji.accounts.scope import region_codes_under, region_scope_q
from shuangsuiji.orgs.models import Region
from shuangsuiji.targets.choices import RegistrationStatus, RiskClass, TargetType
from shuangsuiji.targets.models import Target

_CODE = re.compile(r"^[0-9A-Z]{18}$")
FLAGS = {"abnormal": "abnormal_operation", "serious": "serious_violation", "complaints": "complaint_count__gt"}


class NameContains(IContains):
    """Django's ``icontains`` written as ``name ILIKE '%…%'`` on PostgreSQL, which the
    trigram index on the plain name column serves (pg_trgm folds case itself, so the index
    needs no ``UPPER(name)`` expression, which cost every imported row an extra call)."""

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = Lookup.process_lhs(self, compiler, connection)  # no UPPER(…::text)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} ILIKE {rhs}", (*lhs_params, *rhs_params)


@dataclass
class TargetFilter:
    q: str = ""
    region: str = ""
    industry: str = ""
    target_type: str = ""
    risk_class: str = ""
    status: str = ""
    tag: str = ""
    flag: str = ""

    @classmethod
    def from_params(cls, params) -> TargetFilter:
        return cls(**{f: str(params.get(f, "")).strip() for f in cls.__dataclass_fields__})

    def apply(self, qs: QuerySet[Target]) -> QuerySet[Target]:
        if self.q:
            code = self.q.upper()
            qs = qs.filter(code=code) if _CODE.match(code) else qs.filter(NameContains(F("name"), self.q))
        if self.region.isdigit() and len(self.region) == 6:
            region = Region.objects.filter(code=self.region).first()
            qs = qs.filter(region_id__in=region_codes_under(region.path) if region else [])
        if self.industry:
            ind = self.industry.upper()
            qs = qs.filter(Q(industry_id=ind) | Q(industry__parent_id=ind))
        if self.target_type in TargetType.values:
            qs = qs.filter(target_type=self.target_type)
        if self.risk_class in RiskClass.values:
            qs = qs.filter(risk_class=self.risk_class)
        if self.status in RegistrationStatus.values:
            qs = qs.filter(registration_status=self.status)
        if self.tag.isdigit():
            qs = qs.filter(tags__id=int(self.tag))
        if self.flag in FLAGS:
            lookup = FLAGS[self.flag]
            qs = qs.filter(**{lookup: 0 if lookup.endswith("__gt") else True})
        return qs


def targets_for(user, params) -> QuerySet[Target]:
    qs = Target.objects.filter(region_scope_q(user)).select_related("region", "industry")
    return TargetFilter.from_params(params).apply(qs).order_by("-id")
