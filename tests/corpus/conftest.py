"""Pages written here for corpus tests: two stories, a republication, hostile markup."""

from __future__ import annotations

from pathlib import Path

import pytest

BRIDGE = [
    (
        "The city council voted on Monday to close the old harbour bridge after engineers found deep "
        "cracks in its supports."
    ),
    (
        "Mayor Helen Ortiz said the closure would last at least six months while the council looked for "
        "money to repair it."
    ),
    (
        "Engineers warned that the bridge could fail in a storm, according to a report published by the "
        "transport office."
    ),
    (
        "Local shop owners said the closure would cut them off from customers on the other side of the "
        "river this summer."
    ),
]
FESTIVAL = [
    (
        "Thousands of people gathered in the park on Saturday for the annual music festival, which "
        "returned after two years."
    ),
    (
        "Organiser Tom Becker told the Evening Post that ticket sales had beaten every record since the "
        "festival began."
    ),
    (
        "Police said the crowd was peaceful and that only a handful of people needed help from the "
        "medical tent at night."
    ),
]


def html_page(
    title: str, paragraphs: list[str], outlet: str, extra: str = "", date: str = "2024-05-06"
) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<html><head><title>{title} | {outlet}</title><meta property='og:site_name' content='{outlet}'>"
        f"<meta property='article:published_time' content='{date}'></head>"
        "<body><nav><a href='/'>Home</a></nav>"
        f"<article><h1>{title}</h1>{body}{extra}</article><footer>© {outlet}</footer></body></html>"
    )


@pytest.fixture
def pages(tmp_path: Path) -> Path:
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "a_bridge.html").write_text(
        html_page("Harbour bridge closed", BRIDGE, "City Times"), encoding="utf-8"
    )
    republished = [p.replace("’", "'") for p in BRIDGE[:3]] + ["See also: Ten best beaches"]
    (folder / "b_bridge_copy.html").write_text(
        html_page("Harbour bridge closed for repairs", republished, "Content Farm", date="2024-05-07"),
        encoding="utf-8",
    )
    (folder / "c_festival.html").write_text(
        html_page("Festival returns", FESTIVAL, "Evening Post"), encoding="utf-8"
    )
    (folder / "d_empty.html").write_bytes(b"")
    return folder
