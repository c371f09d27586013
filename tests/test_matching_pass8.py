"""Issue 15, the pass that made set 8 in-sample: the kinds of text it missed or misread, told in sentences
written for these tests (none from an evaluation set): deaths in disasters, accidents and courts; prices that
rocketed; bombs blown up and ordnance destroyed; the means of an attack on a mission; air strikes told by the
aircraft's type; plurals of air raid; pastimes, sports and fiction; threats in labour disputes and indirect
questions; orders to stop; phrases whose words stand apart across "than" or another clause; a capital as
agent, blamed or coordinated; names in other languages; and the thesaurus's fixed expressions."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.matching.matcher import Matcher
from monitor.watchlist import load_watchlist
from tests.matching_fixtures import PLAIN, actors, events




@pytest.mark.parametrize("text", [
    "Hezbollah's leader offered condolences after the earthquake that killed 300 people in the north.",
    "Soleimani's old comrades said 20 pilgrims died in the stampede at the shrine.",
    "Iraqi officials said floods killed eleven people near Baghdad.",
    "Un Erdbeben hat im Iran mehr als 40 Menschen getötet, berichtete das Staatsfernsehen.",
])
def test_a_death_in_a_disaster_or_accident_is_no_killing_for_any_list(matcher: Matcher, plain: Matcher, text: str) -> None:
    assert "killing" not in events(matcher, text)
    assert "killing" not in events(plain, text)


@pytest.mark.parametrize("text", [
    "A militia commander was condamné à mort by a court in Baghdad.",
    "Der Kommandeur der Miliz wurde in Bagdad zum Tode verurteilt.",
])
def test_a_death_sentence_is_no_killing(matcher: Matcher, text: str) -> None:
    assert "killing" not in events(matcher, text)


def test_a_militia_killing_beside_a_disaster_word_elsewhere_stays(matcher: Matcher) -> None:
    text = "Gunmen killed four soldiers at a checkpoint near Erbil. Separately, floods hit the south."
    assert "killing" in events(matcher, text)


@pytest.mark.parametrize(("text", "rocket"), [
    ("Rents near the Erbil airport rocketed 40 percent after the oil boom.", False),
    ("Shares in the Baghdad telecom rocketed after the licence was renewed.", False),
    ("Militants fired rockets at the Erbil airport overnight.", True),
])
def test_a_price_that_rocketed_is_no_rocket_attack(matcher: Matcher, text: str, rocket: bool) -> None:
    assert ("rocket attack" in events(matcher, text)) is rocket


@pytest.mark.parametrize(("text", "bombing"), [
    ("Islamic State fighters blew up the bridge as they retreated from the town.", True),
    ("The militia had planned to blow up a pipeline south of Basra, Iraqi police said.", True),
    ("Army engineers carried out a controlled detonation of an old shell found near Erbil.", False),
    ("The merger talks blew up over the weekend.", False),
])
def test_blow_up_in_any_form_is_a_bombing_and_a_controlled_detonation_is_not(matcher: Matcher, text: str, bombing: bool) -> None:
    assert ("bombing" in events(matcher, text)) is bombing


@pytest.mark.parametrize(("text", "attack"), [
    ("A car bomb tore through the gate of the US consulate in Erbil.", True),
    ("Israeli jets carried out a strike on Iran's embassy annex in Damascus.", True),
    ("Nach einem Raketenangriff auf die Botschaft in Bagdad wurde das Personal verringert.", True),
    ("A rocket landed near the US embassy in Baghdad late on Sunday.", False),
    ("Staff from the embassy watched the strike on the bowling lanes.", False),
])
def test_an_attack_on_a_mission_by_its_means_not_what_fell_near_it(matcher: Matcher, text: str, attack: bool) -> None:
    assert ("embassy attack" in events(matcher, text)) is attack


@pytest.mark.parametrize(("text", "air"), [
    ("Two US F-16s struck a weapons depot near the Syrian border.", True),
    ("An Iraqi F-16 hit an Islamic State cave complex in Anbar.", True),
    ("Russia fired Kh-101 missiles and struck power plants in Ukraine.", False),  # a missile's designator
])
def test_an_aircraft_type_before_a_verb_of_striking_is_an_air_strike(matcher: Matcher, plain: Matcher, text: str, air: bool) -> None:
    assert ("air strike" in events(matcher, text)) is air
    assert ("air strike" in events(plain, text)) is air


@pytest.mark.parametrize("text", [
    "Gli Stati Uniti hanno condotto raid aerei contro le milizie in Iraq.",
    "Israel flog in der Nacht Luftangriffen gegen Stellungen der Hisbollah.",
])
def test_the_plurals_of_air_raid_in_other_languages(plain: Matcher, text: str) -> None:
    assert "air strike" in events(plain, text)


@pytest.mark.parametrize(("text", "gone"), [
    ("At the bowling alley Iran's ambassador rolled three strikes in a row.", "strike"),
    ("The Iranian futsal team won on penalties against Japan in Tehran.", "Iran"),
    ("Im Stadion traf der Stürmer per Fernschuss, der Angriff der Gäste war nicht zu stoppen.", "strike"),
    ("In the new season of the spy drama, Hezbollah agents kidnap a diplomat.", "kidnapping"),
    ("The game is set in a ruined Baghdad, where players launch air strikes on rebel bases.", "air strike"),
])
def test_pastimes_sports_and_fiction_are_not_the_domain(matcher: Matcher, text: str, gone: str) -> None:
    assert gone not in actors(matcher, text) | events(matcher, text)


def test_the_embassy_staff_at_a_bowling_alley_are_still_the_state(matcher: Matcher) -> None:
    assert "United States" in actors(matcher, "Staff of the US embassy bowled a strike at the alley on Friday.")


@pytest.mark.parametrize(("text", "threat"), [
    ("Union leaders warned the walkout would spread to the ports unless wages rose.", False),
    ("Reporters asked whether Iran would attack the tanker convoy.", False),
    ("Iran said it would attack any tanker convoy that entered its waters.", True),
])
def test_a_threat_in_a_labour_dispute_or_an_indirect_question_is_none(matcher: Matcher, text: str, threat: bool) -> None:
    assert ("threat" in events(matcher, text)) is threat


@pytest.mark.parametrize("text", [
    "The Quds Force commander told the militias to halt their attacks on US bases.",
    "Tehran instructed its proxies to stop attacking American forces in Syria.",
    "Il comandante ha ordinato alle milizie di sospendere gli attacchi contro le basi.",
])
def test_an_order_to_stop_is_a_call_to_stop(plain: Matcher, text: str) -> None:
    assert "de-escalation" in events(plain, text)


@pytest.mark.parametrize(("text", "deployment"), [
    ("More than 200 troops at the base were treated for concussion after the barrage.", False),
    ("The militia vowed more attacks until foreign troops leave.", False),
    ("The Pentagon is sending more troops to the Gulf.", True),
])
def test_a_phrase_does_not_spread_across_than_or_another_clause(matcher: Matcher, text: str, deployment: bool) -> None:
    assert ("troop deployment" in events(matcher, text)) is deployment


@pytest.mark.parametrize(("text", "found", "not_found"), [
    ("Pensions in Kirkuk are late because of cuts ordered by Baghdad.", "Iraq", "Baghdad"),
    ("Farmers say the drought is one more hardship they blame on Baghdad.", "Iraq", "Baghdad"),
    ("Baghdad and Ankara announced a new border crossing.", "Iraq", "Baghdad"),
    ("Pilgrims visited a shrine north of Tehran on Friday.", "", "Iran"),
])
def test_a_capital_as_agent_blamed_or_coordinated_is_its_government(matcher: Matcher, text: str, found: str, not_found: str) -> None:
    named = actors(matcher, text)
    assert (found in named) if found else True
    assert not_found not in named


@pytest.mark.parametrize(("text", "actor"), [
    ("Le Brigate Hezbollah hanno rivendicato l'attacco con i droni.", "Kataeb Hezbollah"),
    ("Los Guardianes de la Revolución lanzaron misiles contra Erbil.", "Islamic Revolutionary Guard Corps"),
    ("Die Al-Kuds-Einheiten sollen den Angriff geplant haben.", "Quds Force"),
    ("Le Hachd a annoncé le retrait de ses combattants.", "Popular Mobilization Forces"),
    ("Drones struck near BIAP shortly after midnight.", "Baghdad International Airport"),
])
def test_names_as_the_other_languages_and_acronyms_write_them(matcher: Matcher, text: str, actor: str) -> None:
    assert actor in actors(matcher, text)


def test_a_common_noun_is_not_a_name_without_conflict_words(matcher: Matcher) -> None:
    assert "Popular Mobilization Forces" not in actors(matcher, "Los sindicatos convocaron una movilización popular por los salarios.")


@pytest.mark.parametrize(("text", "absent"), [
    ("The Iranian Revolutionary Guard Corps seized a tanker in the Gulf.", "Iran"),
    ("Team USA beat Serbia in the final.", "United States"),
    ("Shares of Trump Media fell 9% on Monday.", "Donald Trump"),
    ("The Erbil Citadel reopened to tourists after restoration.", "Erbil"),
])
def test_a_name_inside_another_things_name(matcher: Matcher, text: str, absent: str) -> None:
    assert absent not in actors(matcher, text)


@pytest.mark.parametrize(("text", "event"), [
    ("Kataib Hezbollah and US forces traded fire near the Syrian border.", "strike"),
    ("Tehran called the barrage payback for the killing of its general.", "retaliation"),
    ("The Treasury froze the assets of three militia leaders; le Trésor a gelé les avoirs de leurs sociétés.", "sanctions"),
    ("La morte del generale ha portato i due paesi sull'orlo della guerra.", "escalation"),
    ("The envoy flew to Baghdad to lower the temperature after the drone strike.", "de-escalation"),
    ("El Estado Islámico reivindicó la emboscada contra un convoy del ejército.", "strike"),
])
def test_the_thesaurus_carries_more_forms_to_a_plain_list(plain: Matcher, text: str, event: str) -> None:
    assert event in events(plain, text)


@pytest.mark.parametrize(("text", "event"), [
    ("Lawyers for the minister called the newspaper series a character assassination.", "assassination"),
    ("All officers will take 20 hours of de-escalation training this year.", "de-escalation"),
    ("The nurse won her whistleblower retaliation claim against the clinic.", "retaliation"),
    ("The retailer made a killing on its Iraq franchise last year.", "killing"),
    ("Two airlines agreed a truce in their fare war on the Baghdad route.", "ceasefire"),
])
def test_the_thesaurus_gives_a_plain_list_its_fixed_expressions(plain: Matcher, text: str, event: str) -> None:
    assert event not in events(plain, text)


def test_an_author_who_wrote_not_when_keeps_only_their_own(tmp_path: Path) -> None:
    text = PLAIN.read_text().replace("    phrases: [strike, attack, ambush, shot down]\n", "    not_when: [strike a deal]\n    phrases: [strike, attack, ambush, shot down]\n")
    path = tmp_path / "list.yaml"
    path.write_text(text)
    own = Matcher(load_watchlist(path))
    assert "strike" in events(own, "Militants staged a hunger strike attack on the prison.")


def test_a_listed_member_keeps_its_own_sense(plain: Matcher) -> None:
    """'dead' once took 'deadly''s two-word window (the two share a stem): a bombing eight words away did not count."""
    assert "killing" in events(plain, "The suicide bombing at the checkpoint near the market left nine people dead.")


@pytest.mark.parametrize(("text", "absent"), [
    ("A coffee at the Erbil fair cost US$4 this year.", "United States"),
    ("The Tehran-born violinist opened the festival in Vienna.", "Iran"),
    ("Her memoir Erbil, by Dana Aziz, came out in paperback.", "Erbil"),
    ("Patients on pulse magnetic field (PMF) therapy slept no better.", "Popular Mobilization Forces"),
    ("Defending champion Jesper Lind rolled a perfect game.", "Mark Esper"),
])
def test_a_currency_a_birthplace_a_title_a_defined_acronym_and_a_longer_name_are_other_things(matcher: Matcher, text: str, absent: str) -> None:
    assert absent not in actors(matcher, text)


def test_an_acronym_defined_as_the_actor_stays(matcher: Matcher) -> None:
    assert "Popular Mobilization Forces" in actors(matcher, "The Popular Mobilization Forces (PMF) said five fighters died.")


def test_bombs_of_an_air_strike_just_told_are_not_another_bombing(matcher: Matcher) -> None:
    found = events(matcher, "Israeli warplanes dropped dozens of heavy bombs on the militia's depots near Qusayr.")
    assert "air strike" in found and "bombing" not in found


@pytest.mark.parametrize("text", [
    "Iran fired missiles at the base in retaliation for the US strikes on its airfields.",
    "Any US strike on the refinery could trigger missile attacks on Gulf shipping, analysts said.",
])
def test_a_generic_act_joined_to_a_specific_one_by_cause_is_another_act(matcher: Matcher, text: str) -> None:
    assert {"strike", "ballistic missiles"} <= events(matcher, text)


def test_the_consulate_in_other_languages(matcher: Matcher) -> None:
    assert "embassy attack" in events(matcher, "Un'autobomba è esplosa davanti al consolato di Erbil.")


@pytest.mark.parametrize(("text", "deployment"), [
    ("The Pentagon ordered 1,200 paratroopers to Qatar on Friday.", True),
    ("The destroyer was ordered to the eastern Mediterranean to deter any attack.", True),
    ("The militia leader ordered his fighters to hold their fire.", False),
    ("Commanders ordered the brigade to return to barracks.", False),
])
def test_forces_ordered_somewhere_are_a_deployment_an_order_to_act_is_not(plain: Matcher, text: str, deployment: bool) -> None:
    assert ("troop deployment" in events(plain, text)) is deployment


@pytest.mark.parametrize(("text", "event", "found"), [
    ("Lightning struck a shepherds' hut near Duhok, killing three people.", "killing", False),
    ("A US air strike on the compound killed nine militia fighters.", "killing", True),
    ("The Pentagon said any attack on its troops would not go unpunished.", "threat", True),
])
def test_killing_by_an_attack_not_by_lightning_and_a_litotes_of_reprisal(plain: Matcher, text: str, event: str, found: bool) -> None:
    assert (event in events(plain, text)) is found


def test_bombs_of_an_air_strike_for_a_list_that_does_not_say_so(plain: Matcher) -> None:
    found = events(plain, "Two B-52 bombers pounded militia depots near al-Qaim overnight.")
    assert "air strike" in found and "bombing" not in found
    found = events(plain, "Israeli jets bombed the militia's depots near Qusayr.")
    assert "air strike" in found and "bombing" not in found
