"""Issue 15, the pass that made set 13 in-sample: the kinds of text it missed or misread, told in sentences
written for these tests (none from an evaluation set): a reprisal promised at a time of one's own
choosing or as consequences one will face; a side that will not be dragged into a war; combat aircraft named by
their designator (words with digits)."""

from __future__ import annotations

import dataclasses

import pytest

from monitor.matching.matcher import Matcher
from tests.matching_fixtures import actors, events


# Coverage, kind 7: a reprisal promised at a time of one's choosing, or consequences one will face.

@pytest.mark.parametrize("text", [
    "\"Our revenge will come at a time and place of our choosing,\" the militia said.",
    "« Notre riposte viendra au moment et à l'endroit de notre choix », a déclaré le Hezbollah.",
    "\"Responderemos en el momento y lugar que elijamos\", dijo la milicia.",
    "„Wir werden zu einem Zeitpunkt unserer Wahl antworten\", sagte Teheran.",
])
def test_a_reprisal_at_a_time_of_ones_choosing_is_a_threat(plain: Matcher, text: str) -> None:
    assert "threat" in events(plain, text)  # the default list writes the English one as its retaliation


def test_a_reprisal_analysts_expect_at_a_time_of_their_choosing_is_no_threat(plain: Matcher) -> None:
    assert "threat" not in events(plain, "Analysts expect the militia to respond to the raid at a time of their choosing.")


@pytest.mark.parametrize("text", [
    "The president said Iran would face serious consequences if it attacked American troops.",
    "Le ministre a averti que l'Iran en subirait les conséquences s'il attaquait les troupes.",
])
def test_consequences_to_face_are_a_threat(matcher: Matcher, text: str) -> None:
    assert "threat" in events(matcher, text)


def test_consequences_of_a_drought_are_no_threat(matcher: Matcher) -> None:
    assert "threat" not in events(matcher, "Farmers in Iraq will face serious consequences from the drought this summer.")


# Coverage, kind 7 (thesaurus): a side that will not be dragged into a war de-escalates, in five languages.

@pytest.mark.parametrize("text", [
    "Jordan's king said his country would not be dragged into a war between Iran and Israel.",
    "Le Premier ministre irakien a assuré que l'Irak ne se laisserait pas entraîner dans une guerre.",
    "El gobierno iraquí afirmó que no se dejará arrastrar a una guerra regional.",
    "Il premier iracheno ha detto che l'Iraq non si farà trascinare in una guerra.",
    "Bagdad werde sich nicht in einen Krieg hineinziehen lassen, sagte der Premier.",
])
def test_not_dragged_into_a_war_is_de_escalation(matcher: Matcher, plain: Matcher, text: str) -> None:
    assert "de-escalation" in events(matcher, text)
    assert "de-escalation" in events(plain, text)


def test_dragging_a_region_into_war_is_no_de_escalation(matcher: Matcher) -> None:
    assert "de-escalation" not in events(matcher, "Israel accused Iran of trying to drag the whole region into a war.")


# Matcher, kind 1: a word with digits (a combat aircraft's designator) matches as written.

@pytest.mark.parametrize("text", [
    "Iraqi F-16s carried out air strikes on Islamic State hideouts near Kirkuk.",
    "Iraqi F-16 jets bombed Islamic State positions in the desert.",
])
def test_a_designator_is_a_context_word(matcher: Matcher, text: str) -> None:
    assert "Iraq" in actors(matcher, text)


# Matcher, kind 1: a phrase longer than the event window is found as written.

@pytest.mark.parametrize("text", [
    "Le ministre a dit que toutes les options sont sur la table face à l'Iran.",
    "El ministro dijo que todas las opciones están sobre la mesa frente a Irán.",
])
def test_a_phrase_longer_than_the_window_is_found_as_written(matcher: Matcher, plain: Matcher, text: str) -> None:
    assert "threat" in events(matcher, text)
    assert "threat" in events(plain, text)


# Senses, kind 2 (any list): what weather, pollution or disease kills or hits is no act of the domain.

@pytest.mark.parametrize("text", [
    "Air pollution killed more than 2,000 people in Tehran last winter, the health ministry said.",
    "La contaminación del aire mató a cientos de personas en Teherán el invierno pasado.",
    "Malaria killed 300 people in southern Iraq this year, officials said.",
    "Torrential rain struck Basra overnight, and two people were killed in the flooded streets.",
])
def test_deaths_by_weather_pollution_or_disease_are_no_killing(matcher: Matcher, plain: Matcher, text: str) -> None:
    assert "killing" not in events(matcher, text)
    assert "killing" not in events(plain, text)
    assert "strike" not in events(matcher, text)


@pytest.mark.parametrize("text", [
    "A sandstorm hit Baghdad on Monday, grounding flights at the airport.",
    "A dust storm struck Iraq's south, closing schools.",
])
def test_a_storm_that_hits_is_no_strike(matcher: Matcher, text: str) -> None:
    assert "strike" not in events(matcher, text)


def test_an_attack_in_a_storm_stays(matcher: Matcher) -> None:
    found = events(matcher, "Rockets hit Baghdad's Green Zone during a sandstorm, killing two guards.")
    assert {"rocket attack", "killing"} <= found


# Matcher, kind 1: a context word whose stem is another language's form of an event word hides no event.

@pytest.fixture(scope="module")
def with_envoy(plain: Matcher) -> Matcher:
    """The plain list with "envoy" as a context word of the sanctions (a diplomat expelled): its English stem is
    also the English stem of French "envoyer", whose French stem is the deployment's "envoi"."""
    watchlist = plain.watchlist
    events_ = tuple(
        dataclasses.replace(e, phrases=(*e.phrases, "expelled"), context=(*e.context, ("expelled", ("envoy", "diplomats"))))
        if e.name == "sanctions" else e
        for e in watchlist.events
    )
    return Matcher(dataclasses.replace(watchlist, events=events_))


@pytest.mark.parametrize("text", [
    "Les États-Unis vont envoyer des parachutistes en Irak.",
    "Paris a décidé d'envoyer des troupes supplémentaires au Liban.",
    "Washington envoie des soldats dans le Golfe.",
])
def test_a_context_word_sharing_a_stem_hides_no_deployment(with_envoy: Matcher, text: str) -> None:
    assert "troop deployment" in events(with_envoy, text)


# Coverage, kinds 5 and 7 (thesaurus): a roadside bomb in the other languages and guided and anti-tank missiles are
# the domain's bombing and missile.

@pytest.mark.parametrize("text", [
    "Une bombe en bord de route a visé un convoi de la coalition près de Bagdad.",
    "Una bomba al borde de la carretera alcanzó un convoy cerca de Bagdad.",
    "Una bomba sul ciglio della strada ha colpito una pattuglia a nord di Baghdad.",
    "Eine Straßenrandbombe traf einen Konvoi südlich von Bagdad.",
])
def test_a_roadside_bomb_is_a_bombing(plain: Matcher, text: str) -> None:
    assert "bombing" in events(plain, text)


@pytest.mark.parametrize("text", [
    "Hezbollah fighters fired an anti-tank missile at an Israeli position.",
    "Les combattants ont tiré un missile antichar sur un blindé.",
    "Die Miliz feuerte eine Panzerabwehrrakete auf einen Panzer.",
])
def test_a_guided_or_anti_tank_missile_is_a_missile(plain: Matcher, text: str) -> None:
    assert "ballistic missiles" in events(plain, text)


# Senses, kind 2 (any list): hit with a penalty is no strike; a storm that bombards is weather.

@pytest.mark.parametrize("text", [
    "The Iraqi bank was hit with US Treasury sanctions last year.",
    "Washington hit Iran with new sanctions on its steel sector.",
    "L'Iran, frappé de nouvelles sanctions, a réduit ses exportations.",
    "L'economia iraniana, colpita dalle sanzioni americane, è in recessione.",
    "Iraqi exporters were hit hard by the new tariffs.",
])
def test_hit_with_a_penalty_is_no_strike(matcher: Matcher, plain: Matcher, text: str) -> None:
    assert "strike" not in events(matcher, text)
    assert "strike" not in events(plain, text)


@pytest.mark.parametrize("text", [
    "A US drone hit the militia's convoy with two missiles near the border.",
    "Iran hit the base with a barrage of ballistic missiles.",
])
def test_hit_with_weapons_stays_a_strike(matcher: Matcher, text: str) -> None:
    assert events(matcher, text) & {"strike", "drone strike", "ballistic missiles"}


def test_a_storm_that_bombards_kills_no_one_in_war(matcher: Matcher) -> None:
    found = events(matcher, "Storm Dennis bombarded the coast with heavy rain, and a driver was killed when a tree fell on his car.")
    assert not found & {"strike", "killing", "air strike"}


# Senses, kind 2 (any list): a forecast's tensions and threats are weather's.

@pytest.mark.parametrize("text", [
    "Forecasters said tensions between the two weather systems could escalate into a violent storm.",
    "The threat of flash floods rose as torrential rain moved north.",
])
def test_a_forecasts_escalation_or_threat_is_weathers(matcher: Matcher, plain: Matcher, text: str) -> None:
    assert not events(matcher, text) & {"escalation", "threat"}
    assert not events(plain, text) & {"escalation", "threat"}


def test_a_threat_in_a_storm_by_a_watched_side_stays(matcher: Matcher) -> None:
    assert "threat" in events(matcher, "Despite the sandstorm, the IRGC threatened to strike US bases in the Gulf.")


# Senses, kind 2 (any list): an attack, a threat or a hostage on computers is no force.

@pytest.mark.parametrize("text", [
    "Pro-Iranian hackers claimed an attack on the websites of three US banks.",
    "Des pirates informatiques ont revendiqué une attaque contre le site du ministère iranien.",
    "Los piratas informáticos amenazaron con publicar los datos del ministerio iraní.",
    "A cyberattack attributed to Tehran hit the servers of Albania's government.",
])
def test_an_act_on_computers_is_no_force(matcher: Matcher, plain: Matcher, text: str) -> None:
    assert not events(matcher, text) & {"strike", "threat", "kidnapping"}
    assert not events(plain, text) & {"strike", "threat", "kidnapping"}


def test_missiles_beside_hackers_stay(matcher: Matcher) -> None:
    assert "ballistic missiles" in events(matcher, "Hackers jammed the radar as Iranian ballistic missiles struck the base.")


# Senses, kind 2 (any list): supporters' violence around a match is no attack of the domain.

@pytest.mark.parametrize("text", [
    "Hooligans attacked the team bus of the Iraqi champions after the final whistle.",
    "Des supporters rivaux ont attaqué le bus de l'équipe iranienne à Téhéran.",
    "Los hinchas atacaron el autobús del equipo iraquí tras el partido en Bagdad.",
])
def test_fans_attacking_a_team_bus_is_no_strike(matcher: Matcher, plain: Matcher, text: str) -> None:
    assert "strike" not in events(matcher, text)
    assert "strike" not in events(plain, text)


def test_gunmen_attacking_a_bus_stay(matcher: Matcher) -> None:
    assert "strike" in events(matcher, "Islamic State gunmen attacked a bus carrying Iraqi soldiers near Samarra.")


# Coverage, kind 7 (thesaurus): no desire for war, in five languages, is de-escalation.

@pytest.mark.parametrize("text", [
    "Iran's foreign minister said Tehran had no desire for war with its neighbours.",
    "Le président irakien a assuré n'avoir aucun désir de guerre avec l'Iran.",
    "Il ministro ha detto che Teheran non ha nessun desiderio di guerra.",
    "Der Präsident sagte, Bagdad habe kein Interesse an einem Krieg.",
])
def test_no_desire_for_war_is_de_escalation(matcher: Matcher, plain: Matcher, text: str) -> None:
    assert "de-escalation" in events(matcher, text)
    assert "de-escalation" in events(plain, text)
