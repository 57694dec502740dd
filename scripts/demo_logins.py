"""The banner `make run` prints: where OSP is and whom to sign in as."""

LOGINS = [
    ("zhang.wei", "sales rep (Beijing)"),
    ("liu.yang", "sales rep (Tianjin & Hebei)"),
    ("chen.jie", "sales manager of zhang.wei, liu.yang and zhao.lei"),
    ("sarah.miller", "sales manager of tom.baker and li.na"),
    ("wang.li", "regional director: sees the whole sales team"),
    ("zhao.lei", "presales engineer"),
    ("huang.min", "channel sales (owns the partners)"),
    ("sun.fang", "finance (reads everything)"),
    ("admin", "administrator (also /admin/)"),
]


def banner(url: str) -> str:
    lines = ["", "=" * 64, f"  OSP is running at {url}", f"  API docs: {url}api/v1/docs/",
             "", "  Demo logins (password for all: osp-demo):"]
    lines += [f"    {u:<14} {what}" for u, what in LOGINS]
    lines += ["", "  Ctrl-C stops the web server, the worker and the scheduler.", "=" * 64, ""]
    return "\n".join(lines)
