import pytest
from drawhelpers import assignment_params, inspector, seed_of, uscc
from hypothesis import given, settings
from hypothesis import strategies as st

from shuangsuiji.draw import (
    AssignmentShortfall,
    DrawError,
    PersonSubstitution,
    assign_inspectors,
    replace_target,
    substitute,
    substitute_person,
)
from shuangsuiji.draw.assign import replay_events

targets_st = st.lists(st.integers(0, 400), min_size=1, max_size=40, unique=True).map(lambda xs: [uscc(x) for x in xs])


@st.composite
def scenario(draw):
    targets = draw(targets_st)
    n_insp = draw(st.integers(0, 14))
    depts = draw(st.sampled_from([("MSA",), ("MSA", "水利局")]))
    inspectors = []
    for i in range(n_insp):
        dept = draw(st.sampled_from(depts))
        inspectors.append(
            inspector(
                i,
                dept=dept,
                is_expert=draw(st.booleans()) and i % 3 == 0,
                active=draw(st.booleans()) or i % 2 == 0,
                trained=draw(st.booleans()) or i % 2 == 1,
                specialties=draw(st.sets(st.sampled_from(["food", "drug"]), max_size=2)),
                conflicts=set(draw(st.lists(st.sampled_from(targets), max_size=3))),
                last_inspected=set(draw(st.lists(st.sampled_from(targets), max_size=2))),
                workload=draw(st.integers(0, 3)),
                leave=draw(st.sampled_from([(), (("2026-12-10", "2026-12-20"),), (("2027-01-01", "2027-01-02"),)])),
            )
        )
    ap = assignment_params(
        depts=depts,
        g=draw(st.integers(1, 3)),
        experts=draw(st.integers(0, 1)),
        specialties=draw(st.sets(st.sampled_from(["food"]), max_size=1)),
        cap=draw(st.one_of(st.none(), st.integers(1, 12))),
        rotation=draw(st.booleans()),
    )
    return targets, inspectors, ap


def _eligible_static(i, ap, dept, expert):
    wf, wt = ap.window_from, ap.window_to
    req = ap.departments[dept]
    ok = i.department == dept and i.is_expert == expert and i.active
    ok = ok and not any(a <= wt and b >= wf for a, b in i.leave) and req.specialties <= i.specialties
    if not expert:
        ok = ok and i.trained and i.cert_valid_from <= wf and wt <= i.cert_valid_to
    return ok


@settings(max_examples=80, deadline=None)
@given(sc=scenario(), s=st.integers(0, 1000))
def test_assignment_invariants(sc, s):
    targets, inspectors, ap = sc
    a = assign_inspectors(targets, inspectors, ap, seed_of(s))
    by_id = {i.id: i for i in inspectors}
    # same inputs, any order -> same result
    assert a == assign_inspectors(list(reversed(targets)), list(reversed(inspectors)), ap, seed_of(s))
    covered = {(g.target, g.department) for g in a.groups} | {
        (f.target, f.department) for f in a.shortfalls if f.role == "inspectors"
    }
    assert covered == {(t, d) for t in targets for d in ap.departments}
    for g in a.groups:
        req = ap.departments[g.department]
        assert len(g.inspectors) == req.g == len(set(g.inspectors))  # never smaller
        assert len(g.experts) in (0, req.experts)
        for x in g.inspectors + g.experts:
            i = by_id[x]
            assert g.target not in i.conflicts  # conflicts never assigned
            if ap.rotation:
                assert g.target not in i.last_inspected
            assert _eligible_static(i, ap, g.department, x in g.experts)
        for x in g.inspectors:
            assert not by_id[x].is_expert  # experts never count toward g
        if len(g.experts) < req.experts:
            assert any(
                f.target == g.target and f.department == g.department and f.role == "experts" for f in a.shortfalls
            )
    loads = a.loads()
    if ap.cap is not None:
        for x, load in loads.items():
            assert load <= max(ap.cap, by_id[x].workload)
    for f in a.shortfalls:
        assert f.eligible < f.needed
        assert dict(f.stages)[f.failed] < f.needed
        names = [k for k, _ in f.stages]
        assert all(c >= f.needed for _, c in f.stages[: names.index(f.failed)])


@settings(max_examples=60, deadline=None)
@given(
    n_targets=st.integers(1, 300),
    n_insp=st.integers(2, 40),
    g=st.integers(1, 3),
    start=st.integers(0, 2),
    cap=st.one_of(st.none(), st.integers(1, 40)),
    s=st.integers(0, 1000),
)
def test_balance_among_interchangeable(n_targets, n_insp, g, start, cap, s):
    """Interchangeable inspectors (no per-target conflicts): workloads differ by at most one,
    except that nobody goes over the cap."""
    insp = [inspector(i, workload=start) for i in range(n_insp)]
    ap = assignment_params(g=g, cap=cap)
    a = assign_inspectors([uscc(t) for t in range(n_targets)], insp, ap, seed_of(s))
    loads = list(a.loads().values())
    if cap is None or max(loads) < cap:
        assert max(loads) - min(loads) <= 1
    else:
        below = [x for x in loads if x < cap]
        assert not below or max(below) - min(below) <= 1
        # a shortfall happens only when fewer than g are under the cap
        if a.shortfalls:
            assert len(below) < g


@settings(max_examples=40, deadline=None)
@given(sc=scenario(), s=st.integers(0, 1000))
def test_water_filling_each_pick_is_least_loaded(sc, s):
    """With different starting workloads, a person only receives a target if no eligible
    person had a smaller load at that moment: replay the order and check every pick."""
    targets, inspectors, ap = sc
    a = assign_inspectors(targets, inspectors, ap, seed_of(s))
    by = {(g.target, g.department): g for g in a.groups}
    load = {i.id: i.workload for i in inspectors}
    for t in a.targets:
        for d in sorted(ap.departments, key=str.encode):
            g = by.get((t, d))
            if g is None:
                continue
            for role, members in (("inspectors", g.inspectors), ("experts", g.experts)):
                elig = [
                    i.id
                    for i in inspectors
                    if _eligible_static(i, ap, d, role == "experts")
                    and t not in i.conflicts
                    and not (ap.rotation and t in i.last_inspected)
                    and (ap.cap is None or load[i.id] < ap.cap)
                ]
                if members:
                    chosen_max = max(load[x] for x in members)
                    others_min = min((load[x] for x in elig if x not in members), default=None)
                    assert others_min is None or chosen_max <= others_min
                for x in members:
                    load[x] += 1


def test_shortfall_names_target_requirement_and_count():
    insp = [
        inspector(0, specialties={"food"}),
        inspector(1, specialties={"food"}, conflicts={uscc(1)}),
        inspector(2, specialties={"drug"}),
        inspector(3, specialties={"food"}, cert_valid_to="2026-12-10"),  # expires in the window
    ]
    ap = assignment_params(specialties={"food"})
    a = assign_inspectors([uscc(1), uscc(2)], insp, ap, seed_of(1))
    assert [g.target for g in a.groups] == [uscc(2)]
    (f,) = a.shortfalls
    assert (f.target, f.department, f.role, f.failed, f.eligible, f.needed) == (
        uscc(1),
        "MSA",
        "inspectors",
        "conflict",
        1,
        2,
    )
    assert dict(f.stages)["certificate"] == 3


def test_shortfall_when_nobody_qualifies():
    a = assign_inspectors([uscc(1)], [inspector(0, trained=False), inspector(1)], assignment_params(), seed_of(1))
    assert a.groups == ()
    assert a.shortfalls[0].failed == "training" and a.shortfalls[0].eligible == 1


def test_rotation_configurable():
    insp = [inspector(i, last_inspected={uscc(1)}) for i in range(2)] + [inspector(2), inspector(3)]
    a = assign_inspectors([uscc(1)], insp, assignment_params(rotation=True), seed_of(1))
    assert set(a.groups[0].inspectors) == {"MSA-0002", "MSA-0003"}
    a2 = assign_inspectors([uscc(1)], insp[:2], assignment_params(rotation=False), seed_of(1))
    assert set(a2.groups[0].inspectors) == {"MSA-0000", "MSA-0001"}


def test_leave_and_experts():
    insp = [inspector(i) for i in range(3)]
    insp.append(inspector(3, leave=(("2026-12-15", "2026-12-16"),)))  # overlaps the last day
    insp.append(inspector(4, is_expert=True, cert_valid_from=None, cert_valid_to=None))
    ap = assignment_params(g=2, experts=1)
    a = assign_inspectors([uscc(t) for t in range(6)], insp, ap, seed_of(4))
    for g in a.groups:
        assert "MSA-0003" not in g.inspectors
        assert g.experts == ("MSA-0004",)
        assert "MSA-0004" not in g.inspectors


def test_substitute_is_deterministic_recorded_and_replayable():
    insp = [inspector(i) for i in range(6)]
    ap = assignment_params()
    seed = seed_of(2)
    targets = [uscc(t) for t in range(5)]
    a = assign_inspectors(targets, insp, ap, seed)
    g = a.groups[0]
    out = g.inspectors[0]
    a1 = substitute(a, g.target, "MSA", out, "病假", seed)
    ev = a1.events[-1]
    assert ev.replaced == out and ev.reason == "病假"
    new = a1.current_groups()[(g.target, "MSA")]
    assert out not in new.inspectors and ev.replacement in new.inspectors and len(new.inspectors) == 2
    assert a.events == ()  # never overwritten
    assert substitute(a, g.target, "MSA", out, "病假", seed) == a1  # deterministic
    # the replaced person can never come back to this group
    a2 = substitute(a1, g.target, "MSA", ev.replacement, "also ill", seed)
    assert out not in a2.current_groups()[(g.target, "MSA")].inspectors
    assert replay_events(a, [e.to_json() for e in a2.events]) == a2
    with pytest.raises(DrawError):
        substitute(a, g.target, "MSA", out, "", seed)  # a reason is required
    with pytest.raises(DrawError):
        substitute(a, g.target, "MSA", "nobody", "x", seed)
    with pytest.raises(DrawError):
        substitute(a, g.target, "MSA", out, "x", seed_of(3))  # wrong seed


def test_substitute_shortfall_raises_with_details():
    insp = [inspector(0), inspector(1), inspector(2, conflicts={uscc(0)})]
    a = assign_inspectors([uscc(0)], insp, assignment_params(), seed_of(1))
    with pytest.raises(AssignmentShortfall) as exc:
        substitute(a, uscc(0), "MSA", "MSA-0000", "ill", seed_of(1))
    assert exc.value.shortfall.failed == "conflict"
    assert exc.value.shortfall.eligible == 0


def test_substitute_respects_conflicts():
    insp = [inspector(i) for i in range(3)] + [inspector(3, conflicts={uscc(0)})]
    a = assign_inspectors([uscc(0)], insp, assignment_params(), seed_of(1))
    a = substitute(a, uscc(0), "MSA", a.groups[0].inspectors[0], "ill", seed_of(1))
    assert a.events[-1].replacement != "MSA-0003"


def test_replace_target_assigns_new_and_releases_old():
    insp = [inspector(i) for i in range(4)]
    seed = seed_of(8)
    a = assign_inspectors([uscc(0), uscc(1)], insp, assignment_params(), seed)
    a1 = replace_target(a, uscc(0), uscc(9), "deregistered", seed)
    cur = a1.current_groups()
    assert (uscc(0), "MSA") not in cur and len(cur[(uscc(9), "MSA")].inspectors) == 2
    assert sum(a1.loads().values()) == 4
    with pytest.raises(DrawError):
        replace_target(a1, uscc(0), uscc(10), "again", seed)


def test_substitute_person_is_one_event_equal_to_the_substitutes_in_target_order():
    """Spec §13.3: one person replaced in all their groups of a department, one reason."""
    insp = [inspector(i) for i in range(6)]
    seed = seed_of(4)
    a = assign_inspectors([uscc(t) for t in range(6)], insp, assignment_params(), seed)
    counts = {}
    for g in a.groups:
        for x in g.inspectors:
            counts[x] = counts.get(x, 0) + 1
    person = max(sorted(counts), key=counts.get)
    assert counts[person] >= 2
    one = substitute_person(a, "MSA", person, "请假", seed)
    assert len(one.events) == 1 and isinstance(one.events[0], PersonSubstitution)
    ev = one.events[0]
    keys = sorted((g.target for g in a.groups if person in g.inspectors), key=str.encode)
    assert [p.target for p in ev.parts] == keys and {p.reason for p in ev.parts} == {"请假"}
    # equal to the 13.1 substitutes one after the other, in bytewise target order
    step = a
    for t in keys:
        step = substitute(step, t, "MSA", person, "请假", seed)
    assert one.current_groups() == step.current_groups() and one.loads() == step.loads()
    assert all(person not in g.inspectors for g in one.current_groups().values())
    assert ev.to_json()["kind"] == "substitute_person" and len(ev.to_json()["substitutions"]) == len(keys)
    assert replay_events(a, [e.to_json() for e in one.events]) == one
    # a later 13.1 substitute keeps the person barred from those groups
    g = one.current_groups()[(keys[0], "MSA")]
    later = substitute(one, keys[0], "MSA", g.inspectors[0], "另有公务", seed)
    assert person not in later.current_groups()[(keys[0], "MSA")].inspectors
    with pytest.raises(DrawError):
        substitute_person(one, "MSA", person, "again", seed)  # in no group any more
    with pytest.raises(DrawError):
        substitute_person(a, "MSA", person, "", seed)  # a reason is required
