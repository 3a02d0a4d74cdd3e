"""Pages in undeclared legacy encodings (no BOM, no ``<meta charset>``, no HTTP header) come out
as their text; the HTTP header's charset counts when the page was fetched; UTF-8 stays fast."""

from __future__ import annotations

import pytest

from printedition.ingest.decode import decode_html
from printedition.ingest.normalise import normalise_article
from printedition.model import article_text

# Golden text: a council report in each language, long enough for detection to be sure.
TEXTS = {
    "koi8-r": "Городской совет во вторник обсудил бюджет на следующий год. Депутаты спорили о "
    "том, сколько денег выделить на ремонт дорог, школ и больниц. Мэр города заявил, что "
    "расходы на транспорт придётся сократить, потому что цены на топливо выросли почти на треть "
    "за два года. Жители района, где закрылась библиотека, пришли на заседание с плакатами и "
    "потребовали вернуть субботние часы работы. Решение отложили до следующего месяца.",
    "shift_jis": "市議会は火曜日、来年度の予算について議論した。議員たちは道路や学校、病院の修繕に"
    "どれだけの資金を割り当てるかをめぐって意見を交わした。市長は、燃料価格が二年間でほぼ三分の一"
    "上昇したため、交通費を削減せざるを得ないと述べた。図書館が閉鎖された地区の住民は横断幕を持って"
    "会議に参加し、土曜日の開館時間の復活を求めた。決定は財務部の報告書がまとまる来月まで延期された。",
    "gb18030": "市议会周二讨论了明年的预算。议员们就应该拨出多少资金用于修缮道路、学校和医院展开了"
    "争论。市长表示，由于燃料价格在两年内上涨了近三分之一，交通开支将不得不削减。图书馆被关闭地区的"
    "居民举着横幅来到会场，要求恢复周六的开放时间。决定被推迟到下个月，届时财务部门的报告将准备就绪。",
    "iso-8859-2": "Rada miasta we wtorek dyskutowała o budżecie na przyszły rok. Radni spierali "
    "się, ile pieniędzy przeznaczyć na remonty dróg, szkół i szpitali. Prezydent miasta "
    "oświadczył, że wydatki na transport trzeba będzie ograniczyć, ponieważ ceny paliwa wzrosły "
    "w ciągu dwóch lat prawie o jedną trzecią. Mieszkańcy dzielnicy, w której zamknięto "
    "bibliotekę, przyszli na posiedzenie z transparentami. Decyzję odłożono.",
    "cp1252": "The council met on Tuesday to discuss next year’s budget. Councillors argued about "
    "how much money to set aside for roads, schools and hospitals – “we can’t do everything,” "
    "said the leader. The mayor said transport spending would be cut because fuel had risen by "
    "almost a third in two years. Residents of the district where the café had closed came with "
    "banners; the décor of the chamber was “très élégant”, one noted. The decision was put off.",
    "euc-kr": "시의회는 화요일에 내년 예산을 논의했다. 의원들은 도로와 학교, 병원 보수에 얼마의 "
    "예산을 배정할지를 두고 논쟁을 벌였다. 시장은 연료 가격이 2년 사이에 거의 3분의 1 올랐기 "
    "때문에 교통 예산을 줄일 수밖에 없다고 말했다. 도서관이 문을 닫은 지역의 주민들은 현수막을 "
    "들고 회의장에 나와 토요일 개관 시간을 되돌려 달라고 요구했다. 결정은 다음 달로 미뤄졌다.",
}


def _sentences(text: str) -> list[str]:
    out: list[str] = []
    for part in text.replace("。", "。\n").replace(". ", ".\n").splitlines():
        if part.strip():
            out.append(part.strip())
    return out


def _page(text: str, head: str = "") -> str:
    paras = "".join(f"<p>{s}</p>" for s in _sentences(text))
    return (
        f"<!DOCTYPE html><html><head>{head}<title>News</title></head><body><article>"
        f"<h1>News</h1>{paras}</article></body></html>"
    )


@pytest.mark.parametrize("encoding", sorted(TEXTS))
def test_undeclared_encoding_is_detected(encoding: str) -> None:
    text = TEXTS[encoding]
    data = _page(text).encode(encoding)
    assert b"charset" not in data and not data.isascii()
    article = normalise_article(data, "https://example.com/news/")
    assert article_text(article).splitlines() == _sentences(text)
    assert "encoding-guessed" in {w.code for w in article.warnings}


def test_the_http_header_charset_counts_before_the_meta() -> None:
    text = TEXTS["koi8-r"]
    data = _page(text, '<meta charset="windows-1251">').encode("koi8-r")
    article = normalise_article(
        data, "https://example.com/", content_type="text/html; charset=KOI8-R"
    )
    assert article_text(article).splitlines() == _sentences(text)
    # without the header, the page's own (wrong) label is what a browser would read
    assert article_text(normalise_article(data, "https://example.com/")) != article_text(article)


def test_a_declared_latin1_page_is_read_as_windows_1252() -> None:
    text = TEXTS["cp1252"]
    data = _page(text, '<meta charset="iso-8859-1">').encode("cp1252")
    article = normalise_article(data, "https://example.com/")
    assert article_text(article).splitlines() == _sentences(text)
    assert "encoding-guessed" not in {w.code for w in article.warnings}


def test_a_mislabelled_page_is_detected() -> None:
    text = TEXTS["gb18030"]
    data = _page(text, '<meta charset="shift_jis">').encode("gb18030")
    article = normalise_article(data, "https://example.com/")
    assert article_text(article).splitlines() == _sentences(text)
    assert "encoding-mislabelled" in {w.code for w in article.warnings}


def test_valid_utf8_needs_no_detection() -> None:
    data = _page(TEXTS["iso-8859-2"], '<meta charset="iso-8859-2">').encode("utf-8")
    text, warnings = decode_html(data, "page", "text/html; charset=iso-8859-1")
    assert "Prezydent miasta oświadczył" in text and not warnings
