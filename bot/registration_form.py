"""The 附件3 form as data: its fields in the form's order, the words people use for them, and
the validation of every answer. Pure functions, no database, no Telegram."""

from __future__ import annotations

import re
import unicodedata

# The form's columns, in its order: 姓名 所属部门 职务 性别 联系电话 移动电话 电子邮箱
FIELDS: tuple[str, ...] = ("name", "department", "title", "gender", "phone", "mobile", "email")

# Words that name a field (Chinese and English), for "改手机" / "mobile 13800138000".
ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "名字", "name", "full name"),
    "department": ("所属部门", "部门", "单位", "科室", "department", "dept", "unit"),
    "title": ("职务", "职位", "职称", "title", "position", "job title", "job"),
    "gender": ("性别", "gender", "sex"),
    "phone": (
        "联系电话",
        "电话",
        "座机",
        "固话",
        "办公电话",
        "phone",
        "landline",
        "tel",
        "telephone",
    ),
    "mobile": (
        "移动电话",
        "手机",
        "手机号",
        "手机号码",
        "mobile",
        "cell",
        "cellphone",
        "mobile phone",
    ),
    "email": ("电子邮箱", "邮箱", "电邮", "邮件", "email", "e-mail", "mail"),
}

MOBILE = re.compile(r"1[3-9]\d{9}")
LANDLINE = re.compile(r"(0\d{2,3}-)?\d{7,8}")
EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
GENDERS = {
    "男": "男",
    "男性": "男",
    "male": "男",
    "m": "男",
    "女": "女",
    "女性": "女",
    "female": "女",
    "f": "女",
}
NONE_WORDS = {"无", "没有", "暂无", "none", "no", "-", "/"}
LIMITS = {"name": 40, "department": 100, "title": 50}
EDIT_PREFIXES = ("修改", "更正", "改", "edit ", "change ", "fix ")


# A letter a name, department or title needs at least one of: CJK ideographs (with extensions
# and compatibility forms) or Latin letters (with accents). "😀😀" or "···" is not a name.
LETTER = re.compile(
    "[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f]"
)


def normalize(text: str) -> str:
    """Full-width letters, digits and punctuation to ASCII; invisible characters (zero-width
    spaces and joiners, direction overrides and isolates, BOM: Unicode's format and control
    characters) removed, as they would hide or reorder what the roster shows; surrounding
    blanks removed."""
    text = unicodedata.normalize("NFKC", text)
    visible = "".join(c for c in text if c.isspace() or unicodedata.category(c) not in ("Cf", "Cc"))
    return visible.strip()


def validate(field: str, text: str) -> tuple[str | None, str | None]:
    """``(value, None)`` if ``text`` is a valid answer for ``field``, else ``(None, error)``
    where ``error`` is the message key suffix (``invalid.<field>``)."""
    raw = strip_label(field, normalize(text))
    if field in LIMITS:
        value = re.sub(r"\s+", " ", raw)
        if not value or len(value) > LIMITS[field] or value.startswith("/"):
            return None, field
        if LETTER.search(value) is None:
            return None, field
        if field == "name" and (any(c.isdigit() for c in value) or "@" in value):
            return None, field
        return value, None
    if field == "gender":
        found = GENDERS.get(raw.casefold())
        return (found, None) if found else (None, field)
    if field == "phone":
        if raw.casefold() in NONE_WORDS:
            return "", None
        value = raw.replace(" ", "")
        bracketed = re.fullmatch(r"\((0\d{2,3})\)-?(\d{7,8})", value)
        if bracketed:
            value = f"{bracketed[1]}-{bracketed[2]}"
        return (value, None) if LANDLINE.fullmatch(value) else (None, field)
    if field == "mobile":
        value = re.sub(r"[\s\-]", "", raw)
        value = re.sub(r"^(\+86|0086|86)(?=1\d{10}$)", "", value)
        return (value, None) if MOBILE.fullmatch(value) else (None, field)
    if field == "email":
        value = raw.replace(" ", "")
        ok = len(value) <= 200 and EMAIL.fullmatch(value) is not None and ".." not in value
        return (value, None) if ok else (None, field)
    raise KeyError(field)


def strip_label(field: str, text: str) -> str:
    """``手机：13800138000`` → ``13800138000`` when the label names the field being asked."""
    found = split_labelled(text, loose=field not in LIMITS)
    return found[1] if found is not None and found[0] == field else text


def find_field(text: str) -> str | None:
    """The field a word names (``手机``, ``Mobile``, ``改邮箱``, ``edit email``), if any."""
    word = normalize(text).casefold()
    for prefix in EDIT_PREFIXES:
        if word.startswith(prefix) and len(word) > len(prefix):
            word = word[len(prefix) :].strip()
            break
    word = word.rstrip(":：")
    for field, aliases in ALIASES.items():
        if word in (a.casefold() for a in aliases):
            return field
    return None


def split_labelled(text: str, *, loose: bool = True) -> tuple[str, str] | None:
    """``手机 13800138000`` / ``email: a@b.cn`` → ``(field, value)``; None if no label leads.
    ``loose``: a Chinese label needs no separator (``手机13800138000``)."""
    cleaned = normalize(text)
    folded = cleaned.casefold()
    best: tuple[int, str] | None = None
    for field, aliases in ALIASES.items():
        for alias in aliases:
            a = alias.casefold()
            if folded.startswith(a) and (best is None or len(a) > best[0]):
                rest = cleaned[len(a) :]
                if rest[:1] in (":", " ", "=") or (loose and rest and not alias.isascii()):
                    best = (len(a), field)
    if best is None:
        return None
    value = cleaned[best[0] :].lstrip(":：= ").strip()
    return (best[1], value) if value else None


def next_field(answers: dict[str, str], after: str | None = None) -> str:
    """The first field without an answer (after ``after`` if given); "" when all are answered."""
    start = FIELDS.index(after) + 1 if after in FIELDS else 0
    for field in FIELDS[start:] + FIELDS[:start]:
        if field not in answers:
            return field
    return ""
