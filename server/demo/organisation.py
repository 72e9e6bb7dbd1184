"""The demo organisation: skills, departments, teams, users and who manages what."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from server.demo.writer import Row

SKILLS = {
    "electrical": "Electrical",
    "hvac": "HVAC",
    "plumbing": "Plumbing",
    "carpentry": "Doors, locks and carpentry",
    "elevator": "Elevators and escalators",
    "fire-safety": "Fire safety",
    "network": "Network",
    "it-hardware": "Computers and printers",
    "security-systems": "CCTV and access control",
}

FACILITIES = "Facilities"
IT_SUPPORT = "IT Support"
AFTER_SALES = "After-sales"
SAFETY = "Safety & Compliance"

# department -> team -> (skills its technicians draw from, technicians in the team)
TEAMS: dict[str, dict[str, tuple[tuple[str, ...], int]]] = {
    FACILITIES: {
        "Facilities North": (("electrical", "plumbing", "hvac", "carpentry"), 4),
        "Facilities South": (("electrical", "plumbing", "hvac", "carpentry"), 3),
        "Elevator Crew": (("elevator", "electrical"), 2),
    },
    IT_SUPPORT: {
        "IT Field Support": (("it-hardware", "network"), 3),
        "Network Operations": (("network", "security-systems"), 2),
    },
    AFTER_SALES: {
        "After-sales East": (("hvac", "electrical", "it-hardware"), 2),
        "After-sales West": (("hvac", "electrical", "it-hardware"), 2),
    },
    SAFETY: {
        "Fire Safety": (("fire-safety", "security-systems", "electrical"), 2),
        "Patrol": (("fire-safety", "electrical"), 0),
    },
}

MANAGERS = {"manager1": (FACILITIES, SAFETY), "manager2": (IT_SUPPORT,), "manager3": (AFTER_SALES,)}

# Shanghai staff, written the way the bilingual UI shows them.
NAMES = [
    "Zhang Wei 张伟",
    "Wang Fang 王芳",
    "Li Na 李娜",
    "Liu Yang 刘洋",
    "Chen Jie 陈杰",
    "Yang Min 杨敏",
    "Zhao Lei 赵磊",
    "Huang Jing 黄静",
    "Zhou Qiang 周强",
    "Wu Xia 吴霞",
    "Xu Ming 徐明",
    "Sun Li 孙丽",
    "Hu Jun 胡军",
    "Zhu Hong 朱红",
    "Gao Peng 高鹏",
    "Lin Tao 林涛",
    "He Yan 何燕",
    "Guo Bin 郭斌",
    "Ma Chao 马超",
    "Luo Yi 罗毅",
    "Liang Hui 梁辉",
    "Song Jia 宋佳",
    "Zheng Kai 郑凯",
    "Xie Ting 谢婷",
    "Han Bo 韩波",
    "Tang Lan 唐兰",
    "Feng Gang 冯刚",
    "Yu Qing 于青",
    "Dong Hao 董浩",
    "Xiao Mei 萧梅",
    "Cheng Long 程龙",
    "Cao Yu 曹宇",
    "Yuan Fei 袁飞",
    "Deng Li 邓莉",
    "Pan Wen 潘文",
    "Du Juan 杜鹃",
    "Jiang Tao 蒋涛",
]


@dataclass
class Person:
    id: uuid.UUID
    username: str
    name: str
    role: str
    department: str | None = None
    team: str | None = None
    skills: tuple[str, ...] = ()


@dataclass
class Organisation:
    skills: list[Row] = field(default_factory=list)
    departments: list[Row] = field(default_factory=list)
    teams: list[Row] = field(default_factory=list)
    users: list[Row] = field(default_factory=list)
    managed: list[Row] = field(default_factory=list)
    department_ids: dict[str, uuid.UUID] = field(default_factory=dict)
    team_ids: dict[str, uuid.UUID] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)

    def by_role(self, role: str) -> list[Person]:
        return [person for person in self.people.values() if person.role == role]

    def manager_of(self, department: str) -> Person:
        return next(
            self.people[name] for name, managed in MANAGERS.items() if department in managed
        )

    def technicians(self, department: str) -> list[Person]:
        return [p for p in self.by_role("technician") if p.department == department]


def new_id(rng: random.Random) -> uuid.UUID:
    """A version-4 UUID drawn from ``rng``, so a seed fixes every key."""
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def time_id(rng: random.Random, at: datetime) -> uuid.UUID:
    """A version-7 UUID (time-ordered) for ``at``, its random bits drawn from ``rng``.

    Keys that grow with time land at the end of the primary-key index instead of
    at random pages, which keeps a large load fast on both engines.
    """
    millis = int(at.timestamp() * 1000)
    return uuid.UUID(
        int=(millis << 80)
        | (7 << 76)
        | (rng.getrandbits(12) << 64)
        | (2 << 62)
        | rng.getrandbits(62)
    )


def build_organisation(rng: random.Random, password_hash: str, now: datetime) -> Organisation:
    org = Organisation()
    org.skills = [{"code": code, "name": name} for code, name in SKILLS.items()]
    for department, teams in TEAMS.items():
        org.department_ids[department] = new_id(rng)
        org.departments.append({"id": org.department_ids[department], "name": department})
        for team in teams:
            org.team_ids[team] = new_id(rng)
            org.teams.append(
                {
                    "id": org.team_ids[team],
                    "name": team,
                    "department": org.department_ids[department],
                }
            )

    names = iter(NAMES)
    joined = now - timedelta(days=400)

    def add(
        username: str,
        role: str,
        *,
        department: str | None = None,
        team: str | None = None,
        skills: tuple[str, ...] = (),
        language: str = "zh-CN",
    ) -> Person:
        person = Person(new_id(rng), username, next(names), role, department, team, skills)
        org.people[username] = person
        org.users.append(
            {
                "id": person.id,
                "username": username,
                "display_name": person.name,
                "email": f"{username}@demo.fieldops.example",
                "phone": f"+86 139 {rng.randrange(10_000):04d} {rng.randrange(10_000):04d}",
                "role": role,
                "department": org.department_ids[department] if department else None,
                "team": org.team_ids[team] if team else None,
                "skills": list(skills),
                "language": language,
                "password_hash": password_hash,
                "active": True,
                "created_at": joined,
            }
        )
        return person

    add("admin", "admin", language="en")
    for username, managed in MANAGERS.items():
        manager = add(
            username,
            "manager",
            department=managed[0],
            language="en" if username == "manager2" else "zh-CN",
        )
        for department in managed:
            org.managed.append(
                {
                    "id": new_id(rng),
                    "manager": manager.id,
                    "department": org.department_ids[department],
                }
            )
    number = 0
    for department, teams in TEAMS.items():
        for team, (team_skills, size) in teams.items():
            for _ in range(size):
                number += 1
                skills = (
                    team_skills[0],
                    *rng.sample(team_skills[1:], k=min(2, len(team_skills) - 1)),
                )
                add(
                    f"tech{number:02d}",
                    "technician",
                    department=department,
                    team=team,
                    skills=tuple(sorted(skills)),
                )
    for number in (1, 2):
        add(
            f"inspector{number}",
            "inspector",
            department=SAFETY,
            team="Patrol",
            skills=("electrical", "fire-safety"),
        )
    for number in range(1, 11):
        add(f"requester{number:02d}", "requester", language="en" if number % 4 == 0 else "zh-CN")
    return org
