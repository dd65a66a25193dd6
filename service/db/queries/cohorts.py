"""Cohort conditions shared by the move filter and the pipeline: the top N % by citations.

A researcher is in the **top N % by citations within a topic** when fewer than N % of the
researchers working on that topic are cited more often than they are (ties at the edge are all
in). With several topics, being in the top N % of any one of them is enough; with none, the
ranking is over every researcher. Researchers merged into another do not count; a missing
citation count counts as 0. The edge is the k-th largest citation count of the topic, with
k = ceil(N/100 x researchers of the topic): ``percentile_disc(N/100)`` over the counts in
descending order, computed once per query (the subquery is uncorrelated).
"""

from __future__ import annotations

from collections.abc import Sequence

from service.db.queries.executor import Params

__all__ = ["top_cited_condition"]


def top_cited_condition(rid: str, percent: float, topics: Sequence[str], p: Params) -> str:
    """SQL: the researcher ``rid`` (an id expression) is in the top ``percent`` % by citations
    within any of ``topics`` (within everyone if none)."""
    fraction = p.add(percent / 100.0, "float8")
    cited = "coalesce({}.cited_by_count, 0)"
    if not topics:
        return (
            f"{rid} IN (SELECT _tp.id FROM researcher _tp WHERE _tp.merged_into_id IS NULL "
            f"AND {cited.format('_tp')} >= (SELECT percentile_disc({fraction}) WITHIN GROUP "
            f"(ORDER BY {cited.format('_tx')} DESC) FROM researcher _tx "
            "WHERE _tx.merged_into_id IS NULL))"
        )
    wanted = p.add(list(topics), "text[]")
    return (
        f"{rid} IN (SELECT _tp.id FROM researcher _tp JOIN ("
        f"SELECT _tt.t, percentile_disc({fraction}) WITHIN GROUP "
        f"(ORDER BY {cited.format('_tx')} DESC) AS edge "
        f"FROM unnest({wanted}) AS _tt(t) JOIN researcher _tx ON _tx.topics @> ARRAY[_tt.t] "
        "WHERE _tx.merged_into_id IS NULL GROUP BY _tt.t) _tf "
        f"ON _tf.t = ANY(_tp.topics) AND {cited.format('_tp')} >= _tf.edge "
        "WHERE _tp.merged_into_id IS NULL)"
    )
