"""Shuangsuiji draw engine (spec v1, docs/draw-spec.md). Pure Python, no Django.

Plain data in, plain data out. The Django layer calls, in this order:

1. Freeze (before any entropy exists)::

       secret = new_server_secret()                      # keep it secret until the draw
       params = DrawParams(draw_id="2026-SJ-0001",
                           strata={"A": StratumRule("0.03", min=1, max=None, reserves=2), ...},
                           weighted=False,
                           assignment=AssignmentParams(
                               departments={"市场监管局": DepartmentRequirement(g=2, experts=0,
                                                                         specialties={"食品"})},
                               window_from="2026-12-01", window_to="2026-12-15",
                               cap=20, rotation=True))
       c = freeze(population, exclusions, params, server_secret_hash(secret),
                  inspectors=inspectors)                  # -> Commitment (.sha256 to publish)

   `population`: iterable of Candidate(id, stratum, weight=1) or a Frame;
   `exclusions`: iterable of Exclusion(id, reason); excluded ids are removed from the frame.
   `inspectors`: iterable of Inspector (required iff params.assignment is set).

2. Draw (after the public entropy is in)::

       e = Entropy(server_secret=secret,
                   public=[PublicEntropy("dice", "3 1 6 6 2", "witness 张三")],
                   drand=None or DrandRound(round, signature_hex, randomness_hex))
       seed = derive_seed(c, e)                          # refuses a wrong secret / drand
       targets = draw_targets(c.frame, params, seed)     # -> TargetDrawResult
       assignment = assign_inspectors(targets.selected_ids(), inspectors, params.assignment, seed)
       write_bundle(path, c, e, targets, assignment)     # directory or .zip

3. Later events (each recorded, never overwriting the draw)::

       targets = use_reserve(targets, stratum, replaced_id, reason)
       assignment = replace_target(assignment, replaced_id, new_id, reason, seed)
       assignment = substitute(assignment, target_id, department, inspector_id, reason, seed)
       write_bundle(path, ...)                           # only appends; refuses a different draw

4. Check: verify(path, commitment=None) -> Report (spec v1.1 §14.1: .ok, .check = the first
   failing check identifier of CHECKS, .message, .commitment_sha256, .void, .lines());
   verify_bundle(path) -> ["<check>: <message>"] or [] (OK);
   check_candidate(seed, id, cutoff, weight=1) -> (ticket_hex, drawn).
   eligibility(inspectors, assignment_params) -> per department and role, the count left
   after each static eligibility stage (for a preview; needs no seed).

Sharded draws: count_strata per shard, sum; limits = required_limits(counts, params);
draw_shard(shard, params, seed, limits) per shard; merge_shards(parts, params, seed).

Results: TargetDrawResult.strata[s] has N, n, selected (Ticketed id/ticket, ticket order),
reserves (TicketedSeq: sequences of Ticketed; .ids gives the id list),
cutoff (hex ticket of the n-th selected or None). AssignmentResult has groups
(Group target/department/inspectors/experts), shortfalls (Shortfall target/department/role/
needed/eligible/failed/stages) and events; current_groups() and loads() give the state.
All identifiers are str; sort orders are bytewise on UTF-8; tickets are SHA-256 digests
shown as 64 lowercase hex digits. Errors raise DrawError (AssignmentShortfall for a
substitute that cannot be filled).
"""

from .assign import (
    AssignmentResult,
    AssignmentShortfall,
    Group,
    Inspector,
    PersonSubstitution,
    Shortfall,
    Substitution,
    TargetReplacement,
    assign_inspectors,
    eligibility,
    inspectors_json,
    replace_target,
    substitute,
    substitute_person,
)
from .bundle import (
    Bundle,
    apply_reserve,
    apply_substitute,
    apply_substitute_person,
    read_bundle,
    verify_bundle,
    void_bundle,
    write_bundle,
)
from .canonical import SPEC_VERSION, DrawError, canonical_json
from .commit import (
    Candidate,
    Commitment,
    DrandRound,
    Entropy,
    Exclusion,
    Frame,
    PopulationFile,
    PublicEntropy,
    derive_seed,
    freeze,
    new_server_secret,
    server_secret_hash,
)
from .params import (
    AssignmentParams,
    DepartmentRequirement,
    DrawParams,
    StratumRule,
    parse_ratio,
    sample_size,
)
from .targets import (
    ReserveUse,
    ShardPartial,
    StratumResult,
    TargetDrawResult,
    Ticketed,
    TicketedSeq,
    check_candidate,
    count_strata,
    draw_shard,
    draw_targets,
    merge_shards,
    required_limits,
    ticket,
    use_reserve,
)
from .verification import CHECKS, Report, verify

__all__ = [
    "CHECKS",
    "SPEC_VERSION",
    "AssignmentParams",
    "AssignmentResult",
    "AssignmentShortfall",
    "Bundle",
    "Candidate",
    "Commitment",
    "DepartmentRequirement",
    "DrandRound",
    "DrawError",
    "DrawParams",
    "Entropy",
    "Exclusion",
    "Frame",
    "Group",
    "Inspector",
    "PersonSubstitution",
    "PopulationFile",
    "PublicEntropy",
    "Report",
    "ReserveUse",
    "ShardPartial",
    "Shortfall",
    "StratumResult",
    "StratumRule",
    "Substitution",
    "TargetDrawResult",
    "TargetReplacement",
    "Ticketed",
    "TicketedSeq",
    "apply_reserve",
    "apply_substitute",
    "apply_substitute_person",
    "assign_inspectors",
    "canonical_json",
    "check_candidate",
    "count_strata",
    "derive_seed",
    "draw_shard",
    "draw_targets",
    "eligibility",
    "freeze",
    "inspectors_json",
    "merge_shards",
    "new_server_secret",
    "parse_ratio",
    "read_bundle",
    "replace_target",
    "required_limits",
    "sample_size",
    "server_secret_hash",
    "substitute",
    "substitute_person",
    "ticket",
    "use_reserve",
    "verify",
    "verify_bundle",
    "void_bundle",
    "write_bundle",
]
