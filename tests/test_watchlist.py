"""Watchlist loading: the default file, every error naming file and line, folders, duplicate aliases."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest
import yaml
from tests.conftest import DEFAULT_WATCHLIST

from monitor.errors import WatchlistError
from monitor.matching.matcher import Matcher
from monitor.model import Watchlist
from monitor import watchlist as watchlist_module
from monitor.watchlist import duplicate_aliases, load_watchlist

BASE = """\
actors:
  - name: Qasem Soleimani
    kind: person
    tags: [iran-nexus]
    aliases:
      - Soleimani
      - Suleimani
events:
  - name: drone strike
    severity: 3
    phrases: [drone strike]
rules:
  - name: any
    min_severity: 2
"""


def yaml_file(tmp_path: Path, text: str, name: str = "wl.yaml") -> Path:
    path = tmp_path / name
    path.write_text(dedent(text), encoding="utf-8")
    return path


def watchlist_error(path: Path, line: int | None, load: Path | None = None) -> str:
    """Load a bad file (or the folder holding it); the error names the file and the 1-based line, in one line."""
    with pytest.raises(WatchlistError) as exc:
        load_watchlist(load or path)
    message = str(exc.value)
    assert exc.value.path == str(path)
    assert exc.value.line == line
    assert message.startswith(f"{path}:{line}: " if line is not None else f"{path}: ")
    assert "\n" not in message
    return message


# --- the default watchlist ------------------------------------------------------------------------

def test_default_watchlist_loads() -> None:
    watchlist = load_watchlist(DEFAULT_WATCHLIST)
    assert isinstance(watchlist, Watchlist)
    actors = {a.name: a for a in watchlist.actors}
    events = {e.name: e for e in watchlist.events}
    for name in ("Qasem Soleimani", "Kataeb Hezbollah", "Abu Mahdi al-Muhandis"):
        assert name in actors
        assert actors[name].aliases[0] == name  # the name itself is always an alias
    assert "Qassem Soleimani" in actors["Qasem Soleimani"].aliases
    assert "KH" in actors["Kataeb Hezbollah"].aliases
    assert actors["Kataeb Hezbollah"].kind == "group"
    assert "iran-nexus" in actors["Abu Mahdi al-Muhandis"].tags
    assert events["drone strike"].severity == 3
    assert events["ballistic missiles"].severity == 3
    assert "missile attack" in events["ballistic missiles"].phrases
    assert len(watchlist.rules) >= 1
    nexus = next(r for r in watchlist.rules if r.name == "Iran nexus escalation")
    assert nexus.actors == ("iran-nexus",) and nexus.events == ("escalation", "cameo:13") and nexus.within is None


def test_default_watchlist_has_no_alias_under_two_actors() -> None:
    assert duplicate_aliases(load_watchlist(DEFAULT_WATCHLIST)) == []


def test_small_watchlist_is_built_as_written(tmp_path: Path) -> None:
    watchlist = load_watchlist(yaml_file(tmp_path, BASE + "    within: 12\n    severity: 1\n    tags: [desk, ops]\n"))
    (actor,) = watchlist.actors
    assert (actor.name, actor.kind, actor.aliases, actor.tags) == ("Qasem Soleimani", "person", ("Qasem Soleimani", "Soleimani", "Suleimani"), ("iran-nexus",))
    (event,) = watchlist.events
    assert (event.name, event.severity, event.phrases[0]) == ("drone strike", 3, "drone strike")
    assert {"drone attack", "Drohnenangriff"} <= set(event.phrases[1:])  # its synset from the built-in thesaurus
    (rule,) = watchlist.rules
    assert (rule.name, rule.actors, rule.events, rule.min_severity, rule.within, rule.severity, rule.tags) == ("any", (), (), 2, 12, 1, ("desk", "ops"))


def test_empty_file_is_an_empty_watchlist(tmp_path: Path) -> None:
    assert load_watchlist(yaml_file(tmp_path, "# nothing yet\n")) == Watchlist()


# --- errors name the file and the line ------------------------------------------------------------

def test_invalid_yaml(tmp_path: Path) -> None:
    path = yaml_file(tmp_path, """\
        actors:
          - name: Qasem Soleimani
            kind: person
            aliases: [Soleimani, "Suleimani]
        """)
    message = watchlist_error(path, 4)  # the line the quote opens on (YAML gives up at the file's end)
    assert message.endswith("not valid YAML: a quote opened on this line is never closed: close it")


def test_a_key_given_twice_in_one_entry_is_refused_naming_both_lines(tmp_path: Path) -> None:
    """YAML keeps the last of two equal keys silently: an actor's first not_when list was lost (the
    default watchlist had one). Now the file is refused, naming the second key's line and the first's."""
    path = yaml_file(tmp_path, """\
        actors:
          - name: United States
            kind: state
            not_when: [governor]
            aliases: [US]
            not_when: [Denzel Washington]
        """)
    message = watchlist_error(path, 6)
    assert "key 'not_when' given twice (first on line 4)" in message


def test_an_anchor_merged_into_an_entry_is_not_a_key_given_twice(tmp_path: Path) -> None:
    path = yaml_file(tmp_path, """\
        x-base: &base {kind: state, aliases: [US]}
        actors:
          - <<: *base
            name: United States
            aliases: [USA]
        """)
    actor = load_watchlist(path).actors[0]
    assert actor.kind == "state" and "USA" in actor.aliases  # the anchor's kind, the entry's own aliases


def test_invalid_yaml_bad_indentation(tmp_path: Path) -> None:
    path = yaml_file(tmp_path, """\
        actors:
          - name: Qasem Soleimani
            kind: person
           aliases: [Soleimani]
        """)
    assert "not valid YAML" in watchlist_error(path, 4)


def test_top_level_must_be_a_mapping(tmp_path: Path) -> None:
    message = watchlist_error(yaml_file(tmp_path, "- Soleimani\n- Muhandis\n"), 1)
    assert "(top level)" in message


def test_unknown_top_level_key(tmp_path: Path) -> None:
    path = yaml_file(tmp_path, BASE + "rulez:\n  - name: x\n")
    assert watchlist_error(path, 15) == f"{path}:15: rulez: unknown key (typo?)"


def test_unknown_key_in_an_actor_names_the_key_line(tmp_path: Path) -> None:
    path = yaml_file(tmp_path, """\
        actors:
          - name: Qasem Soleimani
            kind: person
            aliasses:
              - Soleimani
        """)
    assert watchlist_error(path, 4) == f"{path}:4: actors[0].aliasses: unknown key (typo?)"


def test_empty_alias_names_its_own_line(tmp_path: Path) -> None:
    path = yaml_file(tmp_path, """\
        actors:
          - name: Iran
            kind: state
            aliases: [Tehran]
          - name: Kataeb Hezbollah
            kind: group
            aliases:
              - KH
              - "  "
              - Kataib Hezbollah
        """)
    assert watchlist_error(path, 9) == f"{path}:9: actors[1].aliases: entry 2 is empty"


def test_empty_phrase_in_flow_list(tmp_path: Path) -> None:
    path = yaml_file(tmp_path, BASE.replace("phrases: [drone strike]", "phrases: [drone strike, '']"))
    assert watchlist_error(path, 11) == f"{path}:11: events[0].phrases: entry 2 is empty"


def test_bad_regex_names_its_line(tmp_path: Path) -> None:
    path = yaml_file(tmp_path, BASE.replace("      - Suleimani\n", "      - Suleimani\n    patterns:\n      - 'Sol[ae]imani'\n      - '(unclosed'\n"))
    message = watchlist_error(path, 10)
    assert message.startswith(f"{path}:10: actors[0].patterns: bad regex '(unclosed'")


def test_bad_regex_in_an_event(tmp_path: Path) -> None:
    path = yaml_file(tmp_path, BASE.replace("phrases: [drone strike]", 'patterns: ["drone[s"]'))
    assert "events[0].patterns: bad regex" in watchlist_error(path, 11)


def test_an_alias_of_a_megabyte_is_refused_in_one_line(tmp_path: Path) -> None:
    """Issue 14.1: a 10 MB alias took the matcher to 24 GB (each of its words' deletions)."""
    path = yaml_file(tmp_path, BASE.replace("      - Suleimani\n", "      - Suleimani\n      - " + "b" * 1_000_000 + "\n"))
    assert watchlist_error(path, 8) == f"{path}:8: actors[0].aliases: entry 3 is 1000000 characters long: at most 200 (a name or phrase, not a text)"


@pytest.mark.parametrize(("old", "new", "line", "where"), [
    ("phrases: [drone strike]", "phrases: [drone strike, " + "z" * 201 + "]", 11, "events[0].phrases: entry 2 is 201 characters long"),
    ("phrases: [drone strike]", "phrases: [drone strike]\n    not_when: [" + "z" * 300 + "]", 12, "events[0].not_when: entry 1 is 300 characters long"),
    ("      - Suleimani\n", "      - {alias: QS, context: [" + "z" * 300 + "]}\n", 7, "actors[0].aliases: entry 2 context is 300 characters long"),
    ("phrases: [drone strike]", "patterns: ['" + "z" * 1001 + "']", 11, "events[0].patterns: entry 1 is 1001 characters long"),
    ("name: drone strike", "name: " + "z" * 201, 9, "events[0].name: String should have at most 200 characters"),
])
def test_long_names_phrases_and_patterns_are_refused(tmp_path: Path, old: str, new: str, line: int, where: str) -> None:
    path = yaml_file(tmp_path, BASE.replace(old, new))
    assert watchlist_error(path, line).startswith(f"{path}:{line}: {where}")


@pytest.mark.parametrize("severity", ["4", "-1", "high"])
def test_severity_out_of_range(tmp_path: Path, severity: str) -> None:
    path = yaml_file(tmp_path, BASE.replace("severity: 3", f"severity: {severity}"))
    assert f"{path}:10: events[0].severity: " in watchlist_error(path, 10)


def test_rule_severity_out_of_range(tmp_path: Path) -> None:
    path = yaml_file(tmp_path, BASE.replace("min_severity: 2", "min_severity: 7"))
    assert "rules[0].min_severity" in watchlist_error(path, 14)


def test_unknown_actor_kind(tmp_path: Path) -> None:
    path = yaml_file(tmp_path, BASE.replace("kind: person", "kind: pirate"))
    message = watchlist_error(path, 3)
    assert "actors[0].kind" in message and "'person'" in message


def test_actor_without_kind(tmp_path: Path) -> None:
    path = yaml_file(tmp_path, BASE.replace("    kind: person\n", ""))
    assert "actors[0].kind: missing: add 'kind: ...'" in watchlist_error(path, 2)


def test_names_alone_are_enough(tmp_path: Path) -> None:
    """A plain list: an actor with no aliases and an event with no phrases match by their names."""
    path = yaml_file(tmp_path, BASE.replace("events:", "  - name: Baghdad\n    kind: place\nevents:").replace("    phrases: [drone strike]\n", ""))
    found = Matcher(load_watchlist(path)).find("A drone strike hit a convoy near Baghdad.")
    assert {m.name for m in found} >= {"Baghdad", "drone strike"}


def test_rule_naming_an_unknown_tag(tmp_path: Path) -> None:
    path = yaml_file(tmp_path, BASE + "  - name: nexus\n    actors:\n      - iran-nexus\n      - us-nexus\n")
    assert watchlist_error(path, 18) == f"{path}:18: rules[1] 'nexus': no actor, tag or kind named 'us-nexus': did you mean 'iran-nexus'?"


def test_rule_naming_an_unknown_event(tmp_path: Path) -> None:
    path = yaml_file(tmp_path, BASE + "  - name: strikes\n    events: [drone strike, air strike]\n")
    assert watchlist_error(path, 16) == f"{path}:16: rules[1] 'strikes': no event named 'air strike': did you mean 'drone strike'?"


def test_rule_may_name_actors_tags_and_kinds(tmp_path: Path) -> None:
    path = yaml_file(tmp_path, BASE + "  - name: refs\n    actors: [Qasem Soleimani, iran-nexus, person]\n    events: [drone strike]\n")
    assert load_watchlist(path).rules[1].actors == ("Qasem Soleimani", "iran-nexus", "person")


def test_rule_naming_a_kind_no_actor_has(tmp_path: Path) -> None:
    path = yaml_file(tmp_path, BASE + "  - name: states\n    actors: [state]\n")
    assert "no actor, tag or kind named 'state'" in watchlist_error(path, 16)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.yaml"
    assert watchlist_error(path, None) == f"{path}: watchlist file not found"


# --- folders --------------------------------------------------------------------------------------

def test_folder_of_two_files_merges(tmp_path: Path) -> None:
    folder = tmp_path / "watchlist"
    folder.mkdir()
    yaml_file(folder, """\
        actors:
          - name: Kataeb Hezbollah
            kind: group
            tags: [iran-nexus]
            aliases: [KH, Kataib Hezbollah]
        """, name="1-actors.yaml")
    yaml_file(folder, """\
        events:
          - name: rocket attack
            severity: 2
            phrases: [rocket attack]
        rules:
          - name: nexus rockets
            actors: [iran-nexus]
            events: [rocket attack]
        """, name="2-events.yml")
    (folder / "notes.txt").write_text("not a watchlist: [")
    watchlist = load_watchlist(folder)
    assert [a.name for a in watchlist.actors] == ["Kataeb Hezbollah"]
    assert [e.name for e in watchlist.events] == ["rocket attack"]
    assert [(r.name, r.actors, r.events) for r in watchlist.rules] == [("nexus rockets", ("iran-nexus",), ("rocket attack",))]


def test_folder_error_names_the_file_inside_it(tmp_path: Path) -> None:
    folder = tmp_path / "watchlist"
    folder.mkdir()
    yaml_file(folder, BASE, name="a.yaml")
    bad = yaml_file(folder, "rules:\n  - name: r\n    events: [drone strike, air raid]\n", name="b.yaml")
    assert watchlist_error(bad, 3, load=folder) == f"{bad}:3: rules[0] 'r': no event named 'air raid'"  # nothing near it to suggest


def test_folder_reports_a_yaml_error_in_its_second_file(tmp_path: Path) -> None:
    folder = tmp_path / "watchlist"
    folder.mkdir()
    yaml_file(folder, BASE, name="a.yaml")
    bad = yaml_file(folder, "events:\n  - name: raid\n    severity: 9\n    phrases: [raid]\n", name="b.yaml")
    assert "events[0].severity" in watchlist_error(bad, 3, load=folder)


def test_empty_folder_errors(tmp_path: Path) -> None:
    folder = tmp_path / "empty"
    folder.mkdir()
    (folder / "README.txt").write_text("no yaml here")
    with pytest.raises(WatchlistError) as exc:
        load_watchlist(folder)
    assert str(exc.value) == f"{folder}: no watchlist files (*.yaml) in this folder"
    assert exc.value.path == str(folder)


# --- duplicate aliases ----------------------------------------------------------------------------

def test_duplicate_aliases_reports_an_alias_under_two_actors(tmp_path: Path) -> None:
    path = yaml_file(tmp_path, BASE.replace("events:", dedent("""\
          - name: Suleimani family
            kind: group
            aliases: [Suleimani clan, SOLEIMANI]
          - name: Soleimani Trading
            kind: organisation
            aliases: [suleimani]
        events:""")))
    warnings = duplicate_aliases(load_watchlist(path))
    assert warnings == ["alias 'suleimani' is listed under Qasem Soleimani, Soleimani Trading"]


# --- issue 15: event context, part_of, CAMEO codes, languages and demonyms, the alert requirement ---

from monitor.matching.costs import not_when_costs  # noqa: E402
from monitor.matching.report import explain, result_json  # noqa: E402
from monitor.matching.rules import match_text  # noqa: E402

SENSES = """\
actors:
  - name: Baghdad
    kind: place
    aliases: [Baghdad]
events:
  - name: strike
    severity: 2
    cameo: "19"
    synonyms: false
    context: [troops, militia, base, drone, missile, killed]
    phrases: [struck, {phrase: military strike, context: []}, {phrase: walkout, context: [oil], within: 2}]
rules:
  - name: any
    min_severity: 2
"""


def _events(matcher: Matcher, text: str) -> list[str]:
    return [m.name for m in matcher.find(text) if m.kind == "event"]


def test_an_event_with_context_counts_only_near_one_of_its_words(tmp_path: Path) -> None:
    matcher = Matcher(load_watchlist(yaml_file(tmp_path, SENSES)))
    assert _events(matcher, "Teachers in Baghdad went on strike over pay.") == []
    assert _events(matcher, "A strike hit the militia base in Baghdad.") == ["strike"]  # the name is a phrase, with the event's context
    assert _events(matcher, "Lightning struck a power line near Baghdad.") == []
    assert _events(matcher, "The base was struck overnight.") == ["strike"]


def test_a_phrase_may_have_its_own_context_or_none(tmp_path: Path) -> None:
    watchlist = load_watchlist(yaml_file(tmp_path, SENSES))
    event = watchlist.events[0]
    assert dict(event.context)["strike"] == ("troops", "militia", "base", "drone", "missile", "killed")
    assert "military strike" not in dict(event.context)  # `context: []`: counts anywhere
    assert dict(event.within) == {"walkout": 2}
    matcher = Matcher(watchlist)
    assert _events(matcher, "Nobody expected a military strike on Sunday.") == ["strike"]
    assert _events(matcher, "The oil walkout spread.") == ["strike"]
    assert _events(matcher, "The walkout spread to the ports and then to the oil fields.") == []  # oil is 7 words away, not within 2


def test_a_cameo_code_is_a_string_of_digits(tmp_path: Path) -> None:
    path = yaml_file(tmp_path, SENSES.replace('cameo: "19"', "cameo: 19"))
    assert "write the CAMEO code as a string in quotes" in watchlist_error(path, 8)
    path = yaml_file(tmp_path, SENSES.replace('cameo: "19"', 'cameo: "nineteen"'))
    # it said "String should match pattern '^[0-9]{2,4}$'": a regex, not what to write
    assert watchlist_error(path, 8) == f'{path}:8: events[0].cameo: should be a CAMEO code of 2 to 4 digits, in quotes ("19", "195", "0256"), not \'nineteen\''


HIERARCHY = """\
actors:
  - name: Islamic Revolutionary Guard Corps
    kind: group
    aliases: [IRGC]
  - name: Quds Force
    kind: group
    part_of: Islamic Revolutionary Guard Corps
    aliases: [Qods Force]
  - name: Unit 400
    kind: group
    part_of: Quds Force
    aliases: [Unit Four Hundred]
  - name: Baghdad
    kind: place
    aliases: [Baghdad]
events:
  - name: drone strike
    severity: 3
    cameo: "195"
    phrases: [drone strike]
  - name: killing
    severity: 2
    cameo: "18"
    phrases: [killed]
  - name: threat
    severity: 1
    cameo: "13"
    phrases: [threatened]
rules:
  - name: guards
    actors: [Islamic Revolutionary Guard Corps]
    events: [cameo:19]
"""


def test_a_unit_is_reported_by_its_own_name_and_rules_naming_its_parent_fire_on_it(tmp_path: Path) -> None:
    matcher = Matcher(load_watchlist(yaml_file(tmp_path, HIERARCHY)))
    result = match_text(matcher, "A Qods Force commander died in a drone strike near Baghdad.")
    assert [m.name for m in result.matches if m.kind == "actor"] == ["Quds Force", "Baghdad"]
    assert [(h.rule, h.actor.name) for h in result.hits] == [("guards", "Quds Force")]  # Baghdad is no unit of the IRGC
    assert explain(result.hits[0]).startswith("Quds Force (part of Islamic Revolutionary Guard Corps) (found \u201cQods Force\u201d")
    deeper = match_text(matcher, "Unit Four Hundred was hit by a drone strike.")
    assert [(h.actor.name, h.actor.part_of) for h in deeper.hits] == [("Unit 400", "Quds Force")]  # transitively
    json = result_json(result, "A Qods Force commander died in a drone strike near Baghdad.")
    assert json["actors"][0]["part_of"] == "Islamic Revolutionary Guard Corps" and json["actors"][1]["part_of"] is None


def test_rules_select_events_by_cameo_code_prefix(tmp_path: Path) -> None:
    watchlist = load_watchlist(yaml_file(tmp_path, HIERARCHY + "  - name: assaults\n    events: [cameo:1, threat]\n"))
    matcher = Matcher(watchlist)
    assert watchlist.rule_scope(watchlist.rules[0])[1] == {"drone strike"}
    assert watchlist.rule_scope(watchlist.rules[1])[1] == {"drone strike", "killing", "threat"}
    result = match_text(matcher, "Gunmen killed two men in Baghdad.")
    assert [h.rule for h in result.hits] == ["assaults"]
    events = result_json(result, "Gunmen killed two men in Baghdad.")["events"]
    assert events[0]["cameo"] == "18" and result_json(result, "x")["rules"][0]["event_cameo"] == "18"


def test_a_cameo_code_no_event_has_is_refused(tmp_path: Path) -> None:
    path = yaml_file(tmp_path, HIERARCHY + "  - name: protests\n    events: [cameo:14]\n")
    assert watchlist_error(path, 34) == f"{path}:34: rules[1] 'protests': no event has a CAMEO code starting '14'"


def test_part_of_must_name_an_actor(tmp_path: Path) -> None:
    path = yaml_file(tmp_path, HIERARCHY.replace("part_of: Quds Force", "part_of: Quds Forces"))
    assert watchlist_error(path, 11) == f"{path}:11: actors[2] 'Unit 400': part_of names no actor 'Quds Forces' (did you mean 'Quds Force'?)"


def test_part_of_may_not_make_a_cycle(tmp_path: Path) -> None:
    text = HIERARCHY.replace("    aliases: [IRGC]", "    part_of: Unit 400\n    aliases: [IRGC]")
    path = yaml_file(tmp_path, text)
    message = watchlist_error(path, 4)
    assert message.endswith("'Islamic Revolutionary Guard Corps': part_of makes a cycle: Islamic Revolutionary Guard Corps -> Unit 400 -> Quds Force -> Islamic Revolutionary Guard Corps")
    path = yaml_file(tmp_path, HIERARCHY.replace("part_of: Quds Force", "part_of: Unit 400"))
    assert watchlist_error(path, 11).endswith("part_of makes a cycle: Unit 400 -> Unit 400")


@pytest.fixture(scope="module")
def default() -> Matcher:
    return Matcher(load_watchlist(DEFAULT_WATCHLIST))


def _found(matcher: Matcher, text: str) -> set[str]:
    return {m.name for m in matcher.find(text)}


@pytest.mark.parametrize(("text", "expected"), [
    ("Le général Ghassem Soleimani a été tué par une frappe de drone à Bagdad.", {"Qasem Soleimani", "killing", "drone strike", "Baghdad"}),
    ("Un ataque con drones mató a Qassem Suleimani en Bagdad.", {"Qasem Soleimani", "killing", "drone strike", "Baghdad"}),
    ("Teherán lanzó misiles balísticos contra Estados Unidos en Irak.", {"Iran", "ballistic missiles", "United States", "Iraq"}),
    ("Gli Stati Uniti temono la rappresaglia dei Pasdaran.", {"United States", "retaliation", "Islamic Revolutionary Guard Corps"}),
    ("Die Kataeb Hisbollah drohte den Vereinigten Staaten mit Vergeltung.", {"Kataeb Hezbollah", "United States", "retaliation", "threat"}),
    ("Les Gardiens de la révolution ont tiré des missiles balistiques sur Erbil, en Irak.", {"Islamic Revolutionary Guard Corps", "ballistic missiles", "Erbil", "Iraq"}),
])
def test_the_default_watchlist_reads_the_french_spanish_italian_and_german_press(default: Matcher, text: str, expected: set[str]) -> None:
    assert _found(default, text) == expected


@pytest.mark.parametrize(("text", "state"), [
    ("Iranian forces seized the tanker.", True),
    ("The Iranian foreign ministry protested.", True),
    ("Les forces iraniennes ont riposté.", True),
    ("American troops left the base.", True),
    ("Iraqi officials confirmed the toll.", True),
    ("She cooks Iranian food in a small restaurant.", False),
    ("The Iranian-born chef opened a restaurant.", False),
    ("An Iranian film won the top prize.", False),
    ("La cuisine iranienne est réputée.", False),
    ("The American artist painted the mural.", False),
    ("Many Iraqis, the real commander of the forces said, were tired.", False),
])
def test_a_nationality_adjective_is_the_state_only_near_state_words(default: Matcher, text: str, state: bool) -> None:
    assert bool(_found(default, text) & {"Iran", "United States", "Iraq"}) is state


@pytest.mark.parametrize(("text", "alert"), [
    ("The Quds Force commander was killed in Baghdad.", True),  # a watched actor with a severity-2 event
    ("Hezbollah fired rockets across the border.", True),
    ("Protesters stormed the embassy in Baghdad.", True),
    ("Khamenei threatened the United States with a crushing response.", True),  # a threat [1] with the Iran nexus
    ("Iran's foreign minister threatened to quit the nuclear deal.", False),  # a threat, but not of force
    ("Two people were killed in a car crash on the Baghdad highway.", False),  # a killing outside armed violence
    ("Gunmen killed two policemen at a checkpoint near Erbil.", True),
    ("Tensions between Tehran and Washington rose.", True),  # an escalation [1] with the Iran nexus
    ("Trump threatened China with tariffs and war.", False),  # a threat without the Iran nexus
    ("The Treasury imposed new sanctions on Iran.", False),  # sanctions alone do not alert
    ("The Pentagon deployed more troops to Iraq.", False),  # nor does a troop deployment
    ("Washington is sending an aircraft carrier to the Gulf.", False),
    ("Iran called for restraint and a ceasefire.", False),
    ("Teachers in Tehran went on strike over pay.", False),
    ("Iran gained revenge over Japan in the semi-final.", False),
    ("Qasem Soleimani landed in Baghdad. Later, a drone strike hit a farm.", False),  # not in one sentence
])
def test_the_default_watchlist_alerts_as_the_analyst_requires(default: Matcher, text: str, alert: bool) -> None:
    assert match_text(default, text).alert is alert


def test_every_default_event_has_a_cameo_code_but_escalation(default: Matcher) -> None:
    events = {e.name: e for e in load_watchlist(DEFAULT_WATCHLIST).events}
    assert set(events) == {
        "drone strike", "air strike", "ballistic missiles", "assassination", "bombing", "rocket attack", "embassy attack", "strike",
        "killing", "kidnapping", "retaliation", "troop deployment", "threat", "sanctions", "escalation", "ceasefire", "de-escalation",
    }
    assert {n for n, e in events.items() if not e.cameo} == {"escalation"}
    assert {n: e.cameo[:2] for n, e in events.items() if n in ("troop deployment", "sanctions", "ceasefire", "threat")} == {
        "troop deployment": "15", "sanctions": "16", "ceasefire": "08", "threat": "13",
    }


def test_not_when_costs_count_true_hits_cancelled_and_false_hits_prevented(tmp_path: Path) -> None:
    text = BASE.replace("phrases: [drone strike]", "phrases: [drone strike]\n    not_when: [toy, school]")
    watchlist = load_watchlist(yaml_file(tmp_path, text))
    cases = [
        ("toy", "The toy drone strike game sold out.", frozenset()),  # a false hit the phrase prevents
        ("school", "A drone strike hit a school near the border.", frozenset({"drone strike"})),  # a true hit it cancels
        ("plain", "A drone strike hit the convoy.", frozenset({"drone strike"})),
    ]
    costs = {c.phrase: (c.cancels, c.prevents) for c in not_when_costs(watchlist, cases)}
    assert costs == {"toy": ((), ("toy",)), "school": (("school",), ())}


@pytest.mark.parametrize("section", ["actors", "events", "rules"])
def test_a_name_given_twice_is_refused_naming_both_lines(tmp_path: Path, section: str) -> None:
    """Regression: two actors (events, rules) of one name loaded silently; rules, mutes and trends know
    each by its name, so one hid the other."""
    entries = {"actors": "  - name: Iran\n    kind: state\n", "events": "  - name: strike\n    severity: 2\n", "rules": "  - name: r\n"}
    again = {"actors": "  - name: iran\n    kind: state\n", "events": "  - name: Strike\n    severity: 3\n", "rules": "  - name: R\n"}
    text = "".join(f"{s}:\n{entries[s]}{again[s] if s == section else ''}" for s in ("actors", "events", "rules"))
    path = yaml_file(tmp_path, text)
    first, line = {"actors": (2, 4), "events": (5, 7), "rules": (8, 9)}[section]
    message = watchlist_error(path, line)
    assert f"{section}[1]" in message and f"the name is given twice (first at {path}:{first})" in message


def test_a_name_given_in_two_files_of_a_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "watchlist"
    folder.mkdir()
    first = yaml_file(folder, BASE, name="a.yaml")
    second = yaml_file(folder, "actors:\n  - name: Qasem Soleimani\n    kind: person\n", name="b.yaml")
    assert f"the name is given twice (first at {first}:2)" in watchlist_error(second, 2, load=folder)


@pytest.mark.parametrize(("section", "entry", "line"), [
    ("rules", "rules:\n  - name: iran\n", 5), ("events", "events:\n  - name: IRAN\n    severity: 1\n", 5),
])
def test_an_event_or_rule_named_as_an_actor_is_refused_in_a_folder(tmp_path: Path, section: str, entry: str, line: int) -> None:
    """Regression: a rule named as an actor loaded; `monitor mute Iran` then silenced both (trends, an event and an actor)."""
    folder = tmp_path / "watchlist"
    folder.mkdir()
    yaml_file(folder, "actors:\n  - name: Other\n    kind: group\n  - name: Iran\n    kind: state\n", name="a.yaml")
    second = yaml_file(folder, "actors:\n  - name: Third\n    kind: group\n" + entry, name="b.yaml")
    message = watchlist_error(second, line, load=folder)
    assert f"{section}[0]" in message and f"an actor has this name (at {folder / 'a.yaml'}:4)" in message, message


@pytest.mark.parametrize(("text", "line", "says"), [
    ("rules:\n  - name: r\n    within: sentense\n", 3, 'rules[0].within: should be a whole number or "sentence", not \'sentense\''),
    ("actors:\n  - name: Iran\n    kind: state\n    aliases:\n      -\n", 5, "actors[0].aliases[0]: should be a text or a mapping of alias and context, not empty"),
    ("events:\n  - name: e\n    severity: 2\n    phrases: [5]\n", 4, "events[0].phrases[0]: YAML reads 5 as a number, not a text: write it in quotes, '5'"),
    ("actors:\n  - name: Iran\n    kind: state\n    aliases:\n      - alias: QS\n", 5, "actors[0].aliases[0].context: missing: add 'context: ...'"),
    ("- Soleimani\n- Muhandis\n", 1, "(top level): a watchlist is a mapping of actors, events and rules lists (docs/watchlist.md), not a list"),
])
def test_a_value_no_form_takes_is_named_at_its_key_in_words(tmp_path: Path, text: str, line: int, says: str) -> None:
    """Regression: pydantic's form names leaked (`rules[0].within.int: Input should be a valid integer`,
    `aliases[0].str: Input should be a valid string` for a mapping alias that lacked only its context,
    `instance of _WatchlistSpec`)."""
    path = yaml_file(tmp_path, text)
    assert watchlist_error(path, line) == f"{path}:{line}: {says}"


@pytest.mark.parametrize(("old", "new", "line", "where"), [
    ("severity: 3", "severity: true", 10, "events[0].severity: should be a number, not true or false"),
    ("min_severity: 2", "min_severity: false", 14, "rules[0].min_severity: should be a number, not true or false"),
    ("min_severity: 2", "min_severity: 2\n    within: true", 15, "rules[0].within: should be a number, not true or false"),
    ("min_severity: 2", "min_severity: 2\n    min_sources: true", 15, "rules[0].min_sources: should be a number, not true or false"),
    ("min_severity: 2", "min_severity: 2\n    severity: true", 15, "rules[0].severity: should be a number, not true or false"),
    ("      - Suleimani\n", "      - {alias: QS, context: [Iran], within: true}\n", 7, "actors[0].aliases[1].within: should be a number, not true or false"),
    ("min_severity: 2", "min_severity: 2\n    within: -3", 15, "rules[0].within: should be a number of words, 0 or more (0: side by side), or \"sentence\""),
])
def test_true_false_or_a_negative_where_a_number_of_the_watchlist_is_asked_is_refused(tmp_path: Path, old: str, new: str, line: int, where: str) -> None:
    """Regression: `severity: true` was read as severity 1, `within: true` as one word and `within: -3` as no
    pair at all: the watchlist loaded, and its rules then fired otherwise than written (or never)."""
    path = yaml_file(tmp_path, BASE.replace(old, new))
    assert watchlist_error(path, line) == f"{path}:{line}: {where}"


@pytest.mark.parametrize(("text", "line", "where"), [
    ("actors:\n  - Bamako\n", 2, "actors[0]: should be a mapping of an actor's keys (name: ..., kind: ..., aliases: [...]), not 'Bamako'"),
    ("events:\n  - [drone strike]\n", 2, "events[0]: should be a mapping of an event's keys (name: ..., severity: ..., phrases: [...]), not a list"),
    ("rules:\n  - any\n", 2, "rules[0]: should be a mapping of a rule's keys (name: ..., actors: [...], events: [...]), not 'any'"),
    ("rules:\n  - name: any\n    examples:\n", 3, "rules[0].examples: should be a mapping of must_match: [...] and must_not_match: [...], not empty"),
    ("actors:\n  - name: Mali\n    kind: state\nspikes:\n  - Mali\n", 5, "spikes[0]: should be a mapping of a spike's keys (actor: ..., event: ..., window: ...), not 'Mali'"),
])
def test_an_entry_that_is_no_mapping_is_refused_saying_what_it_should_be(tmp_path: Path, text: str, line: int, where: str) -> None:
    """Regression: 'actors[0]: Input should be a valid dictionary or instance of _ActorSpec' named a class of
    the code, not what to write."""
    path = yaml_file(tmp_path, text)
    assert watchlist_error(path, line) == f"{path}:{line}: {where}"


@pytest.mark.parametrize(("rule", "line", "problem"), [
    ("actors: [Soleimani]", 16, "rules[1] 'r': no actor, tag or kind named 'Soleimani': 'Soleimani' is an alias of the actor 'Qasem Soleimani': write 'Qasem Soleimani'"),
    ("actors: [qasem soleimani]", 16, "rules[1] 'r': no actor, tag or kind named 'qasem soleimani': did you mean 'Qasem Soleimani'?"),
    ("events: [Drone Strike]", 16, "rules[1] 'r': no event named 'Drone Strike': did you mean 'drone strike'?"),
])
def test_a_rule_naming_an_alias_or_a_name_in_another_case_is_told_the_name_to_write(tmp_path: Path, rule: str, line: int, problem: str) -> None:
    """Regression: 'no actor, tag or kind named 'Soleimani'' said what was wrong, not what to write: rules know
    an actor by its name, and names by their case."""
    path = yaml_file(tmp_path, BASE + f"  - name: r\n    {rule}\n")
    assert watchlist_error(path, line) == f"{path}:{line}: {problem}"


@pytest.mark.parametrize(("text", "line", "where"), [
    ("actors:\n  - name: Wagner\n    knid: group\n", 3, "actors[0].knid: unknown key (typo? 'kind' is missing)"),
    ("actors:\n  - nmae: Wagner\n    kind: group\n", 2, "actors[0].nmae: unknown key (typo? 'name' is missing)"),
    ("events:\n  - name: x\n    severity: 1\n    phrases:\n      - phrse: military strike\n        context: []\n", 5,
     "events[0].phrases[0].phrse: unknown key (typo? 'phrase' is missing)"),
    ("actors:\n  - name: W\n    kind: group\n    aliases:\n      - alais: QS\n        context: [Iran]\n", 5,
     "actors[0].aliases[0].alais: unknown key (typo? 'alias' is missing)"),
])
def test_a_key_misspelt_is_named_rather_than_the_key_it_leaves_missing(tmp_path: Path, text: str, line: int, where: str) -> None:
    """Regression: `knid: group` was refused as 'actors[0].kind: Field required' on the entry's first line:
    the key written wrong was named nowhere."""
    path = yaml_file(tmp_path, text)
    assert watchlist_error(path, line) == f"{path}:{line}: {where}"


@pytest.mark.parametrize(("text", "line", "problem"), [
    ("actors:\n  - {name: Mali, kind: state, aliases: [Malian], capitals: [Bamako]}\n", 2,
     "actors[0] 'Mali': capital 'Bamako' is none of its aliases: list it under aliases too (capitals are the state's aliases that name its capital)"),
    ("actors:\n  - {name: Mali, kind: state}\n  - {name: Wagner, kind: group}\n  - name: Bamako\n    kind: place\n    stands_for: Wagner\n", 6,
     "actors[2] 'Bamako': stands_for names no state 'Wagner': 'Wagner' is a group; stands_for names a state of the watchlist ('Mali')"),
    ("actors:\n  - {name: Mali, kind: state}\n  - name: Bamako\n    kind: place\n    stands_for: Malli\n", 5,
     "actors[1] 'Bamako': stands_for names no state 'Malli': did you mean 'Mali'?"),
    ("events:\n  - {name: drone strike, severity: 3}\n  - name: strike\n    severity: 2\n    yields_to: [drone strikes]\n", 5,
     "events[1] 'strike': yields_to names no event 'drone strikes': did you mean 'drone strike'?"),
])
def test_a_part_reference_to_nothing_says_what_to_write(tmp_path: Path, text: str, line: int, problem: str) -> None:
    """Regression: 'capital 'Bamako' is none of its aliases', 'stands_for names no state 'Wagner'' and 'yields_to
    names no event 'drone strikes'' said what was wrong and not what to write."""
    path = yaml_file(tmp_path, text)
    assert watchlist_error(path, line) == f"{path}:{line}: {problem}"


def test_a_watchlist_nested_thousands_deep_is_one_watchlist_error_not_a_recursion_error(tmp_path: Path) -> None:
    """Regression: YAML nested 5,000 deep made the loader raise RecursionError: a traceback for `monitor check`,
    and a traceback in the daemon's log where a broken watchlist is one line keeping the running one."""
    path = tmp_path / "watchlist.yaml"
    path.write_text("actors: " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(WatchlistError, match=r"watchlist\.yaml: not valid YAML: nested too deeply"):
        load_watchlist(path)


CONTEXT = """\
actors:
  - name: Katiba Macina
    kind: group
    aliases:
      - Katiba Massina
      - {alias: Macina, context: [fighters, militants], within: 5}
events:
  - name: strike
    severity: 2
    synonyms: false
    context: [militia, drone]
    phrases: [strike, {phrase: military strike, context: []}]
rules:
  - name: any
    min_severity: 2
learned: false
"""


def test_the_context_word_that_licensed_an_ambiguous_alias_is_recorded_and_explained(tmp_path: Path) -> None:
    """Regression: an alias or phrase with a `context` list counted only near one of its words, but the match did
    not say which: `monitor match` and an alert's explanation showed "Katiba Macina (found “Macina”, 100)", and
    the analyst could not tell which word of the text had let the alias count."""
    matcher = Matcher(load_watchlist(yaml_file(tmp_path, CONTEXT)))
    text = "Militants said the Macina commander ordered a strike on the militia post."
    result = match_text(matcher, text)
    by_name = {m.name: m for m in result.matches}
    assert (by_name["Katiba Macina"].found, by_name["Katiba Macina"].context) == ("Macina", "Militants")
    assert (by_name["strike"].found, by_name["strike"].context) == ("strike", "militia")
    assert explain(result.hits[0]) == (
        "Katiba Macina (found \u201cMacina\u201d, 100, near \u201cMilitants\u201d) + strike (severity 2, near \u201cmilitia\u201d) within 3 words"
    )
    plain = match_text(matcher, "Katiba Massina fighters claimed the military strike.")  # no context asked: none recorded
    assert [m.context for m in plain.matches] == ["", ""]
    data = result_json(result, text)
    assert data["actors"][0]["context"] == "Militants" and data["events"][0]["context"] == "militia"
    assert result_json(plain, "x")["actors"][0]["context"] is None
    nearest = match_text(matcher, "Fighters and militants of Macina struck.")  # the nearest of the context words
    assert [m.context for m in nearest.matches if m.kind == "actor"] == ["militants"]


def test_a_unit_of_a_unit_is_explained_with_its_whole_chain(tmp_path: Path) -> None:
    """Regression: docs/watchlist.md promises that a rule naming the parent fires on its units "and theirs
    (transitively)", and it did; but the explanation said only "Unit 400 (part of Quds Force)", so the analyst
    reading why the IRGC's rule fired saw no IRGC anywhere in it."""
    matcher = Matcher(load_watchlist(yaml_file(tmp_path, HIERARCHY)))
    result = match_text(matcher, "Unit Four Hundred was hit by a drone strike.")
    assert [(h.rule, h.actor.name, h.actor.ancestors) for h in result.hits] == [("guards", "Unit 400", ("Quds Force", "Islamic Revolutionary Guard Corps"))]
    assert explain(result.hits[0]).startswith("Unit 400 (part of Quds Force, part of Islamic Revolutionary Guard Corps) (found \u201cUnit Four Hundred\u201d")
    data = result_json(result, "Unit Four Hundred was hit by a drone strike.")["actors"][0]
    assert (data["part_of"], data["ancestors"]) == ("Quds Force", ["Quds Force", "Islamic Revolutionary Guard Corps"])
    direct = match_text(matcher, "A Qods Force commander died in a drone strike.")
    assert explain(direct.hits[0]).startswith("Quds Force (part of Islamic Revolutionary Guard Corps) (found")
    assert result_json(direct, "x")["actors"][0]["ancestors"] == ["Islamic Revolutionary Guard Corps"]


def test_a_false_positive_licensed_by_a_context_word_names_that_word(tmp_path: Path) -> None:
    """Regression: `monitor check` (and `monitor eval`) said of an example that must not match "alias 'Macina'
    found 'Macina' at 0-6, score 100": not which context word had let the ambiguous alias count, the word to
    take out of its `context` list or to answer with `not_when`."""
    from monitor.matching.examples import failed_examples

    text = CONTEXT.replace("      - {alias: Macina, context: [fighters, militants], within: 5}\n",
                           "      - {alias: Macina, context: [fighters, militants], within: 5}\n"
                           "    examples:\n      must_not_match: [\"Macina militants? No, Macina farmers.\"]\n")
    watchlist = load_watchlist(yaml_file(tmp_path, text))
    [failure] = failed_examples(Matcher(watchlist), watchlist.examples)
    assert failure.endswith("actor 'Katiba Macina': alias 'Macina' found 'Macina' at 0-6, score 100, near 'militants'")


@pytest.mark.parametrize("pattern", ["(?:a{3000}){3000}", "(?:[ab]{100}x{1000}){3000,}", r"(?:(?:\w{300}){300}){300}", "((?:a{30}){3000}|b){30}"])
def test_a_regex_the_regex_module_writes_out_past_memory_is_refused_in_one_line(tmp_path: Path, pattern: str) -> None:
    """Regression: the regex module writes nested fixed repeats out, their counts multiplied: '(?:a{3000}){3000}',
    twenty characters, took its compile past 1.8 GB and a MemoryError, a traceback for `monitor check` and a
    daemon's start or reload (unbounded without a memory limit). A pattern that would write out more than
    REPEATED_MAX characters is refused in one line; counted repeats side by side, or of an unbounded minimum, pass."""
    import subprocess
    import sys

    from monitor.watchlist import REPEATED_MAX

    path = yaml_file(tmp_path, BASE.replace("      - Suleimani\n", f"      - Suleimani\n    patterns:\n      - 'Sol[ae]imani'\n      - '{pattern}'\n"))
    code = "import resource, sys; resource.setrlimit(resource.RLIMIT_AS, (1_500_000_000, -1)); from monitor.watchlist import load_watchlist; load_watchlist(sys.argv[1])"
    done = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=60, check=False)
    assert "MemoryError" not in done.stderr
    assert watchlist_error(path, 10).startswith(f"{path}:10: actors[0].patterns: regex {pattern!r} repeats ")
    assert f"over {REPEATED_MAX:,}" in watchlist_error(path, 10)
    for fine in (r"\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2})?", r"(?:\w+\s){0,3000}strike", r"[{(]{300}x", r"\p{L}{300}", r"(?:a{300}b{300}){100}"):
        load_watchlist(yaml_file(tmp_path, BASE.replace("      - Suleimani\n", f"      - Suleimani\n    patterns:\n      - '{fine}'\n")))


def test_a_rule_that_lacks_an_actor_says_why_its_actor_in_the_text_did_not_count(tmp_path: Path) -> None:
    """Regression: a rule example with the rule's actor written in it, held back for want of a context word, said
    "rule 'any': strike found, but no actor it takes (no actor found)": the analyst looked for a typo in a name
    that was there. The rule's own actors (and events) found held back now say why, as `monitor eval` does."""
    from monitor.matching.examples import failed_examples

    text = CONTEXT.replace("  - name: any\n    min_severity: 2\n",
                           "  - name: any\n    actors: [Katiba Macina]\n    min_severity: 2\n"
                           "    examples:\n      must_match: [\"Macina commanders ordered the military strike.\", \"Katiba Massina claimed the strike.\"]\n")
    watchlist = load_watchlist(yaml_file(tmp_path, text))
    first, second = failed_examples(Matcher(watchlist), watchlist.examples)
    assert first.endswith("rule 'any': strike found, but no actor it takes (no actor found; actor 'Katiba Macina': alias 'Macina' found 'Macina' at 0-6, "
                          "score 100, but ambiguous 'Macina' has no context word within 5 words of it (fighters, militants))")
    assert second.endswith("rule 'any': Katiba Macina found, but no event it takes of severity >= 2 (no event found; event 'strike': alias "
                           "'strike' found 'strike' at 27-33, score 100, but ambiguous 'strike' has no context word within 20 words of it (militia, drone))")


def test_part_of_naming_an_alias_says_the_name_to_write(tmp_path: Path) -> None:
    """Regression: `part_of: Qods Force` (an alias of the parent) was refused as "part_of names no actor 'Qods Force'",
    where a rule naming the alias is told the name to write."""
    path = yaml_file(tmp_path, HIERARCHY.replace("part_of: Quds Force", "part_of: Qods Force"))
    assert watchlist_error(path, 11) == (f"{path}:11: actors[2] 'Unit 400': part_of names no actor 'Qods Force': "
                                         "'Qods Force' is an alias of the actor 'Quds Force': write 'Quds Force'")


def test_a_list_written_as_one_word_or_a_number_out_of_range_says_what_to_write(tmp_path: Path) -> None:
    """Regression: `context: militants` was refused as "Input should be a valid list", `severity: 4` as "Input should be
    less than or equal to 3": pydantic's words, not what to write."""
    path = yaml_file(tmp_path, CONTEXT.replace("context: [fighters, militants]", "context: militants"))
    assert watchlist_error(path, 6).endswith("actors[0].aliases[1].context: should be a list in brackets: write [militants]")
    path = yaml_file(tmp_path, CONTEXT.replace("severity: 2", "severity: 4"))
    assert watchlist_error(path, 9).endswith("events[0].severity: should be at most 3, not 4")


def test_a_follow_up_says_the_context_word_near_what_it_adds(tmp_path: Path) -> None:
    """Regression: a follow-up's "+ Katiba Macina (found “Macina”)" did not say the context word that let the
    ambiguous alias count, as the rule explanations now do."""
    from monitor.alerts.render import StoryContext, render_body
    from monitor.dedup import to_article
    from monitor.model import Document

    matcher = Matcher(load_watchlist(yaml_file(tmp_path, CONTEXT)))
    text = "Militants said the Macina commander ordered a strike on the militia post."
    result = match_text(matcher, text)
    body = render_body(to_article(Document("wire", "", text)), result, "wire", "uid2", StoryContext(2, 2, "uid1", ("Katiba Macina",)))
    assert "\n+ Katiba Macina (found \u201cMacina\u201d, near \u201cMilitants\u201d): \u201cMilitants said" in body


def test_a_context_phrase_across_a_line_break_is_shown_on_one_line(tmp_path: Path) -> None:
    """A context phrase wrapped in the text ("armed⏎men") was recorded with its line break, which split the
    explanation's line in an alert body and in `monitor match`."""
    matcher = Matcher(load_watchlist(yaml_file(tmp_path, CONTEXT.replace("context: [fighters, militants]", "context: [armed men]"))))
    result = match_text(matcher, "The Macina armed\n  men struck at dawn.")
    assert [m.context for m in result.matches if m.kind == "actor"] == ["armed men"]
    cut = Matcher(load_watchlist(yaml_file(tmp_path, CONTEXT)))  # a word cut at a line end is one word, as matching reads it
    assert [m.context for m in match_text(cut, "The Macina mili-\ntants struck.").matches if m.kind == "actor"] == ["militants"]
    assert [m.context for m in match_text(cut, "The Macina mili-\n   tants struck.").matches if m.kind == "actor"] == ["militants"]
    named = Matcher(load_watchlist(yaml_file(tmp_path, CONTEXT.replace("context: [fighters, militants]", "context: [al-Muhandis]"))))
    assert [m.context for m in match_text(named, "Macina and al-\nMuhandis.").matches if m.kind == "actor"] == ["al-Muhandis"]


def test_a_watchlist_path_to_an_endless_file_is_one_line_not_read_whole() -> None:
    """Regression: `monitor watchlist --watchlist /dev/zero` read the file whole and ended in a MemoryError traceback
    (found by helper xfeed)."""
    with pytest.raises(WatchlistError, match=r"^/dev/zero: cannot read watchlist: larger than 10 MiB, not read"):
        load_watchlist(Path("/dev/zero"))


def test_yaml_aliases_that_write_out_millions_of_values_are_refused_in_one_line(tmp_path: Path) -> None:
    """Regression: a 100 KB file whose context list named one shared list of 1,000 words 20,000 times (`[*big, *big,
    ...]`, flattened) was 20 million context words: 1 GB and 16 s for `monitor match`, and a 1 MB one past the
    machine's memory (YAML's "billion laughs" through the shared context lists)."""
    words = ", ".join(f"w{i}" for i in range(1000))
    path = tmp_path / "watchlist.yaml"
    path.write_text(f"x-big: &big [{words}]\nevents:\n  - name: drone strike\n    severity: 2\n    context: [{', '.join(['*big'] * 2000)}]\n")
    message = watchlist_error(path, 5)
    assert message == (f"{path}:5: YAML aliases (*name) repeat 2,002,000 values, over 1,000,000: "
                       "share smaller lists, or write the entries out")


def test_yaml_aliases_sharing_context_lists_as_the_default_watchlist_does_are_taken(tmp_path: Path) -> None:
    words = ", ".join(f"w{i}" for i in range(100))
    path = tmp_path / "watchlist.yaml"
    path.write_text(f"x-big: &big [{words}]\nevents:\n  - name: drone strike\n    severity: 2\n    context: [{', '.join(['*big'] * 50)}]\n")
    assert len(load_watchlist(path).events[0].context[0][1]) == 5000


def test_a_yaml_alias_inside_the_list_it_names_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "watchlist.yaml"
    path.write_text("- &a [1, *a]\n")
    assert watchlist_error(path, 1) == f"{path}:1: not valid YAML: an alias (*name) inside the value it names"


@pytest.mark.parametrize(("old", "new", "line", "problem"), [
    ("      - Suleimani\n", "      - '...'\n", 7, "actors[0].aliases: entry 2 '...' has no letter or digit: it can never match (matching takes whole words)"),
    ("      - Suleimani\n", "      - \"\\u200b\"\n", 7, "actors[0].aliases: entry 2 '\\u200b' has no letter or digit"),
    ("phrases: [drone strike]", "phrases: [drone strike, '?']", 11, "events[0].phrases: entry 2 '?' has no letter or digit"),
    ("phrases: [drone strike]", "phrases: [drone strike]\n    context: [drone, '--']", 12, "events[0].context: entry 2 '--' has no letter or digit"),
    ("phrases: [drone strike]", "phrases: [drone strike]\n    not_when: [\"\\u00b7\"]", 12, "events[0].not_when: entry 1 '·' has no letter or digit"),
    ("name: drone strike", "name: '!!!'", 9, "events[0].name: '!!!' has no letter or digit: it can never match (matching takes whole words)"),
])
def test_an_entry_without_a_letter_or_digit_is_refused_in_one_line(tmp_path: Path, old: str, new: str, line: int, problem: str) -> None:
    """Regression: an alias, phrase, context word or name of punctuation or invisible characters alone ('...', a
    zero-width space, a lone accent) was taken and silently never matched: `monitor check` said ok."""
    path = yaml_file(tmp_path, BASE.replace(old, new))
    assert watchlist_error(path, line).startswith(f"{path}:{line}: {problem}")


def test_aliases_and_phrases_the_matcher_never_matches_are_named(tmp_path: Path) -> None:
    """Regression: 'Flight PS752', 'Resolution 2231' or 'S-400' as an alias, and a phrase with a year, were taken
    and never matched anything (a word of 5+ characters with digits, a number of 4+ digits, a model number are not
    names to the matcher), and a one-letter alias matched every 'A' opening a sentence: `monitor check` said ok."""
    from monitor.watchlist import unmatchable_aliases

    path = yaml_file(tmp_path, BASE.replace("      - Suleimani\n", "      - Suleimani\n      - Flight PS752\n      - S-400 unit\n      - Q\n"
                                                                   "      - {alias: K, context: [general]}\n      - F-16 pilot\n      - MH17\n")
                     .replace("phrases: [drone strike]", "phrases: [drone strike, strike of 2020]"))
    watchlist = load_watchlist(path)
    assert unmatchable_aliases(watchlist) == [
        "actor 'Qasem Soleimani': alias 'Flight PS752' never matches: the matcher takes 'PS752' for a number or code, never a name "
        "(a word of 4 digits or more, or of 5 characters or more with digits): write the alias without it",
        "actor 'Qasem Soleimani': alias 'S-400 unit' never matches: the matcher takes 'S-400' for a model number (a word, a hyphen "
        "and digits), never a name: write the alias without it",
        "actor 'Qasem Soleimani': alias 'Q' is one letter: it matches every 'Q' of a text: give it context words "
        "({alias: Q, context: [...]}, docs/watchlist.md) or remove it",
        "event 'drone strike': phrase 'strike of 2020' never matches: the matcher takes '2020' for a number or code, never a name "
        "(a word of 4 digits or more, or of 5 characters or more with digits): write the phrase without it",
    ]
    assert watchlist.actors[0].aliases[3] == "Flight PS752"  # taken as written: a warning, not a refusal
    assert unmatchable_aliases(load_watchlist(DEFAULT_WATCHLIST)) == []


@pytest.mark.parametrize(("data", "line", "problem"), [
    ("actors:\n  - name: Café\n    kind: group\n".encode("latin-1"), 2, "not UTF-8 text (byte 0xe9 at column 14): save the file as UTF-8"),
    ("actors: []\n".encode("utf-16"), None, "UTF-16 text (it opens with a byte order mark): save the file as UTF-8"),
])
def test_a_watchlist_not_in_utf8_names_the_line_and_what_to_do(tmp_path: Path, data: bytes, line: int | None, problem: str) -> None:
    """Regression: a Latin-1 watchlist said "cannot read watchlist: 'utf-8' codec can't decode byte 0xe9 in position 21:
    invalid continuation byte": a byte offset, and nothing of what to do."""
    path = tmp_path / "watchlist.yaml"
    path.write_bytes(data)
    assert watchlist_error(path, line) == (f"{path}:{line}: {problem}" if line else f"{path}: {problem}")


def test_a_watchlist_being_saved_is_read_once_it_has_stayed_the_same_between_two_looks(tmp_path: Path) -> None:
    """Regression: the daemon read the watchlist at the first look after a change, half-written or not: an editor that
    truncates, then writes (nano, `cat >`), could leave it an empty file at that look, a valid empty watchlist that
    the daemon took ("watchlist reloaded"): nothing alerted until the next look."""
    from monitor.watchlist import Settled

    path = yaml_file(tmp_path, BASE, "watchlist.yaml")
    settled = Settled(path)  # the stamp of the files as loaded
    assert not settled.due(path)  # as loaded at the start
    path.write_text("")  # the save under way: truncated ...
    assert not settled.due(path)  # changed since the last look: perhaps half-written, not read
    path.write_text(dedent(BASE) + "# saved\n")  # ... then written
    assert not settled.due(path)
    assert settled.due(path)  # the same at two looks in a row: read
    assert not settled.due(path)
    settled.forget()  # SIGHUP: read again at the next look (the config may name another file)
    assert settled.due(path)


def test_an_example_longer_than_the_daemon_matches_is_refused_in_one_line(tmp_path: Path) -> None:
    """Regression: a 1.9 MB example (an article pasted whole, many times) took `monitor check` 46 s, matched whole,
    where the daemon matches an article's first 50,000 characters."""
    long = "Iran drone strike hit the base. " * 2000
    path = yaml_file(tmp_path, BASE.replace("    phrases: [drone strike]\n", f"    phrases: [drone strike]\n    examples:\n      must_match: [a drone strike, '{long}']\n"))
    assert watchlist_error(path, 13) == (f"{path}:13: events[0].examples.must_match: entry 2 is 64,000 characters long: at most 50,000 "
                                         "(the daemon matches an article's first 50,000 characters)")
    fits = yaml_file(tmp_path, BASE.replace("    phrases: [drone strike]\n", f"    phrases: [drone strike]\n    examples:\n      must_match: ['{long[:49_000]}']\n"), "fits.yaml")
    assert len(load_watchlist(fits).examples[0].text) == 49_000


def test_the_web_views_watchlist_keeps_the_last_good_one_on_a_broken_edit_and_says_so(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Regression: `monitor web` kept showing the last good watchlist after a broken edit without a word, where the
    daemon logs why it keeps its own."""
    import logging

    from monitor.watchlist import Current

    path = yaml_file(tmp_path, BASE, "watchlist.yaml")
    current = Current(path)
    path.write_text(dedent(BASE) + "  - name: broken\n    kind: nonsense\n")
    with caplog.at_level(logging.WARNING):
        assert current().actors[0].name == "Qasem Soleimani"
        assert current().actors[0].name == "Qasem Soleimani"
    [record] = [r for r in caplog.records if "not reloaded" in r.getMessage()]  # once per edit, not per request
    assert record.getMessage().startswith(f"watchlist not reloaded, the previous one stays in use: {path}:")


def test_the_web_views_watchlist_is_not_read_half_saved(tmp_path: Path) -> None:
    """Regression (found by helper xmulti): `monitor web` read the watchlist at the first request after its files
    changed, where the daemon waits until they stay the same between two looks: a request during an editor's save
    (truncated, then written) showed an empty watchlist. It looks twice too (a pause apart, in the request), with the
    daemon's `Settled`."""
    import threading

    from monitor.watchlist import Current

    path = yaml_file(tmp_path, BASE, "watchlist.yaml")
    current = Current(path)
    path.write_text("")  # an editor's save under way: truncated ...
    writer = threading.Timer(0.02, path.write_text, [dedent(BASE).replace("Qasem Soleimani", "Esmail Qaani")])  # ... then written
    writer.start()
    assert [a.name for a in current().actors] == ["Qasem Soleimani"]  # not the empty file: the last one read
    writer.join()
    assert [a.name for a in current().actors] == ["Esmail Qaani"]  # saved: the same at two looks
    assert [a.name for a in current().actors] == ["Esmail Qaani"]


def test_events_that_yield_to_each_other_are_refused_naming_the_cycle(tmp_path: Path) -> None:
    """Regression: 'rocket attack' yielding to 'strike' and 'strike' to 'rocket attack' was taken, and a sentence with
    both lost both (each yields to the other): no rule on either fired."""
    path = yaml_file(tmp_path, """\
        events:
          - name: rocket attack
            severity: 3
            yields_to: [air strike]
          - name: air strike
            severity: 3
            yields_to: [shelling]
          - name: shelling
            severity: 2
            yields_to: [rocket attack]
        """)
    assert watchlist_error(path, 4) == (f"{path}:4: events[0] 'rocket attack': yields_to makes a cycle: rocket attack -> air strike -> shelling -> "
                                        "rocket attack: an event yields to more specific ones, never back (in one sentence, each would be dropped)")


def test_a_chain_of_two_thousand_events_yielding_each_to_the_next_loads_and_closed_is_one_line(tmp_path: Path) -> None:
    events = "".join(f"  - name: e{i}\n    severity: 1\n    yields_to: [e{i + 1}]\n" for i in range(1999)) + "  - name: e1999\n    severity: 1\n"
    path = tmp_path / "chain.yaml"
    path.write_text("events:\n" + events)
    assert len(load_watchlist(path).events) == 2000
    path.write_text("events:\n" + events + "    yields_to: [e0]\n")
    assert watchlist_error(path, 4) == (f"{path}:4: events[0] 'e0': yields_to makes a cycle: e0 -> e1 -> e2 -> ... (1,996 more) -> e1999 -> e0: "
                                        "an event yields to more specific ones, never back (in one sentence, each would be dropped)")


@pytest.mark.parametrize(("text", "line", "problem"), [
    ("actors:\n  - name: Norway\n    kind: state\n    aliases: [Norwegian government, NO]\n", 4,
     "actors[0].aliases[1]: YAML reads NO as false, not a text: write it in quotes, 'NO'"),
    ("actors:\n  - name: Norway\n    kind: state\n    aliases:\n      - Norwegian government\n      - 'off'\n      - On\n", 7,
     "actors[0].aliases[2]: YAML reads On as true, not a text: write it in quotes, 'On'"),
    ("actors:\n  - name: NO\n    kind: state\n", 2, "actors[0].name: YAML reads NO as false, not a text: write it in quotes, 'NO'"),
    ("actors:\n  - name: 1984\n    kind: group\n", 2, "actors[0].name: YAML reads 1984 as a number, not a text: write it in quotes, '1984'"),
    ("actors:\n  - name: Null\n    kind: group\n", 2, "actors[0].name: YAML reads Null as nothing, not a text: write it in quotes, 'Null'"),
])
def test_a_word_yaml_reads_as_true_false_null_or_a_number_says_to_quote_it(tmp_path: Path, text: str, line: int, problem: str) -> None:
    """Regression: Norway's code `NO` as an alias said "should be a text or a mapping of alias and context" (YAML reads
    NO as false), and as a name "Input should be a valid string": the analyst had written a text."""
    path = tmp_path / "watchlist.yaml"
    path.write_text(text)
    assert watchlist_error(path, line) == f"{path}:{line}: {problem}"
    path.write_text("events:\n  - name: strike\n    severity: yes\n")  # a number asked: not a text to quote
    assert watchlist_error(path, 3) == f"{path}:3: events[0].severity: should be a number, not true or false"


def test_regexes_whose_repeats_add_up_past_the_bound_are_refused_naming_the_one_past_it(tmp_path: Path) -> None:
    """Regression: each regex's repeats were bounded, not their sum: twenty of '(?:ß{100}){990}' (700 bytes of YAML) took
    `monitor match` to 1.3 GB (the matcher compiles them case-insensitively, ß as ss), two hundred past the memory."""
    patterns = "".join(f"      - '(?:ß{{100}}){{490}}x{i}'\n" for i in range(3))
    path = yaml_file(tmp_path, BASE.replace("      - Suleimani\n", "      - Suleimani\n    patterns:\n" + patterns))
    assert watchlist_error(path, 11) == (f"{path}:11: actors[0].patterns[2]: regex '(?:ß{{100}}){{490}}x2' brings the repeats of the watchlist's "
                                         "regexes to 148,476 characters: over 100,000 in all (nested counts multiply): use fewer or smaller counts")


@pytest.mark.parametrize("pattern", ["(" * 499 + "a" + ")" * 499, "[[" * 249 + "a" + "]]" * 249])
def test_a_regex_nested_hundreds_deep_is_one_line_not_a_recursion_error(tmp_path: Path, pattern: str) -> None:
    """Regression: 499 groups inside each other (999 characters, under the bound of 1,000) made the regex module's
    compiler raise RecursionError: a traceback from `monitor match` and `check`, a bug's line in the daemon's log."""
    path = yaml_file(tmp_path, BASE.replace("phrases: [drone strike]", f"patterns: ['{pattern}']"))
    assert watchlist_error(path, 11) == (f"{path}:11: events[0].patterns: entry 1 is nested too deeply (groups or sets hundreds deep): "
                                         "write it flatter")


@pytest.mark.parametrize(("old", "new", "line", "says"), [
    ("    kind: person\n", "\tkind: person\n", 3, "a tab: YAML indents with spaces only: replace the tab with spaces"),
    ("    kind: person\n", "      kind: person\n", 3,
     "a ': ' in a text not in quotes (put the text in quotes), or a key indented deeper than the one above it (line them up)"),
    ("    kind: person\n", "    kind person\n", 3, "no 'key: value' on this line: write a colon and a space after the key, or line it up with the entries it belongs to"),
    ("    kind: person\n", "    kind:person\n", 3, "no 'key: value' on this line: write a colon and a space after the key, or line it up with the entries it belongs to"),
    ("    tags: [iran-nexus]\n", "   tags: [iran-nexus]\n", 4, "indented unlike the lines above it: line it up with the entries of its list or mapping"),
    ("    kind: person\n", "    kind: person\n    - Soleimani\n", 4, "indented unlike the lines above it: line it up with the entries of its list or mapping"),
    ("      - Suleimani\n", "      - 'Soleimani's men'\n", 7,
     "text after a closing quote: inside '...' write an apostrophe twice ('Soleimani''s'), or put the text in \"...\""),
    ("      - Suleimani\n", '      - "Soleimani" men\n', 7, 'text after a closing quote: inside "..." write a quote as \\", or put the text in \'...\''),
    ("    tags: [iran-nexus]\n", "    tags: [iran-nexus]\n names\n", 5, "indented unlike the lines above it: line it up with the entries of its list or mapping"),
    ("      - Suleimani\n", "      - 'Suleimani\n", 7, "a quote opened on this line is never closed: close it"),
    ("    tags: [iran-nexus]\n", "    tags: [iran-nexus\n", 4,
     "a [ or { opened on this line is not closed where expected: close it, and put in quotes an item holding ':', ',', '[' or '{'"),
    ("      - Suleimani\n", "      - @Suleimani\n", 7, "an unquoted text cannot start with '@': put it in quotes ('@...')"),
    ("      - Suleimani\n", "      - *Suleimani\n", 7, "*Suleimani names no anchor (&Suleimani) above it: a text that starts with * goes in quotes ('*...')"),
    ("      - Suleimani\n", '      - "Sule\\imani"\n', 7, 'a backslash in "..." starts an escape: write \\\\ for a backslash, or put the text in \'...\''),
    ("    min_severity: 2\n", "    min_severity: 2\n---\nactors: []\n", 15, "a second document (---): a watchlist file holds one; a folder of *.yaml files holds several"),
])
def test_a_yaml_mistake_names_the_line_written_wrong_and_what_to_write(tmp_path: Path, old: str, new: str, line: int, says: str) -> None:
    """Regression: YAML's parser state was the message (`found character '\\t' that cannot start any token`,
    `mapping values are not allowed here`, `expected <block end>, but found '<scalar>'`), and for a key without
    its colon or a quote never closed the line it gave up on (the next one, or the file's end), not the one
    written wrong: the analyst was told neither where nor what to write. `monitor check` and the daemon's reload
    both say it (one loader)."""
    assert old in BASE
    path = yaml_file(tmp_path, BASE.replace(old, new))
    assert watchlist_error(path, line) == f"{path}:{line}: not valid YAML: {says}"


def test_a_tab_before_a_comment_is_read_as_yaml_says(tmp_path: Path) -> None:
    """A tab is a space between a value and its comment in YAML; libyaml's parser (the one used since it is a
    sixth of the pure-Python parser's time on a big watchlist) reads it so, where PyYAML's own refused the file."""
    path = yaml_file(tmp_path, BASE.replace("      - Soleimani\n", "      - Soleimani\t# the short form\n"))
    assert load_watchlist(path).actors[0].aliases[:3] == ("Qasem Soleimani", "Soleimani", "Suleimani")


def test_a_big_watchlist_is_parsed_by_libyaml_and_its_mistakes_still_shown(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast parser reads a good file; a file it refuses is read again by the pure-Python one, for the message."""
    parsed: list[str] = []
    real = watchlist_module._parse

    def spy(kind: type, path: Path, text: str) -> object:
        parsed.append(kind.__name__)
        return real(kind, path, text)

    monkeypatch.setattr(watchlist_module, "_parse", spy)
    load_watchlist(yaml_file(tmp_path, BASE))
    assert parsed == ["_FastUniqueKeys"] and yaml.CSafeLoader in watchlist_module._FastUniqueKeys.__mro__
    parsed.clear()
    path = yaml_file(tmp_path, BASE.replace("    kind: person\n", "    kind person\n"))
    assert "no 'key: value' on this line" in watchlist_error(path, 3)
    assert parsed == ["_FastUniqueKeys", "_UniqueKeys"]


@pytest.mark.parametrize(("text", "line", "says"), [
    ("actors:\n  - name: Q\n    kind: person\n    aliases:\n      -Soleimani\n      - Suleimani\n", 4,
     "actors[0].aliases: should be a list: a '-' starts an item only with a space after it: write '- Soleimani'"),
    ("events:\n  - name: e\n    severity: 1\n    phrases:\n      -drone strike\n", 4,
     "events[0].phrases: should be a list: a '-' starts an item only with a space after it: write '- drone strike'"),
    ("actors:\n  - kind: person\n", 2, "actors[0].name: missing: add 'name: ...'"),
    ("actors:\n  - name: Q\n    kind: person\n    aliases:\n      - alias: QS\n", 5, "actors[0].aliases[0].context: missing: add 'context: ...'"),
    ("events:\n  - name: e\n    severity: high\n", 3, "events[0].severity: should be a whole number, not 'high'"),
    ("events:\n  - name: e\n    severity: 2.5\n", 3, "events[0].severity: should be a whole number, not 2.5"),
    ("rules:\n  - name: r\n    min_severity: [2]\n", 3, "rules[0].min_severity: should be a whole number, not a list"),
    ("actors:\n  - name: Q\n    kind: human\n", 3, "actors[0].kind: should be 'person', 'group', 'state', 'place' or 'organisation', not 'human'"),
    ("actors:\n  - name: [Q]\n    kind: person\n", 2, "actors[0].name: should be a text, not a list"),
    ("actors:\n  - name: Q\n    kind: person\n    aliases:\n      -\n", 5,
     "actors[0].aliases[0]: should be a text or a mapping of alias and context, not empty"),
    ("learned: maybe\n", 1, "learned: should be true or false, not 'maybe'"),
    ("actors:\n  - name: Q\n    kind: person\n    aliases:\n      - alias: QS\n        context: []\n", 6,
     "actors[0].aliases[0].context: should list at least 1 entry, not 0"),
])
def test_a_value_written_wrong_is_told_what_to_write_in_the_analysts_words(tmp_path: Path, text: str, line: int, says: str) -> None:
    """Regression: `-Soleimani` (no space after the dash: one text, not a list) was told "should be a list in brackets:
    write [-Soleimani - Suleimani]", which loads a wrong alias; pydantic's own words were the message ("Field required",
    "Input should be a valid integer, unable to parse string as an integer", the kinds without the one written)."""
    path = yaml_file(tmp_path, text)
    assert watchlist_error(path, line) == f"{path}:{line}: {says}"


@pytest.mark.parametrize("pattern", ["", ".*", "\\w*", "(Soleimani)?"])
def test_a_regex_that_matches_an_empty_text_is_refused(tmp_path: Path, pattern: str) -> None:
    """Regression: `patterns: ['.*']` loaded, and every sentence of every article was the actor (`found 'A drone strike
    killed ... Baghdad.'`): each article with any event alerted; `''` loaded and matched nothing, in silence."""
    path = yaml_file(tmp_path, BASE.replace("    kind: person\n", f"    kind: person\n    patterns: ['x+y', '{pattern}']\n"))
    assert watchlist_error(path, 4) == (f"{path}:4: actors[0].patterns: regex {pattern!r} matches an empty text (as '.*' does, which "
                                        "takes every sentence): make it need at least one character of what it names")
