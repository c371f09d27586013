"""A built-in thesaurus of conflict events, by CAMEO class: what the matcher knows of event words without
being told (pure data and one function).

Each synset is one event concept of the CAMEO scheme (13 threaten, 15 exhibit force posture, 16 reduce
relations, 18 assault, 19 fight, 20 mass violence, ...): its words and phrases in English, French,
Spanish, Italian and German. An event of a watchlist that lists one member of a synset (as its name or a
phrase, compared by Snowball stems: `retaliate` is `retaliation`'s member `retaliated`) also matches the
synset's other members: a plain list that says "retaliation" finds "vowed revenge" and "représailles".
Members that are common words outside conflict (strike, attack, died, warned, deployed) carry a sense:
a context word list, one word of which must stand near (the watchlist's `context`); a listed phrase that
is such a member and has no context of its own (nor its event's) takes the sense too, unless written
`{phrase: ..., context: []}`. An event with `synonyms: false` takes nothing from here. A member already
listed by any event of the watchlist is not added again.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import NamedTuple

from monitor.matching.automaton import units_of
from monitor.model import Event

# Senses: the words near a common word that make it the conflict event (generic: no names of actors).
_ARMED = (
    "troops soldiers soldier forces militia militias militiamen fighters militants insurgents gunmen rebels jihadists "
    "army military navy marines commandos guards base bases airbase convoy patrol checkpoint positions artillery "
    "drone drones missile missiles rocket rockets mortar mortars airstrike airstrikes warplanes jets aircraft "
    "bomb bombs bombing blast explosion shelling gunfire raid ambush clashes fighting war armed killed wounded injured casualties "
    "retaliation retaliatory revenge reprisal reprisals ceasefire border cross-border occupation offensive operation "
    "ordered airport compound sites targets target facilities depot weapons kinetic precision proportionate deterrence sovereignty "
    "troupes soldats milice milices miliciens armée militaires tués blessés combattants drones roquettes missiles intérêts "
    "tropas soldados milicia milicias milicianos fuerzas ejército militares muertos heridos combatientes misiles cohetes intereses "
    "truppe soldati milizia milizie miliziani forze esercito militari uccisi feriti combattenti droni missili razzi interessi "
    "Truppen Soldaten Miliz Milizen Streitkräfte Armee Militär getötet verletzt Kämpfer Raketen Drohnen Stützpunkt "
    "dron "  # the Spanish drone

    "tanker tankers vessel vessels shipping motorcade"
)
_ATTACK = _ARMED + " territory territoire territorio Territorium aggression agression agresión aggressione cibles objetivos obiettivi Ziele"  # the states' names count too
_VIOLENT = (
    "attack attacks attacked strike strikes struck shot shooting gunmen gunman gunfire shelling bomb bombing bomber blast explosion "
    "explosive suicide drone drones missile missiles rocket rockets airstrike airstrikes raid ambush ambushed clashes fighting "
    "militants militia militiamen insurgents fighters massacre assassination assassinated beheaded execution war combat "
    "attaque attentat frappe explosion assassinat vengeance représailles venger "
    "ataque atentado explosión asesinato venganza represalias vengar "
    "attacco attentato esplosione assassinio vendetta rappresaglia vendicare "
    "Angriff Anschlag Explosion Ermordung Vergeltung Rache Luftangriff Drohnenangriff Selbstmordanschlag Bombenanschlag"
)
_FORCE = (
    "troops soldiers forces marines paratroopers brigade brigades battalion battalions division divisions units personnel "
    "warship warships carrier destroyer destroyers bombers jets fighter fighters squadron aircraft "
    "Patriot batteries military reinforcements bombardiers bombarderos bombardieri Bomber B-52 B-52s Kämpfer combattants "
    "Verstärkung Verstärkungen refuerzos renforts rinforzi "  # reinforcements in the other languages

    "troupes soldats militaires forces porte-avions tropas soldados militares fuerzas portaaviones armée ejército esercito Armee army "
    "truppe soldati militari forze portaerei Truppen Soldaten Streitkräfte Flugzeugträger paracadutisti parachutistes paracaidistas Fallschirmjäger"
)
_THREAT = (
    "war attack attacks strike strikes force military retaliation revenge vengeance response reprisal reprisals consequences sanctions "
    "conséquences sanctions consecuencias sanciones tropas conseguenze sanzioni truppe Konsequenzen Sanktionen Truppen "
    "destroy wipe annihilate bomb hit target targets sites bases troops missiles punish punishment harsh severe crushing "
    "guerre attaque attaquer frapper représailles riposte vengeance venger "
    "guerra ataque atacar represalias venganza vengar respuesta "
    "attacco attaccare rappresaglia vendetta vendicare risposta "
    "Krieg Angriff angreifen Vergeltung Rache Antwort"
)
_NO_CONSEQUENCES = " ".join(w for w in _THREAT.split() if not w.casefold().startswith(("consequ", "conséqu", "consecu", "consegu", "konsequ")))  # a phrase of consequences is no evidence of itself
_WARN = _THREAT + " Hormuz Ormuz blockade blocus bloqueo blocco Blockade"  # closing a strait, a blockade: a threat of force; the same words, but no names of states and groups (see _THREATS)
_PROMISE = (  # a promise is a threat only of a reprisal (not of power plants, nor of shorter queues)
    "war attack attacks strike strikes retaliation revenge vengeance response reprisal reprisals consequences destroy punish punishment "
    "harsh severe crushing guerre représailles riposte vengeance guerra represalias venganza respuesta rappresaglia vendetta risposta "
    "Krieg Vergeltung Rache Antwort"
)
_ARMED_SIDE = (  # what makes consequences promised a threat: a deadline to leave, or the other side's armed acts or forces
    "deadline leave withdraw attack attacks strike strikes troops forces bases missiles rockets shipping strait navy military Iran Iraq Israel America American Americans US"
)
_FORCE_HELD = _ARMED_SIDE + (  # and force held ready: also a condition
    " if unless until necessary si sinon nécessaire retirer quitter si no necesario retirarse salvo se altrimenti necessario ritirarsi wenn falls sonst notfalls abziehen"
)
_REPRISAL = (
    "killing killed death deaths assassination strike strikes attack attacks blood martyr martyrs commander general leader "
    "enemy enemies forces troops bases vowed swore promised pledged threatened warned harsh severe crushing "
    "mort assassinat juré promis menacé commandant muerte asesinato juró prometió amenazó comandante "
    "morte assassinio uccisione giurato promesso minacciato comandante Tod Tötung Ermordung geschworen gedroht Kommandeur "
    "harte harter harten dura duro durísima durissima sévère sévères drohte droht"  # harsh, threatened: the other languages
)
_RESPONSE_HOW = (  # how a response is told when it is a reprisal
    "crushing decisive decisively swift swiftly harsh severe firm firmly strong proportionate proportional disproportionate military "
    "resolute robust multi-tiered painful appropriate unrelenting choosing écrasante ferme fermement proportionnée militaire contundente "
    "contundencia firme proporcional desproporcionada militar schiacciante proporzionata durissima decisa militare harte entschlossen militärische"
)
_RESPONSE_TO = (  # what a reprisal answers
    "attack attacks attacked aggression killing killed assassination death deaths strike strikes attaque attaques agression assassinat mort "
    "frappe ataque ataques agresión asesinato muerte attacco attacchi aggressione uccisione morte Angriff Angriffe Tötung Ermordung Tod"
)
_SANCTION = (
    "list tightened tighten tightening Treasury oil exports imports bank banks banking economic economy financial entities individuals companies firms shipping "
    "tankers petrochemical steel metals nuclear regime government ministry officials impose imposed new lift lifted "
    "Trésor pétrole banques économiques nouvelles imposé lever levait "
    "Tesoro petróleo bancos económicas nuevas impuso levantar "
    "petrolio banche economiche nuove imposto revocare Öl Banken wirtschaftliche neue verhängt aufheben"
)
_AIR = "bombed struck hit pounded raided strafed attacked targeted killed bombarded bombing raid raids strikes"
_ROCKET = (
    "fired launched landed hit struck slammed targeted rained impact base bases embassy airport compound militia militiamen "
    "attack barrage salvo wounded killed crashed tirées tirés tombées lancées abattues base ambassade milice contre "
    "lanzaron lanzó disparados disparó dispararon cayeron cayó impactaron impactó base embajada milicia contra lanciati sparati caduti caduto base ambasciata milizia contro "
    "abgefeuert feuerte feuerten eingeschlagen Stützpunkt Botschaft Angriff Angriffe "
    "responsibility responsabilité responsabilidad responsabilità Verantwortung"  # a claim or denial of responsibility is an attack's
)
_MISSILE = _ROCKET + " intercepted interceptor test tests tested test-fired"  # a missile test
_DRONE = (
    "struck strike strikes hit targeted targeting attack attacked attacks assault armed explosive explosives laden one-way kamikaze launched killed fired "
    "attaqué frappe armados atacaron ataque armati attaccato raid bewaffnete Angriff against barrage swarm salvo rained slammed angegriffen griffen "
    "colpito colpita colpiti colpendo gelenkt angreift angreifen "  # struck, steered: the other languages (not their launch verbs: a missile lanciato)
    "atacó atacaron mató mataron alcanzó impactó tué tués frappé visé ucciso uccisi colpì tötete töteten getroffen traf"  # attacked, killed, hit

)
_EMBASSY = (  # not rockets that fell near it, nor protesters outside it: an attack on the mission itself
    "stormed storming besieged besieging siege attacked attack attackers breached torched overran rioters burned burnt "
    "militiamen mob assault assaulted seizure seized bomb bombing bombed targeted airstrike drones plot "
    "attaque ataque attacco Angriff "
    "assaut assiégé assiégée miliciens asaltaron asalto asedio asediada milicianos "
    "assaltato assalto assaltata assedio assediata miliziani gestürmt Sturm belagert Belagerung smashed"
)
_ESCALATION_PLAIN = "wider war; wider conflict; war widened; widen the war"  # a war spreading
_ESCALATION = (
    "war tensions conflict military crisis violence fighting hostilities confrontation standoff stand-off brinkmanship strikes attacks "
    "guerre conflit crise guerra conflicto crisis conflitto crisi Krieg Konflikt Krise Golf Gulf Golfe Golfo"
)
_TENSIONS = _ESCALATION + " " + _ARMED + " risk fears rhetoric situation region regional Middle East Moyen-Orient Oriente Medio Medio Oriente Nahost China Russia"  # the watched states' and groups' names count too
_CALM = _ESCALATION + " " + _ARMED + " sides parties"  # a call for restraint (the watched states' and groups' names count too)
_TARGETS = "forces troops soldiers personnel bases base positions facilities sites embassy convoy militia militias fighters ships tankers vessels"  # what armed force aims at
_AIRCRAFT = (
    "drone drones aircraft jet helicopter plane warplane airliner flight passenger Boeing dron avión aeronave helicóptero vuelo avion appareil "
    "hélicoptère vol aereo elicottero velivolo volo Drohne Flugzeug Passagierflugzeug Maschine Hubschrauber Flug"
)
_DEATH = _VIOLENT + " " + _ARMED + " revenge retaliation reprisal avenge martyr martyrdom general commander shot down downed downing abattu derribado abbattuto abgeschossen Abschuss protesters demonstrators manifestants manifestantes manifestanti Demonstranten"  # "vowed revenge for the general's death"
_KILLED = _ARMED + " dissident dissidents Autobombe Autobomben Bombe Bomben Sprengsatz coche bomba autobomba voiture piégée attack attacks attacked strike strikes struck shot shooting shelling blast explosion ambush bombardement bombardeo bombardamento Bombardierung embuscade emboscada imboscata Hinterhalt assassination commander bodyguards bodyguard bomber bombers suicide revenge vengeance reprisal avenge navy naval sank sunk"


class Member(NamedTuple):
    phrase: str
    context: str = ""  # the sense's words, space-separated ("" when the member needs none)
    within: int = 0  # words either side in which one must be (0: the matcher's CONTEXT_WINDOW)


class Synset(NamedTuple):
    concept: str
    cameo: str
    members: tuple[Member, ...]


def _synset(concept: str, cameo: str, plain: str, *senses: tuple[str, str] | tuple[str, str, int]) -> Synset:
    """A synset: `plain` members (`;`-separated) need no context; each (members, words[, within]) adds members with that sense."""
    members = [Member(p.strip()) for p in plain.split(";") if p.strip()]
    for phrases, words, *within in senses:
        members += [Member(p.strip(), words, within[0] if within else 0) for p in phrases.split(";") if p.strip()]
    return Synset(concept, cameo, tuple(members))


SYNSETS: tuple[Synset, ...] = (
    _synset(
        "drone strike", "195",
        "drone strike; drone strikes; drone attack; drone attacks; UAV strike; armed drone; frappe de drone; attaque de drone;"
        "ataque con drones; ataque de dron; attacco con drone; attacco di droni; Drohnenangriff; Drohnenschlag; loitering munition; loitering munitions",
        ("drone; drones; UAV; Reaper; dron; droni; Drohne; Drohnen", _DRONE, 5),
    ),
    _synset(
        "air strike", "195",
        "air strike; airstrike; airstrikes; air raid; air raids; bombing raid; aerial bombardment; frappe aérienne; frappes aériennes;"
        "raid aérien; bombardement aérien; ataque aéreo; bombardeo aéreo; attacco aereo; raid aereo; bombardamento aereo; Luftangriff; Luftschlag;"
        "precision-guided munitions; guided bombs;"
        "raids aériens; raid aerei; attacchi aerei; bombardamenti aerei; ataques aéreos; bombardeos aéreos; Luftangriffe; Luftangriffen; Luftschläge",  # and the plurals
        ("warplanes; warplane; fighter jets; jets; aircraft; F-15s; F-15E; B-52s; avions de combat; aviones de combate; caccia; Kampfjets;"
         "gunships; helicopter gunships; bombers; bomber; fighter-bombers; stealth bombers", _AIR, 4),
    ),
    _synset(
        "missile attack", "195",
        "ballistic missile; ballistic missiles; missile attack; missile strike; missile barrage; cruise missile; cruise missiles;"
        "missile balistique; missiles balistiques; misil balístico; misiles balísticos; missile balistico; missili balistici; ballistische Rakete",
        ("missile; missiles; misiles; missili", _MISSILE),
        ("guided missile; guided missiles; anti-tank missile; anti-tank missiles; antitank missile; ATGM; missile antichar; missiles antichars; missile guidé;"
         "misil antitanque; misiles antitanque; misil guiado; missile anticarro; missili anticarro; missile guidato; Panzerabwehrrakete; Panzerabwehrraketen; Lenkflugkörper", ""),  # a guided weapon fired (the thirteenth pass)
    ),
    _synset(
        "assassination", "186",
        "assassination; assassinated; assassinate; targeted killing; assassinat; assassiné; asesinato; asesinado; assassinio; assassinato; Ermordung; ermordet;"
        # the guide's "targeted killing" as the four other languages' press writes it (it is no plain killing)
        "élimination ciblée; assassinat ciblé; asesinato selectivo; eliminación selectiva; ejecución selectiva; uccisione mirata; omicidio mirato;"
        "eliminazione mirata; gezielte Tötung; gezielte Tötungen",
    ),
    _synset(
        "bombing", "183",
        "car bomb; suicide bomber; suicide bombers; suicide bombing; suicide attack; roadside bomb; truck bomb; explosive device; IED; bomb attack;"
        "blew himself up; blew themselves up; attentat à la bombe; voiture piégée; attentat-suicide; coche bomba; atentado suicida;"
        "autobomba; attentato suicida; Bombenanschlag; Autobombe; Selbstmordanschlag; Sprengsatz",
        ("bombing; bombings; detonated; blow up", _ARMED),  # blew up, blown up, blowing up: one stem
        ("bombe en bord de route; bomba al borde de la carretera; bomba de carretera; bomba al lato della strada; bomba sul ciglio della strada; Straßenrandbombe; Sprengfalle", ""),  # a roadside bomb in the other languages (the thirteenth pass)
    ),
    _synset(
        "rocket attack", "190",
        "rocket attack; rocket attacks; rocket fire; rockets fired; Katyusha; Katyushas; Katjuscha; Katjuschas; Katioucha; Katiouchas; Katiusha; Katiushas; mortar fire; tirs de roquettes; ataque con cohetes; attacco con razzi; Raketenangriff; Raketenbeschuss",
        ("rocket; rockets; mortar; mortars; mortar rounds; roquettes; roquette; cohetes; cohete; razzi; razzo; Raketen; Rakete", _ROCKET),
    ),
    _synset(
        "embassy attack", "18",
        "embassy attack; attack on the embassy; stormed the embassy; storming of the embassy; siege of the embassy; embassy siege;"
        "assaut contre l'ambassade; asalto a la embajada; assalto all'ambasciata; Sturm auf die Botschaft",
        ("embassy; consulate; diplomatic compound; ambassade; embajada; ambasciata; Botschaft; consulat; consulado; consolato; Konsulat", _EMBASSY, 10),
    ),
    _synset(
        "fight", "19",
        "shelling; shelled; artillery fire; opened fire; came under fire; ambush; ambushed;"
        "tirs d'artillerie; fuego de artillería; fuoco di artiglieria; Artilleriefeuer; Militärschlag; Beschuss; cross-border fire; exchange of fire;"
        "exchanges of fire; trade fire; traded fire; exchange fire; exchanged fire; embuscade; emboscada; imboscata; Hinterhalt; legitimate targets; legitimate target; fair targets; cibles légitimes; objetivos legítimos; obiettivi legittimi; legitime Ziele",
        ("strike; strikes; struck; clashes; clashed; gunfire; hit; pounded; bombardment; bombarded; obliterated", _ARMED),
        ("attack; attacks; attacked; assault; assaulted; raid; raids; frappe; frappes; attaque; attaques; attaquer; attaqué;"
         "ataque; ataques; atacar; atacó; attacco; attacchi; attaccare; attaccò; Angriff; Angriffe; angreifen", _ATTACK),
        ("shot down; shooting down; downed; abattu; derribó; derribado; derribo; abbattuto; abbattimento; abgeschossen; Abschuss", _AIRCRAFT, 6),
        ("colpire; colpito; colpita; colpiti; colpendo; frapper; ins Visier", _ATTACK),
        ("target; targets; targeted; targeting", _TARGETS, 3),
    ),
    _synset(
        "killing", "18",
        "shot dead; gunned down; slain; tué; tués; mató; mataron; ucciso; uccisi; ucciderà; getötet; tötete",
        ("killed; killing; kills; kill; uccisione; Tötung", _KILLED),
        ("deadly; deadliest; tödlichen; meurtrier; meurtrière", _KILLED, 2),
        ("dead; died; death; deaths; death toll; mort; morts; muerto; muertos; murió; muerte; morte; morti; ums Leben; starben; Tod", _DEATH),
        ("summarily executed; executed prisoners; executed detainee; executed detainees; executed hostages; executed captives; execution-style", ""),  # the stem of executive (exécuté, ejecutado: ejecutivo): only with the captive
        ("exécutés sommairement; exécutions sommaires; ejecutados sumariamente; fusilado; fusilados; fusiló; fusilaron; giustiziato; giustiziati; hingerichtet; Hinrichtung",
         "detainee detainees prisoner prisoners captive captives hostage hostages bound blindfolded summarily kneeling civilians "
         "détenu détenus prisonnier prisonniers otages detenido detenidos prisionero prisioneros rehenes detenuto detenuti prigioniero prigionieri ostaggi "
         "Gefangene Gefangenen Häftling Häftlinge Geiseln", 8),  # German puts the verb last; a captive put to death (an order or a plan executed is no killing)
    ),
    _synset(
        "kidnapping", "181",
        "kidnapping; kidnapped; kidnap; kidnappers; abducted; abduction; abductors; taken hostage; hostage-taking; hostages; ransom;"
        "enlèvement; enlevé; enlevés; otages; rançon; secuestro; secuestró; secuestrado; secuestrados; rehenes; rescate; rapimento; rapito; rapiti; ostaggi; riscatto;"
        "Entführung; entführt; Geiseln; Lösegeld",
    ),
    _synset(
        "retaliation", "13",
        "retaliation; retaliate; retaliated; retaliatory; reprisal; reprisals; vengeance; revenge attack; représailles; venganza;"
        "represalia; represalias; rappresaglia; rappresaglie; Vergeltung; Vergeltungsschlag",
        ("revenge; avenge; avenged; avenging; hit back; pay the price; pay a heavy price; make them pay; riposte; venger; vengar; vendetta; vendicare; Rache; rächen;"
         "paieront le prix; pagarán el precio; pagheranno il prezzo; paiera le prix; pagará el precio; pagherà il prezzo", _REPRISAL),  # the future's plural and singular
        ("payback", _REPRISAL),
        ("pay dearly; paiera cher; paieront cher; pagará caro; pagarán caro; pagherà caro; pagheranno caro; teuer bezahlen", _THREAT, 6),  # the threatened reprisal
        ("response", _RESPONSE_HOW, 3),  # "responsible" has its stem: only how it is told
        ("respond; réponse; répondra; respuesta; responderá; risposta; risponderà; Antwort", _RESPONSE_HOW + " " + _RESPONSE_TO, 6),
    ),
    _synset(
        "troop deployment", "15",
        "troop deployment; troops deployed; deployed troops; troop surge; send troops; sent troops; additional troops; extra troops;"
        "more troops; additional forces; military buildup; military build-up; Truppenverlegung",
        ("Entsendung", _FORCE, 5),
        ("deployment; deploy; deployed; deploying; reinforcements; déploiement; déployé; déployés; renforts; despliegue; desplegó; desplegados; refuerzos;"
         "dispiegamento; dispiegati; schierati; schierate; rinforzi; Verlegung; stationiert", _FORCE),
        ("dispatched; dispatch; sent; sending; rushed; bolstered; bolster; moved; redeployed; stationed; station; envoi; enviado; enviados; envió; inviato; inviati; inviato;"
         "dépêché; dépêchés; despachó; despachados; schierato; invio; ordered;"
         "entsandt; entsendet; verlegt; schickt; schickte", _FORCE, 5),
        ("military presence; présence militaire; presencia militar; presenza militare; Militärpräsenz",
         "reinforced reinforce bolstered bolster boosted boost increased increase expanded expand renforcé renforcer accru reforzó reforzar aumentó aumentar "
         "rafforzato rafforzare aumentato aumentare verstärkt verstärken erhöht erhöhen", 5),  # a presence reinforced
        ("reinforce; reinforced; reinforcing; verstärken; verstärkt; verstärkte; reforzar; reforzó; refuerza; rafforzare; rafforzato; rafforza",
         "troops forces Truppen troupes tropas truppe soldiers Soldaten soldats soldados soldati", 6),  # German puts the verb last  # troops reinforced (seine Truppen verstärken)
    ),
    _synset(
        "threat", "13",
        "ultimatum; all options are on the table; Drohung; crushing blow; ready to strike; prêts à frapper; prêt à frapper; listos para atacar;"
        "pronti a colpire; bereit zuzuschlagen; toutes les options sont sur la table;"
        "todas las opciones están sobre la mesa; tutte le opzioni sono sul tavolo; alle Optionen liegen auf dem Tisch",
        ("would be met with; will be met with", _THREAT, 6),  # an act met with force
        ("kündigte; kündigten; angekündigt", "Vergeltung Vergeltungsschlag Rache Racheakt Gegenschlag Visier angreifen", 6),  # retaliation or an attack announced: a threat
        ("warned; warns; warning; warn", _WARN),  # by force words alone: analysts warning of escalation with Iran threaten nothing
        ("threat; threats; threatened; threatens; threatening; vowed; vows; swore; would pay; menace; menacé; menace de;"
         "a juré; juré; amenaza; amenazas; amenazó; advirtió; juró; minaccia; minacce; minacciato; avvertì; giurato; drohte; droht; gedroht; schwor;"
         "a averti; a prévenu; gewarnt", _THREAT),  # a warning given (not warnte: "warnte vor einer Eskalation" warns of a danger)
        ("pledged; promised; promis; prometió; promesso", _PROMISE),
        ("will not be tolerated; would not be tolerated; will not tolerate; would not tolerate; will not go unanswered; would not go unanswered;"
         "will not go unpunished; would not go unpunished; ne restera pas impuni; no quedará impune; non resterà impunito; nicht ungestraft;"
         "will not stand idly by; would not stand idly by; will not stand idle; would not stand idle; will not sit idly by; would not sit idly by", _THREAT, 8),  # a litotes of reprisal
        ("harsh; severe; crushing; decisive; dura; durísima; sévère; severa; harte", "revenge vengeance retaliation retaliatory response reprisal reprisals venganza respuesta vengeance riposte représailles vendetta risposta Rache Vergeltung Antwort", 2),
        ("unavenged; will pay", _THREAT, 3),
        ("held responsible; hold responsible; bear responsibility; fair game; bill comes due; preemptive action; pre-emptive action;"
         "prepared to finish one", _THREAT, 4),
        ("locked and loaded", ""),  # readiness to fire, said of a state (not of a game's level: the senses take sports)
        ("face the consequences; face serious consequences; face dire consequences", _ARMED_SIDE, 12),  # consequences promised to an armed side (not a judge's to a defendant)
        ("prepared to use force; ready to use force; willing to use force; use force if necessary;"
         "prêts à recourir à la force; prête à recourir à la force; prêt à recourir à la force; dispuestos a usar la fuerza; dispuesto a usar la fuerza; dispuesta a usar la fuerza;"
         "pronti a usare la forza; pronto a usare la forza; bereit, Gewalt anzuwenden; Gewalt anzuwenden", _FORCE_HELD, 12),  # force held ready
        ("ready for war; prêts à la guerre; prêt à la guerre; listos para la guerra; listo para la guerra; pronti alla guerra; pronto alla guerra;"
         "kriegsbereit; bereit für einen Krieg", _THREAT + " if enemy Israel America", 10),  # a readiness for war (the twelfth pass)
        ("will regret; would regret; will live to regret; will be sorry; regrettera; lamentará; si pentirà; bereuen wird; wird es bereuen", _THREAT, 10),
        ("harsh punishment; stern warning; severa advertencia; dura advertencia; sévère avertissement; sévères avertissements;"
         "severo avvertimento; duro avvertimento; scharfe Warnung; harte Strafe", _THREAT, 10),
        ("time of our choosing; time and place of our choosing; time and place we choose; moment de notre choix; moment et à l'endroit de notre choix;"
         "momento y lugar que elijamos; momento que elijamos; momento e nel luogo che sceglieremo; momento che sceglieremo; Zeitpunkt unserer Wahl",
         _THREAT + " respond responder répondre rispondere antworten", 10),  # a reprisal the avenger promises in the first person, when it chooses (not analysts expecting one at a time of "their" choosing)
        ("face consequences; face the consequences; face serious consequences; face grave consequences; face severe consequences; face great consequences;"
         "face dire consequences; subira les conséquences; subir les conséquences; sufrirá las consecuencias; afrontará las consecuencias; subirà le conseguenze;"
         "wird die Konsequenzen tragen", _NO_CONSEQUENCES, 8),  # consequences a party is told it will face (its force words: not a drought's)
    ),
    _synset(
        "sanctions", "163",
        "economic sanctions; asset freeze; expelled diplomats; expulsion of diplomats; severed diplomatic ties; cut diplomatic ties;"
        "expel the ambassador; expelled the ambassador; expulsion of the ambassador; freeze assets; froze assets; sanctions list;"
        "gel des avoirs; gelé les avoirs; congelación de activos; congeló los activos; congelamento dei beni; congelato i beni; Vermögen eingefroren; Vermögenswerte eingefroren",
        ("sanctions; sanctioned; embargo; blacklisted; sanctionné; sanciones; sanzioni; Sanktionen", _SANCTION),
        ("expelled; expels; expelling; expulsion; expulsé; expulsés; expulsó; expulsión; espulso; espulsi; ausgewiesen; Ausweisung",
         "diplomat diplomats attaché attachés ambassador consul diplomate diplomates ambassadeur diplomático diplomáticos embajador diplomatico diplomatici ambasciatore "
         "Diplomat Diplomaten Botschafter Militärattaché", 4),  # a diplomat expelled, by rank (a military attaché)
    ),
    _synset(
        "escalation", "",
        "escalation; rising tensions; mounting tensions; spiralling tensions; soaring tensions; heightened tensions; brink of war;"
        "verge of war; all-out war; tit-for-tat; collision course; closer to the brink; pushed to the brink; Flächenbrand;"
        "au bord de la guerre; al borde de la guerra; sull'orlo della guerra; sull'orlo di una guerra; am Rande eines Krieges; "
        "spiral out of control; spiralling out of control; spiraling out of control; spiralled out of control; spiraled out of control; " + _ESCALATION_PLAIN,
        ("escalation; escalade; escalada; Eskalation; tensions; tensiones; tensioni; tensione; Spannungen; escalatory", _TENSIONS),  # of rents, of a strike for pay, a climbing wall: no
        ("escalate; escalated; escalating; ratcheted up; ratchet up; step up; stepped up; intensify; intensified", _ESCALATION),
    ),
    _synset(
        "ceasefire", "0871",
        "ceasefire; cease-fire; truce; armistice; cessez-le-feu; trêve; alto el fuego; cese al fuego; tregua; cessate il fuoco; Waffenstillstand; Waffenruhe;"
        "announced a halt; declared a halt; suspended its attacks; suspending operations; suspension of attacks",
    ),
    _synset(
        "de-escalation", "0256",
        "de-escalation; de-escalate; ease tensions; easing tensions; defuse tensions; reduce tensions; lower tensions; calm tensions;"
        "urged restraint; called for restraint; urged calm; called for calm; appealed for calm; step back from the brink; stepped back from the brink;"
        "does not seek war; not seeking war; not want war; not want a war; no wish for war; standing down; stood down;"
        "avoid war; avoid a wider war; avoid escalation; prevent escalation; no intention of escalating;"
        "désescalade; apaisement; ne veut pas la guerre; desescalada; no busca una guerra; distensione; Deeskalation;"
        "exercise restraint; show restraint; maximum restraint; appelé à la retenue; pidió contención; invitato alla moderazione; zur Zurückhaltung;"
        "prevent a wider war; prevent a regional war; preventing a regional war; ne cherchent pas la guerre; ne cherche pas la guerre; apaiser les tensions;"
        "ne cherchons pas la guerre; ne voulons pas la guerre; ne veulent pas la guerre;"  # the other persons (Snowball leaves French verbs apart)
        "no buscan la guerra; rebajar la tensión; reducir la tensión; bajar la tensión; non cerca la guerra; ridurre la tensione; allentare la tensione;"
        "keinen Krieg; Spannungen abbauen; lower the temperature; lowering the temperature; bring down the temperature; cool tensions;"
        "evitare un'escalation; evitare qualsiasi escalation; non cerca un'escalation; éviter une escalade; éviter toute escalade; évite l'escalade;"
        "evitar una escalada; evitar cualquier escalada; no busca una escalada; eine Eskalation vermeiden; keine Eskalation",
        ("restraint; retenue; contención; moderazione; Zurückhaltung", _CALM),
        ("rein in; reined in; reining in; reins in", _ARMED, 4),  # an armed side reined in
        ("no desire for war; no desire for conflict; no desire for a war; no interest in war; no interest in a war; no appetite for war; no appetite for conflict;"
         "aucun désir de guerre; aucune envie de guerre; ningún deseo de guerra; ningún interés en una guerra; nessun desiderio di guerra; nessun interesse alla guerra;"
         "kein Interesse an einem Krieg; keinen Wunsch nach Krieg", ""),  # no wish for war, as said (the thirteenth pass)
        ("not be dragged into; not be drawn into; not allow to drag into; not let drag into; refuse to be dragged into; ne se laisserait pas entraîner; ne se laissera pas entraîner;"
         "ne pas être entraîné; no se dejará arrastrar; no se dejarán arrastrar; no será arrastrado; non si farà trascinare; non si lascerà trascinare; non sarà trascinato;"
         "nicht hineinziehen lassen; nicht hineingezogen", _ESCALATION, 6),  # a side that will not be dragged into a war
    ),
)


# Fixed expressions that use a synset's words outside conflict (`;`-separated): given as `not_when` (cancelling a
# hit within 6 words) to every event that lists a member of the synset and whose author wrote no `not_when`.
IDIOMS = {
    "assassination": "character assassination; character assassinations",
    "kidnapping": "hostage to fortune",
    "escalation": "escalation clause; escalation clauses; price escalation; cost escalation; de-escalation training; de-escalation techniques",
    "de-escalation": "de-escalation training; de-escalation techniques; de-escalation skills; de-escalation course; without restraint",
    "retaliation": "whistleblower retaliation; retaliation claim; retaliation claims; retaliation lawsuit; alleged retaliation; suffered retaliation",
    "killing": "made a killing; make a killing; killing time; lightning strike; struck by lightning; shark attack; dog attack; heart attack; death to America; death to Israel; natural causes; long illness; old age;"
    "sentenced to death; death sentence; death penalty; death row; condamné à mort; condenado a muerte; condannato a morte; zum Tode verurteilt",
    "bombing": "controlled detonation; controlled detonations; controlled explosion; controlled explosions; bomb disposal; bomb cyclone; bomb cyclones",
    "fight": "hunger strike; general strike; on strike; strike a deal; struck a deal; strike a chord; struck a chord; lightning strike;"
    "heart attack; panic attack; anxiety attack; shark attack; dog attack; sexual assault; indecent assault; assault charge; assault charges;"
    "arson attack; arson attacks; pace attack; bowling attack; spin attack",
    "ceasefire": "price war; fare war; bidding war; trade war; guerre des prix; guerra de precios; guerra dei prezzi; Preiskrieg",
    "threat": "strike a deal; early warning; storm warning; weather warning; flood warning; profit warning; hours of warning; without warning;"
    "threatened species; endangered species",
}


@lru_cache(maxsize=8192)
def _key(phrase: str) -> tuple[str, ...]:
    """A phrase compared by the stems of its units (deploy = deployed = deployment)."""
    return tuple(units_of(phrase).padded)


def _table(synset: Synset) -> dict[tuple[str, ...], Member]:
    """A synset's members by key; of members with one key (escalation, escalate), the first listed."""
    table: dict[tuple[str, ...], Member] = {}
    for m in synset.members:
        table.setdefault(_key(m.phrase), m)
    return table


_KEYS = [_table(s) for s in SYNSETS]
_EXACT = {m.phrase.casefold(): m for s in SYNSETS for m in s.members}  # a listed phrase that is a member as written takes its own sense (dead, not deadly's)
_SENSED = frozenset({_ARMED, _VIOLENT, _DEATH, _KILLED})  # senses an armed group's name also satisfies
_KILLINGS = frozenset({_DEATH, _KILLED})  # senses a watched person's name also satisfies (his killing is the domain's)
_THREATS = frozenset({_THREAT, _CALM, _TENSIONS, _SANCTION})  # senses a watched state's or armed group's name also satisfies (a threat by or to it is the domain's)
_WARNINGS = frozenset({_WARN})  # senses a watched person's or group's name satisfies, not a state's (diplomats warning Tehran threaten nothing)
_PARTIES = frozenset({_ATTACK})  # senses a watched state's name also satisfies (an attack by or on it is the domain's; not a strike: of workers, of a tone)


def expand(
    events: Sequence[Event],
    off: Iterable[str] = (),
    own: dict[str, frozenset[str]] | None = None,
    groups: Iterable[str] = (),
    persons: Iterable[str] = (),
    states: Iterable[str] = (),
) -> tuple[Event, ...]:
    """The events with the synsets they list a member of added (each member once in the watchlist), and,
    in an event whose author wrote no context nor not_when, a sense given to its listed members; not for events
    named in `off`. `own` names, per event, the phrases whose context was written (even `[]`). `groups`
    (the watched armed groups' aliases) count as words of armed conflict in the senses of violence,
    `persons` (the watched persons' names) in the senses of killing, `states` (the watched states' names)
    with the groups' in the sense of threat."""
    off = set(off)
    own = own or {}
    armed = (tuple(groups), tuple(persons), tuple(states))
    listed = {_key(p) for e in events for p in e.phrases}
    owners = _owners([e for e in events if e.name not in off])
    out = []
    for event in events:
        if event.name in off:
            out.append(event)
            continue
        keys: dict[tuple[str, ...], list[str]] = {}
        for p in event.phrases:
            keys.setdefault(_key(p), []).append(p)
        plain = not event.context and not event.not_when and not own.get(event.name)  # its author wrote no context nor not_when: no sense is deliberate
        context = dict(event.context)
        within = dict(event.within)
        phrases = list(event.phrases)
        added = list(event.thesaurus)
        not_when = list(event.not_when)
        for synset, table in zip(SYNSETS, _KEYS):
            if table.keys().isdisjoint(keys):
                continue
            if not event.not_when:  # its author wrote none: the synset's fixed expressions (one who wrote some chose them)
                not_when += [i.strip() for i in IDIOMS.get(synset.concept, "").split(";") if i.strip() and i.strip() not in not_when]
            for key, member in table.items():
                if key in keys:
                    for p in keys[key] if plain else ():
                        own_sense = _EXACT.get(p.casefold(), member) if _key(_EXACT.get(p.casefold(), member).phrase) == key else member
                        if own_sense.context:
                            context[p] = _words(own_sense._replace(phrase=p), armed)
                            if own_sense.within:
                                within[p] = own_sense.within
                elif key not in listed and owners.get(synset.concept, event.name) == event.name:
                    listed.add(key)
                    phrases.append(member.phrase)
                    added.append(member.phrase)
                    if member.context:
                        context[member.phrase] = _words(member, armed)
                        if member.within:
                            within[member.phrase] = member.within
        out.append(dataclasses.replace(event, phrases=tuple(phrases), context=tuple(context.items()), within=tuple(within.items()), not_when=tuple(not_when), thesaurus=tuple(added)))
    return tuple(out)


def event_of(concept: str, events: Sequence[Event]) -> str:
    """The event that stands for a synset's concept ("threat"): the one named by a member, else the one
    listing most of its members (by stems); "" when no event lists one."""
    table = next((_KEYS[i] for i, s in enumerate(SYNSETS) if s.concept == concept), {})
    counts = [(sum(_key(p) in table for p in e.phrases), e.name) for e in events]
    named = [e.name for e in events if _key(e.name) in table]
    best = max(counts, default=(0, ""))
    return named[0] if named else best[1] if best[0] else ""


def _owners(events: Sequence[Event]) -> dict[str, str]:
    """Per synset's concept the event its unlisted members join: the one that stands for it (`event_of`), not
    merely the first listing one member (a retaliation event that lists "crushing blow" takes no threat)."""
    return {s.concept: name for s in SYNSETS if (name := event_of(s.concept, events))}


def _words(member: Member, names: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]) -> tuple[str, ...]:
    """A member's context words, with the watched armed groups' names when its sense is one of violence,
    the watched persons' when one of killing, and the states' and groups' when one of threat."""
    own = _key(member.phrase)
    words = tuple(w for w in member.context.split() if _key(w) != own)  # a word is no evidence of its own sense
    groups, persons, states = names
    named = (groups if member.context in _SENSED | _PARTIES | _WARNINGS else ()) + (persons if member.context in _KILLINGS | _WARNINGS else ())
    return words + named + (groups + states if member.context in _THREATS else ()) + (states if member.context in _PARTIES else ())
