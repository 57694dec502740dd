"""Reads of the accounts app that other apps share."""

from accounts.models import Territory


def territory_subtree_ids(root_id: int) -> list[int]:
    """The territory and every territory under it (one query for the whole tree)."""
    children: dict = {}
    for pk, parent in Territory.objects.values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    ids, todo = [], [root_id]
    while todo:
        pk = todo.pop()
        ids.append(pk)
        todo.extend(children.get(pk, []))
    return ids


def org_chart(contacts) -> list[dict]:
    """The contacts as a forest by `reports_to`; people whose boss is unknown are roots."""
    by_boss: dict = {}
    ids = {c.pk for c in contacts}
    for c in contacts:
        by_boss.setdefault(c.reports_to_id if c.reports_to_id in ids else None, []).append(c)

    def build(boss_id, seen):
        return [{"contact": c, "children": build(c.pk, seen | {c.pk})}
                for c in by_boss.get(boss_id, []) if c.pk not in seen]
    return build(None, frozenset())
