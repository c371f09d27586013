"""The gazetteer's territory names (monitor/matching/territories.py) are Babel's CLDR names, written out so
that the daemon does not load five locales' CLDR data (≈ 8 MB) to read 250 names in each.

    .venv/bin/python tests/test_gazetteer.py   # rewrite territories.py from the installed Babel
"""

from __future__ import annotations

from pathlib import Path

from babel import Locale

from monitor.matching import gazetteer

TABLE = Path(gazetteer.__file__).with_name("territories.py")


def table_source() -> str:
    """territories.py as Babel's CLDR data gives it: per two-letter country code, in Babel's order, its
    English name and its names in gazetteer.LOCALES (None where CLDR has none)."""
    import babel

    english = Locale("en").territories
    others = [Locale(language).territories for language in gazetteer.LOCALES]
    rows = [f"    {code!r}: ({name!r}, {', '.join(repr(t.get(code)) for t in others)}),"
            for code, name in english.items() if len(code) == 2 and code.isalpha()]
    return "\n".join([
        f'"""Countries\' names in English, {", ".join(gazetteer.LOCALES)} (CLDR, written out from Babel {babel.__version__} by',
        'tests/test_gazetteer.py: `.venv/bin/python tests/test_gazetteer.py`; the test fails when they differ)."""',
        "",
        "from __future__ import annotations",
        "",
        f"NAMES: dict[str, tuple[str, {', '.join('str | None' for _ in gazetteer.LOCALES)}]] = {{",
        *rows,
        "}",
        "",
    ])


def test_the_written_table_is_babels_cldr_data() -> None:
    assert TABLE.read_text(encoding="utf-8") == table_source(), "run .venv/bin/python tests/test_gazetteer.py"


def test_exonyms_are_the_other_languages_cldr_names_of_a_state() -> None:
    assert gazetteer.exonyms(["United States"]) == ["États-Unis", "Estados Unidos", "Stati Uniti", "Vereinigte Staaten"]
    assert gazetteer.exonyms(["Persia", "iran"]) == ["Iran", "Irán"]  # any of the names, folded; repeats once
    assert gazetteer.exonyms(["Atlantis"]) == []


def test_exonyms_of_every_country_are_those_babel_gives() -> None:
    for code, name in Locale("en").territories.items():
        if len(code) == 2 and code.isalpha():
            expected = list(dict.fromkeys(Locale(lang).territories[code] for lang in gazetteer.LOCALES if code in Locale(lang).territories))
            if gazetteer._codes()[gazetteer.fold(name)] == code:  # a name two codes share goes to the later one, as before
                assert gazetteer.exonyms([name]) == expected, name


def test_the_daemon_does_not_load_babel() -> None:
    import subprocess
    import sys

    code = "import sys; from monitor.matching import gazetteer; gazetteer.exonyms(['Iran']); print('babel' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "False"


if __name__ == "__main__":
    TABLE.write_text(table_source(), encoding="utf-8")
