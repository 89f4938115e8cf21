"""A worker that joined got no partition. Faust's sticky ``CopartitionedAssignor`` lets every member keep up to
``ceil(partitions / members)`` of its partitions when standby replicas are on (``table_standby_replicas``,
default 1): three workers holding 2 of 6 partitions each keep all of them when a 4th joins (ceil(6/4) = 2), and
the 4th stays idle until some other rebalance happens to move a partition (faust issue 93; faust-streaming
added a ``min_capacity`` trim for ``replicas == 0`` only). Even with that trim the round robin that hands out
the freed partitions may give one member two more than another (7 partitions, 2 members then 3: 3/3/1), and it
first offers each freed partition to the member holding its standby, which the 3 old members all do, so the
trim alone does not feed the new member either.

This module replaces the active half of that assignment (``get_assignment``) with a balanced and sticky one;
the standby half stays Faust's:

- quotas: with P partitions and n members, ``P % n`` members may hold ``P // n + 1`` partitions, the others
  ``P // n`` (counts at most one apart, in one rebalance); the larger quotas go to the members holding the most
  now (ties by member id: the leader's choice is deterministic), so as few partitions move as possible (3
  members holding 2 of 6 each, and a 4th joins: 2/2/1/1, one partition moves; upstream's trim moves 3);
- each member keeps its lowest partitions up to its quota; a partition held twice (a zombie) stays with one;
- a freed partition goes to a member below quota, preferably one that holds it as a standby (its state is warm),
  else the one furthest below quota.

A second bug fed the first: a global table's changelog (akhbar's rules topic) has as many partitions as the
source topics, so it falls into their co-partitioned group, and each member reports it as active on every
partition. ``ClientAssignment._colocated_partitions`` takes a member's previous partitions from the first topic of
the group with any, in set order (the string hash seed), so in some worker processes every member claimed all 6
partitions and what each kept was arbitrary. ``_client_metadata_without_globals`` drops global tables' changelogs
from what members report before the group is assigned (they are given to every member afterwards anyway).

It works on one co-partitioned group at a time, as Faust's does: a group is every topic with the same number of
partitions and the same subscribers (a source topic, the changelogs of the tables its agents use and the topics
they write to), and a member gets the same partitions of every topic of its group, so a table's changelog
partition stays with its source partition. Global tables are still given to every member afterwards by
``PartitionAssignor._global_table_standby_assignments``.

Standbys: akhbar runs with ``table_standby_replicas=0`` (streams/app.py: with the in-memory store a standby
shortens no recovery), but the fix keeps Faust's standby pass for any replicas: each changelog partition gets its
standbys on members other than its active one (the regression test checks both 0 and 1).

Upstream: faust/assignor/copartitioned_assignor.py ``CopartitionedAssignor.get_assignment`` (faust-streaming
0.15.3), used by faust/assignor/partition_assignor.py ``PartitionAssignor._perform_assignment``. Drop this module
once Faust balances actives whatever ``replicas`` is, and leaves global changelogs out of stickiness
(tests/regression/test_assignor_balance.py shows both).
"""
from __future__ import annotations

from faust.assignor import partition_assignor
from faust.assignor.copartitioned_assignor import CopartitionedAssignor


class BalancedCopartitionedAssignor(CopartitionedAssignor):
    """Faust's co-partitioned assignor with balanced, sticky actives (see the module docstring)."""

    def get_assignment(self):
        members = self._client_assignments
        ids = sorted(members)
        n, parts = len(ids), self.num_partitions
        owner: dict[int, str] = {}
        for m in ids:  # partitions out of range, or held by a member listed before (zombies), are let go
            for p in sorted(members[m].actives):
                if p >= parts or p in owner:
                    members[m].actives.discard(p)
                else:
                    owner[p] = m
        base, extra = divmod(parts, n)
        by_holding = sorted(ids, key=lambda m: (-len(members[m].actives), m))
        quota = {m: base + (i < extra) for i, m in enumerate(by_holding)}
        for m in ids:
            for p in sorted(members[m].actives)[quota[m]:]:
                members[m].actives.discard(p)
                del owner[p]
        for p in range(parts):
            if p in owner:
                continue
            open_ = [m for m in ids if len(members[m].actives) < quota[m]]
            warm = [m for m in open_ if p in members[m].standbys]
            pick = min(warm or open_, key=lambda m: (len(members[m].actives) - quota[m], m))
            members[pick].actives.add(p)
            owner[p] = pick
        limit = self.max_capacity * self.replicas
        for m in ids:  # a member's standbys: never one of its actives, at most Faust's limit
            a = members[m]
            a.standbys = {p for p in a.standbys if p < parts and p not in a.actives}
            for p in sorted(a.standbys)[limit:]:
                a.standbys.discard(p)
        self._assign(active=False)
        return members


_upstream_get_client_metadata = partition_assignor.PartitionAssignor.__dict__["_get_client_metadata"]  # classmethod


def _client_metadata_without_globals(self, metadata):
    """A member's metadata as Faust reads it, without the global tables' changelogs in its assignment."""
    client = _upstream_get_client_metadata.__func__(type(self), metadata)
    for table in self._table_manager.data.values():
        if table.is_global:
            client.assignment.actives.pop(table._changelog_topic_name(), None)
            client.assignment.standbys.pop(table._changelog_topic_name(), None)
    return client


def apply() -> None:
    partition_assignor.CopartitionedAssignor = BalancedCopartitionedAssignor
    partition_assignor.PartitionAssignor._get_client_metadata = _client_metadata_without_globals
