"""The console's message catalogue: every text a page shows, by key, in zh-CN. An English
rendering adds a second table with the same keys; templates and routes never spell text.

Rule IDs render with the rule table's own Chinese text (rules.rule_text), so a refusal reads
like the API's (field and rule named) in the language of the page."""

from __future__ import annotations

from typing import Any

import rules
from core.vocabulary import POST_ZH, STEP_ZH

LOCALE = "zh-CN"

ZH: dict[str, str] = {
    "app.title": "公推直选工作平台",
    "app.subtitle": "基层党组织领导班子公推直选",
    "nav.home": "首页",
    "nav.dashboard": "全区总览",
    "nav.notices": "公示栏",
    "nav.approvals": "待批复",
    "nav.tokens": "令牌",
    "nav.ballot": "电子投票",
    "nav.signout": "退出登录",
    "nav.signin": "登录",
    "header.role": "角色",
    "header.scope": "范围",
    "login.title": "凭令牌登录",
    "login.token": "令牌",
    "login.token_hint": "由区委组织部发放（gongtui token create）",
    "login.submit": "登录",
    "login.bad": "令牌无效或已吊销",
    "login.link_bad": "登录链接无效、已使用或已过期",
    "login.link": "通过一次性登录链接登录",
    "login.expired": "登录已过期，请重新登录",
    "login.signed_out": "已退出登录",
    "csrf.bad": "表单已失效（CSRF 校验未通过），请刷新页面后重试",
    "error.title": "操作未完成",
    "error.rule": "规则",
    "error.field": "字段",
    "error.status": "状态码",
    "error.forbidden": "无权访问",
    "error.not_found": "未找到",
    "home.title": "工作台",
    "home.welcome": "欢迎，{name}",
    "home.elections": "本范围内的选举",
    "home.none": "本范围内暂无选举",
    "dash.title": "全区选举总览",
    "dash.community": "社区",
    "dash.street": "街道",
    "dash.step": "步骤",
    "dash.waiting": "等待事项",
    "dash.since": "起始时间",
    "dash.status": "状态",
    "dash.actions": "操作",
    "dash.all_streets": "全部街道",
    "dash.all_steps": "全部步骤",
    "dash.filter": "筛选",
    "dash.per_street": "按街道统计",
    "dash.per_step": "按步骤统计",
    "dash.count": "数量",
    "dash.total": "共 {n} 个社区",
    "dash.page": "第 {page} / {pages} 页",
    "dash.prev": "上一页",
    "dash.next": "下一页",
    "dash.paused": "已暂停：{reason}",
    "dash.no_workflow": "无流程",
    "cycle.title": "开始换届选举",
    "cycle.id": "届次编号",
    "cycle.profile": "规则配置",
    "cycle.communities": "社区（逗号分隔）",
    "cycle.all": "留空：本区全部社区",
    "cycle.day": "一天折合秒数（演练）",
    "cycle.start": "开始",
    "cycle.started": "已开始换届 {cycle}：{n} 个社区的选举",
    "election.paused": "本选举已暂停：{reason}。恢复前请勿办理本选举的事项。",
    "alert.failed": "流程出错",
    "alert.objections": "异议待处理",
    "alert.notice": "公示期中",
    "alert.unfilled": "空缺职务待决定",
    "alert.approval": "待上级批复",
    "ctl.title": "暂停 / 恢复 / 终止",
    "ctl.action": "操作",
    "ctl.target": "对象",
    "ctl.reason": "理由",
    "ctl.submit": "执行",
    "ctl.pause": "暂停",
    "ctl.resume": "恢复",
    "ctl.abort": "终止",
    "ctl.community": "社区",
    "ctl.street": "街道",
    "ctl.district": "全区",
    "ctl.done": "已向 {n} 个选举发送“{action}”（理由：{reason}）",
    "ctl.partial": "{n} 个选举已执行，{failed} 个未执行",
    "status.running": "进行中",
    "status.completed": "已完成",
    "status.failed": "失败",
    "status.aborted": "已终止",
    "status.unknown": "未知",
    "ballot.title": "电子选票",
    "ballot.enter": "请输入选票上的轮次编号和一次性投票码",
    "ballot.round": "轮次编号",
    "ballot.code": "投票码",
    "ballot.open": "打开选票",
    "ballot.post": "职务",
    "ballot.seats": "应选 {n} 名",
    "ballot.for": "赞成",
    "ballot.against": "不赞成",
    "ballot.abstain": "弃权",
    "ballot.write_in": "另选他人",
    "ballot.review": "核对选票",
    "ballot.review_hint": "请核对以下选择。投出后不能更改。",
    "ballot.change": "返回修改",
    "ballot.cast": "确认投出",
    "ballot.receipt": "投票回执",
    "ballot.receipt_hint": "选票已投入票箱。回执是所存选票的摘要，可在计票公布后核对。",
    "ballot.valid": "有效票",
    "ballot.invalid": "无效票（规则 {rule}）",
    "ballot.closed": "本轮投票已结束",
    "ballot.no_mark": "未标记",
    "notice.title": "公示栏",
    "notice.choose": "选择社区",
    "notice.none": "暂无公示",
    "notice.period": "公示期 {days} 天",
    "notice.published": "发布于",
    "notice.ends": "截止于",
    "notice.remaining": "剩余",
    "notice.closed": "公示期已结束",
    "notice.paused": "选举暂停中，公示期计时暂停",
    "notice.names": "公示名单",
    "objection.title": "提出异议",
    "objection.person": "被反映人",
    "objection.post": "职务",
    "objection.any_post": "全部职务",
    "objection.reason": "异议内容",
    "objection.submit": "提交异议",
    "objection.sign_in": "提出异议须以本社区党员、居民或监督委员会身份登录",
    "objection.filed": "异议已提交（编号 {id}），待街道党工委处理",
    "screen.title": "大会实况",
    "screen.expected": "应到",
    "screen.present": "实到",
    "screen.quorum": "法定人数",
    "screen.quorum_met": "已达法定人数",
    "screen.quorum_not": "未达法定人数",
    "screen.need": "至少需 {n} 人",
    "screen.issued": "发出选票",
    "screen.returned": "收回选票",
    "screen.results": "选举结果",
    "screen.candidate": "候选人",
    "screen.votes_for": "赞成",
    "screen.votes_against": "不赞成",
    "screen.votes_abstain": "弃权",
    "screen.elected": "当选",
    "screen.waiting": "等待公布",
    "screen.no_meeting": "暂无会议",
    "meeting.title": "会议",
    "meeting.recommendation": "公推大会",
    "meeting.committee": "差额票决",
    "meeting.congress": "党员大会",
    "meeting.status.checking_in": "签到中",
    "meeting.status.in_session": "会议进行中",
    "meeting.status.quorum_failed": "未达法定人数",
    "meeting.status.closed": "已闭会",
    "round.status.open": "投票中",
    "round.status.counted": "已计票",
    "round.publish": "公布",
    "round.published": "已公布",
    "round.unpublished": "未公布",
    "round.screen": "大屏",
    "round.number": "第 {n} 轮",
    "desk.title": "会务台",
    "desk.meetings": "会议与轮次",
    "desk.search": "按姓名或编号查找",
    "desk.find": "查找",
    "desk.nobody": "名册中没有“{q}”",
    "desk.names": "姓名或编号（可多个，以空格或逗号分隔）",
    "desk.check_in": "签到",
    "desk.tally": "纸质计票：{post} 第 {n} 轮",
    "desk.invalid": "无效票",
    "desk.enter_tally": "录入计票结果",
    "desk.tally_done": "第 {n} 轮计票结果已录入，待总监票人确认后计票",
    "tally.title": "计票结果确认（总监票人）",
    "tally.none": "暂无待确认的计票结果",
    "tally.awaiting": "已由 {by} 录入，待总监票人确认",
    "tally.rejected_note": "总监票人 {by} 退回：{note}。请重新录入",
    "tally.entered_by": "录入人",
    "tally.sheet": "{post} 第 {n} 轮",
    "tally.confirm": "确认无误，计票",
    "tally.reject": "退回重新录入",
    "tally.reason": "退回理由",
    "tally.confirmed": "第 {n} 轮计票结果已确认并计票",
    "tally.sent_back": "第 {n} 轮计票结果已退回",
    "street.exclusions": "不计入应到会人数（须街道党工委同意，E2）",
    "street.exclusion_reason": "事由",
    "street.consent": "同意",
    "street.refuse": "不同意",
    "street.exclusion_done": "已就不计入应到会事项作出决定",
    "desk.published": "第 {n} 轮结果已公布",
    "audit.title": "审计链核验",
    "audit.verified": "审计链完整：每条记录的哈希均已重新计算并核对",
    "audit.broken": "审计链被破坏：{service} 第 {seq} 条记录起不一致",
    "audit.service": "服务",
    "audit.service.nomination": "提名服务",
    "audit.service.voting": "投票服务",
    "audit.service.approval": "审批服务",
    "audit.records": "记录数",
    "audit.head": "链头哈希",
    "audit.ok": "完整",
    "audit.bad_at": "第 {seq} 条起不一致",
    "audit.digests": "票箱摘要",
    "audit.digest": "摘要",
    "audit.source": "计票方式",
    "audit.source.paper": "纸质计票",
    "audit.source.electronic": "电子投票",
    "audit.no_rounds": "暂无已计票的轮次",
    "audit.bundle": "下载审计包（ZIP）",
    "audit.bundle_hint": "离线核验：gongtui audit verify --bundle 目录；重新计票：gongtui recount 目录",
    "audit.published_heads": "公示的审计链头",
    "audit.signed_by": "由{label}密钥签名 · signed by {service} key {fingerprint}",
    "audit.round_digests": "各轮票箱摘要",
    "street.title": "街道工作事项",
    "street.plan": "选举方案",
    "street.no_plan": "社区尚未提交选举方案",
    "street.plan_status.draft": "待审批",
    "street.plan_status.approved": "已批准",
    "street.plan_status.rejected": "已退回",
    "street.full_members": "正式党员 {n} 名",
    "street.seats": "名额",
    "street.shortlist": "初步人选",
    "street.inspected": "考察人选",
    "street.candidates": "候选人",
    "street.reviews": "待资格审查",
    "street.objections": "待处理异议",
    "street.decided": "已处理",
    "street.none": "暂无",
    "street.held": "因异议暂缓",
    "street.approve": "批准",
    "street.reject": "不批准",
    "street.uphold": "异议成立",
    "street.dismiss": "异议不成立",
    "street.objection.upheld": "异议成立",
    "street.objection.dismissed": "异议不成立",
    "street.channel.organization": "组织推荐",
    "street.channel.self": "个人自荐",
    "street.channel.joint": "党员群众联名举荐",
    "street.plan_done": "选举方案已决定",
    "street.review_done": "资格审查已决定",
    "street.objection_done": "异议已处理",
    "approval.title": "待批复事项",
    "approval.none": "暂无待批复事项",
    "approval.requested": "报请于",
    "approval.attempt": "第 {n} 次报请",
    "approval.funnel": "产生过程",
    "approval.votes": "各环节得票",
    "approval.filings": "已收备案",
    "approval.done": "{name}：{status}",
    "approval.status.pending": "待批复",
    "approval.status.approved": "已批准",
    "approval.status.rejected": "不批准",
    "approval.status.filed": "已备案",
    "approval.stage.registered": "已报名",
    "approval.stage.rejected": "资格审查未通过",
    "approval.stage.qualified": "资格审查通过",
    "approval.stage.shortlisted": "初步人选",
    "approval.stage.inspected": "考察人选",
    "approval.stage.candidate": "候选人",
    "approval.stage.elected": "当选",
    "approval.stage.approved": "已批准",
    "approval.stage.filed": "已备案",
    "approval.stage.dropped": "未进入下一环节",
    "roster.title": "党员名册",
    "roster.upload": "上传名册文件",
    "roster.hint": "CSV 或 XLSX；表头：编号、姓名、身份（必填），不计入事由、党龄、年龄、居住本社区（选填）。任何一行有误则全部不导入。",
    "roster.check": "检查文件",
    "roster.no_file": "请选择名册文件",
    "roster.preview": "预览：{file} 共 {n} 行，全部通过检查",
    "roster.more": "另有 {n} 行未显示",
    "roster.confirm": "确认导入 {n} 行",
    "roster.done": "已导入：文件 {rows} 行，新增 {imported} 人",
    "roster.current": "当前名册（{n} 人）",
    "roster.row": "行",
    "roster.column": "列",
    "roster.problem": "问题",
    "roster.status.full": "正式党员",
    "roster.status.probationary": "预备党员",
    "roster.status.discipline": "留党察看",
    "roster.status.suspended": "中止权利",
    "roster.status.guest_member": "驻区单位党员",
    "roster.status.resident": "群众",
    "tokens.title": "令牌与登录链接",
    "tokens.create": "为其他角色发放令牌",
    "tokens.name": "名称",
    "tokens.person": "名册人员编号（党员、居民）",
    "tokens.submit": "发放",
    "tokens.made": "已发放：{role} · {scope}",
    "tokens.once": "令牌只显示这一次，请妥善交付；也可交付一次性登录链接（30 分钟内有效，仅可使用一次）。",
    "tokens.link": "一次性登录链接",
    "tokens.active": "有效",
    "tokens.revoked": "已吊销",
    "tokens.revoke": "吊销",
    "role.district_admin": "区委组织部",
    "role.street_committee": "街道党工委",
    "role.community_office": "社区选举工作小组",
    "role.approver": "上级党组织",
    "role.supervisor": "选举工作监督委员会",
    "role.member": "党员",
    "role.resident": "居民",
    "scope.district": "区",
    "scope.street": "街道",
    "scope.community": "社区",
    "scope.all": "全部区",
    "notice_kind.announcement": "选举公告",
    "notice_kind.registrants": "报名人员公示",
    "notice_kind.shortlist": "初步人选公示",
    "notice_kind.candidates": "候选人公示",
    "notice_kind.results": "选举结果公示",
    "waiting.plan": "待提交和审批选举方案",
    "waiting.nominations": "报名进行中",
    "waiting.review": "待资格审查",
    "waiting.recommendation_checkin": "公推大会签到",
    "waiting.recommendation": "公推大会投票",
    "waiting.inspection": "待组织考察",
    "waiting.committee_session": "待差额票决会议",
    "waiting.congress_session": "党员大会签到",
    "waiting.committee_round": "差额票决投票",
    "waiting.congress_round": "党员大会选举投票",
    "waiting.plenary_round": "全体党员大会选举投票",
    "waiting.notice": "公示期中",
    "waiting.objections": "待处理异议",
    "waiting.unfilled": "待决定空缺职务",
    "waiting.approval": "待上级批复",
    "duration.dhms": "{d} 天 {h:02d}:{m:02d}:{s:02d}",
    "duration.hms": "{h:02d}:{m:02d}:{s:02d}",
}

#: the API's field names as people read them
from api.console.messages_work import ZH_WORK  # noqa: E402

ZH.update(ZH_WORK)

FIELDS: dict[str, str] = {
    "authorization": "令牌", "role": "角色", "scope": "范围", "reason": "理由",
    "post": "职务", "person_id": "人员编号", "person_ids": "人员", "code": "投票码",
    "round_id": "轮次编号", "marks": "选票标记", "election_id": "选举",
    "meeting_id": "会议", "notice_kind": "公示类别", "objection_id": "异议",
    "decision": "决定", "link": "登录链接", "registration_id": "报名记录",
    "file": "文件", "body": "文件", "cycle_id": "届次编号",
    "profile": "规则配置", "community_ids": "社区", "day_seconds": "一天折合秒数", "csrf": "表单校验", "token": "令牌", "issued": "发出票数",
    "returned": "收回票数", "invalid": "无效票数", "lines": "得票", "write_ins": "另选他人",
    "action": "操作", "target": "对象", "community_id": "社区", "street_id": "街道",
    "district_id": "区",
}

CATALOGUES = {"zh-CN": ZH}


def t(key: str, **values: Any) -> str:
    """The text of ``key``; a missing key shows as itself so a gap is visible, not blank."""
    text = CATALOGUES[LOCALE].get(key, key)
    return text.format(**values) if values else text


def field_label(field: str) -> str:
    head = field.split(".")[0].split("[")[0]
    label = FIELDS.get(head)
    return f"{label}（{field}）" if label else field


def rule_label(rule_id: str) -> str:
    """``M4`` → ``M4：对候选人可投赞成、不赞成或弃权…`` (the rule table's Chinese half)."""
    try:
        text = rules.rule_text(rule_id)
    except KeyError:
        return rule_id
    return f"{rule_id}：{text.split(' / ')[0]}"


def zh_part(text: str) -> str:
    """Bilingual service texts are ``中文 / English``: the Chinese half."""
    head, sep, _ = text.partition(" / ")
    return head if sep and any("\u4e00" <= c <= "\u9fff" for c in head) else text


def role_label(role: str) -> str:
    return t(f"role.{role}")


def scope_label(scope: str) -> str:
    kind, _, value = scope.partition(":")
    if kind == "district" and value == "*":
        return t("scope.all")
    return f"{t('scope.' + kind)} {value}"


def post_label(post: str) -> str:
    return POST_ZH.get(post, post)


def step_label(step: int) -> str:
    return f"{step}·{STEP_ZH[step]}" if step in STEP_ZH else str(step)


def waiting_label(kind: str, fallback: str = "") -> str:
    key = f"waiting.{kind}"
    return ZH[key] if key in ZH else (fallback or kind)


def duration(seconds: float) -> str:
    s = max(0, int(seconds))
    d, rest = divmod(s, 86400)
    h, rest = divmod(rest, 3600)
    m, sec = divmod(rest, 60)
    return t("duration.dhms", d=d, h=h, m=m, s=sec) if d else t("duration.hms", h=h, m=m, s=sec)


def all_text() -> str:
    """Every character the catalogue can show: the font's always-loaded slice covers it."""
    parts = [*ZH.values(), *FIELDS.values(), *POST_ZH.values(), *STEP_ZH.values()]
    return "".join(parts)
