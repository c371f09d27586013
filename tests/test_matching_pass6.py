"""Issue 15, the pass that made set 6 in-sample: the default watchlist on kinds of text it missed (sentences
written for these tests, none from an evaluation set): a state's bodies and short names as the press writes
them, nationality adjectives beside what a state aims at or owns."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.matching.compiled import is_acronym
from monitor.matching.matcher import Matcher
from monitor.matching.rules import match_text
from monitor.watchlist import load_watchlist
from tests.matching_fixtures import actors, events






def test_a_capitalised_alias_of_three_letters_matches_as_written() -> None:
    assert is_acronym("Usa") and is_acronym("US") and not is_acronym("Irak") and not is_acronym("usa")


@pytest.mark.parametrize("text", [
    "Le truppe Usa lasceranno la base entro l'estate.",
    "The Justice Department unsealed charges against two men.",
    "La Casa Blanca guardó silencio sobre el asunto.",
    "America's envoy met the prime minister in Baghdad.",
    "The Treasury designated four firms tied to the IRGC.",
])
def test_the_united_states_under_the_names_the_press_uses(matcher: Matcher, text: str) -> None:
    assert "United States" in actors(matcher, text)


@pytest.mark.parametrize("text", [
    "Il museo usa nuove luci per la mostra.",
    "She grew up in Latin America and moved to Madrid.",
    "Club America won the derby on Sunday.",
])
def test_not_the_united_states(matcher: Matcher, text: str) -> None:
    assert "United States" not in actors(matcher, text)


@pytest.mark.parametrize("text, state", [
    ("The cleric threatened to hit dozens of Iranian sites at once.", "Iran"),
    ("Gli attacchi contro gli obiettivi iraniani sono continuati.", "Iran"),
    ("Die Regierung kritisierte die iranische Einmischung in der Region.", "Iran"),
    ("Les milices pro-iraniennes ont revendiqué l'attaque.", "Iran"),
    ("Una milizia filo-iraniana ha rivendicato il lancio.", "Iran"),
    ("Les forces de sécurité irakiennes ont bouclé le quartier.", "Iraq"),
    ("The envoy met his Iraqi counterpart in Amman.", "Iraq"),
])
def test_a_nationality_adjective_beside_what_the_state_aims_at_or_has(matcher: Matcher, text: str, state: str) -> None:
    assert state in actors(matcher, text)


@pytest.mark.parametrize("text", ["An Iranian pistachio exporter opened a shop in Hamburg.", "Reporters spoke to the National Iranian Oil Company."])
def test_a_nationality_adjective_in_trade_is_not_the_state(matcher: Matcher, text: str) -> None:
    assert "Iran" not in actors(matcher, text)


@pytest.mark.parametrize("text", [
    "Trump spent the weekend at his golf club in New Jersey.",
    "Milley briefed Biden on the plans by phone.",
    "Sources close to Khamenei described the meeting as cordial.",
])
def test_a_bare_surname_as_the_person_writes_it_counts_alone(matcher: Matcher, text: str) -> None:
    assert actors(matcher, text)


@pytest.mark.parametrize("text", [
    "The bridge players drew trumps early and claimed the rest.",
    "Laila Soleimani opened a bakery in Toronto. Soleimani said the recipes were her grandmother's.",
    "Anne K. Trump signed copies of her cookbook on Saturday.",
    "The Trump Organization said it would sell the lease on its hotel.",
    "Donald Trump Jr. went fishing in Montana.",
])
def test_a_bare_surname_that_is_not_the_person(matcher: Matcher, text: str) -> None:
    assert not actors(matcher, text)


@pytest.mark.parametrize("text", [
    "Officials in Tehran said an attack on Iran would be answered.",
    "Le ministre a mis en garde Washington contre toute attaque.",
    "Der Kanzler warnte Israel vor einem Angriff.",
])
def test_an_attack_with_a_state_of_the_region_as_party_is_the_domains(matcher: Matcher, text: str) -> None:
    assert "strike" in events(matcher, text)


@pytest.mark.parametrize("text", [
    "US auto workers voted to extend their strike.",
    "The Washington side launched a late attack but could not find an equaliser.",
    "D'une frappe du gauche, l'attaquant iranien a égalisé.",
])
def test_a_strike_of_workers_or_of_a_match_is_not(matcher: Matcher, text: str) -> None:
    assert "strike" not in events(matcher, text)


def test_a_plain_list_finds_an_attack_with_a_watched_state_near(tmp_path: Path) -> None:
    path = tmp_path / "plain.yaml"
    path.write_text("actors:\n  - {name: Iran, kind: state, aliases: [Tehran]}\nevents:\n  - {name: strike, severity: 2, phrases: [strike]}\n", encoding="utf-8")
    plain = Matcher(load_watchlist(path))
    assert {m.name for m in plain.find("Tehran denied planning an attack.")} == {"Iran", "strike"}
    assert {m.name for m in plain.find("Fans cheered the attack down the left wing.")} == set()


def test_a_context_may_join_shared_lists(tmp_path: Path) -> None:
    path = tmp_path / "w.yaml"
    path.write_text(
        "x-a: &a [troops]\nx-b: &b [Tehran]\nevents:\n  - {name: strike, severity: 2, synonyms: false, phrases: [{phrase: attack, context: [*a, *b]}]}\n",
        encoding="utf-8",
    )
    joined = Matcher(load_watchlist(path))
    assert [m.name for m in joined.find("Tehran feared an attack.")] == ["strike"]
    assert [m.name for m in joined.find("The troops feared an attack.")] == ["strike"]
    assert joined.find("Fans feared an attack.") == []


@pytest.mark.parametrize("text", [
    "The militia promised a painful response to any new raid.",
    "Officials said Washington would respond swiftly to the killing of its contractor.",
    "Le Hezbollah a promis une réponse ferme à toute agression.",
    "Teherán prometió una respuesta a la muerte de su comandante.",
])
def test_a_response_told_as_a_reprisal_is_retaliation(rules: Matcher, text: str) -> None:  # the rules' reading: the learned layer changes it (tests/test_learned.py)
    assert "retaliation" in events(rules, text)


@pytest.mark.parametrize("text", [
    "The group claimed responsibility for the attack on the convoy.",
    "The Pentagon put its rapid response force on alert.",
    "The ministry did not respond to requests for comment.",
])
def test_responsibility_and_a_response_force_are_not(matcher: Matcher, text: str) -> None:
    assert "retaliation" not in events(matcher, text)


@pytest.mark.parametrize("text, event", [
    ("The Guards admitted they had shot down the airliner by mistake, killing everyone on board.", "strike"),
    ("L'armée a reconnu avoir abattu le vol de la compagnie ukrainienne.", "strike"),
    ("The militia said American bases in the region were now legitimate targets.", "strike"),
    ("Il ministro ha minacciato di colpire i siti del gruppo.", "strike"),
    ("Heavy cross-border fire was reported overnight near the village.", "strike"),
    ("The airliner was shot down after take-off; all 90 passengers died.", "killing"),
])
def test_shoot_downs_targets_and_hits_in_other_words(matcher: Matcher, text: str, event: str) -> None:
    assert event in events(matcher, text)


def test_rockets_side_by_side_beat_words_spread_over_a_clause() -> None:
    from monitor.model import Event, Watchlist
    two = Matcher(Watchlist(events=(Event("embassy attack", 2, ("embassy attack",)), Event("rocket attack", 2, ("rocket attack",)))))
    found = [m.name for m in two.find("The embassy would close unless rocket attacks stopped.")]
    assert found == ["rocket attack"]


@pytest.mark.parametrize("text, threat", [
    ("Economists warned that the sanctions on Tehran would deepen the recession.", False),
    ("Hikers were warned of rockfalls near the Isis valley trail.", False),
    ("A Hezbollah commander warned that the group would not stay silent.", True),
])
def test_a_warning_is_a_threat_by_force_words_or_a_watched_armed_group(matcher: Matcher, text: str, threat: bool) -> None:
    assert ("threat" in events(matcher, text)) is threat



@pytest.mark.parametrize("text, event, found", [
    ("Two rockets fell near the US embassy compound overnight.", "embassy attack", False),
    ("Des manifestants se sont rassemblés devant l'ambassade américaine.", "embassy attack", False),
    ("El presidente amenazó a Irak con sanciones durísimas.", "threat", True),
    ("The militia said it would keep targeting US troops.", "strike", True),
    ("The airliner was shot down minutes after take-off.", "strike", True),
    ("Les Gardiens de la révolution ont abattu l'avion par erreur.", "strike", True),
])
def test_a_plain_list_through_the_thesaurus(plain: Matcher, text: str, event: str, found: bool) -> None:
    assert (event in {m.name for m in match_text(plain, text).matches}) is found


@pytest.mark.parametrize("text, event, found", [
    ("Escalation dei prezzi delle case a Torino: più 12 per cento.", "escalation", False),
    ("La salle d'escalade ouvre un nouveau mur de vingt mètres.", "escalation", False),
    ("Tensions rose in the Gulf after the tanker was seized by Iran.", "escalation", True),
    ("Il fisco concede una tregua ai contribuenti fino a giugno.", "ceasefire", False),
    ("Hezbollah e Israele hanno accettato una tregua di tre giorni.", "ceasefire", True),
    ("Allerta meteo: minaccia di temporali su tutta la Toscana.", "threat", False),
    ("I pasdaran minacciano rappresaglie contro gli Stati Uniti.", "threat", True),
    ("The Pentagon sends more fighter jets to the Gulf.", "troop deployment", True),
    ("Le Trésor a annoncé de nouvelles sanctions visant des responsables iraniens.", "sanctions", True),
    ("Washington bombardeó depósitos de la milicia en Siria.", "air strike", True),
    ("Crowds chanted death to America outside the US embassy in Baghdad.", "killing", False),
])
def test_senses_and_vocabulary_of_the_default_events(matcher: Matcher, text: str, event: str, found: bool) -> None:
    assert (event in events(matcher, text)) is found


@pytest.mark.parametrize("text, name", [
    ("Bank Sepah reopened its branches on Saturday.", "Islamic Revolutionary Guard Corps"),
    ("Das Restaurant „Bagdad“ feiert sein Jubiläum.", "Baghdad"),
    ("Il traffico è bloccato in viale Pasdaran da ore.", "Islamic Revolutionary Guard Corps"),
    ("The old porter, known to all as al-muhandis, fixed the lift.", "Abu Mahdi al-Muhandis"),
    ("A Tehran-born violinist opened the season in Vienna.", "Iran"),
    ("Tehran's Grand Bazaar closed early for the holiday.", "Iran"),
    ("Snow covered the streets of Tehran on Monday.", "Iran"),
    ("In the video game, US Marines fight a fictional militia.", "United States"),
])
def test_names_of_other_things_cities_and_fiction(matcher: Matcher, text: str, name: str) -> None:
    assert name not in actors(matcher, text)


@pytest.mark.parametrize("text, name", [
    ("Officials in Tehran said the talks would resume.", "Iran"),
    ("Abu Mahdi al-\nMuhandis was buried in Najaf.", "Abu Mahdi al-Muhandis"),
    ("The Sepah commander warned of retaliation.", "Islamic Revolutionary Guard Corps"),
])
def test_still_the_actor(matcher: Matcher, text: str, name: str) -> None:
    assert name in actors(matcher, text)


@pytest.mark.parametrize("text", [
    "The grandmaster launched a kingside attack in the final round.",
    "Il Milan cerca vendetta dopo la sconfitta dell'andata.",
    "The film's director said the kidnapping scenes were shot in Malta.",
])
def test_games_matches_and_films_tell_no_event(matcher: Matcher, text: str) -> None:
    assert events(matcher, text) == set()


def test_an_opposite_takes_an_event_out_only_near_it(matcher: Matcher) -> None:
    assert events(matcher, "Tensions fell after both sides called for calm.") == {"de-escalation"}
    both = events(matcher, "The minister warned of a further escalation between Israel and Hezbollah at the border and urged both sides to show restraint.")
    assert {"escalation", "de-escalation"} <= both


@pytest.mark.parametrize("text, event, found", [
    ("Qatar hosted talks aimed at preventing a regional war.", "de-escalation", True),
    ("Il governo ha chiesto di ridurre la tensione con Teheran.", "de-escalation", True),
    ("The militia vowed to fight without restraint.", "de-escalation", False),
    ("The bombers stayed within striking range of the coast.", "strike", False),
    ("Une bousculade a fait douze morts lors du pèlerinage.", "killing", False),
])
def test_calm_and_fixed_expressions(matcher: Matcher, text: str, event: str, found: bool) -> None:
    assert (event in events(matcher, text)) is found


@pytest.mark.parametrize("text, strike", [
    ("A drone strike killed the commander who had planned attacks on US troops in Iraq.", True),
    ("Militia rockets hit the base after an American strike killed two fighters.", True),
    ("Two rockets struck the base overnight.", False),
    ("Rockets slammed into the air base, an attack later claimed by the militia.", False),
    ("Rockets hit the base in an attack claimed by the militia.", False),
])
def test_a_generic_attack_beside_a_specific_one_is_another_when_told_as_another(matcher: Matcher, text: str, strike: bool) -> None:
    assert ("strike" in events(matcher, text)) is strike


@pytest.mark.parametrize("text, threat", [
    ("The militia said US bases were now legitimate targets.", True),
    ("Il portavoce ha detto che la risposta sarà durissima.", True),
    ("Hezbollah said its fighters were ready to strike at any moment.", True),
    ("Trump said he was ready to strike a deal with Tehran.", False),
    ("Asked whether the response would be military, the minister declined to answer?", False),
])
def test_a_threat_said_in_other_forms(matcher: Matcher, text: str, threat: bool) -> None:
    assert ("threat" in events(matcher, text)) is threat


@pytest.mark.parametrize("text, event", [
    ("Die Terrormiliz IS bekannte sich zu dem Anschlag auf den Markt.", "strike"),
    ("Le Premier ministre a qualifié le raid de violation de la souveraineté de l'Irak.", "strike"),
    ("I sostenitori della milizia hanno tolto l'assedio all'ambasciata.", "embassy attack"),
    ("He boasted that he had taken out Soleimani.", "killing"),
    ("State television aired a call for a bounty on the president's head.", "threat"),
    ("Der Minister warnt, der Streit mit Teheran drohe zu eskalieren.", "escalation"),
    ("The tribunal said the killers of Soleimani would face justice.", "killing"),
])
def test_more_ways_the_press_tells_events(matcher: Matcher, text: str, event: str) -> None:
    assert event in events(matcher, text)


def test_a_plain_list_finds_deaths_of_soldiers(plain: Matcher) -> None:
    assert "killing" in {m.name for m in match_text(plain, "The deaths of three soldiers in Jordan shocked Washington.").matches}
