"""The words of notifications, in the reader's language (zh-CN or en)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from server.workorders.documents import order_number

CLOCKS = {
    "en": {"response": "response", "resolution": "resolution"},
    "zh-CN": {"response": "响应", "resolution": "解决"},
}
# kind -> language -> (title, body), formatted with the notification's params.
TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    "sla_warning": {
        "en": ("{number} nearly overdue", "{title}: {clock} due at {due_at}"),
        "zh-CN": ("{number} 即将超时", "{title}：{clock}时限 {due_at}"),
    },
    "sla_breach": {
        "en": ("{number} overdue", "{title}: {clock} was due at {due_at}"),
        "zh-CN": ("{number} 已超时", "{title}：{clock}时限已过（{due_at}）"),
    },
    "sla_alarm": {
        "en": ("{number} overdue: alarm {alarm}", "{title}: due at {due_at}, still open"),
        "zh-CN": ("{number} 超时告警 {alarm}", "{title}：时限 {due_at}，仍未完成"),
    },
    "sla_escalated": {
        "en": (
            "{number} suspended after {alarm} alarms",
            "{title}: overdue since {due_at}; the control centre takes over",
        ),
        "zh-CN": (
            "{number} 已自动挂起（{alarm} 次告警）",
            "{title}：自 {due_at} 超时，请控制中心处理",
        ),
    },
    "warranty_expiring": {
        "en": ("Warranty ends {warranty_until}: {asset}", "{asset} ({tag}) at {site}"),
        "zh-CN": ("保修将于 {warranty_until} 到期：{asset}", "{asset}（{tag}），{site}"),
    },
    "assigned": {
        "en": ("{number} assigned to you", "{title}"),
        "zh-CN": ("{number} 已派给您", "{title}"),
    },
    "round_due": {
        "en": ("Round due: {round}", "Walk it by {due_at}"),
        "zh-CN": ("巡检任务：{round}", "请在 {due_at} 前完成"),
    },
    "mentioned": {
        "en": ("{by} mentioned you on {number}", "{title}"),
        "zh-CN": ("{by} 在 {number} 中提到了您", "{title}"),
    },
    "sync_conflict": {
        "en": ("{number}: an offline change needs review", "{title}: {field}"),
        "zh-CN": ("{number} 离线修改冲突待审核", "{title}：{field}"),
    },
    "auto_assign_failed": {
        "en": ("{number} waits for a dispatcher", "{title}: nobody on duty could take it"),
        "zh-CN": ("{number} 待人工派单", "{title}：无在岗人员可自动派单"),
    },
    "rated_low": {
        "en": ("{number} rated {score}/5", "{title}: the requester is unhappy; please follow up"),
        "zh-CN": ("{number} 评分 {score}/5", "{title}：报修人不满意，请跟进"),
    },
    "urged": {
        "en": ("{number} urged ({count})", "{title}: the requester asks for progress"),
        "zh-CN": ("{number} 催单（第 {count} 次）", "{title}：报修人催促处理"),
    },
    "low_stock": {
        "en": (
            "Low stock: {code} in {store}",
            "{part}: {quantity} {units} left (threshold {threshold})",
        ),
        "zh-CN": (
            "库存不足：{store} 的 {code}",
            "{part}：剩余 {quantity} {units}（预警值 {threshold}）",
        ),
    },
    "report": {
        "en": (
            "FieldOps summary {period}: {created} new, {breached} overdue",
            "{created} new, {resolved} resolved, {breached} overdue; {open} open now",
        ),
        "zh-CN": (
            "FieldOps 工单汇总 {period}：新建 {created}，超时 {breached}",
            "新建 {created}，已解决 {resolved}，超时 {breached}；当前未完成 {open}",
        ),
    },
}

# Words for a chat group, where a kind's personal wording ("assigned to you") is wrong.
GROUP_TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    "assigned": {
        "en": ("{number} assigned to {assignee}", "{title}"),
        "zh-CN": ("{number} 已派给 {assignee}", "{title}"),
    },
    "mentioned": {
        "en": ("{by} commented on {number}", "{title}"),
        "zh-CN": ("{by} 评论了 {number}", "{title}"),
    },
}


# A report e-mail has words but is never a notification.
NOTIFICATION_KINDS = frozenset(TEXTS) - {"report"}


def unknown_kinds(kinds: Iterable[str]) -> list[str]:
    """Those of ``kinds`` that no notification has."""
    return sorted(set(kinds) - NOTIFICATION_KINDS)


def with_number(params: dict[str, Any], number: int | None) -> dict[str, Any]:
    """The params with the order's number, when the notification was made before the
    order had one (both in one unit of work)."""
    if "number" in params or number is None:
        return params
    return {**params, "number": order_number(number)}


def render(
    kind: str, language: str, params: dict[str, Any], group: bool = False
) -> tuple[str, str]:
    """Title and body (``group``: for a chat group); a kind this version does not
    know shows its name."""
    language = language if language in CLOCKS else "en"
    texts = (GROUP_TEXTS.get(kind) if group else None) or TEXTS.get(kind)
    if texts is None:
        return kind, params.get("title", "")
    values = {**params}
    if "clock" in values:
        values["clock"] = CLOCKS[language].get(values["clock"], values["clock"])
    if isinstance(values.get("due_at"), str):
        values["due_at"] = values["due_at"][:16].replace("T", " ") + " UTC"
    title, body = texts[language]
    return title.format_map(_Missing(values)), body.format_map(_Missing(values))


class _Missing(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "?"
