""" "This helped" votes: one per person and article, changeable, counted for
everyone, refused (404) where the article cannot be read."""

from __future__ import annotations

from uuid import uuid4

import httpx

from server.knowledge.tables import KnowledgeFeedback
from tests.probes import assert_error
from tests.server.knowledge.library import write
from tests.world import World


async def vote(
    client: httpx.AsyncClient, world: World, who: str, article_id: str, helped: bool
) -> dict[str, object]:
    answer = await client.post(
        f"/api/knowledge/articles/{article_id}/feedback",
        json={"helped": helped},
        headers=await world.headers(who),
    )
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


async def test_votes_count_once_per_person_and_change(
    client: httpx.AsyncClient, world: World
) -> None:
    article = (await write(client, world, title="Lift", body="x", public=True))["id"]
    other = (await write(client, world, title="Pump", body="x"))["id"]
    assert await vote(client, world, "north_tech", article, True) == {
        "helped": 1,
        "not_helped": 0,
        "my_vote": True,
    }
    assert await vote(client, world, "north_tech", article, True) == {
        "helped": 1,
        "not_helped": 0,
        "my_vote": True,
    }
    await vote(client, world, "south_tech", article, True)
    await vote(client, world, "requester", article, False)
    await vote(client, world, "north_tech", other, False)
    assert await vote(client, world, "north_tech", article, False) == {
        "helped": 1,
        "not_helped": 2,
        "my_vote": False,
    }
    assert await KnowledgeFeedback.count() == 4

    mine = await client.get(
        f"/api/knowledge/articles/{article}", headers=await world.headers("north_tech")
    )
    assert (mine.json()["helped"], mine.json()["not_helped"], mine.json()["my_vote"]) == (
        1,
        2,
        False,
    )
    theirs = await client.get(
        f"/api/knowledge/articles/{article}", headers=await world.headers("admin")
    )
    assert theirs.json()["my_vote"] is None
    listed = await client.get(
        "/api/knowledge/articles", params={"q": "lift"}, headers=await world.headers("admin")
    )
    assert [(i["helped"], i["not_helped"]) for i in listed.json()["items"]] == [(1, 2)]

    # An article's votes go with it.
    await client.delete(f"/api/knowledge/articles/{article}", headers=await world.headers("admin"))
    assert await KnowledgeFeedback.count() == 1


async def test_no_votes_on_what_cannot_be_read(client: httpx.AsyncClient, world: World) -> None:
    draft = (await write(client, world, title="Draft", body="x", published=False))["id"]
    staff_only = (await write(client, world, title="Staff", body="x"))["id"]
    url = "/api/knowledge/articles/{}/feedback"
    for who, article in (
        ("north_tech", draft),
        ("requester", staff_only),
        ("north_tech", str(uuid4())),
    ):
        answer = await client.post(
            url.format(article), json={"helped": True}, headers=await world.headers(who)
        )
        assert_error(answer, 404, "not_found")
    answer = await client.post(
        url.format(staff_only), json={"helped": "yes"}, headers=await world.headers("north_tech")
    )
    assert_error(answer, 400, "validation_error")
    answer = await client.post(
        url.format(staff_only), json={}, headers=await world.headers("north_tech")
    )
    assert_error(answer, 400, "validation_error")
    assert await KnowledgeFeedback.count() == 0
