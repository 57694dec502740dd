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
