"""The built-in thesaurus (monitor.matching.thesaurus) and state exonyms (monitor.matching.gazetteer):
a plain watchlist finds an event's synonyms and a state's names in other languages; senses keep common
words to their conflict meaning; an author's own context, not_when or `synonyms: false` is kept."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

from monitor.matching.matcher import Matcher
from monitor.matching.rules import match_text
from monitor.matching.senses.tables import implied_yields
from monitor.watchlist import load_watchlist

PLAIN = """\
actors:
  - name: Iran
    kind: state
    aliases: [Tehran]
  - name: Kataeb Hezbollah
    kind: group
    aliases: [Kataib Hezbollah]
events:
  - name: retaliation
    severity: 2
    phrases: [retaliation]
  - name: strike
    cameo: "19"
    severity: 2
    phrases: [strike, attack]
  - name: drone strike
    cameo: "195"
    severity: 3
    phrases: [drone strike]
  - name: troop deployment
    severity: 1
    phrases: [deployment]
rules:
  - name: any
    min_severity: 2
"""


def _load(tmp_path: Path, text: str = PLAIN) -> Matcher:
    path = tmp_path / "plain.yaml"
    path.write_text(dedent(text), encoding="utf-8")
    return Matcher(load_watchlist(path))


def _found(matcher: Matcher, text: str, kind: str = "event") -> list[str]:
    return sorted({m.name for m in matcher.find(text) if m.kind == kind})


def test_a_listed_member_brings_its_synset_in_five_languages(tmp_path: Path) -> None:
    matcher = _load(tmp_path)
    assert _found(matcher, "The militia vowed revenge for the killing of its commander.") == ["retaliation"]
    assert _found(matcher, "Téhéran a promis des représailles.") == ["retaliation"]
    assert _found(matcher, "Die Miliz kündigte Vergeltung an.") == ["retaliation"]
    assert _found(matcher, "Soldiers were ambushed near the border.") == ["strike"]


def test_common_words_keep_their_conflict_sense(tmp_path: Path) -> None:
    matcher = _load(tmp_path)
    assert _found(matcher, "Teachers went on strike over pay.") == []  # the listed `strike` takes the sense
    assert _found(matcher, "The bank announced the deployment of new software.") == []
    assert _found(matcher, "The deployment of 3,000 troops was approved.") == ["troop deployment"]
    assert _found(matcher, "Kataeb Hezbollah claimed the attack.") == ["strike"]  # a watched group is a word of armed conflict


def test_the_generic_fight_yields_to_its_specific_means(tmp_path: Path) -> None:
    matcher = _load(tmp_path)
    assert implied_yields(matcher.watchlist)["strike"] >= {"drone strike"}
    assert _found(matcher, "Drones struck a convoy of militiamen.") == ["drone strike"]


def test_an_author_who_wrote_senses_or_turned_synonyms_off_is_kept(tmp_path: Path) -> None:
    text = PLAIN.replace("    phrases: [retaliation]\n", "    synonyms: false\n    phrases: [retaliation]\n")
    text = text.replace("    phrases: [strike, attack]\n", "    not_when: [hunger strike]\n    phrases: [strike, attack]\n")
    matcher = _load(tmp_path, text)
    assert _found(matcher, "The militia vowed revenge for the killing of its commander.") == []
    assert _found(matcher, "Teachers went on strike over pay.") == ["strike"]  # the author wrote a not_when: no sense added


def test_a_state_goes_by_its_names_in_the_press_languages(tmp_path: Path) -> None:
    matcher = _load(tmp_path)
    for text in ("Le ministre a accusé l'Iran.", "El gobierno de Irán respondió.", "Die Regierung in Iran schwieg."):
        assert _found(matcher, text, "actor") == ["Iran"]
    us = _load(tmp_path, PLAIN.replace("  - name: Iran\n    kind: state\n    aliases: [Tehran]\n", "  - name: United States\n    kind: state\n    aliases: [US]\n"))
    for text in ("Les États-Unis ont répondu.", "Estados Unidos respondió.", "Gli Stati Uniti hanno risposto.", "Vereinigte Staaten: keine Antwort."):
        assert _found(us, text, "actor") == ["United States"], text


PERSON = """\
actors:
  - name: Qasem Soleimani
    kind: person
    aliases: [Qassem Soleimani, Soleimani]
events:
  - name: killing
    severity: 2
    phrases: [killed]
rules:
  - name: any
    min_severity: 2
"""


def test_another_given_name_or_a_double_surname_is_another_person(tmp_path: Path) -> None:
    matcher = _load(tmp_path, PERSON)

    def people(text: str) -> list[str]:
        return sorted({m.name for m in match_text(matcher, text).matches if m.kind == "actor"})

    assert people("Chess player Amin Soleimani was killed in a crash, police said.") == []
    assert people("Zeinab Soleimani said her father was killed.") == []
    assert people("Brigadier Qasem Soleimani-Nia, a retired officer, was killed in a crash.") == []
    assert people("When Soleimani was killed, Iran vowed revenge.") == ["Qasem Soleimani"]
    assert people("General Soleimani was killed.") == ["Qasem Soleimani"]
    assert people("Ghassem Soleimani was killed.") == ["Qasem Soleimani"]  # a transliteration of his given name


def test_a_word_is_no_evidence_of_its_own_sense(tmp_path: Path) -> None:
    matcher = _load(tmp_path, PERSON)  # `killed` listed plainly: it takes the sense, without itself as context
    assert _found(matcher, "A fire killed three workers at the factory.") == []
    assert _found(matcher, "Militants killed three soldiers at a checkpoint.") == ["killing"]


def test_a_watched_state_near_a_threat_word_makes_it_a_threat_but_not_a_promise(tmp_path: Path) -> None:
    text = PLAIN.replace("    phrases: [deployment]\n", "    phrases: [deployment]\n  - name: threat\n    severity: 1\n    phrases: [threatened]\n")
    matcher = _load(tmp_path, text)
    assert _found(matcher, "Tehran has threatened, once again, to close the strait.") == ["threat"]
    assert _found(matcher, "The landlord threatened to raise the rent.") == []
    assert _found(matcher, "Officials in Tehran promised new power plants.") == []
    assert _found(matcher, "Tehran promised harsh revenge.") == ["retaliation", "threat"]


def test_a_hostile_act_in_the_future_is_also_a_threat_unless_negated_or_asked(tmp_path: Path) -> None:
    text = PLAIN.replace("    phrases: [deployment]\n", "    phrases: [deployment]\n  - name: threat\n    severity: 1\n    phrases: [threatened]\n")
    matcher = _load(tmp_path, text)
    threat = [m for m in match_text(matcher, "Tehran said the militia would strike the base again.").matches if m.name == "threat"]
    assert [(m.alias, m.found) for m in threat] == [("(threatened: would ...)", "would strike")]
    assert "threat" not in _names(matcher, "Tehran said the militia would not strike the base again.")
    assert "threat" not in _names(matcher, "Would the militia really strike the base again?")
    assert "threat" not in _names(matcher, "The militia struck the base on Monday.")


def _names(matcher: Matcher, text: str) -> list[str]:
    return sorted({m.name for m in match_text(matcher, text).matches if m.kind == "event"})


def test_a_phrase_the_thesaurus_added_is_said_to_come_from_it(tmp_path: Path) -> None:
    """An analyst reading a match, an alert's explanation or `match --json` can tell a phrase the watchlist lists
    from one the built-in thesaurus added."""
    from monitor.matching.evaluation import describe
    from monitor.matching.report import explain, result_json

    matcher = _load(tmp_path)
    text = "Kataib Hezbollah vowed revenge, and Tehran promised retaliation."
    result = match_text(matcher, text)
    events = {m.alias: m for m in result.matches if m.kind == "event"}
    assert events["revenge"].thesaurus and not events["retaliation"].thesaurus
    assert any("phrase 'revenge' from the built-in thesaurus" in explain(h) for h in result.hits)
    listed_hits = match_text(matcher, "Kataib Hezbollah promised retaliation.").hits
    assert listed_hits and all("thesaurus" not in explain(h) for h in listed_hits)
    assert "(from the built-in thesaurus)" in describe(events["revenge"]) and "thesaurus" not in describe(events["retaliation"])
    as_json = {e["alias"]: e["thesaurus"] for e in result_json(result, text)["events"]}
    assert as_json == {"revenge": True, "retaliation": False}
    listed = {e.name: e for e in matcher.watchlist.events}
    assert "revenge" in listed["retaliation"].thesaurus and "retaliation" not in listed["retaliation"].thesaurus


def test_monitor_match_marks_a_thesaurus_phrase(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = tmp_path / "plain.yaml"
    path.write_text(dedent(PLAIN), encoding="utf-8")
    shown = subprocess.run([sys.executable, "-m", "monitor", "match", "--watchlist", str(path), "-"], input="Kataib Hezbollah vowed revenge.\n",
                           capture_output=True, text=True, timeout=60, env={**__import__("os").environ, "COLUMNS": "200"})
    assert shown.returncode == 0, shown.stderr
    assert "revenge (from the built-in thesaurus)" in shown.stdout
    assert "phrase 'revenge' from the built-in thesaurus" in shown.stdout
